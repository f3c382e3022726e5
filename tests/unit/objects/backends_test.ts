/**
 * The decorated tfjs-layers layer and a keras-style layer on every backend
 * (cpu, wasm, webgpu in the WebGPU child): outputs against values computed
 * here, a few fit steps, no leaked tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as assert from "node:assert/strict";
import {
  getVariable,
  onesInitializer,
  type ProgramGenerator,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import { Dense } from "varscope/layers";
import { kerasStyleScope, Module, runTf1, trackTf1StyleVariables } from "varscope/objects";
import { readVariable, transform } from "varscope/tfjs";
import { assertAllClose, backendTest, RTOL, values } from "../interpreter/_backends.ts";

function* affine(x: tf.Tensor, units: number): ProgramGenerator<tf.Tensor> {
  const kernel = yield* getVariable("kernel", {
    shape: [x.shape[1]!, units],
    initializer: onesInitializer(),
  });
  const bias = yield* getVariable("bias", { shape: [units], initializer: zerosInitializer() });
  return tf.add(tf.matMul(x, yield* readVariable(kernel)), yield* readVariable(bias));
}

class BackendDoubleDense extends tfl.layers.Layer {
  static readonly className = "BackendDoubleDense";
  constructor(readonly units: number, args: { inputShape?: number[] } = {}) {
    super(args);
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const units = this.units;
    return runTf1(variableScope(
      "double_dense_layer",
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const h = yield* variableScope("dense_one", scoped(affine, x, units));
        return yield* variableScope("dense_two", scoped(affine, h, units));
      }),
    ));
  }
}

backendTest(
  import.meta.url,
  "seed 004 layer: ones kernels give in·units per output; fit trains it",
  async (backend) => {
    const layer = new BackendDoubleDense(3, { inputShape: [4] });
    const model = tfl.sequential();
    model.add(layer);
    model.add(tfl.layers.dense({ units: 1, kernelInitializer: "zeros" }));
    const x = tf.tensor2d([[0.1, 0.2, 0.3, 0.4], [0.05, 0, -0.1, 0.2]]);
    // Reference: each output is units * sum(row), computed here.
    const y = layer.apply(x) as tf.Tensor;
    assertAllClose(await values(y), [3, 3, 3, 0.45, 0.45, 0.45], RTOL[backend], "outputs");
    y.dispose();
    const optimizer = tf.train.sgd(0.01);
    model.compile({ optimizer, loss: "meanSquaredError" });
    const t = tf.tensor2d([[1], [0]]);
    const before = await values(layer.weights[0]!.read());
    const h = await model.fit(x, t, { epochs: 3, batchSize: 2, verbose: 0 });
    const losses = h.history.loss as number[];
    assert.ok(losses[2]! < losses[0]!, `${losses}`);
    const after = await values(layer.weights[0]!.read());
    assert.notDeepEqual(after, before);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, t]);
  },
);

backendTest(import.meta.url, "P2: keras-style layers own their variables", async (backend) => {
  class M extends Module {
    d = new Dense(2, { kernelInitializer: onesInitializer() });
  }
  const m = kerasStyleScope(() => new M());
  const net = transform((x: tf.Tensor) => m.d.apply(x));
  const x = tf.tensor2d([[1, 2, 3]]);
  const { params } = net.init(x);
  assert.deepEqual(params.names, []);
  const y = net.apply(params, x);
  assertAllClose(await values(y), [6, 6], RTOL[backend], "outputs");
  assert.deepEqual(m.weights.map((w) => w.name), ["dense/kernel:0", "dense/bias:0"]);
  tf.dispose([y, x]);
  params.dispose();
  m.dispose();
});
