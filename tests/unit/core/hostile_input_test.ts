// Bad input tried as a careless or hostile caller would (issue 7,
// "Reliability"): every failure is a typed error, never a raw throw, hang or
// silently wrong store.
import * as assert from "node:assert/strict";
import { pipe } from "fp-ts/lib/function.js";
import {
  flatMap,
  getVariable,
  makeTemplate,
  map,
  of,
  type Program,
  runScoped,
  runScopedOrThrow,
  scoped,
  ScopeError,
  variableScope,
} from "varscope";
import { fails } from "./_helpers.ts";

const boom = new Error("boom");

function userCodeFailed(p: Program<unknown>): void {
  const e = fails(p, "UserCodeFailed", ["threw", "boom"]);
  assert.equal(e.cause, boom);
  assert.throws(
    () => runScopedOrThrow(p),
    (t: unknown) => t instanceof ScopeError && t.tag === "UserCodeFailed" && t.cause === boom,
  );
}

Deno.test("issue 7: runScoped never throws — a generator body that throws becomes UserCodeFailed with cause", () => {
  userCodeFailed(scoped(function* () {
    yield* getVariable("v", { shape: [1] });
    throw boom;
  }));
});

Deno.test("issue 7: runScoped never throws — a custom getter that throws becomes UserCodeFailed", () => {
  userCodeFailed(variableScope("s", {
    customGetter: () => {
      throw boom;
    },
  }, getVariable("w", { shape: [1] })));
});

Deno.test("issue 7: runScoped never throws — a template function that throws becomes UserCodeFailed", () => {
  userCodeFailed(scoped(function* () {
    const t = yield* makeTemplate("t", (): Program<number> => {
      throw boom;
    });
    return yield* t.call();
  }));
});

Deno.test("issue 7: runScoped never throws — map and flatMap functions that throw become UserCodeFailed", () => {
  userCodeFailed(pipe(
    of(1),
    map(() => {
      throw boom;
    }),
  ));
  userCodeFailed(pipe(
    of(1),
    flatMap((): Program<number> => {
      throw boom;
    }),
  ));
});

Deno.test("issue 7: runScoped never throws — a partitioner that throws is a typed PartitionerError", () => {
  const e = fails(
    getVariable("p", {
      shape: [4],
      partitioner: () => {
        throw boom;
      },
    }),
    "PartitionerError",
    ["threw", "boom"],
  );
  assert.equal(e.details.name, "p");
});

Deno.test("issue 7: runScoped never throws — 20,000 nested variableScopes give NestingTooDeep, not a stack overflow", () => {
  let p: Program<unknown> = getVariable("v", { shape: [1] });
  for (let i = 0; i < 20_000; i++) p = variableScope("s", p);
  const r = runScoped(p);
  assert.equal(r._tag, "Left");
  if (r._tag === "Left") {
    assert.equal(r.left.tag, "NestingTooDeep");
    assert.ok(r.left.cause instanceof RangeError);
  }
  // A moderate depth still works.
  let q: Program<unknown> = getVariable("v", { shape: [1] });
  for (let i = 0; i < 200; i++) q = variableScope("s", q);
  assert.equal(runScoped(q)._tag, "Right");
});
