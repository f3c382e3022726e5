/**
 * Internal: time steps as a time-major tensor or a list of per-step tensors
 * (each made from the other on demand), state masking, and the generic loop
 * that runs a bound cell's step function over every step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { flattenState, packState } from "./_nest.ts";
import type { RNNState, StateSize } from "./state.ts";

/**
 * A sequence of [batch, depth] steps. Slicing a big tensor costs a copy of
 * the whole tensor per slice on the wasm backend (its Slice kernel reads the
 * input back first): there the steps are read once and uploaded one by one;
 * elsewhere a long sequence is cut into about sqrt(T) chunks first and each
 * chunk into its steps.
 */
export class TimeSteps {
  #tensor: tf.Tensor3D | null;
  #list: readonly tf.Tensor2D[] | null;
  readonly length: number;

  private constructor(tensor: tf.Tensor3D | null, list: readonly tf.Tensor2D[] | null) {
    this.#tensor = tensor;
    this.#list = list;
    this.length = tensor !== null ? tensor.shape[0] : list!.length;
  }

  /** Steps of a time-major [T, batch, depth] tensor. */
  static ofTensor(t: tf.Tensor3D): TimeSteps {
    return new TimeSteps(t, null);
  }

  /** Steps given one by one. */
  static ofList(list: readonly tf.Tensor2D[]): TimeSteps {
    return new TimeSteps(null, list);
  }

  /** The time-major tensor. */
  get tensor(): tf.Tensor3D {
    return this.#tensor ??= tf.stack(this.#list as tf.Tensor2D[], 0) as tf.Tensor3D;
  }

  /**
   * The steps stacked along `axis` (0: time-major, 1: batch-major), from
   * the list when there is one (no transpose).
   */
  stacked(axis: 0 | 1): tf.Tensor3D {
    if (this.#list !== null) return tf.stack(this.#list as tf.Tensor2D[], axis) as tf.Tensor3D;
    return axis === 0 ? this.#tensor! : tf.transpose(this.#tensor!, [1, 0, 2]) as tf.Tensor3D;
  }

  /** The steps. */
  get list(): readonly tf.Tensor2D[] {
    return this.#list ??= unstackTime(this.#tensor!);
  }
}

function unstackTime(t: tf.Tensor3D): tf.Tensor2D[] {
  if (tf.getBackend() === "wasm" && t.dtype === "float32") return unstackViaHost(t);
  const steps = t.shape[0];
  if (steps <= 8) return tf.unstack(t, 0) as tf.Tensor2D[];
  const chunk = Math.ceil(Math.sqrt(steps));
  const sizes: number[] = [];
  for (let left = steps; left > 0; left -= chunk) sizes.push(Math.min(chunk, left));
  return tf.split(t, sizes, 0).flatMap((c) => tf.unstack(c, 0) as tf.Tensor2D[]);
}

/**
 * wasm: every Slice kernel copies its whole input out of the wasm heap
 * first, so T slices cost T copies of the sequence. Reading the sequence
 * once and uploading each step is about 5x cheaper (measured, T = 50). The
 * steps keep their gradient: each is a custom op whose gradient pads `dy`
 * back to the full sequence.
 */
function unstackViaHost(t: tf.Tensor3D): tf.Tensor2D[] {
  const [steps, batch, depth] = t.shape;
  const data = t.dataSync() as Float32Array;
  const size = batch * depth;
  const out: tf.Tensor2D[] = [];
  for (let s = 0; s < steps; s++) {
    const step = tf.customGrad((_x: tf.Tensor | tf.GradSaveFunc) => ({
      value: tf.tensor2d(data.subarray(s * size, (s + 1) * size), [batch, depth]),
      gradFunc: (dy: tf.Tensor) =>
        tf.pad(tf.reshape(dy, [1, batch, depth]), [[s, steps - 1 - s], [0, 0], [0, 0]]),
    }));
    out.push(step(t) as tf.Tensor2D);
  }
  return out;
}

/**
 * TF1's `_rnn_step` state rule: where the step is past a sequence's length
 * (mask false), the state is carried through unchanged.
 */
export function maskStep(
  mask: tf.Tensor | null,
  next: tf.Tensor2D,
  prev: tf.Tensor2D,
): tf.Tensor2D {
  return mask === null ? next : tf.where(mask, next, prev) as tf.Tensor2D;
}

/** {@linkcode maskStep} over every tensor of a state. */
export function maskState<S extends RNNState>(
  size: StateSize,
  mask: tf.Tensor | null,
  next: S,
  prev: S,
): S {
  if (mask === null) return next;
  const n = flattenState(next);
  const p = flattenState(prev);
  return packState<S>(size, n.map((t, i) => maskStep(mask, t, p[i]!)));
}

/** One step of a cell on plain tensors. */
export type StepFn<S extends RNNState> = (
  inputs: tf.Tensor2D,
  state: S,
) => readonly [tf.Tensor2D, S];

/** What running a cell over a sequence gives: every step's output (unmasked) and the last state. */
export interface SequenceResult<S extends RNNState> {
  /** The outputs, not masked (the loop zeroes them past each length). */
  readonly outputs: TimeSteps;
  /** The state after the last step, carried through past each length. */
  readonly state: S;
}

/** Runs `step` over every step; the state is masked per step. */
export function loopSequence<S extends RNNState>(
  size: StateSize,
  step: StepFn<S>,
  inputs: TimeSteps,
  state: S,
  masks: readonly tf.Tensor[] | null,
): SequenceResult<S> {
  const xs = inputs.list;
  const outputs: tf.Tensor2D[] = [];
  let s = state;
  for (let t = 0; t < xs.length; t++) {
    const [out, next] = step(xs[t]!, s);
    outputs.push(out);
    s = maskState(size, masks === null ? null : masks[t]!, next, s);
  }
  return { outputs: TimeSteps.ofList(outputs), state: s };
}
