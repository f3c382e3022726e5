/**
 * trackTf1StyleVariables on tfjs-layers Layers, for real: the seed's
 * WrappedDoubleDenseLayer (shared/seeds/004, both versions) inside
 * tf.sequential and tf.model, compile, fit, summary, save and load; the TF
 * shim tests test_get_variable, test_compat_v1_layer, test_shim_nesting,
 * test_only_track_get_variable and test_embedded_keras_model ported (keras
 * variable_scope_shim_test.py); training (Q11); leaks.
 *
 * tfjs-layers names weights without TF's ":0" ("double_dense_layer/
 * dense_one/kernel"); `trackedVariablesOf` gives TF1's "…/kernel:0".
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as assert from "node:assert/strict";
import {
  getVariable,
  l2Regularizer,
  onesInitializer,
  type ProgramGenerator,
  randomNormalInitializer,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import { BatchNormalization, dense, Dropout } from "varscope/layers";
import { runTf1, trackedVariablesOf, trackTf1StyleVariables } from "varscope/objects";
import { readVariable } from "varscope/tfjs";
import { cpu, leaked, sumOf, take } from "./_helpers.ts";

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Kwargs = { training?: boolean };

const KERAS_L2 = l2Regularizer(0.02); // Keras L2() = 0.01 * sum(w²) = TF1 l2(0.02)

function first(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** Seed 004, first version: compat.v1 dense layers with name=. */
class WrappedDoubleDenseLayer extends tfl.layers.Layer {
  static readonly className = "WrappedDoubleDenseLayer";
  readonly units: number;
  constructor(args: LayerArgs & { units: number }) {
    super(args);
    this.units = args.units;
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const units = this.units;
    const x = first(inputs);
    return runTf1(variableScope(
      "double_dense_layer",
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const out = yield* dense(x, units, {
          name: "dense_one",
          kernelInitializer: randomNormalInitializer(),
          kernelRegularizer: KERAS_L2,
        });
        return yield* dense(out, units, {
          name: "dense_two",
          kernelInitializer: randomNormalInitializer(),
          kernelRegularizer: KERAS_L2,
        });
      }),
    ));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(WrappedDoubleDenseLayer);

function* rawDense(x: tf.Tensor, units: number): ProgramGenerator<tf.Tensor> {
  const kernel = yield* getVariable("kernel", {
    shape: [x.shape[x.rank - 1]!, units],
    regularizer: KERAS_L2,
    initializer: onesInitializer(),
  });
  const bias = yield* getVariable("bias", { shape: [units], initializer: zerosInitializer() });
  return tf.add(tf.matMul(x, yield* readVariable(kernel)), yield* readVariable(bias));
}

/** Seed 004, second version: raw getVariable in nested scopes. */
class RawDoubleDenseLayer extends tfl.layers.Layer {
  static readonly className = "RawDoubleDenseLayer";
  readonly units: number;
  constructor(args: LayerArgs & { units: number }) {
    super(args);
    this.units = args.units;
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const units = this.units;
    const x = first(inputs);
    return runTf1(variableScope(
      "double_dense_layer",
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const out = yield* variableScope("dense_one", scoped(rawDense, x, units));
        return yield* variableScope("dense_two", scoped(rawDense, out, units));
      }),
    ));
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(RawDoubleDenseLayer);

const SEED_NAMES = [
  "double_dense_layer/dense_one/kernel",
  "double_dense_layer/dense_one/bias",
  "double_dense_layer/dense_two/kernel",
  "double_dense_layer/dense_two/bias",
];

