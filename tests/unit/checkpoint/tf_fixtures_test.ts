// Real TensorFlow-written checkpoints (tests/fixtures/tf-checkpoints, values
// from each fixture's README): decoding, and byte-identical rewriting.
// Spec references are to shared/spec/checkpoint-format.md sections.
import * as assert from "node:assert/strict";
import {
  encodeTfCheckpoint,
  openTfCheckpoint,
  openTfCheckpointBytes,
  type StoredTensor,
  type TfCheckpointReader,
  writeTfCheckpoint,
} from "varscope/checkpoint";
import { fixture, fixtureBytes, FIXTURES, throwsCode } from "./_helpers.ts";

interface Expected {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** Values, or the byte length of a single string element. */
  readonly values: readonly (number | bigint)[] | { stringBytes: number };
  /** Offset and size in the data file, from the README. */
  readonly offset: number;
  readonly size: number;
}

const f = (
  name: string,
  offset: number,
  size: number,
  values: readonly number[],
  shape: readonly number[] = [],
): Expected => ({ name, dtype: "float32", shape, values, offset, size });

// Tables copied from each fixture's README "Tensors (in key order)".
const FIXTURE_TABLES: Readonly<Record<string, readonly Expected[]>> = {
  "tf1-half-plus-two": [f("a", 0, 4, [0.5]), f("b", 4, 4, [2]), f("c", 8, 4, [3])],
  "tf1-half-plus-two-snappy": [
    f("a", 0, 4, [0.5]),
    f("a2", 4, 4, [0.5]),
    f("b", 8, 4, [2]),
    f("c", 12, 4, [3]),
    f("c2", 16, 4, [3]),
  ],
  "tf1-half-plus-two-conv2d": [
    f("a", 0, 4, [0.5]),
    f("b", 4, 4, [2]),
    f("c", 8, 4, [3]),
    f("conv2d/bias", 12, 4, [0], [1]),
    f("conv2d/kernel", 16, 4, [-0.5223959684371948], [1, 1, 1, 1]),
    f("conv2d_1/bias", 20, 4, [0], [1]),
    f("conv2d_1/kernel", 24, 4, [-1.0451120138168335], [1, 1, 1, 1]),
    f("conv2d_2/bias", 28, 4, [0], [1]),
    f("conv2d_2/kernel", 32, 4, [1.577943205833435], [1, 1, 1, 1]),
  ],
  "tf2-half-plus-two-snappy-string": [
    {
      name: "_CHECKPOINTABLE_OBJECT_GRAPH",
      dtype: "string",
      shape: [],
      values: { stringBytes: 613 },
      offset: 12,
      size: 619,
    },
    f("a/.ATTRIBUTES/VARIABLE_VALUE", 0, 4, [0.5]),
    f("b/.ATTRIBUTES/VARIABLE_VALUE", 4, 4, [2]),
    f("c/.ATTRIBUTES/VARIABLE_VALUE", 8, 4, [3]),
  ],
  "tf2-int64-scalars": [
    {
      name: "_CHECKPOINTABLE_OBJECT_GRAPH",
      dtype: "string",
      shape: [],
      values: { stringBytes: 158 },
      offset: 16,
      size: 164,
    },
    {
      name: "v1/.ATTRIBUTES/VARIABLE_VALUE",
      dtype: "int64",
      shape: [],
      values: [3n],
      offset: 0,
      size: 8,
    },
    {
      name: "v2/.ATTRIBUTES/VARIABLE_VALUE",
      dtype: "int64",
      shape: [],
      values: [2n],
      offset: 8,
      size: 8,
    },
  ],
  "tf2-float-int32-scalars": [
    {
      name: "_CHECKPOINTABLE_OBJECT_GRAPH",
      dtype: "string",
      shape: [],
      values: { stringBytes: 158 },
      offset: 8,
      size: 164,
    },
    {
      name: "two/.ATTRIBUTES/VARIABLE_VALUE",
      dtype: "int32",
      shape: [],
      values: [2],
      offset: 4,
      size: 4,
    },
    f("v/.ATTRIBUTES/VARIABLE_VALUE", 0, 4, [3]),
  ],
};

const UNCOMPRESSED = [
  "tf1-half-plus-two",
  "tf1-half-plus-two-conv2d",
  "tf2-int64-scalars",
  "tf2-float-int32-scalars",
];

function checkAgainstReadme(ckpt: TfCheckpointReader, table: readonly Expected[]): void {
  assert.deepEqual(
    ckpt.list().map((t) => [t.name, t.dtype, t.shape]),
    table.map((e) => [e.name, e.dtype, e.shape]),
  );
  for (const e of table) {
    assert.ok(ckpt.has(e.name));
    const t = ckpt.read(e.name);
    assert.equal(t.dtype, e.dtype);
    assert.deepEqual(t.shape, e.shape);
    if ("stringBytes" in e.values) {
      const v = t.values as readonly Uint8Array[];
      assert.equal(v.length, 1);
      assert.equal(v[0]!.length, e.values.stringBytes);
    } else {
      assert.deepEqual([...(t.values as Float32Array)], e.values);
    }
    assert.deepEqual(ckpt.storage(e.name), [{ shard: 0, offset: e.offset, size: e.size }]);
  }
}

