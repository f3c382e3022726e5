// Writing then reading TensorFlow checkpoints: every dtype, empty tensors,
// scalars, multi-block indexes, partitioned variables (TF1 Saver layout).
// Spec references are to shared/spec/checkpoint-format.md sections.
import * as assert from "node:assert/strict";
import {
  encodeTfCheckpoint,
  openTfCheckpoint,
  openTfCheckpointBytes,
  splitTensor,
  type StoredTensor,
  type TfCheckpointReader,
  type TfTensorSlice,
  writeTfCheckpoint,
  writeTfCheckpointAsync,
} from "varscope/checkpoint";
import { hex, tempDir, throwsCode, unhex } from "./_helpers.ts";

const enc = new TextEncoder();

const ALL_DTYPES: readonly StoredTensor[] = [
  {
    name: "f32",
    dtype: "float32",
    shape: [2, 3],
    values: new Float32Array([0.5, -0, NaN, Infinity, -3.4028234663852886e38, 1e-45]),
  },
  { name: "f64", dtype: "float64", shape: [3], values: new Float64Array([0.1, -1e300, 5e-324]) },
  { name: "f16", dtype: "float16", shape: [3], values: new Uint16Array([0x3c00, 0xc000, 0x7c00]) },
  { name: "bf16", dtype: "bfloat16", shape: [2], values: new Uint16Array([0x3f80, 0xff80]) },
  { name: "i8", dtype: "int8", shape: [2], values: new Int8Array([-128, 127]) },
  { name: "i16", dtype: "int16", shape: [2], values: new Int16Array([-32768, 32767]) },
  { name: "i32", dtype: "int32", shape: [2], values: new Int32Array([-2147483648, 2147483647]) },
  {
    name: "i64",
    dtype: "int64",
    shape: [3],
    values: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n]),
  },
  { name: "u8", dtype: "uint8", shape: [2], values: new Uint8Array([0, 255]) },
  { name: "u16", dtype: "uint16", shape: [2], values: new Uint16Array([0, 65535]) },
  { name: "flag", dtype: "bool", shape: [3], values: new Uint8Array([1, 0, 1]) },
  {
    name: "words",
    dtype: "string",
    shape: [2, 2],
    values: [
      enc.encode(""),
      new Uint8Array([0, 0xff, 0x80]),
      enc.encode("héllo"),
      new Uint8Array(200),
    ],
  },
  { name: "scalar", dtype: "float32", shape: [], values: new Float32Array([42]) },
  { name: "empty", dtype: "float32", shape: [0], values: new Float32Array(0) },
  { name: "empty3", dtype: "int64", shape: [2, 0, 3], values: new BigInt64Array(0) },
  { name: "no_words", dtype: "string", shape: [0], values: [] },
  { name: "one_word", dtype: "string", shape: [], values: [enc.encode("x")] },
];

function same(a: StoredTensor, b: StoredTensor): void {
  assert.equal(a.name, b.name);
  assert.equal(a.dtype, b.dtype);
  assert.deepEqual(a.shape, b.shape);
  if (a.dtype === "string") {
    assert.deepEqual(
      (a.values as readonly Uint8Array[]).map(hex),
      (b.values as readonly Uint8Array[]).map(hex),
    );
  } else {
    const bytes = (v: StoredTensor["values"]): string => {
      const t = v as Uint8Array;
      return hex(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
    };
    assert.equal(bytes(a.values), bytes(b.values), a.name);
  }
}

Deno.test("§5/§6: every supported dtype, scalars and empty tensors survive a file round trip", () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = writeTfCheckpoint(`${dir}/model.ckpt`, ALL_DTYPES);
    assert.equal(r.variables, ALL_DTYPES.length);
    const ckpt = openTfCheckpoint(`${dir}/model.ckpt`);
    const sorted = [...ALL_DTYPES].sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(ckpt.list().map((t) => t.name), sorted.map((t) => t.name));
    for (const t of ALL_DTYPES) same(ckpt.read(t.name), t);
  } finally {
    cleanup();
  }
});