for (
  const [label, Cls] of [["dense with name=", WrappedDoubleDenseLayer], [
    "raw getVariable",
    RawDoubleDenseLayer,
  ]] as const
) {
  Deno.test(`seed 004 (${label}): TF1 names, two losses after one call and after two`, async () => {
    await cpu();
    const layer = new Cls({ units: 10 });
    const x = tf.ones([5, 5]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    assert.deepEqual(layer.weights.map((w) => w.name), SEED_NAMES);
    assert.deepEqual(trackedVariablesOf(layer).map((v) => v.name), SEED_NAMES.map((n) => `${n}:0`));
    assert.equal(layer.trainableWeights.length, 4);
    assert.equal(layer.losses.length, 2);
    tf.dispose(layer.apply(x) as tf.Tensor);
    assert.equal(layer.losses.length, 2);
    assert.equal(layer.weights.length, 4);
    layer.dispose();
    x.dispose();
  });
}

Deno.test("seed 004 (raw): values: ones kernels give 50 per output, L2 losses 0.5 + 1.0", async () => {
  await cpu();
  const layer = new RawDoubleDenseLayer({ units: 10 });
  assert.deepEqual(take(layer.apply(tf.ones([5, 5])) as tf.Tensor), new Array(50).fill(50));
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 1.5) < 1e-5);
  layer.dispose();
});

class ShimDenseLayer extends tfl.layers.Layer {
  static readonly className = "ShimDenseLayer";
  constructor(readonly units: number) {
    super({});
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const units = this.units;
    const x = first(inputs);
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      const out = yield* variableScope("dense_one", scoped(rawDense, x, units));
      return yield* variableScope(
        "nested_scope",
        variableScope("dense_two", scoped(rawDense, out, units)),
      );
    }));
  }
}

Deno.test("test_get_variable (Q4, Q6): names, 50 → 200 after doubling, losses 1.5 → 6", async () => {
  await cpu();
  const layer = new ShimDenseLayer(10);
  const x = tf.ones([5, 5]);
  assert.deepEqual(take(layer.apply(x) as tf.Tensor), new Array(50).fill(50));
  const w = new Map(layer.weights.map((v) => [v.name, v]));
  assert.deepEqual([...w.keys()].sort(), [
    "dense_one/bias",
    "dense_one/kernel",
    "nested_scope/dense_two/bias",
    "nested_scope/dense_two/kernel",
  ]);
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 1.5) < 1e-5);
  w.get("dense_one/kernel")!.write(tf.mul(tf.ones([5, 10]), 2));
  w.get("nested_scope/dense_two/kernel")!.write(tf.mul(tf.ones([10, 10]), 2));
  assert.deepEqual(take(layer.apply(x) as tf.Tensor), new Array(50).fill(200));
  assert.equal(layer.losses.length, 2);
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 6) < 1e-4);
  layer.dispose();
  x.dispose();
});

Deno.test("test_compat_v1_layer (Q4): compat.v1 dense layers in a tfjs-layers Layer", async () => {
  await cpu();
  class CompatLayer extends tfl.layers.Layer {
    static readonly className = "CompatLayer";
    @trackTf1StyleVariables
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      const x = first(inputs);
      const opts = { kernelInitializer: onesInitializer(), kernelRegularizer: KERAS_L2 };
      return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
        const out = yield* dense(x, 10, { name: "dense_one", ...opts });
        return yield* variableScope("nested_scope", dense(out, 10, { name: "dense_two", ...opts }));
      }));
    }
  }
  const layer = new CompatLayer({});
  assert.deepEqual(take(layer.apply(tf.ones([5, 5])) as tf.Tensor), new Array(50).fill(50));
  assert.deepEqual(layer.weights.map((w) => w.name), [
    "dense_one/kernel",
    "dense_one/bias",
    "nested_scope/dense_two/kernel",
    "nested_scope/dense_two/bias",
  ]);
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 1.5) < 1e-5);
  layer.dispose();
});

Deno.test("Q1: a tfjs-layers Layer gets its own store; two instances do not share", async () => {
  await cpu();
  const a = new WrappedDoubleDenseLayer({ units: 3 });
  const b = new WrappedDoubleDenseLayer({ units: 3 });
  const x = tf.ones([2, 4]);
  const ya = take(a.apply(x) as tf.Tensor);
  const yb = take(b.apply(x) as tf.Tensor);
  assert.notDeepEqual(ya, yb); // random-normal kernels, seeded per object
  assert.notEqual(a.weights[0]!.read(), b.weights[0]!.read());
  a.dispose();
  b.dispose();
  x.dispose();
});

