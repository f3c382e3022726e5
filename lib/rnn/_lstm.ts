/**
 * Internal: the LSTM step of TF1's `BasicLSTMCell` and `LSTMCell` (O4, O5),
 * and a fast loop over a whole sequence.
 *
 * The step is TF1's formula as written: `[x, h]·kernel + bias`, split into
 * i, j, f, o, `c' = σ(f + forgetBias [+ w_f·c])·c + σ(i [+ w_i·c])·act(j)`,
 * clip, `m = σ(o [+ w_o·c'])·act(c')`, project, clip.
 *
 * The loop computes the same function with fewer, cheaper kernels. Per
 * pass: the kernel is cut into one [depth + h, units] kernel per gate (a
 * split of the gate pre-activations along the last axis is a strided copy,
 * which tfjs's cpu backend does element by element: about half of an
 * obvious loop's time), and the forget bias is added to the bias once.
 * Then per step, on wasm (and for batches under 8), `concat([x, h, 1])` and one matMul per
 * gate (the bias as one more kernel row against a column of ones); elsewhere (cpu, webgpu) the input half of every gate is one matMul
 * over all steps at once, and a step is one [batch, h]·[h, units] matMul per
 * gate plus an add. (On wasm, slicing a step out of a big tensor copies the
 * whole tensor, so the hoisted form loses there.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { maskStep, TimeSteps } from "./_sequence.ts";
import type { BoundCell } from "./_bind.ts";
import { type LSTMStateTuple, lstmStateTuple } from "./state.ts";

/** A bound LSTM: its tensors and settings for one pass. */
export interface LstmWeights {
  readonly units: number;
  /** [depth + hDepth, 4·units], gates i, j, f, o. */
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly forgetBias: number;
  /** Peephole weights w_f, w_i, w_o, or null. */
  readonly peepholes: readonly [tf.Tensor, tf.Tensor, tf.Tensor] | null;
  readonly cellClip: number | null;
  /** `projection/kernel` [units, numProj], or null. */
  readonly projection: tf.Tensor2D | null;
  readonly projClip: number | null;
  readonly activation: (x: tf.Tensor) => tf.Tensor;
}

function clip(t: tf.Tensor, v: number | null): tf.Tensor {
  return v === null ? t : tf.clipByValue(t, -v, v);
}

/** One TF1 step; returns [c', m']. */
export function lstmStep(
  w: LstmWeights,
  x: tf.Tensor2D,
  c: tf.Tensor2D,
  h: tf.Tensor2D,
): [tf.Tensor2D, tf.Tensor2D] {
  const z = tf.add(tf.matMul(tf.concat([x, h], 1), w.kernel), w.bias);
  const [i, j, f, o] = tf.split(z, 4, 1);
  const act = w.activation;
  const p = w.peepholes;
  const fb = tf.add(f!, w.forgetBias);
  let cNew = p === null
    ? tf.add(tf.mul(tf.sigmoid(fb), c), tf.mul(tf.sigmoid(i!), act(j!)))
    : tf.add(
      tf.mul(tf.sigmoid(tf.add(fb, tf.mul(p[0], c))), c),
      tf.mul(tf.sigmoid(tf.add(i!, tf.mul(p[1], c))), act(j!)),
    );
  cNew = clip(cNew, w.cellClip);
  const og = p === null ? tf.sigmoid(o!) : tf.sigmoid(tf.add(o!, tf.mul(p[2], cNew)));
  let m: tf.Tensor = tf.mul(og, act(cNew));
  if (w.projection !== null) m = clip(tf.matMul(m as tf.Tensor2D, w.projection), w.projClip);
  return [cNew as tf.Tensor2D, m as tf.Tensor2D];
}