Deno.test("§6.1: data bytes are the values little-endian, row-major, packed in the order given", () => {
  const { data } = encodeTfCheckpoint([
    { name: "z", dtype: "int64", shape: [], values: new BigInt64Array([-2n]) },
    { name: "a", dtype: "int16", shape: [2], values: new Int16Array([1, -1]) },
    { name: "m", dtype: "bool", shape: [2], values: new Uint8Array([1, 0]) },
  ]);
  assert.equal(hex(data), "fe ff ff ff ff ff ff ff 01 00 ff ff 01 00");
});

Deno.test("§6.2: a string tensor is stored as varint lengths, masked length CRC, bytes", () => {
  const { data } = encodeTfCheckpoint([
    { name: "s", dtype: "string", shape: [2], values: [enc.encode("ab"), new Uint8Array(300)] },
  ]);
  // 2 = 02, 300 = ac 02; then 4 checksum bytes; then 2 + 300 bytes.
  assert.equal(hex(data.subarray(0, 3)), "02 ac 02");
  assert.equal(data.length, 3 + 4 + 302);
  assert.equal(hex(data.subarray(7, 9)), "61 62");
});

Deno.test("§4.1/§4.2: the index of a one-scalar checkpoint is TF's: header, entry, footer", () => {
  const { index } = encodeTfCheckpoint([
    { name: "a", dtype: "float32", shape: [], values: new Float32Array([0.5]) },
  ]);
  // Entries: "" -> 08 01 1a 02 08 01; "a" -> 08 01 12 00 28 04 35 06 38 27 1f (spec §4.2).
  assert.equal(
    hex(index.subarray(0, 28)),
    "00 00 06 08 01 1a 02 08 01 00 01 0b 61 08 01 12 00 28 04 35 06 38 27 1f 00 00 00 00",
  );
  assert.equal(hex(index.subarray(-8)), "57 fb 80 8b 24 75 47 db");
});

function indexBlockEntries(index: Uint8Array): number {
  // Footer (§3.2): metaindex handle then index handle as varints.
  let p = index.length - 48;
  const varint = (): number => {
    let v = 0, s = 0;
    for (;;) {
      const b = index[p++]!;
      v += (b & 0x7f) * 2 ** s;
      s += 7;
      if (b < 0x80) return v;
    }
  };
  varint();
  varint();
  const off = varint(), size = varint();
  const block = index.subarray(off, off + size);
  // Restart interval 1 in the index block: one restart per entry (§3.4).
  return new DataView(block.buffer, block.byteOffset).getUint32(size - 4, true);
}

Deno.test("§3.4: 12,000 variables make an index of several 256 KiB data blocks, all readable", () => {
  const tensors: StoredTensor[] = [];
  for (let i = 0; i < 12000; i++) {
    tensors.push({
      name: `tower_${i % 7}/layer_${String(i).padStart(5, "0")}/dense/kernel/Adam_1`,
      dtype: "float32",
      shape: [1],
      values: new Float32Array([i]),
    });
  }
  const files = encodeTfCheckpoint(tensors);
  assert.ok(files.index.length > 262144 * 2, `index is ${files.index.length} bytes`);
  assert.ok(indexBlockEntries(files.index) >= 2, "several data blocks");
  const ckpt = openTfCheckpointBytes({ index: files.index, shards: [files.data] });
  assert.equal(ckpt.list().length, 12000);
  for (const i of [0, 1, 5000, 11999]) {
    const t = tensors[i]!;
    assert.deepEqual([...ckpt.read(t.name).values], [i]);
  }
});

Deno.test("§3.4: a small block size gives many blocks with shortened separators, still readable", () => {
  const tensors: StoredTensor[] = [];
  for (let i = 0; i < 500; i++) {
    tensors.push({ name: `v${i}`, dtype: "int32", shape: [], values: new Int32Array([i]) });
  }
  const files = encodeTfCheckpoint(tensors, { blockSize: 256 });
  assert.ok(indexBlockEntries(files.index) > 20);
  const ckpt = openTfCheckpointBytes({ index: files.index, shards: [files.data] });
  assert.equal(ckpt.list().length, 500);
  for (const t of tensors) {
    assert.deepEqual([...ckpt.read(t.name).values], [...t.values as Int32Array]);
  }
});

function emb(rows: number, cols: number): StoredTensor {
  return {
    name: "embedding/weights",
    dtype: "float32",
    shape: [rows, cols],
    values: Float32Array.from({ length: rows * cols }, (_, i) => i),
  };
}

