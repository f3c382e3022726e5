// Issue 7: "Everything the library returns is deeply immutable or a copy":
// stores, variables (shape, collections, slice info), descriptors, scopes,
// query results; and the size caps: "`init` of `shape: [1e9, 1e9]` with a
// zeros/ones/constant initializer hangs … a partitioner asking for 1e9
// shards, or `variableAxisSizePartitioner(1)` on `[1e8]`, kills the process".
import * as assert from "node:assert/strict";
import {
  constantInitializer,
  DEFAULT_MAX_ELEMENTS,
  emptyStore,
  findPartitionedVariable,
  fixedSizePartitioner,
  getVariable,
  getVariableScope,
  l2Regularizer,
  listVariables,
  materialize,
  materializeOrThrow,
  MAX_RANK,
  MAX_SHARDS,
  maxNormConstraint,
  onesInitializer,
  randomNormalInitializer,
  runScopedOrThrow,
  scoped,
  type Variable,
  variableAxisSizePartitioner,
  type VariableLike,
  type VariableScope,
  variableScope,
  zerosInitializer,
} from "varscope";
import { makePartitionInfo } from "../../../lib/partitioners/partition_info.ts";
import { sliceShape } from "../../../lib/partitioners/partitioner.ts";
import { fails, type Gen } from "./_helpers.ts";

function isDeepFrozen(x: unknown, seen = new Set<unknown>()): boolean {
  if (typeof x !== "object" || x === null || seen.has(x)) return true;
  seen.add(x);
  if (!Object.isFrozen(x)) return false;
  return Object.values(x).every((v) => typeof v === "function" || isDeepFrozen(v, seen));
}

Deno.test("issue 7: constantInitializer(arr) copies the caller's array; mutating it later changes no initial value", () => {
  const arr = [1, 2, [3]] as unknown as number[];
  const init = constantInitializer([1, 2, 3]);
  const caller = [1, 2, 3];
  const init2 = constantInitializer(caller);
  caller[0] = 99;
  const { value } = runScopedOrThrow(getVariable("c", { shape: [3], initializer: init2 }));
  assert.ok(value._tag === "Variable");
  assert.deepEqual(Array.from(materializeOrThrow(value).values as Float32Array), [1, 2, 3]);
  assert.ok(isDeepFrozen(init) && isDeepFrozen(init2));
  assert.notEqual((init2 as { value: unknown }).value, caller);
  assert.ok(arr.length === 3);
  // Typed arrays are copied too.
  const typed = new Float32Array([4, 5]);
  const fromTyped = constantInitializer(typed as unknown as number[]);
  typed[0] = -1;
  assert.deepEqual((fromTyped as { value: unknown }).value, [4, 5]);
});

Deno.test("issue 7: an array given directly as initializer is copied and frozen in the variable", () => {
  const caller = [1, 2];
  const { value } = runScopedOrThrow(getVariable("c", { initializer: caller }));
  caller[0] = 42;
  assert.ok(value._tag === "Variable");
  assert.deepEqual(Array.from(materializeOrThrow(value).values as Float32Array), [1, 2]);
  assert.ok(isDeepFrozen(value.initializer));
});

Deno.test("issue 7: descriptors from every factory are frozen", () => {
  for (
    const d of [
      zerosInitializer(),
      onesInitializer(),
      randomNormalInitializer({ stddev: 2 }),
      l2Regularizer(0.1),
      maxNormConstraint({ maxValue: 3 }),
      (makePartitionInfo([4, 2], [2, 0]) as { right: unknown }).right,
    ]
  ) {
    assert.ok(isDeepFrozen(d), JSON.stringify(d));
  }
  // A hand-built (unfrozen) descriptor is kept as a frozen copy, so editing
  // it after the check changes nothing.
  const reg = { _tag: "L2" as const, scale: 0.5 };
  const { value } = runScopedOrThrow(getVariable("w", { shape: [1], regularizer: reg }));
  reg.scale = -7;
  assert.ok(value._tag === "Variable");
  assert.deepEqual(value.regularizer, { _tag: "L2", scale: 0.5 });
  assert.ok(Object.isFrozen(value.regularizer));
});

