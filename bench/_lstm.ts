/**
 * The LSTM comparisons: `dynamicRnn` over `LSTMCell(128)` (batch 32, input
 * 64, 50 steps) as a compiled apply, against the obvious hand-written
 * tfjs-core loop on the very same tensors, and against tfjs-layers' `lstm`
 * layer `predict` with the same weights (recurrentActivation sigmoid, so
 * that it computes TF1's function). Checked equal (1e-4) before timing.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { dynamicRnn, LSTMCell, type LSTMStateTuple } from "varscope/rnn";
import { type ProgramGenerator, scoped } from "varscope";
import { type BackendName, makeTrainer, type Params, transform, useBackend } from "varscope/tfjs";
import { measurePair, measurePairAsync, type PairResult } from "./tfjs_measure.ts";

/** Sizes of the LSTM comparison. */
export const LSTM_SIZES: {
  readonly batch: number;
  readonly input: number;
  readonly units: number;
  readonly steps: number;
} = Deno.env.get("VARSCOPE_BENCH_QUICK") === "1"
  ? { batch: 4, input: 8, units: 16, steps: 5 } // a smoke run: sizes only
  : { batch: 32, input: 64, units: 128, steps: 50 };

/** What the timed sides share. */
interface LstmFixture {
  readonly x: tf.Tensor3D;
  readonly params: Params;
  readonly ours: () => void;
  readonly handwritten: () => void;
  readonly layers: () => void;
  readonly dispose: () => void;
}

const cell = new LSTMCell(LSTM_SIZES.units);
const model = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));

function handwritten(x: tf.Tensor3D, kernel: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, steps] = x.shape;
    const units = bias.shape[0] / 4;
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    let c: tf.Tensor2D = tf.zeros([batch, units]);
    let h: tf.Tensor2D = tf.zeros([batch, units]);
    const outs: tf.Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      const z = tf.add(tf.matMul(tf.concat([xs[t]!, h], 1), kernel), bias);
      const [i, j, f, o] = tf.split(z, 4, 1) as tf.Tensor2D[];
      c = tf.add(tf.mul(c, tf.sigmoid(tf.add(f!, 1))), tf.mul(tf.sigmoid(i!), tf.tanh(j!)));
      h = tf.mul(tf.tanh(c), tf.sigmoid(o!));
      outs.push(h);
    }
    return tf.stack(outs, 1) as tf.Tensor3D;
  });
}

/** Builds the three sides on the current backend and checks they agree. */
export function lstmFixture(batch: number = LSTM_SIZES.batch): LstmFixture {
  const { input, units, steps } = LSTM_SIZES;
  const x = tf.randomNormal([batch, steps, input], 0, 1, "float32", 3) as tf.Tensor3D;
  const { params } = model.init(x, { seed: 1 });
  const kernel = params.get("rnn/lstm_cell/kernel") as tf.Tensor2D;
  const bias = params.get("rnn/lstm_cell/bias") as tf.Tensor1D;
  const layer = tfl.layers.lstm({
    units,
    returnSequences: true,
    recurrentActivation: "sigmoid",
    inputShape: [steps, input],
    unitForgetBias: false,
    recurrentInitializer: "glorotUniform",
  });
  const net = tfl.sequential({ layers: [layer] });
  // Keras keeps the input and recurrent kernels apart, gates i, f, c, o;
  // TF1's kernel is [x; h] rows, gates i, j, f, o; TF1 adds forgetBias 1.
  const [wx, wh, lb] = kerasWeights(kernel, bias, input, units);
  net.setWeights([wx, wh, lb]);
  tf.dispose([wx, wh, lb]);
  const check = tf.tidy(() => {
    const [a, s] = model.apply(params, x) as readonly [tf.Tensor3D, LSTMStateTuple];
    tf.dispose([s.c, s.h]);
    const b = handwritten(x, kernel, bias);
    const c = net.predict(x) as tf.Tensor;
    const scale = tf.max(tf.abs(b)).dataSync()[0]!;
    return [
      tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / scale,
      tf.max(tf.abs(tf.sub(c, b))).dataSync()[0]! / scale,
    ];
  });
  if (!(check[0]! < 1e-4 && check[1]! < 1e-4)) {
    throw new Error(`LSTM sides disagree: varscope ${check[0]}, layers ${check[1]}`);
  }
  return {
    x,
    params,
    ours: () => {
      const [o, s] = model.apply(params, x);
      tf.dispose([o, s.c, s.h]);
    },
    handwritten: () => handwritten(x, kernel, bias).dispose(),
    layers: () => (net.predict(x) as tf.Tensor).dispose(),
    dispose: () => {
      params.dispose();
      x.dispose();
      net.dispose();
    },
  };
}

/** The LSTM comparisons on one backend. */
export interface LstmResults {
  readonly backend: BackendName;
  readonly handwritten: PairResult;
  readonly layers: PairResult;
  /** Batch 1: the same apply against layers predict. */
  readonly latency: PairResult;
  readonly leaked: number;
}

/** Measures both comparisons on `backend` (rounds of one forward pass per side). */
export async function measureLstm(
  backend: BackendName,
  rounds: number,
  warmup: number,
): Promise<LstmResults> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;
  const f = lstmFixture();
  const s = { warmup, rounds, calls: 1 };
  const handwrittenR = measurePair(f.ours, f.handwritten, s);
  const layersR = measurePair(f.ours, f.layers, s);
  f.dispose();
  const one = lstmFixture(1);
  const latency = measurePair(one.ours, one.layers, { warmup, rounds, calls: 3 });
  one.dispose();
  return {
    backend,
    handwritten: handwrittenR,
    layers: layersR,
    latency,
    leaked: tf.memory().numTensors - before,
  };
}