/** Rows [r0, r1) of a row-major [rows, cols] tensor, from the formula. */
function rows(cols: number, r0: number, r1: number, c0 = 0, c1 = cols): number[] {
  const out: number[] = [];
  for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out.push(r * cols + c);
  return out;
}

Deno.test("§7: a partitioned variable written as TF1's Saver reads back whole and by slice", () => {
  const full = emb(10, 4);
  const parts = splitTensor(full, 0, 3);
  assert.deepEqual(parts.map((p) => p.slice.length[0]), [4, 3, 3]);
  const files = encodeTfCheckpoint([...parts, {
    name: "bias",
    dtype: "float32",
    shape: [4],
    values: new Float32Array(4),
  }]);
  const ckpt = openTfCheckpointBytes({ index: files.index, shards: [files.data] });
  assert.deepEqual(ckpt.list().map((t) => [t.name, t.shape]), [["bias", [4]], [
    "embedding/weights",
    [10, 4],
  ]]);
  assert.deepEqual([...ckpt.read("embedding/weights").values], rows(4, 0, 10));
  assert.deepEqual(ckpt.slices("embedding/weights"), [
    { start: [0, 0], length: [4, 4] },
    { start: [4, 0], length: [3, 4] },
    { start: [7, 0], length: [3, 4] },
  ]);
  const second = ckpt.readSlice("embedding/weights", { start: [4, 0], length: [3, 4] });
  assert.deepEqual(second.shape, [3, 4]);
  assert.deepEqual([...second.values], rows(4, 4, 7));
  // Any region, across slice boundaries and inside columns.
  const region = ckpt.readSlice("embedding/weights", { start: [2, 1], length: [6, 2] });
  assert.deepEqual([...region.values], rows(4, 2, 8, 1, 3));
  // Slices are stored back to back in data order, 16 * 4, 12 * 4, 12 * 4 bytes.
  assert.deepEqual(ckpt.storage("embedding/weights").map((s) => [s.offset, s.size]), [[0, 64], [
    64,
    48,
  ], [112, 48]]);
});

Deno.test("§7: the index holds the Saver's full entry and OrderedCode slice keys, byte for byte", () => {
  const files = encodeTfCheckpoint(splitTensor(emb(10, 4), 0, 3));
  const ix = hex(files.index);
  // Full entry: dtype 1, shape [10, 4], three TensorSliceProtos with every
  // extent explicit (Python's SaveSliceInfo.spec writes "start,length" for all dims).
  const fullEntry = "08 01 12 08 12 02 08 0a 12 02 08 04 " +
    "3a 08 0a 02 10 04 0a 02 10 04 " +
    "3a 0a 0a 04 08 04 10 03 0a 02 10 04 " +
    "3a 0a 0a 04 08 07 10 03 0a 02 10 04";
  assert.ok(ix.includes(fullEntry), "full entry");
  // First slice key: 00, "embedding/weights" 00 01, rank 01 02, then 80 80 84 80 84... (start 0,
  // length 4, start 0, length 4).
  const name = hex(enc.encode("embedding/weights"));
  assert.ok(ix.includes(`00 ${name} 00 01 01 02 80 84 80 84`), "first slice key stored in full");
});

Deno.test("§7: partitions along a later axis, of strings and of rank 3, round trip", () => {
  const { dir, cleanup } = tempDir();
  try {
    const t3: StoredTensor = {
      name: "cube",
      dtype: "int32",
      shape: [2, 3, 5],
      values: Int32Array.from({ length: 30 }, (_, i) => i),
    };
    const words: StoredTensor = {
      name: "vocab",
      dtype: "string",
      shape: [5],
      values: ["a", "bb", "", "dddd", "e"].map((s) => enc.encode(s)),
    };
    const items: TfTensorSlice[] = [...splitTensor(t3, 2, 2), ...splitTensor(words, 0, 4)];
    writeTfCheckpoint(`${dir}/p`, items);
    const ckpt = openTfCheckpoint(`${dir}/p`);
    assert.deepEqual([...ckpt.read("cube").values], [...t3.values as Int32Array]);
    assert.deepEqual(ckpt.slices("cube").map((s) => s.length), [[2, 3, 3], [2, 3, 2]]);
    const last = ckpt.readSlice("cube", ckpt.slices("cube")[1]!);
    const want: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) for (let k = 3; k < 5; k++) want.push(i * 15 + j * 5 + k);
    }
    assert.deepEqual([...last.values], want);
    assert.deepEqual(
      (ckpt.read("vocab").values as readonly Uint8Array[]).map((b) => new TextDecoder().decode(b)),
      ["a", "bb", "", "dddd", "e"],
    );
  } finally {
    cleanup();
  }
});

