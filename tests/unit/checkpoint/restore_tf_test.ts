// TF checkpoints into and out of varscope: a real TF1 checkpoint (the
// half-plus-two conv2d SavedModel's variables, written by TensorFlow) fills
// a varscope model whose default-name scopes give the same TF1 names, with
// the values its README gives; saveCheckpoint writes partitioned variables
// as TF1's Saver does (one full entry with slices) and restores into
// partitioned and unpartitioned models; a TF checkpoint converts to tfjs
// weights and back by TF1 name with identical values. No case leaks tensors.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  fixedSizePartitioner,
  getVariable,
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
} from "varscope";
import { transform, useBackend, variable } from "varscope/tfjs";
import {
  initFromCheckpoint,
  loadCheckpoint,
  openTfCheckpoint,
  openTfjsWeights,
  restore,
  saveCheckpoint,
  saveTfjsWeights,
  writeTfCheckpoint,
  writeTfjsWeights,
} from "varscope/checkpoint";
import { values } from "../interpreter/_backends.ts";

type Gen<A> = ProgramGenerator<A>;

const FIX = new URL("../../fixtures/tf-checkpoints/", import.meta.url).pathname;

function conv(x: tf.Tensor4D): Program<tf.Tensor4D> {
  return variableScope(
    null,
    { defaultName: "conv2d" },
    scoped(function* (): Gen<tf.Tensor4D> {
      const k = yield* variable("kernel", { shape: [1, 1, 1, 1] });
      const b = yield* variable("bias", { shape: [1] });
      return tf.add(tf.conv2d(x, k as tf.Tensor4D, 1, "same"), b) as tf.Tensor4D;
    }),
  );
}

/** The TF1 half-plus-two conv2d graph's variables, made by varscope. */
function halfPlusTwoConv(x: tf.Tensor4D): Program<tf.Tensor4D> {
  return scoped(function* (): Gen<tf.Tensor4D> {
    const a = yield* variable("a", { shape: [] });
    const b = yield* variable("b", { shape: [] });
    const c = yield* variable("c", { shape: [] });
    const y = yield* conv(yield* conv(yield* conv(x)));
    return tf.add(tf.add(tf.mul(a, y), b), c) as tf.Tensor4D;
  });
}

async function noLeak(body: () => Promise<void>): Promise<void> {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  await body();
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
}

function tmpDir(): string {
  return Deno.makeTempDirSync({ prefix: "varscope-restore-tf-test-" });
}

Deno.test("a TF1 checkpoint written by TensorFlow fills a varscope model by TF1 name (fixture tf1-half-plus-two-conv2d)", () =>
  noLeak(async () => {
    const x = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
    const model = transform(halfPlusTwoConv);
    const { params: init } = model.init(x);
    const { params, report } = restore(init.store, `${FIX}tf1-half-plus-two-conv2d/variables`);
    const names = [
      "a",
      "b",
      "c",
      "conv2d/kernel",
      "conv2d/bias",
      "conv2d_1/kernel",
      "conv2d_1/bias",
      "conv2d_2/kernel",
      "conv2d_2/bias",
    ];
    assert.deepEqual(report.matched.map((m) => [m.variable, m.key]), names.map((n) => [n, n]));
    assert.equal(report.complete, true);
    assert.deepEqual(report.unusedInFile, []);
    const got = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await values(params.get(n))])),
    );
    assert.deepEqual(got, {
      a: [0.5],
      b: [2],
      c: [3],
      "conv2d/kernel": [-0.5223959684371948],
      "conv2d/bias": [0],
      "conv2d_1/kernel": [-1.0451120138168335],
      "conv2d_1/bias": [0],
      "conv2d_2/kernel": [1.577943205833435],
      "conv2d_2/bias": [0],
    });
    // y = 0.5·(x·k0·k1·k2) + 2 + 3 with x = 1, in float64 from the README values.
    const k = -0.5223959684371948 * -1.0451120138168335 * 1.577943205833435;
    const y = model.apply(params, x);
    const out = await values(y);
    for (const v of out) assert.ok(Math.abs(v - (0.5 * k + 5)) < 1e-6, `${v}`);
    tf.dispose([x, y]);
    params.dispose();
    init.dispose();
  }));

