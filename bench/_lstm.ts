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
import { type BackendName, type Params, transform, useBackend } from "varscope/tfjs";
import { measurePair, type PairResult } from "./tfjs_measure.ts";

/** Sizes of the LSTM comparison. */
export const LSTM_SIZES = { batch: 32, input: 64, units: 128, steps: 50 } as const;

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
  const [wx, wh, lb] = tf.tidy(() => {
    const reorder = (w: tf.Tensor2D) => {
      const [i, j, f, o] = tf.split(w, 4, 1);
      return tf.concat([i!, f!, j!, o!], 1);
    };
    const kx = tf.slice(kernel, [0, 0], [input, 4 * units]);
    const kh = tf.slice(kernel, [input, 0], [units, 4 * units]);
    const [bi, bj, bf, bo] = tf.split(bias, 4);
    return [reorder(kx), reorder(kh), tf.concat([bi!, tf.add(bf!, 1), bj!, bo!])];
  });
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
      net.layers.forEach((l) => l.dispose());
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