/** Every step; outputs unmasked, state carried through where a mask is false. */
export function lstmSequence(
  w: LstmWeights,
  inputs: TimeSteps,
  c0: tf.Tensor2D,
  h0: tf.Tensor2D,
  masks: readonly tf.Tensor[] | null,
): { outputs: TimeSteps; c: tf.Tensor2D; h: tf.Tensor2D } {
  const units = w.units;
  const rows = w.kernel.shape[0];
  const hDepth = h0.shape[1];
  const depth = rows - hDepth;
  // [rows, 4·units] → 4 × [rows, units]: one transpose instead of a strided split.
  const kernels = tf.unstack(
    tf.transpose(tf.reshape(w.kernel, [rows, 4, units]), [1, 0, 2]),
    0,
  ) as tf.Tensor2D[];
  const biases = tf.unstack(tf.reshape(w.bias, [4, units]), 0) as tf.Tensor1D[];
  if (w.forgetBias !== 0) biases[2] = tf.add(biases[2]!, w.forgetBias) as tf.Tensor1D;
  // Small batches: per-kernel overhead dominates, and the hoisted form has
  // more kernels per step (a slice and an add per gate).
  const hoist = tf.getBackend() !== "wasm" && h0.shape[0] >= 8;
  const steps = inputs.length;
  let pre: tf.Tensor2D[][] | null = null;
  let hKernels = kernels;
  if (hoist && steps > 0) {
    const x = inputs.tensor;
    const batch = x.shape[1];
    const flat = tf.reshape(x, [steps * batch, depth]) as tf.Tensor2D;
    pre = kernels.map((k, g) => {
      const kx = tf.slice(k, [0, 0], [depth, units]) as tf.Tensor2D;
      const p = tf.add(tf.matMul(flat, kx), biases[g]!);
      return TimeSteps.ofTensor(tf.reshape(p, [steps, batch, units]) as tf.Tensor3D)
        .list as tf.Tensor2D[];
    });
    hKernels = kernels.map((k) => tf.slice(k, [depth, 0], [hDepth, units]) as tf.Tensor2D);
  }
  const xs = hoist ? null : inputs.list;
  // wasm: the bias is one more row of each gate's kernel, against a column of
  // ones appended to [x, h] (its fused matMul refuses a bias here).
  let ones: tf.Tensor2D | null = null;
  let biasedKernels = kernels;
  if (!hoist && steps > 0) {
    ones = tf.ones([h0.shape[0], 1]);
    biasedKernels = kernels.map((k, g) =>
      tf.concat([k, tf.reshape(biases[g]!, [1, units])], 0) as tf.Tensor2D
    );
  }
  const act = w.activation;
  const p = w.peepholes;
  const outputs: tf.Tensor2D[] = [];
  let c = c0;
  let h = h0;
  for (let t = 0; t < steps; t++) {
    let z: tf.Tensor[];
    if (pre !== null) {
      z = [0, 1, 2, 3].map((g) => tf.add(pre![g]![t]!, tf.matMul(h, hKernels[g]!)));
    } else {
      const xh = tf.concat([xs![t]!, h, ones!], 1) as tf.Tensor2D;
      z = biasedKernels.map((k) => tf.matMul(xh, k));
    }
    const [zi, zj, zf, zo] = z as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    let cNew = p === null
      ? tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), act(zj)))
      : tf.add(
        tf.mul(tf.sigmoid(tf.add(zf, tf.mul(p[0], c))), c),
        tf.mul(tf.sigmoid(tf.add(zi, tf.mul(p[1], c))), act(zj)),
      );
    cNew = clip(cNew, w.cellClip);
    const og = p === null ? tf.sigmoid(zo) : tf.sigmoid(tf.add(zo, tf.mul(p[2], cNew)));
    let m: tf.Tensor = tf.mul(og, act(cNew));
    if (w.projection !== null) m = clip(tf.matMul(m as tf.Tensor2D, w.projection), w.projClip);
    outputs.push(m as tf.Tensor2D);
    const mask = masks === null ? null : masks[t]!;
    c = maskStep(mask, cNew as tf.Tensor2D, c);
    h = maskStep(mask, m as tf.Tensor2D, h);
  }
  return { outputs: TimeSteps.ofList(outputs), c, h };
}

/** The bound cell of an LSTM whose state is a tuple or [c, h] concatenated. */
export function lstmBound<S extends LSTMStateTuple | tf.Tensor2D>(
  w: LstmWeights,
  stateIsTuple: boolean,
  hDepth: number,
): BoundCell<S> {
  const units = w.units;
  const unpack = (s: S): [tf.Tensor2D, tf.Tensor2D] =>
    stateIsTuple ? [(s as LSTMStateTuple).c, (s as LSTMStateTuple).h] : [
      tf.slice(s as tf.Tensor2D, [0, 0], [-1, units]),
      tf.slice(s as tf.Tensor2D, [0, units], [-1, hDepth]),
    ];
  const pack = (c: tf.Tensor2D, h: tf.Tensor2D): S =>
    (stateIsTuple ? lstmStateTuple(c, h) : tf.concat([c, h], 1)) as S;
  return {
    step: (x, s) => {
      const [c, h] = unpack(s);
      const [c2, m] = lstmStep(w, x, c, h);
      return [m, pack(c2, m)];
    },
    sequence: (inputs, s, masks) => {
      const [c, h] = unpack(s);
      const r = lstmSequence(w, inputs, c, h, masks);
      return { outputs: r.outputs, state: pack(r.c, r.h) };
    },
  };
}