Deno.test("saveCheckpoint: TF1 Saver layout (partitioned = one full entry with slices), the state file, exact restore", () =>
  noLeak(async () => {
    const program = (partitioned: boolean) => (_: null) =>
      variableScope(
        "m",
        scoped(function* (): Gen<null> {
          yield* variable("w", { shape: [3, 2] });
          yield* variable("step", { shape: [], dtype: "int32" });
          yield* getVariable("emb", {
            shape: [5, 2],
            ...(partitioned ? { partitioner: fixedSizePartitioner(2) } : {}),
          });
          return null;
        }),
      );
    const { params } = transform(program(true)).init(null, { seed: 9 });
    const dir = tmpDir();
    try {
      const w = await saveCheckpoint(params, `${dir}/model.ckpt-7`);
      assert.equal(w.indexFile, `${dir}/model.ckpt-7.index`);
      assert.equal(
        Deno.readTextFileSync(`${dir}/checkpoint`),
        'model_checkpoint_path: "model.ckpt-7"\nall_model_checkpoint_paths: "model.ckpt-7"\n',
      );
      const ckpt = openTfCheckpoint(`${dir}/model.ckpt-7`);
      assert.deepEqual(ckpt.list().map((t) => [t.name, t.dtype, t.shape]), [
        ["m/emb", "float32", [5, 2]],
        ["m/step", "int32", []],
        ["m/w", "float32", [3, 2]],
      ]);
      // fixed_size_partitioner(2) on 5 rows: 3 + 2.
      assert.deepEqual(ckpt.slices("m/emb"), [
        { start: [0, 0], length: [3, 2] },
        { start: [3, 0], length: [2, 2] },
      ]);
      const part0 = await values(params.get("m/emb/part_0"));
      const part1 = await values(params.get("m/emb/part_1"));
      assert.deepEqual(Array.from(ckpt.read("m/emb").values as Float32Array), [...part0, ...part1]);
      // Into a fresh partitioned model (by folder: the state file names the prefix)...
      const fresh = transform(program(true)).init(null, { seed: 1 }).params;
      const r = restore(fresh.store, dir);
      assert.deepEqual(r.report.matched.map((m) => [m.variable, m.key, m.slice]), [
        ["m/w", "m/w", null],
        ["m/step", "m/step", null],
        ["m/emb/part_0", "m/emb", { offset: [0, 0], shape: [3, 2] }],
        ["m/emb/part_1", "m/emb", { offset: [3, 0], shape: [2, 2] }],
      ]);
      for (const n of params.names) {
        assert.deepEqual(await values(r.params.get(n)), await values(params.get(n)), n);
      }
      // ...and an unpartitioned one.
      const full = transform(program(false)).init(null).params;
      const r2 = restore(full.store, `${dir}/model.ckpt-7`);
      assert.deepEqual(await values(r2.params.get("m/emb")), [...part0, ...part1]);
      assert.equal(r2.report.complete, true);
      [fresh, r.params, full, r2.params].forEach((p) => p.dispose());
    } finally {
      Deno.removeSync(dir, { recursive: true });
      params.dispose();
    }
  }));

Deno.test("TF checkpoint <-> tfjs weights by TF1 name: identical values both ways", () =>
  noLeak(async () => {
    const dir = tmpDir();
    try {
      const tf1 = openTfCheckpoint(`${FIX}tf1-half-plus-two-conv2d/variables`);
      writeTfjsWeights(`${dir}/js`, tf1.list().map((t) => tf1.read(t.name)));
      const js = loadCheckpoint(`${dir}/js`);
      assert.equal(js.format, "tfjs");
      assert.deepEqual(js.list(), tf1.list());
      for (const t of tf1.list()) {
        assert.deepEqual(js.read(t.name).values, tf1.read(t.name).values, t.name);
      }
      writeTfCheckpoint(`${dir}/back`, js.list().map((t) => js.read(t.name)));
      const back = openTfCheckpoint(`${dir}/back`);
      for (const t of tf1.list()) {
        assert.deepEqual(back.read(t.name).values, tf1.read(t.name).values, t.name);
      }
      // Bytes too: same tensors in the fixture's data order give the fixture's files.
      const inOrder = [
        "a",
        "b",
        "c",
        "conv2d/bias",
        "conv2d/kernel",
        "conv2d_1/bias",
        "conv2d_1/kernel",
        "conv2d_2/bias",
        "conv2d_2/kernel",
      ];
      writeTfCheckpoint(`${dir}/same`, inOrder.map((n) => js.read(n)));
      assert.deepEqual(
        Deno.readFileSync(`${dir}/same.index`),
        Deno.readFileSync(`${FIX}tf1-half-plus-two-conv2d/variables.index`),
      );
      // A varscope model saved as tfjs restores from either.
      const { params } = transform((_: null) =>
        scoped(function* (): Gen<null> {
          yield* variable("a", { shape: [] });
          return null;
        })
      ).init(null);
      await saveTfjsWeights(params, `${dir}/model-js`);
      assert.deepEqual(openTfjsWeights(`${dir}/model-js`).list().map((t) => t.name), ["a"]);
      const r = restore(params.store, `${dir}/back`, { initial: params });
      assert.deepEqual(await values(r.params.get("a")), [0.5]);
      assert.equal(r.report.unusedInFile.length, 8);
      r.params.dispose();
      params.dispose();
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }));

Deno.test("initFromCheckpoint across partitionings: a full variable from a tensor saved in slices, and 2 shards from 3 slices", () =>
  noLeak(async () => {
    const dir = tmpDir();
    try {
      const full = Float32Array.from({ length: 12 }, (_, i) => i + 0.5);
      // The file holds "old/emb" [6,2] as three slices of 2 rows (TF1 Saver layout).
      writeTfCheckpoint(
        `${dir}/ckpt`,
        [0, 1, 2].map((k) => ({
          name: "old/emb",
          dtype: "float32" as const,
          shape: [6, 2],
          values: full.slice(4 * k, 4 * k + 4),
          slice: { start: [2 * k, 0], length: [2, 2] },
        })),
      );
      const { params } = transform((_: null) =>
        scoped(function* (): Gen<null> {
          yield* variableScope("a", variable("emb", { shape: [6, 2] }));
          yield* variableScope(
            "b",
            getVariable("emb", { shape: [6, 2], partitioner: fixedSizePartitioner(2) }),
          );
          return null;
        })
      ).init(null);
      const r = initFromCheckpoint(params, `${dir}/ckpt`, { "old/emb": "a/emb" });
      assert.deepEqual(await values(r.params.get("a/emb")), Array.from(full));
      const r2 = initFromCheckpoint(params, `${dir}/ckpt`, { "old/": "b/" });
      assert.deepEqual(await values(r2.params.get("b/emb/part_0")), Array.from(full.slice(0, 6)));
      assert.deepEqual(await values(r2.params.get("b/emb/part_1")), Array.from(full.slice(6)));
      assert.deepEqual(r2.report.matched.map((m) => [m.variable, m.key, m.slice?.offset]), [
        ["b/emb/part_0", "old/emb", [0, 0]],
        ["b/emb/part_1", "old/emb", [3, 0]],
      ]);
      [params, r.params, r2.params].forEach((p) => p.dispose());
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  }));