function trainingData(): { xs: tf.Tensor; ys: tf.Tensor } {
  const xs = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0.5, -0.1, 0.2, 0.0], [-0.3, 0.4, 0.1, 0.2], [
    0.2,
    0.2,
    -0.2,
    0.1,
  ]]);
  const ys = tf.tensor2d([[1], [0], [1], [0]]);
  return { xs, ys };
}

Deno.test("tfjs-layers: in tf.sequential next to a built-in dense: compile sees the weights, fit trains them, summary counts them", async () => {
  await cpu();
  const model = tfl.sequential();
  model.add(new RawDoubleDenseLayer({ units: 3, inputShape: [4] }));
  model.add(tfl.layers.dense({ units: 1 }));
  // Built: the TF1 variables exist before compile.
  assert.equal(model.trainableWeights.length, 6);
  model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
  const lines: string[] = [];
  model.summary(undefined, undefined, (line: string) => lines.push(line));
  // 4*3 + 3 + 3*3 + 3 + 3*1 + 1
  assert.ok(lines.some((l) => /Total params: 31\b/.test(l)), lines.join("\n"));
  const { xs, ys } = trainingData();
  const layer = model.layers[0]!;
  const before = Array.from(layer.weights[0]!.read().dataSync());
  // Regularization is in the trained loss: with one batch, epoch 1's loss is
  // mse(before) + 0.01 * sum of squared TF1 kernels, computed here in float64.
  const pred = Array.from((model.predict(xs) as tf.Tensor).dataSync());
  const target = [1, 0, 1, 0];
  const mse = pred.reduce((s, p, i) => s + (p - target[i]!) ** 2, 0) / 4;
  const reg = [0, 2].reduce(
    (s, i) =>
      s +
      Array.from(layer.weights[i]!.read().dataSync() as Float32Array).reduce(
        (a: number, w: number) => a + 0.01 * w * w,
        0,
      ),
    0,
  );
  const h = await model.fit(xs, ys, { epochs: 20, batchSize: 4, verbose: 0 });
  const losses = h.history.loss as number[];
  assert.ok(Math.abs(losses[0]! - (mse + reg)) < 1e-4, `${losses[0]} vs ${mse + reg}`);
  assert.ok(losses[19]! < losses[0]!);
  const after = Array.from(layer.weights[0]!.read().dataSync());
  assert.notDeepEqual(after, before);
  // The TF1 variable behind the weight is the one that changed.
  assert.deepEqual(Array.from(trackedVariablesOf(layer)[0]!.variable.dataSync()), after);
  model.dispose();
  tf.dispose([xs, ys]);
});

Deno.test("tfjs-layers: in the functional tf.model, save / loadLayersModel round-trips the TF1 names and outputs", async () => {
  await cpu();
  const input = tfl.input({ shape: [4] });
  const hidden = new WrappedDoubleDenseLayer({ units: 3 }).apply(input) as tfl.SymbolicTensor;
  const output = tfl.layers.dense({ units: 2 }).apply(hidden) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
  const { xs } = trainingData();
  const before = Array.from((model.predict(xs) as tf.Tensor).dataSync());
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    saved = artifacts;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  const names = (saved! as tf.io.ModelArtifacts).weightSpecs!.map((s) => s.name);
  for (const n of SEED_NAMES) assert.ok(names.includes(n), `${n} in ${names.join(", ")}`);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
  const after = Array.from((loaded.predict(xs) as tf.Tensor).dataSync());
  assert.deepEqual(after, before);
  assert.deepEqual(loaded.layers[1]!.weights.map((w) => w.name), SEED_NAMES);
  model.dispose();
  loaded.dispose();
  xs.dispose();
});

