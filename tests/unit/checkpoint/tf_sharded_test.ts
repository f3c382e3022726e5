// Hand-assembled bundles the writer never produces but TensorFlow does: a
// merged multi-shard bundle (spec §4.3 "Sharded saves") and a partitioned
// variable whose slices leave whole dimensions without a length (§7).
import * as assert from "node:assert/strict";
import { encodeTfCheckpoint, openTfCheckpoint, openTfCheckpointBytes } from "varscope/checkpoint";
import { compareBytes, Cursor } from "../../../lib/checkpoint/_bytes.ts";
import { decodeEntry, encodeEntry, encodeHeader } from "../../../lib/checkpoint/_bundle_proto.ts";
import { crc32c, maskCrc } from "../../../lib/checkpoint/_crc32c.ts";
import { sliceKey } from "../../../lib/checkpoint/_ordered_code.ts";
import { buildTable, readTable } from "../../../lib/checkpoint/_sstable.ts";
import { tempDir, throwsCode } from "./_helpers.ts";

const enc = new TextEncoder();

/** Merges single-shard bundles as TF's MergeBundles does: shard ids = file index. */
function merge(parts: { index: Uint8Array }[]): Uint8Array {
  const entries: [Uint8Array, Uint8Array][] = [[new Uint8Array(0), encodeHeader(parts.length)]];
  parts.forEach((p, shard) => {
    for (const e of readTable(p.index, "part").slice(1)) {
      const entry = decodeEntry(new Cursor(e.value, "part"));
      entries.push([e.key, encodeEntry({ ...entry, shardId: shard })]);
    }
  });
  entries.sort((a, b) => compareBytes(a[0], b[0]));
  return buildTable(entries);
}

Deno.test("§4.3: a merged two-shard bundle reads each tensor from its own data file", () => {
  const a = encodeTfCheckpoint([
    { name: "tower_0/w", dtype: "float32", shape: [2], values: new Float32Array([1, 2]) },
  ]);
  const b = encodeTfCheckpoint([
    { name: "tower_1/w", dtype: "int32", shape: [3], values: new Int32Array([7, 8, 9]) },
    { name: "global_step", dtype: "int64", shape: [], values: new BigInt64Array([5n]) },
  ]);
  const index = merge([a, b]);
  const { dir, cleanup } = tempDir();
  try {
    Deno.writeFileSync(`${dir}/m.index`, index);
    Deno.writeFileSync(`${dir}/m.data-00000-of-00002`, a.data);
    Deno.writeFileSync(`${dir}/m.data-00001-of-00002`, b.data);
    const ckpt = openTfCheckpoint(`${dir}/m`);
    assert.equal(ckpt.numShards, 2);
    assert.deepEqual([...ckpt.read("tower_0/w").values], [1, 2]);
    assert.deepEqual([...ckpt.read("tower_1/w").values], [7, 8, 9]);
    assert.deepEqual([...ckpt.read("global_step").values], [5n]);
    assert.deepEqual(ckpt.storage("tower_1/w"), [{ shard: 1, offset: 0, size: 12 }]);
    Deno.removeSync(`${dir}/m.data-00001-of-00002`);
    assert.deepEqual([...ckpt.read("tower_0/w").values], [1, 2]);
    const e = throwsCode(() => ckpt.read("tower_1/w"), "MissingShard");
    assert.equal(e.file, `${dir}/m.data-00001-of-00002`);
  } finally {
    cleanup();
  }
});

Deno.test("§7: slices whose whole dimensions have no length (key -1) are found and reassembled", () => {
  // A [4, 3] int32 variable split in rows 0..1 and 2..3; dimension 1 left whole, as
  // TensorSlice::AsProto writes a full extent (no start, no length).
  const rowsOf = (r0: number, r1: number): Int32Array =>
    Int32Array.from({ length: (r1 - r0) * 3 }, (_, i) => r0 * 3 + i);
  const name = enc.encode("v");
  const data = new Uint8Array([
    ...new Uint8Array(rowsOf(0, 2).buffer),
    ...new Uint8Array(rowsOf(2, 4).buffer),
  ]);
  const slice = (r0: number): Uint8Array => {
    const bytes = data.subarray(r0 * 12, r0 * 12 + 24);
    return encodeEntry({
      dtype: 3,
      shape: [2, 3],
      shardId: 0,
      offset: r0 * 12,
      size: 24,
      crc32c: maskCrc(crc32c(bytes)),
      slices: [],
    });
  };
  const full = encodeEntry({
    dtype: 3,
    shape: [4, 3],
    shardId: 0,
    offset: 0,
    size: 0,
    crc32c: 0,
    slices: [
      [{ start: 0, length: 2 }, { start: 0, length: undefined }],
      [{ start: 2, length: 2 }, { start: 0, length: undefined }],
    ],
  });
  const entries: [Uint8Array, Uint8Array][] = [
    [new Uint8Array(0), encodeHeader(1)],
    [sliceKey(name, [0, 0], [2, -1]), slice(0)],
    [sliceKey(name, [2, 0], [2, -1]), slice(2)],
    [name, full],
  ];
  entries.sort((x, y) => compareBytes(x[0], y[0]));
  const ckpt = openTfCheckpointBytes({ index: buildTable(entries), shards: [data] });
  assert.deepEqual(ckpt.list(), [{ name: "v", dtype: "int32", shape: [4, 3] }]);
  assert.deepEqual([...ckpt.read("v").values], [...rowsOf(0, 4)]);
  assert.deepEqual(ckpt.slices("v"), [{ start: [0, 0], length: [2, 3] }, {
    start: [2, 0],
    length: [2, 3],
  }]);
  assert.deepEqual([...ckpt.readSlice("v", { start: [1, 1], length: [2, 2] }).values], [
    4,
    5,
    7,
    8,
  ]);
});
