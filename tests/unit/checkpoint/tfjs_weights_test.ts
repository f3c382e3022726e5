// TensorFlow.js weights (checkpoint-format.md §10): the real converter
// fixtures decode to the values their READMEs give; quantized weights
// dequantize as tfjs-core's decodeWeights does (references computed here in
// float64 from the formula, and tf.io.decodeWeights run on the same bytes as
// an independent reader); what varscope writes is read back by
// tf.io.decodeWeights and tf.io.loadWeights; every malformed manifest or
// shard is a typed CheckpointError.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  CheckpointError,
  type CheckpointErrorCode,
  decodeTfjsWeights,
  encodeTfjsWeights,
  openTfjsWeights,
  parseTfjsManifest,
  type StoredTensor,
  TFJS_SHARD_SIZE_BYTES,
  writeTfjsWeights,
} from "varscope/checkpoint";

const FIX = new URL("../../fixtures/tfjs-weights/", import.meta.url).pathname;

function f32bits(x: number): string {
  const b = new Uint8Array(new Float32Array([x]).buffer);
  return Array.from(b, (v) => v.toString(16).padStart(2, "0")).join("");
}

function expectCode(f: () => unknown, code: CheckpointErrorCode, message?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.match(e.message, message);
    return true;
  });
}

function tmpDir(): string {
  return Deno.makeTempDirSync({ prefix: "varscope-tfjs-test-" });
}

function writeManifest(dir: string, manifest: unknown, shards: Record<string, Uint8Array>): string {
  Deno.writeTextFileSync(`${dir}/model.json`, JSON.stringify(manifest));
  for (const [p, b] of Object.entries(shards)) Deno.writeFileSync(`${dir}/${p}`, b);
  return `${dir}/model.json`;
}

Deno.test("§10 fixture tfjs-graph-model-w-2x2: weight w as the README gives it (both model.json files)", () => {
  for (const file of ["model.json", "model_new.json"]) {
    const r = openTfjsWeights(`${FIX}tfjs-graph-model-w-2x2/${file}`);
    assert.equal(r.format, "tfjs");
    assert.deepEqual(r.list(), [{ name: "w", dtype: "float32", shape: [2, 2] }]);
    const w = r.read("w");
    assert.deepEqual(Array.from(w.values as Float32Array).map(f32bits), [
      "00598e3c",
      "d676e6be",
      "58483d3f",
      "f083883e",
    ]);
    assert.deepEqual(Array.from(w.values as Float32Array), [
      0.017376422882080078,
      -0.45012539625167847,
      0.7393851280212402,
      0.2666316032409668,
    ]);
  }
});

Deno.test("§10 fixture tfjs-graph-model-dense-1x1: both weights, sorted by name, opened by folder", () => {
  const r = openTfjsWeights(`${FIX}tfjs-graph-model-dense-1x1`);
  const k = "StatefulPartitionedCall/sequential_1/dense_Dense1/MatMul/ReadVariableOp";
  const b = "StatefulPartitionedCall/sequential_1/dense_Dense1/BiasAdd/ReadVariableOp";
  assert.deepEqual(r.list().map((t) => [t.name, t.shape]), [[b, [1]], [k, [1, 1]]]);
  assert.equal(f32bits((r.read(k).values as Float32Array)[0]!), "9ac6f93f");
  assert.equal((r.read(k).values as Float32Array)[0], 1.9513733386993408);
  assert.equal((r.read(b).values as Float32Array)[0], -0.8492417335510254);
  assert.equal(r.has(k), true);
  assert.equal(r.has("dense/kernel"), false);
  expectCode(() => r.read("dense/kernel"), "NotFound", /dense\/kernel/);
});