class NestedLayer extends tfl.layers.Layer {
  static readonly className = "NestedLayer";
  constructor(readonly units: number, name: string) {
    super({ name });
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const units = this.units;
    const x = first(inputs);
    return runTf1(variableScope(
      this.name,
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const kernel = yield* getVariable("kernel", {
          shape: [x.shape[1]!, units],
          regularizer: l2Regularizer(2), // Keras L2(1.0)
          initializer: onesInitializer(),
        });
        const bias = yield* getVariable("bias", {
          shape: [units],
          initializer: zerosInitializer(),
        });
        return tf.add(tf.matMul(x, yield* readVariable(kernel)), yield* readVariable(bias));
      }),
    ));
  }
}

class WrappedNesting extends tfl.layers.Layer {
  static readonly className = "WrappedNesting";
  denseLayerA: NestedLayer | null = null;
  denseLayerB: NestedLayer | null = null;
  constructor(readonly units: number) {
    super({});
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    this.denseLayerA ??= new NestedLayer(this.units * 2, "dense_one");
    const out = this.denseLayerA.apply(first(inputs)) as tf.Tensor;
    this.denseLayerB ??= new NestedLayer(this.units, "dense_two");
    return this.denseLayerB.apply(out) as tf.Tensor;
  }
}

Deno.test("test_shim_nesting (Q8) in tfjs-layers: each weight once, losses 30 + 50 = 80, then 120 / 320", async () => {
  await cpu();
  const layer = new WrappedNesting(5);
  assert.deepEqual(take(layer.apply(tf.ones([1, 3])) as tf.Tensor), new Array(5).fill(30));
  assert.deepEqual(layer.trainableWeights.map((w) => w.name).sort(), [
    "dense_one/bias",
    "dense_one/kernel",
    "dense_two/bias",
    "dense_two/kernel",
  ]);
  assert.deepEqual(layer.denseLayerA!.weights.map((w) => w.name), [
    "dense_one/kernel",
    "dense_one/bias",
  ]);
  assert.deepEqual(layer.denseLayerB!.weights.map((w) => w.name), [
    "dense_two/kernel",
    "dense_two/bias",
  ]);
  assert.ok(Math.abs(sumOf(layer.denseLayerA!.losses.map((f) => f())) - 30) < 1e-4);
  assert.ok(Math.abs(sumOf(layer.denseLayerB!.losses.map((f) => f())) - 50) < 1e-4);
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 80) < 1e-4);
  const w = new Map(layer.weights.map((v) => [v.name, v]));
  w.get("dense_one/kernel")!.write(tf.mul(tf.ones([3, 10]), 2));
  w.get("dense_two/kernel")!.write(tf.mul(tf.ones([10, 5]), 2));
  assert.deepEqual(take(layer.apply(tf.ones([1, 3])) as tf.Tensor), new Array(5).fill(120));
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 320) < 1e-3);
  layer.dispose();
});

Deno.test("test_only_track_get_variable (Q9): a tfjs dense made inside the call is not tracked", async () => {
  await cpu();
  class Inside extends tfl.layers.Layer {
    static readonly className = "Inside";
    @trackTf1StyleVariables
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      const d = tfl.layers.dense({
        units: 10,
        kernelInitializer: "ones",
        kernelRegularizer: tfl.regularizers.l2(),
      });
      return d.apply(first(inputs)) as tf.Tensor;
    }
    override computeOutputShape(s: tfl.Shape): tfl.Shape {
      return [s[0]!, 10];
    }
  }
  const layer = new Inside({});
  assert.deepEqual(take(layer.apply(tf.ones([5, 5])) as tf.Tensor), new Array(50).fill(5));
  assert.equal(layer.weights.length, 0);
  layer.dispose();
});

