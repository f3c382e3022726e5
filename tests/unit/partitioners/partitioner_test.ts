// Partitioners (TF1 G12), the partitioner contract (G2), slicing (G4) and
// partition info (G13).
import * as assert from "node:assert/strict";
import {
  fixedSizePartitioner,
  getVariable,
  minMaxVariablePartitioner,
  type Partitioner,
  type PartitionInfo,
  ScopeError,
  variableAxisSizePartitioner,
} from "varscope";
import { callPartitioner, sliceShape } from "../../../lib/partitioners/partitioner.ts";
import {
  makePartitionInfo,
  singleOffset,
  singleSliceDim,
} from "../../../lib/partitioners/partition_info.ts";
import { fails, ok, partitioned, right } from "../core/_helpers.ts";

function left(
  e: { _tag: "Left"; left: ScopeError } | { _tag: "Right"; right: unknown },
): ScopeError {
  if (e._tag === "Right") return assert.fail(`expected Left, got ${JSON.stringify(e.right)}`);
  assert.ok(e.left instanceof ScopeError);
  return e.left;
}

const call = (p: Partitioner, shape: number[], dtype = "float32"): readonly number[] =>
  p({ shape, dtype: dtype as never });

Deno.test("fixedSizePartitioner caps shards at the axis size (TF1 G12)", () => {
  assert.deepEqual(call(fixedSizePartitioner(3), [2, 4]), [2, 1]);
  assert.deepEqual(call(fixedSizePartitioner(3), [10, 4]), [3, 1]);
  assert.deepEqual(call(fixedSizePartitioner(2, 1), [2, 4]), [1, 2]);
  assert.deepEqual(call(fixedSizePartitioner(1), [5]), [1]);
  assert.deepEqual(call(fixedSizePartitioner(4, 2), [1, 1, 9]), [1, 1, 4]);
  const pv = partitioned(
    ok(getVariable("v", { shape: [2, 3], partitioner: fixedSizePartitioner(3) })).value,
  );
  assert.equal(pv.parts.length, 2);
});

Deno.test("fixedSizePartitioner rejects bad shards or axis when called (TF1 G12)", () => {
  for (
    const [p, re] of [
      [fixedSizePartitioner(0), /numShards/],
      [fixedSizePartitioner(1.5), /numShards/],
      [fixedSizePartitioner(2, 2), /axis/],
      [fixedSizePartitioner(2, -1), /axis/],
    ] as const
  ) {
    assert.throws(() => call(p, [4, 4]), RangeError);
    const e = left(callPartitioner(p, [4, 4], "float32", "v"));
    assert.equal(e.tag, "PartitionerError");
    assert.match(e.message, re);
  }
});

Deno.test("variableAxisSizePartitioner arithmetic (TF1 G12)", () => {
  // 100 rows of 4 float32 = 16 bytes a row; 64 bytes = 4 rows a shard → 25 shards.
  assert.deepEqual(call(variableAxisSizePartitioner(64), [100, 4]), [25, 1]);
  // 65 bytes still holds 4 rows; 100 bytes 6 rows → ceil(100 / 6) = 17.
  assert.deepEqual(call(variableAxisSizePartitioner(65), [100, 4]), [25, 1]);
  assert.deepEqual(call(variableAxisSizePartitioner(100), [100, 4]), [17, 1]);
  // A shard always holds at least one slice.
  assert.deepEqual(call(variableAxisSizePartitioner(1), [10, 4]), [10, 1]);
  // Everything fits in one shard.
  assert.deepEqual(call(variableAxisSizePartitioner(1 << 20), [10, 4]), [1, 1]);
  // Element sizes follow the dtype.
  assert.deepEqual(call(variableAxisSizePartitioner(64), [100, 4], "float64"), [50, 1]);
  assert.deepEqual(call(variableAxisSizePartitioner(64), [100, 4], "int8"), [7, 1]);
  // Along axis 1: a slice is a column of 10 float32 = 40 bytes; 80 bytes = 2 columns.
  assert.deepEqual(call(variableAxisSizePartitioner(80, { axis: 1 }), [10, 9]), [1, 5]);
});