Deno.test("§7: one partition covering the whole variable is written as a plain entry (TF's IsFullSlice)", () => {
  const [only] = splitTensor(emb(3, 2), 0, 1);
  const files = encodeTfCheckpoint([only!]);
  const plain = encodeTfCheckpoint([emb(3, 2)]);
  assert.deepEqual(files.index, plain.index);
});

Deno.test("§7: overlapping or duplicate slices and slices outside the shape are refused on write", () => {
  const [a, b] = splitTensor(emb(4, 2), 0, 2);
  throwsCode(() => encodeTfCheckpoint([a!, a!]), "BadSlices");
  throwsCode(
    () =>
      encodeTfCheckpoint([a!, {
        ...b!,
        slice: { start: [1, 0], length: [3, 2] },
        values: new Float32Array(6),
      }]),
    "BadSlices",
  );
  throwsCode(
    () => encodeTfCheckpoint([{ ...a!, slice: { start: [3, 0], length: [2, 2] } }]),
    "InvalidArgument",
  );
  throwsCode(() => encodeTfCheckpoint([emb(2, 2), a!]), "DuplicateKey");
});

Deno.test("§7: a partitioned variable missing a slice reads its covered regions, refuses the rest", () => {
  const [a, , c] = splitTensor(emb(9, 2), 0, 3);
  const files = encodeTfCheckpoint([a!, c!]);
  const ckpt = openTfCheckpointBytes({ index: files.index, shards: [files.data] });
  assert.deepEqual([
    ...ckpt.readSlice("embedding/weights", { start: [6, 0], length: [3, 2] }).values,
  ], rows(2, 6, 9));
  const e = throwsCode(() => ckpt.read("embedding/weights"), "BadSlices");
  assert.match(e.message, /cover 12 of the 18 elements/);
});

Deno.test("writer input errors are typed: bad names, dtypes, shapes, value types and counts", () => {
  const ok: StoredTensor = { name: "v", dtype: "float32", shape: [2], values: new Float32Array(2) };
  const cases: [unknown, string][] = [
    [{ ...ok, name: "" }, "InvalidArgument"],
    [{ ...ok, name: "\0x" }, "InvalidArgument"],
    [{ ...ok, dtype: "complex64" }, "InvalidArgument"],
    [{ ...ok, shape: [-1] }, "InvalidArgument"],
    [{ ...ok, shape: [1.5] }, "InvalidArgument"],
    [{ ...ok, values: new Float64Array(2) }, "InvalidArgument"],
    [{ ...ok, values: new Float32Array(3) }, "InvalidArgument"],
    [{ ...ok, shape: [2 ** 40, 2 ** 40] }, "TooLarge"],
    [null, "InvalidArgument"],
    [{
      get name(): string {
        throw new Error("getter");
      },
    }, "InvalidArgument"],
  ];
  for (const [t, code] of cases) {
    throwsCode(() => encodeTfCheckpoint([t as StoredTensor]), code as "InvalidArgument");
  }
  throwsCode(() => encodeTfCheckpoint([ok, ok]), "DuplicateKey");
  throwsCode(() => encodeTfCheckpoint(42 as unknown as StoredTensor[]), "InvalidArgument");
});

Deno.test("reader results are frozen copies; unknown names are NotFound", () => {
  const files = encodeTfCheckpoint(ALL_DTYPES);
  const ckpt: TfCheckpointReader = openTfCheckpointBytes({
    index: files.index,
    shards: [files.data],
  });
  assert.ok(Object.isFrozen(ckpt.list()) && Object.isFrozen(ckpt.list()[0]));
  const a = ckpt.read("f32");
  (a.values as Float32Array)[0] = 99;
  assert.equal((ckpt.read("f32").values as Float32Array)[0], 0.5);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.shape));
  throwsCode(() => ckpt.read("nope"), "NotFound");
  assert.equal(ckpt.has("nope"), false);
  throwsCode(() => ckpt.read(3 as unknown as string), "InvalidArgument");
  throwsCode(() => ckpt.readSlice("f32", { start: [0, 0], length: [3, 3] }), "InvalidArgument");
  throwsCode(
    () => ckpt.readSlice("f32", null as unknown as { start: number[]; length: number[] }),
    "InvalidArgument",
  );
});

