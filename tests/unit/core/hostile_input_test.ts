// Bad input tried as a careless or hostile caller would (issue 7,
// "Reliability"): every failure is a typed error, never a raw throw, hang or
// silently wrong store.
import * as assert from "node:assert/strict";
import { pipe } from "fp-ts/lib/function.js";
import {
  addToCollection,
  constantInitializer,
  createVariables,
  emptyStore,
  findVariable,
  fixedSizePartitioner,
  flatMap,
  getCollection,
  getVariable,
  listVariables,
  makeTemplate,
  map,
  of,
  type Program,
  randomNormalInitializer,
  runScoped,
  runScopedOrThrow,
  runWith,
  scoped,
  ScopeError,
  startState,
  variableAxisSizePartitioner,
  type VariableLike,
  variableScope,
} from "varscope";
import { fails } from "./_helpers.ts";
import type { Gen } from "./_helpers.ts";

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
  userCodeFailed(scoped(function* (): Gen<unknown> {
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
  userCodeFailed(scoped(function* (): Gen<unknown> {
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

// Issue 7: "Editing a custom getter's arguments in place — the natural port of
// TF1's `kwargs["name"] = …; return getter(…)` — files the variable under its
// old name … and the edit bypasses every check".
function editInPlace(edit: (args: Record<string, unknown>) => void): Program<VariableLike> {
  return variableScope("s", {
    customGetter: (next, args) => {
      edit(args as unknown as Record<string, unknown>);
      return next(args);
    },
  }, getVariable("w", { shape: [2] }));
}

Deno.test("issue 7: editing a custom getter's arguments in place files the variable under the NEW name", () => {
  const { value, store } = runScopedOrThrow(editInPlace((a) => {
    a.name = "s/x";
  }));
  assert.equal(value.name, "s/x:0");
  assert.deepEqual(listVariables(store).map((v) => v.fullName), ["s/x"]);
  assert.equal(findVariable(store, "s/w"), undefined);
  assert.equal(findVariable(store, "s/x"), value);
});

Deno.test("issue 7: editing a custom getter's arguments in place is checked like the original arguments", () => {
  fails(
    editInPlace((a) => {
      a.name = "bad name!";
    }),
    "InvalidName",
    ["bad name!"],
  );
  fails(
    editInPlace((a) => {
      a.shape = [-5];
    }),
    "InvalidArgument",
    ["shape", "-5"],
  );
  fails(
    editInPlace((a) => {
      a.dtype = "evil";
    }),
    "InvalidArgument",
    ["dtype", "evil"],
  );
  fails(
    editInPlace((a) => {
      a.trainable = "yes";
    }),
    "InvalidArgument",
    ["trainable"],
  );
});

Deno.test("issue 7: an in-place shape edit is honoured (TF1 port: kwargs['shape'] = …)", () => {
  const { value } = runScopedOrThrow(editInPlace((a) => {
    a.shape = [3, 4];
  }));
  assert.deepEqual(value.shape, [3, 4]);
});

Deno.test("issue 7: a custom getter's result is checked — of(5) is InvalidArgument, not a variable 5", () => {
  const p = variableScope(
    "s",
    { customGetter: () => of(5) as never },
    getVariable("w", { shape: [1] }),
  );
  const e = fails(p, "InvalidArgument", ["custom getter", "must yield a variable", "5"]);
  assert.equal(e.details.name, "s/w");
});

// Issue 7: "Prototype pollution reaches option parsing
// (`Object.prototype.customGetter = f` runs `f` on every `getVariable`)".
function withPolluted(key: string, value: unknown, body: () => void): void {
  const proto = Object.prototype as Record<string, unknown>;
  Object.defineProperty(proto, key, { value, configurable: true, writable: true });
  try {
    body();
  } finally {
    delete proto[key];
  }
}

Deno.test("issue 7: Object.prototype.customGetter = f does not make getVariable run f", () => {
  let ran = 0;
  withPolluted("customGetter", () => {
    ran++;
    return of(5);
  }, () => {
    const { value } = runScopedOrThrow(
      variableScope("s", {}, getVariable("w", { shape: [1] })),
    );
    assert.equal(value.name, "s/w:0");
  });
  assert.equal(ran, 0);
});

Deno.test("issue 7: polluted partitioner, initializer, shape and reuse options are never read", () => {
  withPolluted("partitioner", () => [2], () => {
    withPolluted("reuse", true, () => {
      withPolluted("dtype", "int32", () => {
        const { value } = runScopedOrThrow(
          variableScope("s", {}, getVariable("w", { shape: [4] })),
        );
        assert.equal(value._tag, "Variable");
        assert.equal(value.dtype, "float32");
      });
    });
  });
  withPolluted("verifyShape", true, () => {
    assert.equal((constantInitializer(1) as { verifyShape: boolean }).verifyShape, false);
  });
  withPolluted("stddev", 99, () => {
    assert.equal((randomNormalInitializer() as { stddev: number }).stddev, 1);
  });
  withPolluted("maxShards", 1, () => {
    const part = variableAxisSizePartitioner(4);
    assert.deepEqual(part({ shape: [8], dtype: "float32" }), [8]);
  });
});

Deno.test("issue 7: an interpreter's run (runWith) reports 20,000 nested scopes as NestingTooDeep, not a tensor error", () => {
  let p: Program<unknown> = getVariable("v", { shape: [1] });
  for (let i = 0; i < 20_000; i++) p = variableScope("s", p);
  const run = { creation: createVariables(), recording: null, interpreter: null };
  const r = runWith(p, startState(emptyStore()), run);
  assert.equal(r._tag === "Left" && r.left.tag, "NestingTooDeep");
  // Other exceptions stay the interpreter's to report.
  assert.throws(() =>
    runWith(
      // deno-lint-ignore require-yield
      scoped(function* (): Gen<void> {
        throw boom;
      }),
      startState(emptyStore()),
      run,
    ), (e: unknown) => e === boom);
});

Deno.test("issue 7: Object.prototype.customGetter does not reach makeTemplate's options either", () => {
  let ran = 0;
  withPolluted("customGetter", () => {
    ran++;
    return of(5);
  }, () => {
    const { value } = runScopedOrThrow(scoped(function* (): Gen<string> {
      const t = yield* makeTemplate("t", () => getVariable("w", { shape: [1] }));
      return (yield* t.call()).name;
    }));
    assert.equal(value, "t/w:0");
  });
  assert.equal(ran, 0);
});

Deno.test("issue 7: runs stopped by a stack overflow at many depths leave their input store intact and usable", () => {
  const start = runScopedOrThrow(scoped(function* (): Gen<void> {
    yield* getVariable("a", { shape: [1] });
    yield* addToCollection("mine", 1);
    yield* variableScope(
      "t",
      getVariable("p", { shape: [4], partitioner: fixedSizePartitioner(2) }),
    );
  })).store;
  const body = variableScope(
    "s",
    scoped(function* (): Gen<void> {
      yield* getVariable("x", { shape: [1] });
      yield* addToCollection("mine", 2);
      yield* getVariable("q", { shape: [4], partitioner: fixedSizePartitioner(2) });
    }),
  );
  // flatMap nesting uses the stack linearly (cheap), so the overflow point
  // can be moved frame by frame through the innermost store writes.
  const nest = (depth: number): Program<unknown> => {
    let p: Program<unknown> = body;
    for (let i = 0; i < depth; i++) {
      const inner = p;
      p = pipe(of(0), flatMap(() => inner));
    }
    return p;
  };
  // Hover around the depth where the stack runs out (it moves as the JIT
  // warms up): deeper after a run that fitted, a little shallower after one
  // that overflowed, so the overflow lands at many different frames.
  let depth = 1000;
  let overflowed = 0;
  for (let round = 0; round < 400 && overflowed < 60; round++) {
    const r = runScoped(nest(depth), start);
    if (r._tag === "Left") {
      assert.equal(r.left.tag, "NestingTooDeep");
      overflowed++;
      depth -= 3;
    } else {
      depth += depth < 4000 ? 1000 : 50;
    }
    const after = runScopedOrThrow(
      scoped(function* (): Gen<void> {
        yield* getVariable("b", { shape: [2] });
        yield* addToCollection("mine", 3);
      }),
      start,
    ).store;
    assert.deepEqual(listVariables(after).map((v) => v.fullName), [
      "a",
      "t/p/part_0",
      "t/p/part_1",
      "b",
    ]);
    for (const v of listVariables(after)) assert.equal(findVariable(after, v.fullName), v);
    assert.equal(findVariable(after, "s/x"), undefined);
    assert.deepEqual(getCollection(after, "mine"), [1, 3]);
    assert.deepEqual(listVariables(start).map((v) => v.fullName), [
      "a",
      "t/p/part_0",
      "t/p/part_1",
    ]);
  }
  assert.ok(overflowed > 0);
});