Deno.test("variableAxisSizePartitioner sizes strings by bytesPerStringElement (TF1 G12)", () => {
  // Default 16 bytes: a row of 2 strings = 32 bytes; 64 bytes = 2 rows → 5 shards.
  assert.deepEqual(call(variableAxisSizePartitioner(64), [10, 2], "string"), [5, 1]);
  // 8 bytes: a row = 16 bytes; 4 rows a shard → ceil(10 / 4) = 3.
  assert.deepEqual(
    call(variableAxisSizePartitioner(64, { bytesPerStringElement: 8 }), [10, 2], "string"),
    [3, 1],
  );
  // bytesPerStringElement does not affect other dtypes.
  assert.deepEqual(
    call(variableAxisSizePartitioner(64, { bytesPerStringElement: 1 }), [100, 4]),
    [25, 1],
  );
});

Deno.test("variableAxisSizePartitioner caps shards by maxShards (TF1 G12)", () => {
  assert.deepEqual(call(variableAxisSizePartitioner(64, { maxShards: 10 }), [100, 4]), [10, 1]);
  assert.deepEqual(call(variableAxisSizePartitioner(64, { maxShards: 30 }), [100, 4]), [25, 1]);
  assert.deepEqual(call(variableAxisSizePartitioner(64, { maxShards: null }), [100, 4]), [25, 1]);
});

Deno.test("variableAxisSizePartitioner rejects invalid arguments (TF1 G12)", () => {
  const bad: ReadonlyArray<readonly [Partitioner, RegExp]> = [
    [variableAxisSizePartitioner(0), /maxShardBytes/],
    [variableAxisSizePartitioner(0.5), /maxShardBytes/],
    [variableAxisSizePartitioner(64, { bytesPerStringElement: 0 }), /bytesPerStringElement/],
    [variableAxisSizePartitioner(64, { maxShards: 0 }), /maxShards/],
    [variableAxisSizePartitioner(64, { axis: 2 }), /axis/],
  ];
  for (const [p, re] of bad) {
    assert.throws(() => call(p, [4, 4]), RangeError);
    const e = left(callPartitioner(p, [4, 4], "float32", "emb"));
    assert.equal(e.tag, "PartitionerError");
    assert.match(e.message, re);
    assert.match(e.message, /"emb"/);
  }
});

Deno.test("minMaxVariablePartitioner: float32 [1024, 1024] gives 16 (TF1 G12)", () => {
  // 4 MiB / 256 KiB = 16 partitions when maxPartitions allows it.
  assert.deepEqual(call(minMaxVariablePartitioner({ maxPartitions: 16 }), [1024, 1024]), [16, 1]);
  assert.deepEqual(call(minMaxVariablePartitioner({ maxPartitions: 100 }), [1024, 1024]), [16, 1]);
  assert.deepEqual(call(minMaxVariablePartitioner({ maxPartitions: 4 }), [1024, 1024]), [4, 1]);
  // Default maxPartitions is 1.
  assert.deepEqual(call(minMaxVariablePartitioner(), [1024, 1024]), [1, 1]);
});

Deno.test("minMaxVariablePartitioner is bounded by the axis and small sizes (TF1 G12)", () => {
  // Never more partitions than the axis holds.
  assert.deepEqual(call(minMaxVariablePartitioner({ maxPartitions: 100 }), [8, 1 << 18]), [8, 1]);
  // Small variables get at least one partition.
  assert.deepEqual(call(minMaxVariablePartitioner({ maxPartitions: 100 }), [4]), [1]);
  // minSliceSize: 160 bytes / 32 = 5.
  assert.deepEqual(
    call(minMaxVariablePartitioner({ maxPartitions: 100, minSliceSize: 32 }), [40]),
    [5],
  );
  // ceil: 100 bytes / 32 → 4.
  assert.deepEqual(
    call(minMaxVariablePartitioner({ maxPartitions: 100, minSliceSize: 32 }), [25]),
    [4],
  );
  // Strings: 10 × 16 = 160 bytes / 32 = 5; with 8 bytes: 80 / 32 → 3.
  assert.deepEqual(
    call(minMaxVariablePartitioner({ maxPartitions: 100, minSliceSize: 32 }), [10], "string"),
    [5],
  );
  assert.deepEqual(
    call(
      minMaxVariablePartitioner({ maxPartitions: 100, minSliceSize: 32, bytesPerStringElement: 8 }),
      [10],
      "string",
    ),
    [3],
  );
  // Along axis 1.
  assert.deepEqual(
    call(minMaxVariablePartitioner({ maxPartitions: 3, axis: 1, minSliceSize: 4 }), [2, 10]),
    [1, 3],
  );
});