/** The training sides: one SGD step each, from the same weights. */
interface LstmTrainFixture {
  readonly ours: () => void;
  readonly oursRead: () => Promise<void>;
  readonly minimize: () => void;
  readonly layers: () => Promise<void>;
  readonly dispose: () => void;
}

const lossModel = transform(({ x, y }: { x: tf.Tensor3D; y: tf.Tensor3D }) =>
  scoped(function* (): ProgramGenerator<tf.Scalar> {
    const [o, s] = yield* dynamicRnn(cell, x, { dtype: "float32" });
    tf.dispose([s.c, s.h]);
    return tf.mean(tf.square(tf.sub(o, y))) as tf.Scalar;
  })
);

/**
 * Training-step sides (SGD 0.01, loss = mean squared error against a fixed
 * target): a `makeTrainer` step, a hand-written `optimizer.minimize` of the
 * obvious loop on two `tf.Variable`s, and tfjs-layers `trainOnBatch`.
 * Checked: the first step of each gives the same loss (1e-4).
 */
export async function lstmTrainFixture(): Promise<LstmTrainFixture> {
  const { batch, input, units, steps } = LSTM_SIZES;
  const x = tf.randomNormal([batch, steps, input], 0, 1, "float32", 3) as tf.Tensor3D;
  const y = tf.randomNormal([batch, steps, units], 0, 0.5, "float32", 4) as tf.Tensor3D;
  const data = { x, y };
  let params = lossModel.init(data, { seed: 1 }).params;
  const kernel0 = params.get("rnn/lstm_cell/kernel") as tf.Tensor2D;
  const bias0 = params.get("rnn/lstm_cell/bias") as tf.Tensor1D;
  const optOurs = tf.train.sgd(0.01);
  const trainer = makeTrainer(lossModel, { optimizer: optOurs });
  const clones = [kernel0.clone(), bias0.clone()];
  const kv = tf.variable(clones[0]!);
  const bv = tf.variable(clones[1]!);
  const optMin = tf.train.sgd(0.01);
  const minLoss = (): tf.Scalar =>
    tf.mean(tf.square(tf.sub(handwritten(x, kv as tf.Tensor2D, bv as tf.Tensor1D), y)));
  const layer = tfl.layers.lstm({
    units,
    returnSequences: true,
    recurrentActivation: "sigmoid",
    inputShape: [steps, input],
    unitForgetBias: false,
    recurrentInitializer: "glorotUniform",
  });
  const net = tfl.sequential({ layers: [layer] });
  const [wx, wh, lb] = kerasWeights(kernel0, bias0, input, units);
  net.setWeights([wx, wh, lb]);
  tf.dispose([wx, wh, lb]);
  net.compile({ optimizer: tf.train.sgd(0.01), loss: "meanSquaredError" });
  const stepOurs = (): tf.Scalar => {
    const r = trainer.step(params, data);
    params.dispose();
    params = r.params;
    return r.loss;
  };
  const first = [
    stepOurs(),
    optMin.minimize(minLoss, true, [kv, bv])!,
  ].map((t) => {
    const v = t.dataSync()[0]!;
    t.dispose();
    return v;
  });
  await net.trainOnBatch(x, y);
  return {
    ours: () => stepOurs().dispose(),
    oursRead: async () => {
      const l = stepOurs();
      await l.data();
      l.dispose();
    },
    minimize: () => optMin.minimize(minLoss, true, [kv, bv])!.dispose(),
    layers: async () => {
      await net.trainOnBatch(x, y);
    },
    dispose: () => {
      params.dispose();
      trainer.dispose();
      optOurs.dispose();
      optMin.dispose();
      tf.dispose([kv, bv, ...clones, x, y]);
      net.optimizer.dispose();
      net.dispose();
      if (Math.abs(first[0]! - first[1]!) > 1e-4 * Math.abs(first[1]!)) {
        throw new Error(`LSTM training sides disagree: ${first[0]} vs ${first[1]}`);
      }
    },
  };
}

function kerasWeights(
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  input: number,
  units: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const reorder = (w: tf.Tensor2D) => {
      const [i, j, f, o] = tf.split(w, 4, 1);
      return tf.concat([i!, f!, j!, o!], 1);
    };
    const kx = tf.slice(kernel, [0, 0], [input, 4 * units]);
    const kh = tf.slice(kernel, [input, 0], [units, 4 * units]);
    const [bi, bj, bf, bo] = tf.split(bias, 4);
    return [reorder(kx), reorder(kh), tf.concat([bi!, tf.add(bf!, 1), bj!, bo!])] as [
      tf.Tensor,
      tf.Tensor,
      tf.Tensor,
    ];
  });
}

/** The training comparisons on one backend. */
export interface LstmTrainResults {
  readonly minimize: PairResult;
  readonly layers: PairResult;
  readonly leaked: number;
}

/** Measures a trainer step against `minimize` and (loss read) against `trainOnBatch`. */
export async function measureLstmTrain(
  backend: BackendName,
  rounds: number,
  warmup: number,
): Promise<LstmTrainResults> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;
  const f = await lstmTrainFixture();
  const s = { warmup, rounds, calls: 1 };
  const minimize = measurePair(f.ours, f.minimize, s);
  const layers = await measurePairAsync(f.oursRead, f.layers, s);
  f.dispose();
  return { minimize, layers, leaked: tf.memory().numTensors - before };
}