Deno.test("§2 CRC32C: the check value and the fixtures' masked CRC of 0.5 (0x1f273806)", async () => {
  const { crc32c, maskCrc, unmaskCrc } = await import("../../../lib/checkpoint/_crc32c.ts");
  // Independent bitwise CRC32C from the reflected polynomial.
  const ref = (b: Uint8Array): number => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  assert.equal(crc32c(enc.encode("123456789")), 0xe3069283);
  const half = unhex("00 00 00 3f");
  assert.equal(crc32c(half), ref(half));
  assert.equal(maskCrc(crc32c(half)), 0x1f273806);
  const big = Uint8Array.from({ length: 100003 }, (_, i) => (i * 31) & 0xff);
  assert.equal(crc32c(big), ref(big));
  assert.equal(unmaskCrc(maskCrc(0xdeadbeef)), 0xdeadbeef);
});

Deno.test("§7 OrderedCode: slice keys match the spec's examples and the V1 fixture's keys", async () => {
  const { sliceKey } = await import("../../../lib/checkpoint/_ordered_code.ts");
  // Spec example: rows 0..4 of a [10,4] `emb`, dimension 1 whole (-1).
  assert.equal(
    hex(sliceKey(enc.encode("emb"), [0, 0], [5, -1])),
    "00 65 6d 62 00 01 01 02 80 85 80 7f",
  );
  // The V1 fixture's key for scalar `a`: 00 61 00 01 00.
  assert.equal(hex(sliceKey(enc.encode("a"), [], [])), "00 61 00 01 00");
  // Signed numbers: 100 -> c0 64, -100 -> 3f 9c; escapes of 00 and ff in names.
  assert.equal(hex(sliceKey(enc.encode("x"), [100], [-100])), "00 78 00 01 01 01 c0 64 3f 9c");
  assert.equal(
    hex(sliceKey(new Uint8Array([0x61, 0x00, 0xff]), [], [])),
    "00 61 00 ff ff 00 00 01 00",
  );
  // Big values take longer headers: 2^20 -> e0 (3 bytes), 300 -> c1 2c.
  assert.equal(
    hex(sliceKey(enc.encode("x"), [2 ** 20], [300])),
    "00 78 00 01 01 01 f0 10 00 00 c1 2c",
  );
});

Deno.test("writeTfCheckpointAsync writes the same bytes as the sync writer, also when saves and reads interleave", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const big: StoredTensor[] = [];
    for (let i = 0; i < 6; i++) {
      big.push({
        name: `big/${i}`,
        dtype: "float32",
        shape: [300000],
        values: Float32Array.from({ length: 300000 }, (_, k) => i * 1e6 + k),
      });
    }
    const items = [...big, ...ALL_DTYPES, ...splitTensor(emb(10, 4), 0, 3)];
    writeTfCheckpoint(`${dir}/sync`, items);
    // Two async saves at once, with reads (which use the shared CRC hasher) in between.
    const a = writeTfCheckpointAsync(`${dir}/async1`, items);
    const b = writeTfCheckpointAsync(`${dir}/async2`, [...items].reverse());
    for (let k = 0; k < 20; k++) {
      openTfCheckpoint(`${dir}/sync`).read("big/3");
      await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all([a, b]);
    for (const ext of [".index", ".data-00000-of-00001"]) {
      assert.deepEqual(
        Deno.readFileSync(`${dir}/async1${ext}`),
        Deno.readFileSync(`${dir}/sync${ext}`),
      );
    }
    const other = openTfCheckpoint(`${dir}/async2`);
    for (const t of big) same(other.read(t.name), t);
    assert.deepEqual([...other.read("embedding/weights").values], rows(4, 0, 10));
  } finally {
    cleanup();
  }
});