Deno.test("minMaxVariablePartitioner rejects an axis beyond the rank (TF1 G12)", () => {
  const p = minMaxVariablePartitioner({ maxPartitions: 2, axis: 2 });
  assert.throws(() => call(p, [4, 4]), RangeError);
  const e = left(callPartitioner(p, [4, 4], "float32", "v"));
  assert.equal(e.tag, "PartitionerError");
  assert.match(e.message, /axis/);
  fails(getVariable("v", { shape: [4, 4], partitioner: p }), "PartitionerError", ["axis"]);
});

Deno.test("callPartitioner returns a valid answer (TF1 G2)", () => {
  assert.deepEqual(right(callPartitioner(fixedSizePartitioner(3), [10, 2], "float32", "v")), [
    3,
    1,
  ]);
  let seen: unknown = null;
  right(callPartitioner(
    (a) => {
      seen = a;
      return [1];
    },
    [7],
    "int64",
    "v",
  ));
  assert.deepEqual(seen, { shape: [7], dtype: "int64" });
});

Deno.test("callPartitioner contract errors carry TF1's key phrases (TF1 G2)", () => {
  const cases: ReadonlyArray<readonly [unknown, readonly (number | null)[] | undefined, RegExp]> = [
    [() => [1, 1], [null, 2], /must be fully defined/],
    [() => [1], undefined, /must be fully defined/],
    [() => [], [], /rank at least 1/],
    [() => 2, [4, 2], /must return a sequence/],
    [() => ({ length: 2 }), [4, 2], /must return a sequence/],
    [() => null, [4, 2], /must return a sequence/],
    [() => [2], [4, 2], /does not match the variable's rank/],
    [() => [0, 1], [4, 2], /zero partitions for some axes/],
    [() => [2, 2], [4, 2], /can only slice a variable along one dimension/i],
    [() => ["2", 1], [4, 2], /integers/],
    [() => [Number.NaN, 1], [4, 2], /integers/],
    [
      () => {
        throw new TypeError("bad partitioner");
      },
      [4, 2],
      /threw: bad partitioner/,
    ],
    [5, [4, 2], /threw/],
  ];
  for (const [p, shape, re] of cases) {
    const e = left(callPartitioner(p as Partitioner, shape as never, "float32", "scope/v"));
    assert.equal(e.tag, "PartitionerError", e.message);
    assert.match(e.message, re);
    assert.match(e.message, /"scope\/v"/);
    assert.equal(e.details.name, "scope/v");
  }
});

Deno.test("callPartitioner returns a copy the partitioner cannot change later (TF1 G2)", () => {
  const answer = [2, 1];
  const got = right(callPartitioner(() => answer, [4, 2], "float32", "v"));
  answer[0] = 4;
  assert.deepEqual(got, [2, 1]);
  assert.ok(Object.isFrozen(got));
});

Deno.test("sliceShape: floor(L/n) each, the first L mod n one more (TF1 G4)", () => {
  const ten = sliceShape([10], [3]);
  assert.deepEqual(ten.map((s) => s.shape), [[4], [3], [3]]);
  assert.deepEqual(ten.map((s) => s.offset), [[0], [4], [7]]);
  const small = sliceShape([3, 1, 1], [2, 1, 1]);
  assert.deepEqual(small, [
    { offset: [0, 0, 0], shape: [2, 1, 1] },
    { offset: [2, 0, 0], shape: [1, 1, 1] },
  ]);
  const even = sliceShape([6, 2], [3, 1]);
  assert.deepEqual(even.map((s) => s.shape), [[2, 2], [2, 2], [2, 2]]);
  assert.deepEqual(even.map((s) => s.offset), [[0, 0], [2, 0], [4, 0]]);
  const cols = sliceShape([2, 7], [1, 3]);
  assert.deepEqual(cols.map((s) => s.shape), [[2, 3], [2, 2], [2, 2]]);
  assert.deepEqual(cols.map((s) => s.offset), [[0, 0], [0, 3], [0, 5]]);
  // All-ones partitions give one shard, the whole variable.
  assert.deepEqual(sliceShape([5, 3], [1, 1]), [{ offset: [0, 0], shape: [5, 3] }]);
  // Sizes always add up to L.
  for (let L = 1; L <= 12; L++) {
    for (let n = 1; n <= L; n++) {
      const slices = sliceShape([L], [n]);
      assert.equal(slices.length, n);
      assert.equal(slices.reduce((a, s) => a + s.shape[0]!, 0), L);
      const sizes = slices.map((s) => s.shape[0]!);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    }
  }
});

Deno.test("makePartitionInfo checks its arguments as TF1 does (TF1 G13)", () => {
  assert.deepEqual(right(makePartitionInfo([4, 2], [2, 0])), {
    fullShape: [4, 2],
    varOffset: [2, 0],
  });
  assert.deepEqual(right(makePartitionInfo([], [])), { fullShape: [], varOffset: [] });
  const bad: ReadonlyArray<readonly [unknown, unknown, RegExp]> = [
    ["42", [0, 0], /fullShape/],
    [[4, 2], "00", /varOffset/],
    [null, [0], /fullShape/],
    [[4, 2], undefined, /varOffset/],
    [[4, 2.5], [0, 0], /fullShape/],
    [[4, 2], [0], /differ in length/],
    [[4, 2], [4, 0], /offset 4 of dimension 0/],
    [[4, 2], [0, -1], /dimension 1/],
    [[0], [0], /dimension 0/],
  ];
  for (const [fullShape, varOffset, re] of bad) {
    const e = left(makePartitionInfo(fullShape, varOffset));
    assert.equal(e.tag, "InvalidArgument");
    assert.match(e.message, /partition info/);
    assert.match(e.message, re);
  }
  // The info keeps its own copies.
  const shape = [4, 2];
  const info = right(makePartitionInfo(shape, [0, 0]));
  shape[0] = 9;
  assert.deepEqual(info.fullShape, [4, 2]);
});

Deno.test("singleSliceDim finds the one sliced dimension (TF1 G13)", () => {
  const info = right(makePartitionInfo([4, 2], [2, 0]));
  assert.equal(right(singleSliceDim(info, [2, 2])), 0);
  const whole = right(makePartitionInfo([4, 2], [0, 0]));
  assert.equal(right(singleSliceDim(whole, [4, 2])), null);
  const cols = right(makePartitionInfo([4, 6], [0, 3]));
  assert.equal(right(singleSliceDim(cols, [4, 3])), 1);
});

Deno.test("singleSliceDim rejects other ranks, overruns and two sliced dims (TF1 G13)", () => {
  const info = right(makePartitionInfo([4, 2], [2, 0]));
  const rank = left(singleSliceDim(info, [2]));
  assert.match(rank.message, /rank/);
  const overrun = left(singleSliceDim(info, [3, 2]));
  assert.match(overrun.message, /overruns dimension 0/);
  const two = right(makePartitionInfo([4, 4], [0, 0]));
  const both = left(singleSliceDim(two, [2, 2]));
  assert.match(both.message, /more than one dimension/);
  for (const e of [rank, overrun, both]) assert.equal(e.tag, "InvalidArgument");
});

Deno.test("singleSliceDim rejects a shape that is not a sequence (TF1 G13)", () => {
  // TF1 raises TypeError unless shape is a list or tuple.
  const info = right(makePartitionInfo([4], [0]));
  for (const bad of ["2", 2, null, { length: 1, 0: 2 }]) {
    const r = (() => {
      try {
        return singleSliceDim(info, bad as never);
      } catch (e) {
        return assert.fail(`singleSliceDim threw on ${String(bad)}: ${String(e)}`);
      }
    })();
    assert.equal(left(r).tag, "InvalidArgument");
  }
});

Deno.test("singleOffset gives the offset on the sliced dimension or 0 (TF1 G13)", () => {
  const info = right(makePartitionInfo([4, 2], [2, 0]));
  assert.equal(right(singleOffset(info, [2, 2])), 2);
  const cols: PartitionInfo = right(makePartitionInfo([4, 6], [0, 3]));
  assert.equal(right(singleOffset(cols, [4, 3])), 3);
  const whole = right(makePartitionInfo([4, 2], [0, 0]));
  assert.equal(right(singleOffset(whole, [4, 2])), 0);
  assert.equal(left(singleOffset(info, [2])).tag, "InvalidArgument");
  assert.equal(
    left(singleOffset(right(makePartitionInfo([4, 4], [0, 0])), [2, 2])).tag,
    "InvalidArgument",
  );
});

Deno.test("each shard's partition info agrees with its save-slice info (TF1 G5, G13)", () => {
  const pv = partitioned(
    ok(getVariable("v", { shape: [10, 3], partitioner: fixedSizePartitioner(3) })).value,
  );
  for (const part of pv.parts) {
    const s = part.saveSliceInfo!;
    const info = right(makePartitionInfo(s.fullShape, s.varOffset));
    assert.equal(right(singleSliceDim(info, s.varShape)), 0);
    assert.equal(right(singleOffset(info, s.varShape)), s.varOffset[0]);
    assert.deepEqual(s.varShape, part.shape);
  }
});