Deno.test("test_embedded_keras_model (Q9): a model assigned as a field is tracked (dense/kernel), losses 0.5 then 2", async () => {
  await cpu();
  class Embedded extends tfl.layers.Layer {
    static readonly className = "Embedded";
    denseModel: tfl.LayersModel | null = null;
    @trackTf1StyleVariables
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      const x = first(inputs);
      if (this.denseModel === null) {
        const inp = tfl.input({ shape: x.shape.slice(1) });
        const d = tfl.layers.dense({
          units: 10,
          name: "dense",
          kernelInitializer: "ones",
          kernelRegularizer: tfl.regularizers.l2(),
        });
        this.denseModel = tfl.model({ inputs: inp, outputs: d.apply(inp) as tfl.SymbolicTensor });
      }
      return this.denseModel.apply(x) as tf.Tensor;
    }
  }
  const layer = new Embedded({});
  assert.deepEqual(take(layer.apply(tf.ones([5, 5])) as tf.Tensor), new Array(50).fill(5));
  // tfjs-layers prefixes layers built inside another layer's apply with that
  // layer's name (TF resets the name scope; tfjs's stack is out of reach).
  assert.deepEqual(layer.weights.map((w) => w.name.replace(/^.*?\//, "")), [
    "dense/kernel",
    "dense/bias",
  ]);
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 0.5) < 1e-5);
  layer.weights[0]!.write(tf.mul(tf.ones([5, 10]), 2));
  assert.deepEqual(take(layer.apply(tf.ones([5, 5])) as tf.Tensor), new Array(50).fill(10));
  assert.ok(Math.abs(sumOf(layer.losses.map((f) => f())) - 2) < 1e-5);
  layer.dispose();
});

class BnDropLayer extends tfl.layers.Layer {
  static readonly className = "BnDropLayer";
  readonly seen: (boolean | undefined)[] = [];
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const training = kwargs.training ?? false;
    this.seen.push(kwargs.training);
    const x = first(inputs);
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      const h = yield* dense(x, 4, { name: "hidden" });
      const d = yield* new Dropout({ rate: 0.5 }).apply(h, { training });
      return yield* new BatchNormalization({ name: "bn" }).apply(d, { training });
    }));
  }
}

Deno.test("Q11: tfjs-layers passes training; dropout and batch norm honour it; BN moving averages update during fit", async () => {
  await cpu();
  const model = tfl.sequential();
  const layer = new BnDropLayer({ inputShape: [4] });
  model.add(layer);
  model.add(tfl.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  assert.deepEqual(layer.nonTrainableWeights.map((w) => w.name), [
    "bn/moving_mean",
    "bn/moving_variance",
  ]);
  const mean = () => Array.from(layer.nonTrainableWeights[0]!.read().dataSync());
  assert.deepEqual(mean(), [0, 0, 0, 0]);
  const { xs, ys } = trainingData();
  const p1 = take(model.predict(xs) as tf.Tensor);
  const p2 = take(model.predict(xs) as tf.Tensor);
  assert.deepEqual(p1, p2); // inference: dropout off, moving statistics
  assert.deepEqual(mean(), [0, 0, 0, 0]);
  layer.seen.length = 0;
  await model.fit(xs, ys, { epochs: 2, batchSize: 4, verbose: 0 });
  assert.ok(layer.seen.includes(true), `training seen: ${layer.seen.join(",")}`);
  assert.ok(mean().some((v) => v !== 0)); // moving mean moved during fit
  model.dispose();
  tf.dispose([xs, ys]);
});

Deno.test("memory: 100 fit epochs of a small model with a tracked layer leak no tensor", async () => {
  await cpu();
  const model = tfl.sequential();
  model.add(new RawDoubleDenseLayer({ units: 3, inputShape: [4] }));
  model.add(tfl.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  const { xs, ys } = trainingData();
  await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
  const n = await leaked(async () => {
    await model.fit(xs, ys, { epochs: 100, batchSize: 4, verbose: 0 });
  });
  assert.equal(n, 0);
  model.dispose();
  tf.dispose([xs, ys]);
});
