// Issue 7: "A property test sweeps every public export with hostile values."
// Every function the "varscope" entry exports, called with a hostile value
// (null, undefined, odd numbers and strings, proxies whose traps throw,
// objects with throwing getters, frozen objects, huge arrays, under a
// polluted Object.prototype too) in argument position 0, 1 or 2, either
// returns (a returned Program runs to an Either without throwing) or throws a
// typed error (an Error with a string `tag` or `code`): never a raw
// TypeError/RangeError, never a hang.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import * as varscope from "varscope";
import { params } from "./_config.ts";
import { HOSTILE, isClass, trap, typed } from "./_hostile.ts";

// Nothing is left out: interpreter-author functions (runWith, startState,
// Recording) check their arguments too.
const EXCLUDED: ReadonlySet<string> = new Set([]);

// Plausible arguments for the positions before the hostile one.
const PLAUSIBLE: readonly unknown[] = ["a", [2], {}];

const FUNCTIONS: readonly string[] = Object.keys(varscope)
  .filter((k) => typeof (varscope as Record<string, unknown>)[k] === "function")
  .filter((k) => !EXCLUDED.has(k))
  .sort();

/** Calls `name` with `hostile` at `pos`; returns a failure message or null. */
function probe(name: string, pos: number, hostile: unknown): string | null {
  const f = (varscope as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
  const args = PLAUSIBLE.slice(0, pos);
  args[pos] = hostile;
  const started = performance.now();
  let out: unknown;
  try {
    out = isClass(f) ? Reflect.construct(f, args) : f(...args);
  } catch (e) {
    if (!typed(e)) return `${name} threw a raw ${String(e)}`;
    out = undefined;
  }
  if (varscope.isProgram(out)) {
    let r: unknown;
    try {
      r = varscope.runScoped(out);
    } catch (e) {
      return `runScoped of ${name}(…)'s program threw ${String(e)}`;
    }
    const tag = (r as { _tag?: unknown })._tag;
    if (tag !== "Left" && tag !== "Right") return `runScoped of ${name}(…) returned no Either`;
  }
  const ms = performance.now() - started;
  return ms > 2000 ? `${name} took ${ms.toFixed(0)} ms` : null;
}

function withPollutedPrototype<T>(body: () => T): T {
  const proto = Object.prototype as Record<string, unknown>;
  const keys = [
    "customGetter",
    "partitioner",
    "initializer",
    "shape",
    "dtype",
    "seed",
    "maxElements",
  ];
  for (const k of keys) {
    Object.defineProperty(proto, k, { value: trap, configurable: true, writable: true });
  }
  try {
    return body();
  } finally {
    for (const k of keys) delete proto[k];
  }
}

Deno.test("issue 7: the sweep covers the public functions of varscope", () => {
  assert.ok(FUNCTIONS.length > 100, `${FUNCTIONS.length} functions`);
  for (
    const name of ["getVariable", "variableScope", "runScoped", "listVariables", "materialize"]
  ) {
    assert.ok(FUNCTIONS.includes(name), name);
  }
});

Deno.test("issue 7: every export, every hostile value, positions 0..2 — typed error or normal return, never a raw throw or hang", () => {
  const failures: string[] = [];
  for (const name of FUNCTIONS) {
    for (let pos = 0; pos < 3; pos++) {
      for (const [what, make] of HOSTILE) {
        const bad = probe(name, pos, make());
        if (bad !== null) failures.push(`${bad} (argument ${pos} = ${what})`);
      }
    }
  }
  assert.equal(failures.length, 0, failures.join("\n"));
});

Deno.test("issue 7: hostile exports under a polluted Object.prototype", () => {
  const failures = withPollutedPrototype(() => {
    const out: string[] = [];
    for (const name of FUNCTIONS) {
      for (let pos = 0; pos < 2; pos++) {
        for (const [what, make] of HOSTILE.slice(0, 4)) {
          const bad = probe(name, pos, make());
          if (bad !== null) out.push(`${bad} (argument ${pos} = ${what})`);
        }
      }
    }
    return out;
  });
  assert.equal(failures.length, 0, failures.join("\n"));
});

Deno.test("issue 7: random values (fast-check) in random positions of random exports", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...FUNCTIONS),
      fc.integer({ min: 0, max: 2 }),
      fc.oneof(
        fc.anything({ withNullPrototype: true, withObjectString: true, maxDepth: 2 }),
        // Proxies and throwing getters are swept exhaustively above; fast-check
        // itself would trip over them when printing a counterexample.
        fc.constantFrom(
          ...HOSTILE.filter(([what]) => !/proxy|getters/.test(what)).map(([, make]) => make()),
        ),
      ),
      (name, pos, value) => {
        const bad = probe(name, pos, value);
        assert.equal(bad, null);
      },
    ),
    params(5),
  );
});