Deno.test("§10 lazy: listing needs only model.json; reading a weight needs its shard", () => {
  const dir = tmpDir();
  try {
    writeTfjsWeights(dir, [
      { name: "a", dtype: "float32", shape: [2], values: new Float32Array([1, 2]) },
    ]);
    const r = openTfjsWeights(dir);
    Deno.removeSync(`${dir}/group1-shard1of1.bin`);
    assert.deepEqual(r.list().map((t) => t.name), ["a"]);
    expectCode(() => r.read("a"), "MissingShard", /group1-shard1of1\.bin/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Float64 reference of tfjs's dequantization: v × scale + min, to float32. */
function dequant(stored: readonly number[], scale: number, min: number): number[] {
  return stored.map((v) => Math.fround(v * scale + min));
}

/** Half-precision bits to a number, from the IEEE 754 binary16 definition. */
function halfRef(h: number): number {
  const s = (h >> 15) & 1, e = (h >> 10) & 31, f = h & 1023;
  const sign = s ? -1 : 1;
  if (e === 0) return sign * (f / 1024) * Math.pow(2, -14);
  if (e === 31) return f ? NaN : sign * Infinity;
  return sign * (1 + f / 1024) * Math.pow(2, e - 15);
}

Deno.test("§10.2 quantized uint8, uint16 and float16 weights dequantize as tf.io.decodeWeights does", () => {
  const u8 = [0, 1, 127, 255];
  const u16 = [0, 300, 65535];
  const i8 = [0, 3, 255];
  const h = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7bff, 0x8000, 0x7c00, 0xfc00, 0x0400];
  const manifest = [{
    paths: ["q.bin"],
    weights: [
      {
        name: "u8",
        shape: [4],
        dtype: "float32",
        quantization: { dtype: "uint8", scale: 0.1, min: -1.5, original_dtype: "float32" },
      },
      {
        name: "u16",
        shape: [3],
        dtype: "float32",
        quantization: { dtype: "uint16", scale: 0.001, min: 2 },
      },
      {
        name: "i8",
        shape: [3],
        dtype: "int32",
        quantization: { dtype: "uint8", scale: 0.5, min: -3 },
      },
      { name: "h", shape: [3, 3], dtype: "float32", quantization: { dtype: "float16" } },
    ],
  }];
  const bytes = new Uint8Array(4 + 6 + 3 + 18);
  bytes.set(u8, 0);
  const dv = new DataView(bytes.buffer);
  u16.forEach((v, i) => dv.setUint16(4 + 2 * i, v, true));
  bytes.set(i8, 10);
  h.forEach((v, i) => dv.setUint16(13 + 2 * i, v, true));
  const ours = new Map(decodeTfjsWeights(manifest, { "q.bin": bytes }).map((t) => [t.name, t]));
  assert.deepEqual(Array.from(ours.get("u8")!.values as Float32Array), dequant(u8, 0.1, -1.5));
  assert.deepEqual(Array.from(ours.get("u16")!.values as Float32Array), dequant(u16, 0.001, 2));
  assert.equal(ours.get("i8")!.dtype, "int32");
  assert.deepEqual(Array.from(ours.get("i8")!.values as Int32Array), [-3, -1, 125]); // Math.round(v × 0.5 − 3): −1.5 rounds up
  assert.deepEqual(
    Array.from(ours.get("h")!.values as Float32Array),
    h.map(halfRef).map(Math.fround),
  );
  assert.equal(ours.get("h")!.dtype, "float32");
  // tfjs-core's own decoder on the same bytes (the group as one buffer).
  const theirs = tf.io.decodeWeights(
    bytes.slice().buffer,
    manifest[0]!.weights as tf.io.WeightsManifestEntry[],
  );
  try {
    for (const [name, t] of ours) {
      assert.deepEqual(
        Array.from(t.values as Float32Array),
        Array.from(theirs[name]!.dataSync()),
        name,
      );
    }
  } finally {
    tf.dispose(Object.values(theirs));
  }
});

Deno.test("§10.2 writing: 4 MiB shards named group1-shardIofN.bin, a weight straddling them, read back by tfjs-core", async () => {
  const dir = tmpDir();
  try {
    const big = new Float32Array(TFJS_SHARD_SIZE_BYTES / 4 + 1000).map((_, i) => i * 0.25 - 7);
    const tensors: StoredTensor[] = [
      { name: "scope/big", dtype: "float32", shape: [big.length], values: big },
      {
        name: "scope/n",
        dtype: "int32",
        shape: [2, 2],
        values: new Int32Array([1, -2, 3, 2147483647]),
      },
      { name: "flag", dtype: "bool", shape: [3], values: new Uint8Array([1, 0, 1]) },
      {
        name: "s",
        dtype: "string",
        shape: [2],
        values: [new TextEncoder().encode("héllo"), new Uint8Array(0)],
      },
      { name: "after_string", dtype: "float32", shape: [], values: new Float32Array([0.5]) },
    ];
    const w = writeTfjsWeights(dir, tensors);
    const total = big.length * 4 + 16 + 3 + (4 + 6 + 4) + 4;
    assert.equal(w.bytes, total);
    assert.deepEqual(w.manifest.weightsManifest[0]!.paths, [
      "group1-shard1of2.bin",
      "group1-shard2of2.bin",
    ]);
    assert.equal(Deno.statSync(`${dir}/group1-shard1of2.bin`).size, TFJS_SHARD_SIZE_BYTES);
    assert.equal(Deno.statSync(`${dir}/group1-shard2of2.bin`).size, total - TFJS_SHARD_SIZE_BYTES);
    const json = JSON.parse(Deno.readTextFileSync(`${dir}/model.json`));
    assert.equal(json.generatedBy, "varscope");
    assert.deepEqual(json.weightsManifest[0].weights.map((e: { name: string }) => e.name), [
      "scope/big",
      "scope/n",
      "flag",
      "s",
      "after_string",
    ]);
    // tfjs-core decodes the shards (an ArrayBuffer per shard, as its loaders pass them).
    const buffers = json.weightsManifest[0].paths.map((p: string) =>
      Deno.readFileSync(`${dir}/${p}`).slice().buffer
    );
    const decoded = tf.io.decodeWeights(buffers, json.weightsManifest[0].weights);
    try {
      assert.deepEqual(decoded["scope/big"]!.dataSync(), big);
      assert.deepEqual(Array.from(decoded["scope/n"]!.dataSync()), [1, -2, 3, 2147483647]);
      assert.deepEqual(Array.from(decoded["flag"]!.dataSync()), [1, 0, 1]);
      assert.deepEqual(decoded["s"]!.dataSync(), ["héllo", ""] as unknown);
      assert.deepEqual(Array.from(decoded["after_string"]!.dataSync()), [0.5]);
    } finally {
      tf.dispose(Object.values(decoded));
    }
    // tf.io.loadWeights fetches the shards by URL, as in a browser (its
    // offset computation skips string weights, so a manifest without them).
    const dir2 = `${dir}/no-strings`;
    writeTfjsWeights(dir2, tensors.filter((t) => t.dtype !== "string"));
    const json2 = JSON.parse(Deno.readTextFileSync(`${dir2}/model.json`));
    const loaded = await tf.io.loadWeights(json2.weightsManifest, `file://${dir2}/`);
    try {
      assert.deepEqual(loaded["scope/big"]!.dataSync(), big);
      assert.deepEqual(Array.from(loaded["scope/n"]!.dataSync()), [1, -2, 3, 2147483647]);
      assert.deepEqual(Array.from(loaded["after_string"]!.dataSync()), [0.5]);
    } finally {
      tf.dispose(Object.values(loaded));
    }
    // Our lazy reader: the straddling weight, and the weight after a string.
    const r = openTfjsWeights(dir);
    assert.deepEqual(r.read("scope/big").values, big);
    assert.deepEqual(Array.from(r.read("after_string").values as Float32Array), [0.5]);
    assert.deepEqual((r.read("s").values as Uint8Array[]).map((b) => new TextDecoder().decode(b)), [
      "héllo",
      "",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("§10.2 writing converts to what tfjs holds: float16 as float16-quantized, float64/bfloat16 to float32, small ints to int32", () => {
  const { modelJson, shards } = encodeTfjsWeights([
    { name: "h", dtype: "float16", shape: [2], values: new Uint16Array([0x3c00, 0xc100]) },
    { name: "d", dtype: "float64", shape: [2], values: new Float64Array([0.1, -1e30]) },
    { name: "bf", dtype: "bfloat16", shape: [1], values: new Uint16Array([0x3fc0]) },
    { name: "i8", dtype: "int8", shape: [2], values: new Int8Array([-128, 127]) },
    { name: "i64", dtype: "int64", shape: [1], values: new BigInt64Array([-5n]) },
  ], { shardSizeBytes: 7 });
  const w = modelJson.weightsManifest[0]!.weights;
  assert.deepEqual(w.map((e) => [e.name, e.dtype, e.quantization?.dtype]), [
    ["h", "float32", "float16"],
    ["d", "float32", undefined],
    ["bf", "float32", undefined],
    ["i8", "int32", undefined],
    ["i64", "int32", undefined],
  ]);
  assert.deepEqual(shards.map((s) => [s.path, s.bytes.length]), [
    ["group1-shard1of4.bin", 7],
    ["group1-shard2of4.bin", 7],
    ["group1-shard3of4.bin", 7],
    ["group1-shard4of4.bin", 7],
  ]);
  const out = decodeTfjsWeights(
    modelJson,
    Object.fromEntries(shards.map((s) => [s.path, s.bytes])),
  );
  assert.deepEqual(out.map((t) => Array.from(t.values as Float32Array)), [
    [1, -2.5],
    [Math.fround(0.1), Math.fround(-1e30)],
    [1.5],
    [-128, 127],
    [-5],
  ]);
  expectCode(
    () =>
      encodeTfjsWeights([{
        name: "big",
        dtype: "int64",
        shape: [2],
        values: new BigInt64Array([1n, 2n ** 40n]),
      }]),
    "NoExactConversion",
    /"big": int64 value 1099511627776 at element 1 is outside the int32 range/,
  );
  expectCode(
    () =>
      encodeTfjsWeights([{
        name: "o",
        dtype: "float64",
        shape: [1],
        values: new Float64Array([1e300]),
      }]),
    "NoExactConversion",
  );
});

Deno.test("§10 malformed manifests and shards are typed errors naming the file", () => {
  const dir = tmpDir();
  const w = (m: unknown, shards: Record<string, Uint8Array> = {}) => writeManifest(dir, m, shards);
  const f32 = (n: number) => new Uint8Array(4 * n);
  try {
    Deno.writeTextFileSync(`${dir}/model.json`, "{ not json");
    expectCode(() => openTfjsWeights(dir), "Malformed", /model\.json: not valid JSON/);
    Deno.writeFileSync(`${dir}/model.json`, new Uint8Array([0xff, 0xfe, 0x7b]));
    expectCode(() => openTfjsWeights(dir), "Malformed");
    w({ format: "graph-model" });
    expectCode(() => openTfjsWeights(dir), "Malformed", /no weightsManifest/);
    w(null);
    expectCode(() => openTfjsWeights(dir), "Malformed");
    w([{ paths: "x.bin", weights: [] }]);
    expectCode(() => openTfjsWeights(dir), "Malformed", /paths/);
    w([{ paths: ["x.bin"], weights: [{ name: "a", shape: [1], dtype: "float32" }] }]);
    expectCode(() => openTfjsWeights(dir), "MissingShard", /x\.bin/);
    w([{ paths: ["x.bin"], weights: [{ name: "a", shape: [2], dtype: "float32" }] }], {
      "x.bin": f32(3),
    });
    expectCode(
      () => openTfjsWeights(dir),
      "ShapeSizeMismatch",
      /holds 12 bytes; its weights need 8/,
    );
    w([{ paths: ["x.bin"], weights: [{ name: "a", shape: [2], dtype: "float32" }] }], {
      "x.bin": f32(1),
    });
    expectCode(() => openTfjsWeights(dir), "ShapeSizeMismatch");
    w([{ paths: ["x.bin"], weights: [{ name: "a", shape: [2], dtype: "float64" }] }], {
      "x.bin": f32(4),
    });
    expectCode(() => openTfjsWeights(dir), "UnknownDType", /"a" has dtype "float64"/);
    w([{ paths: ["x.bin"], weights: [{ name: "c", shape: [1], dtype: "complex64" }] }], {
      "x.bin": f32(2),
    });
    expectCode(() => openTfjsWeights(dir), "UnknownDType", /complex64/);
    w([{
      paths: ["x.bin"],
      weights: [{ name: "q", shape: [1], dtype: "float32", quantization: { dtype: "int4" } }],
    }], { "x.bin": f32(1) });
    expectCode(() => openTfjsWeights(dir), "UnknownDType", /quantization dtype "int4"/);
    w([{
      paths: ["x.bin"],
      weights: [{ name: "q", shape: [1], dtype: "float32", quantization: { dtype: "uint8" } }],
    }], { "x.bin": f32(1) });
    expectCode(() => openTfjsWeights(dir), "Malformed", /scale and min/);
    w([{
      paths: ["x.bin"],
      weights: [{ name: "q", shape: [1], dtype: "int32", quantization: { dtype: "float16" } }],
    }], { "x.bin": f32(1) });
    expectCode(
      () => openTfjsWeights(dir),
      "UnknownDType",
      /int32 cannot be quantized as float16/,
    );
    // Huge shapes: refused from the shard sizes, before any allocation.
    w([{ paths: ["x.bin"], weights: [{ name: "h", shape: [1e6, 1e6], dtype: "float32" }] }], {
      "x.bin": f32(1),
    });
    expectCode(() => openTfjsWeights(dir), "ShapeSizeMismatch", /4000000000000/);
    w(
      [{ paths: ["x.bin"], weights: [{ name: "h", shape: [2 ** 40, 2 ** 40], dtype: "float32" }] }],
      { "x.bin": f32(1) },
    );
    expectCode(() => openTfjsWeights(dir), "TooLarge", /"h"/);
    w([{ paths: ["x.bin"], weights: [{ name: "h", shape: [-1], dtype: "float32" }] }], {
      "x.bin": f32(1),
    });
    expectCode(() => openTfjsWeights(dir), "Malformed", /shape \[-1\]/);
    w([{ paths: ["x.bin"], weights: [{ name: "s", shape: [2], dtype: "string" }] }], {
      "x.bin": new Uint8Array([3, 0, 0, 0, 97, 98, 99, 200, 0, 0, 0]),
    });
    const r = openTfjsWeights(dir); // at least 4 bytes per string: fine until read
    expectCode(() => r.read("s"), "ShapeSizeMismatch", /runs past the end/);
    w([{ paths: ["../x.bin"], weights: [] }]);
    expectCode(() => openTfjsWeights(dir), "Malformed", /leaves the model's folder/);
    w([{ paths: ["/etc/passwd"], weights: [] }]);
    expectCode(() => openTfjsWeights(dir), "Malformed", /leaves the model's folder/);
    w([
      { paths: ["x.bin"], weights: [{ name: "a", shape: [1], dtype: "float32" }] },
      { paths: ["y.bin"], weights: [{ name: "a", shape: [1], dtype: "float32" }] },
    ], { "x.bin": f32(1), "y.bin": f32(1) });
    expectCode(() => openTfjsWeights(dir), "DuplicateKey", /"a" appears twice/);
    expectCode(() => openTfjsWeights(`${dir}/nope`), "NotFound", /nope/);
    expectCode(() => openTfjsWeights(null as unknown as string), "InvalidArgument");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("§10 untyped and hostile input: throwing getters, proxies, bad tensors", () => {
  const hostile = {
    get weightsManifest(): never {
      throw new Error("boom");
    },
  };
  expectCode(() => parseTfjsManifest(hostile), "Malformed");
  const proxy = new Proxy({}, {
    getOwnPropertyDescriptor: () => {
      throw new Error("trap");
    },
  });
  assert.throws(
    () => parseTfjsManifest(proxy),
    (e) => e instanceof CheckpointError && e.code === "Malformed" && /unreadable/.test(e.message),
  );
  expectCode(() => encodeTfjsWeights([proxy as StoredTensor]), "InvalidArgument", /unreadable/);
  expectCode(() => decodeTfjsWeights([{ paths: ["a"], weights: [] }], {}), "MissingShard");
  expectCode(
    () => decodeTfjsWeights([{ paths: ["a"], weights: [] }], { a: new Uint8Array(1) }),
    "ShapeSizeMismatch",
  );
  expectCode(() => encodeTfjsWeights([null as unknown as StoredTensor]), "InvalidArgument");
  expectCode(
    () =>
      encodeTfjsWeights([{ name: "x", dtype: "float32", shape: [3], values: new Float32Array(2) }]),
    "InvalidArgument",
    /"x"/,
  );
  expectCode(
    () =>
      encodeTfjsWeights([
        { name: "x", dtype: "float32", shape: [], values: new Float32Array(1) },
        { name: "x", dtype: "float32", shape: [], values: new Float32Array(1) },
      ]),
    "DuplicateKey",
  );
  expectCode(() => encodeTfjsWeights([], { shardSizeBytes: 0 }), "InvalidArgument");
  assert.deepEqual(encodeTfjsWeights([]).shards, []);
});
