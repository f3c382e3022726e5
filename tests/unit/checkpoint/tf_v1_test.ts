// The legacy V1 checkpoint format (spec §9): one SSTable of SavedTensorSlices
// messages. Beyond the real fixture (tf_fixtures_test.ts), these files are
// assembled here from the format: every TensorProto value field, packed and
// unpacked, tensor_content, partitioned tensors, and malformed slices.
import * as assert from "node:assert/strict";
import { openTfCheckpointBytes } from "varscope/checkpoint";
import { buildTable } from "../../../lib/checkpoint/_sstable.ts";
import { throwsCode } from "./_helpers.ts";
import { bytesField, intField, shapeProto, sliceProto, v1File, varint } from "./_v1_build.ts";

const enc = new TextEncoder();

const f32le = (xs: number[]): number[] => [...new Uint8Array(new Float32Array(xs).buffer)];
const f64le = (xs: number[]): number[] => [...new Uint8Array(new Float64Array(xs).buffer)];

Deno.test("§9 V1: every TensorProto value field, packed or not, and tensor_content", () => {
  const whole = (n: number): ([number, number] | null)[] => Array(n).fill(null);
  const file = v1File([
    {
      name: "f_packed",
      dtype: 1,
      shape: [2],
      slices: [{ ext: whole(1), proto: bytesField(5, f32le([1.5, -2])) }],
    },
    {
      name: "f_unpacked",
      dtype: 1,
      shape: [2],
      slices: [{ ext: whole(1), proto: [0x2d, ...f32le([3]), 0x2d, ...f32le([4])] }],
    },
    {
      name: "d",
      dtype: 2,
      shape: [1],
      slices: [{ ext: whole(1), proto: bytesField(6, f64le([0.1])) }],
    },
    {
      name: "i",
      dtype: 3,
      shape: [3],
      slices: [{ ext: whole(1), proto: bytesField(7, [...varint(-1), 5, 0]) }],
    },
    {
      name: "l",
      dtype: 9,
      shape: [2],
      slices: [{ ext: whole(1), proto: [...intField(10, 2n ** 62n), ...intField(10, -3n)] }],
    },
    {
      name: "b",
      dtype: 10,
      shape: [2],
      slices: [{ ext: whole(1), proto: bytesField(11, [1, 0]) }],
    },
    {
      name: "h",
      dtype: 19,
      shape: [1],
      slices: [{ ext: whole(1), proto: bytesField(13, varint(0x3c00)) }],
    },
    {
      name: "s",
      dtype: 7,
      shape: [2],
      slices: [{
        ext: whole(1),
        proto: [...bytesField(8, enc.encode("ab")), ...bytesField(8, [])],
      }],
    },
    {
      name: "c",
      dtype: 1,
      shape: [2, 1],
      slices: [{ ext: whole(2), proto: bytesField(4, f32le([7, 8])) }],
    },
  ]);
  const ckpt = openTfCheckpointBytes({ index: file, shards: [] });
  assert.deepEqual(ckpt.list().map((t) => t.name), [
    "b",
    "c",
    "d",
    "f_packed",
    "f_unpacked",
    "h",
    "i",
    "l",
    "s",
  ]);
  const v = (n: string): unknown[] => Array.from(ckpt.read(n).values as ArrayLike<unknown>);
  assert.deepEqual(v("f_packed"), [1.5, -2]);
  assert.deepEqual(v("f_unpacked"), [3, 4]);
  assert.deepEqual(v("d"), [0.1]);
  assert.deepEqual(v("i"), [-1, 5, 0]);
  assert.deepEqual(v("l"), [2n ** 62n, -3n]);
  assert.deepEqual(v("b"), [1, 0]);
  assert.deepEqual(v("h"), [0x3c00]);
  assert.deepEqual(
    (ckpt.read("s").values as Uint8Array[]).map((x) => new TextDecoder().decode(x)),
    ["ab", ""],
  );
  assert.deepEqual(ckpt.read("c").shape, [2, 1]);
  assert.deepEqual(v("c"), [7, 8]);
});

Deno.test("§9 V1: a tensor saved as two slices reads whole and by region", () => {
  const file = v1File([{
    name: "emb",
    dtype: 3,
    shape: [4, 2],
    slices: [
      { ext: [[0, 3], null], proto: bytesField(7, [0, 1, 2, 3, 4, 5]) },
      { ext: [[3, 1], null], proto: bytesField(7, [6, 7]) },
    ],
  }]);
  const ckpt = openTfCheckpointBytes({ index: file, shards: [] });
  assert.deepEqual([...ckpt.read("emb").values], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(ckpt.slices("emb"), [{ start: [0, 0], length: [3, 2] }, {
    start: [3, 0],
    length: [1, 2],
  }]);
  assert.deepEqual([...ckpt.readSlice("emb", { start: [2, 1], length: [2, 1] }).values], [5, 7]);
});

Deno.test("§9 V1: wrong value counts, missing slices and unknown dtypes are typed errors", () => {
  const one = (proto: number[], dtype = 1): Uint8Array =>
    v1File([{ name: "x", dtype, shape: [2], slices: [{ ext: [null], proto }] }]);
  throwsCode(
    () => openTfCheckpointBytes({ index: one(bytesField(5, f32le([1]))), shards: [] }).read("x"),
    "ShapeSizeMismatch",
  );
  throwsCode(
    () =>
      openTfCheckpointBytes({ index: one(bytesField(5, f32le([1, 2, 3]))), shards: [] }).read("x"),
    "ShapeSizeMismatch",
  );
  throwsCode(
    () => openTfCheckpointBytes({ index: one(bytesField(4, [1, 2, 3])), shards: [] }).read("x"),
    "ShapeSizeMismatch",
  );
  throwsCode(() => openTfCheckpointBytes({ index: one([], 8), shards: [] }), "UnknownDType");
  const meta = new Uint8Array(bytesField(
    1,
    bytesField(1, [
      ...bytesField(1, enc.encode("y")),
      ...bytesField(2, shapeProto([2])),
      ...intField(3, 1),
      ...bytesField(4, sliceProto([null])),
    ]),
  ));
  const noSlice = buildTable([[new Uint8Array(0), meta]]);
  const e = throwsCode(() => openTfCheckpointBytes({ index: noSlice, shards: [] }), "BadSlices");
  assert.equal(e.file, "<memory>.index");
});
