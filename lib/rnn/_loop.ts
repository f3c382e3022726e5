/**
 * Internal: what `dynamicRnn` and `staticRnn` share: argument checks,
 * sequence-length masks, and TF1's `reverse_sequence`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue, type ScopeError } from "../core/errors.ts";
import type { VariableScope } from "../core/scope.ts";
import { isVariableScope } from "../core/scope.ts";
import { cellError } from "./_user_cell.ts";
import { checkState, rnnError } from "./_nest.ts";
import { optionsOf } from "./_options.ts";
import type { RNNCell } from "./rnn_cell.ts";
import type { RNNState } from "./state.ts";

export type { SequenceLength } from "./state.ts";
import type { SequenceLength } from "./state.ts";

/** Checks a cell argument; a message naming the problem, or null. */
export function checkCell(what: string, cell: unknown): ScopeError | null {
  return cellError(what, cell);
}

/** Checks scope, dtype/initialState and sequenceLength. */
export function checkLoopOptions(
  cell: RNNCell<RNNState>,
  batch: number,
  scope: unknown,
  initialState: unknown,
  dtype: unknown,
  sequenceLength: unknown,
  stateName = "initialState",
): ScopeError | null {
  if (
    scope !== undefined && scope !== null && typeof scope !== "string" && !isVariableScope(scope)
  ) {
    return rnnError("scope", `Invalid scope ${describeValue(scope)}`, scope);
  }
  if (initialState === undefined || initialState === null) {
    if (dtype === undefined || dtype === null) {
      return rnnError("dtype", `If there is no ${stateName}, you must give a dtype.`);
    }
    if (dtype !== "float32") {
      return rnnError("dtype", `Invalid dtype ${describeValue(dtype)}: RNNs are float32`, dtype);
    }
  } else {
    const m = checkState(cell.stateSize, initialState, batch);
    if (m !== null) return rnnError(stateName, `Invalid ${stateName}: ${m}`, initialState);
  }
  if (sequenceLength !== undefined && sequenceLength !== null) {
    const ok = sequenceLength instanceof tf.Tensor
      ? sequenceLength.rank === 1 && sequenceLength.shape[0] === batch
      : Array.isArray(sequenceLength) && sequenceLength.length === batch &&
        sequenceLength.every((n) => Number.isSafeInteger(n) && n >= 0);
    if (!ok) {
      return rnnError(
        "sequenceLength",
        `sequenceLength must be a vector of length batch_size (${batch}) of non-negative integers, got ${
          sequenceLength instanceof tf.Tensor
            ? `shape [${sequenceLength.shape.join(", ")}]`
            : describeValue(sequenceLength)
        }`,
        sequenceLength,
      );
    }
  }
  return null;
}

/** The lengths as a float tensor [batch]. */
function lengths(sequenceLength: SequenceLength): tf.Tensor1D {
  return sequenceLength instanceof tf.Tensor
    ? tf.cast(sequenceLength, "float32") as tf.Tensor1D
    : tf.tensor1d(sequenceLength as number[], "float32");
}

/** [T, batch] bool: step t is within sequence b. */
export function stepMask(sequenceLength: SequenceLength, steps: number): tf.Tensor2D {
  const lens = lengths(sequenceLength);
  return tf.less(
    tf.reshape(tf.range(0, steps, 1, "float32"), [steps, 1]),
    tf.reshape(lens, [1, -1]),
  ) as tf.Tensor2D;
}

/** Per step, [batch, 1] bool masks from a [T, batch] mask. */
export function stepMasks(mask: tf.Tensor2D): tf.Tensor[] {
  const [steps, batch] = mask.shape;
  return tf.unstack(tf.reshape(mask, [steps, batch, 1]), 0);
}

/**
 * TF1 `reverse_sequence` on batch-major [batch, T, depth]: each sequence's
 * first `length` steps reversed, the rest left in place; without lengths a
 * plain reverse. Done as a batched matMul with a permutation, so that its
 * gradient needs no scatter kernel (wasm has none).
 */
export function reverseSequence(
  x: tf.Tensor3D,
  sequenceLength: SequenceLength | undefined | null,
): tf.Tensor3D {
  if (sequenceLength === undefined || sequenceLength === null) return tf.reverse(x, 1);
  const steps = x.shape[1];
  const lens = tf.reshape(lengths(sequenceLength), [-1, 1]); // [B, 1]
  const t = tf.reshape(tf.range(0, steps, 1, "float32"), [1, steps]); // [1, T]
  const source = tf.where(tf.less(t, lens), tf.sub(tf.sub(lens, 1), t), t); // [B, T]
  const perm = tf.oneHot(tf.cast(source, "int32"), steps); // [B, T, T]
  return tf.matMul(tf.cast(perm, "float32") as tf.Tensor3D, x);
}

/** The scope a loop opens: `scope` or TF1's default. */
export function loopScope(
  scope: string | VariableScope | undefined | null,
  dflt: string,
): string | VariableScope {
  return scope === undefined || scope === null ? dflt : scope;
}

/** The loop's options as a plain copy, or the typed error for bad ones. */
export function loopOptions<T>(
  what: string,
  options: unknown,
  keys: readonly string[],
): { readonly ok: Partial<T> } | { readonly error: ScopeError } {
  try {
    return { ok: optionsOf<T>(what, options, keys) };
  } catch (e) {
    return { error: e as ScopeError };
  }
}