for (const [name, table] of Object.entries(FIXTURE_TABLES)) {
  Deno.test(`§1/§4: fixture ${name} decodes to its README's names, dtypes, shapes, values`, () => {
    const ckpt = openTfCheckpoint(fixture(name));
    assert.equal(ckpt.format, "tensorflow");
    assert.equal(ckpt.numShards, 1);
    checkAgainstReadme(ckpt, table);
    // The in-memory entry shares the parser: same answers.
    const bytes = fixtureBytes(name);
    checkAgainstReadme(openTfCheckpointBytes({ index: bytes.index, shards: [bytes.data] }), table);
  });
}

Deno.test("§6.2: the string tensor's 613 bytes are the TrackableObjectGraph proto the data file holds", () => {
  const ckpt = openTfCheckpoint(fixture("tf2-half-plus-two-snappy-string"));
  const s = (ckpt.read("_CHECKPOINTABLE_OBJECT_GRAPH").values as readonly Uint8Array[])[0]!;
  const data = fixtureBytes("tf2-half-plus-two-snappy-string").data;
  // README: stored at 12 as varint e5 04 (613), 4 checksum bytes, then the string.
  assert.deepEqual([...data.subarray(12, 14)], [0xe5, 0x04]);
  assert.deepEqual(s, data.subarray(18, 18 + 613));
});

Deno.test("§2: reading a fixture does not touch the data file until a tensor is read", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.copyFileSync(`${fixture("tf1-half-plus-two")}.index`, `${dir}/v.index`);
    const ckpt = openTfCheckpoint(`${dir}/v`);
    assert.deepEqual(ckpt.list().map((t) => t.name), ["a", "b", "c"]);
    const e = throwsCode(() => ckpt.read("a"), "MissingShard");
    assert.equal(e.file, `${dir}/v.data-00000-of-00001`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("§9: the legacy V1 fixture (TensorSliceWriter) reads as a=0.5, b=2.0, by path or bytes", () => {
  const path = `${FIXTURES}tf1-v1-format-half-plus-two/export-00000-of-00001`;
  for (
    const ckpt of [
      openTfCheckpoint(path),
      openTfCheckpointBytes({ index: Deno.readFileSync(path), shards: [] }),
    ]
  ) {
    assert.deepEqual(ckpt.list(), [
      { name: "a", dtype: "float32", shape: [] },
      { name: "b", dtype: "float32", shape: [] },
    ]);
    assert.deepEqual([...ckpt.read("a").values], [0.5]);
    assert.deepEqual([...ckpt.read("b").values], [2]);
    // V1 values live in the table itself, not in data shards.
    assert.deepEqual(ckpt.storage("a"), []);
  }
  // It is one file: there is no "<prefix>.index" next to it.
  throwsCode(() => openTfCheckpoint(`${FIXTURES}tf1-v1-format-half-plus-two/export`), "NotFound");
});

function byDataOffset(ckpt: TfCheckpointReader): StoredTensor[] {
  return ckpt.list()
    .map((t) => ({ t: ckpt.read(t.name), at: ckpt.storage(t.name)[0]!.offset }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.t);
}

for (const name of UNCOMPRESSED) {
  Deno.test(`§8 writer: rewriting ${name} in data order is byte-identical to TensorFlow's files`, () => {
    const tf = fixtureBytes(name);
    const ours = encodeTfCheckpoint(byDataOffset(openTfCheckpoint(fixture(name))));
    assert.deepEqual(ours.data, tf.data);
    assert.deepEqual(ours.index, tf.index);
  });
}

Deno.test("§8 writer: writeTfCheckpoint's files equal TensorFlow's for every uncompressed fixture", () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const name of UNCOMPRESSED) {
      const r = writeAll(dir, name);
      assert.deepEqual(Deno.readFileSync(r.indexFile), fixtureBytes(name).index);
      assert.deepEqual(Deno.readFileSync(r.dataFile), fixtureBytes(name).data);
    }
    // Only the two files remain: no temporary files are left behind.
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
      UNCOMPRESSED.flatMap((n) => [`${n}.data-00000-of-00001`, `${n}.index`]).sort(),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

function writeAll(dir: string, name: string): { indexFile: string; dataFile: string } {
  return writeTfCheckpoint(`${dir}/${name}`, byDataOffset(openTfCheckpoint(fixture(name))));
}

Deno.test("§3.5: the Snappy fixtures, rewritten uncompressed, hold the same tensors", () => {
  for (const name of ["tf1-half-plus-two-snappy", "tf2-half-plus-two-snappy-string"]) {
    const tf = fixtureBytes(name);
    const ours = encodeTfCheckpoint(byDataOffset(openTfCheckpoint(fixture(name))));
    assert.deepEqual(ours.data, tf.data, "the data file is identical");
    // TF compressed the block (type 1); we write type 0 (§3.5), so the index differs only there.
    const again = openTfCheckpointBytes({ index: ours.index, shards: [ours.data] });
    checkAgainstReadme(again, FIXTURE_TABLES[name]!);
  }
});