Deno.test("issue 7: stores, variables, shards, slice info and scopes are deeply frozen", () => {
  const { value, store } = runScopedOrThrow(
    scoped(function* (): Gen<{ p: VariableLike; scope: VariableScope }> {
      yield* getVariable("a", { shape: [2, 3], collections: ["mine"] });
      const p = yield* variableScope(
        "s",
        getVariable("e", {
          shape: [4, 2],
          partitioner: fixedSizePartitioner(2),
        }),
      );
      const scope = yield* variableScope("t", getVariableScope());
      return { p, scope };
    }),
  );
  assert.ok(Object.isFrozen(store));
  assert.ok(Object.isFrozen(store.variables) && Object.isFrozen(store.partitioned));
  assert.ok(Object.isFrozen(store.collections) && Object.isFrozen(store.templates));
  for (const v of listVariables(store)) assert.ok(isDeepFrozen(v), v.fullName);
  assert.ok(isDeepFrozen(value.p));
  assert.ok(isDeepFrozen(findPartitionedVariable(store, "s/e")));
  assert.ok(Object.isFrozen(value.scope));
  const shard = value.p._tag === "PartitionedVariable" ? value.p.parts[1]! : undefined;
  assert.ok(shard !== undefined && isDeepFrozen(shard.saveSliceInfo));
  assert.throws(() => {
    (shard!.saveSliceInfo!.varOffset as number[])[0] = 0;
  }, TypeError);
});

Deno.test("issue 7: listVariables returns a copy — sorting or emptying it changes nothing", () => {
  const { store } = runScopedOrThrow(scoped(function* (): Gen<void> {
    yield* getVariable("b", { shape: [1] });
    yield* getVariable("a", { shape: [1] });
  }));
  const list = listVariables(store) as Variable[];
  list.sort((x, y) => x.name.localeCompare(y.name));
  list.length = 0;
  assert.deepEqual(listVariables(store).map((v) => v.fullName), ["b", "a"]);
});

Deno.test("issue 7: init of shape [1e9, 1e9] with zeros/ones/constant is TooLarge at once, naming shape and cap", () => {
  for (const initializer of [zerosInitializer(), onesInitializer(), constantInitializer(3)]) {
    const { value } = runScopedOrThrow(getVariable("big", { shape: [1e9, 1e9], initializer }));
    assert.ok(value._tag === "Variable");
    const t = performance.now();
    const r = materialize(value);
    assert.ok(performance.now() - t < 1000);
    assert.equal(r._tag, "Left");
    if (r._tag === "Left") {
      assert.equal(r.left.tag, "TooLarge");
      assert.match(r.left.message, /"big".*\[1000000000, 1000000000\].*2147483647/);
      assert.equal(r.left.details.cap, DEFAULT_MAX_ELEMENTS);
    }
  }
});

Deno.test("issue 7: the element cap is configurable (maxElements)", () => {
  const { value } = runScopedOrThrow(getVariable("w", { shape: [10, 10] }));
  assert.ok(value._tag === "Variable");
  const r = materialize(value, { maxElements: 99 });
  assert.equal(r._tag === "Left" && r.left.tag, "TooLarge");
  assert.equal(materialize(value, { maxElements: 100 })._tag, "Right");
  const bad = materialize(value, { maxElements: -1 });
  assert.equal(bad._tag === "Left" && bad.left.tag, "InvalidArgument");
});

Deno.test("issue 7: a shape of rank above MAX_RANK (even a huge sparse array) is TooLarge without a loop over it", () => {
  const t = performance.now();
  fails(getVariable("v", { shape: new Array(2 ** 32 - 1) }), "TooLarge", ["rank"]);
  fails(getVariable("v", { shape: new Array(MAX_RANK + 1).fill(1) }), "TooLarge", ["MAX_RANK"]);
  assert.ok(performance.now() - t < 1000);
});

Deno.test("issue 7: a partitioner asking for 1e9 shards of an axis of 4 is a typed PartitionerError", () => {
  fails(
    getVariable("e", { shape: [4, 2], partitioner: () => [1e9, 1] }),
    "PartitionerError",
    ["1000000000 shards", "length 4"],
  );
});

Deno.test("issue 7: variableAxisSizePartitioner(1) on [1e8] is TooLarge (MAX_SHARDS), before any shard is made", () => {
  const t = performance.now();
  const e = fails(
    getVariable("e", { shape: [1e8], partitioner: variableAxisSizePartitioner(1) }),
    "TooLarge",
    ["100000000 shards", "MAX_SHARDS"],
  );
  assert.equal(e.details.cap, MAX_SHARDS);
  assert.ok(performance.now() - t < 1000);
  // TF1 G12: fixedSizePartitioner clamps to the axis length.
  const { value } = runScopedOrThrow(
    getVariable("f", { shape: [3], partitioner: fixedSizePartitioner(1e9) }),
    emptyStore(),
  );
  assert.equal(value._tag === "PartitionedVariable" && value.parts.length, 3);
});

Deno.test("issue 7: sliceShape refuses more shards than the axis and returns frozen slices", () => {
  assert.throws(
    () => sliceShape([4], [1e9]),
    (e: unknown) => (e as { tag?: string }).tag === "TooLarge",
  );
  const slices = sliceShape([4, 2], [2, 1]);
  assert.ok(isDeepFrozen(slices));
});
