/**
 * RNN state structures: TF1's `LSTMStateTuple(c, h)`, and the nested tuples
 * that `MultiRNNCell` builds from its cells' states.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * TF1 `LSTMStateTuple(c, h)`: the cell state `c` and the output `h` (TF1's
 * `m` in `LSTMCell`). `T` is `tf.Tensor2D` for a state and `number` for a
 * `stateSize`.
 *
 * @category rnn
 */
export interface LSTMStateTuple<T = tf.Tensor2D> {
  /** Discriminant. */
  readonly _tag: "LSTMStateTuple";
  /** The memory cell. */
  readonly c: T;
  /** The hidden state (the cell's output). */
  readonly h: T;
}

/**
 * A cell's state: one tensor [batch, size], an {@linkcode LSTMStateTuple},
 * or (MultiRNNCell) an array of states, one per cell.
 *
 * @category rnn
 */
export type RNNState = tf.Tensor2D | LSTMStateTuple | readonly RNNState[];

/**
 * The shape of a state without the batch dimension: TF1's `state_size`.
 *
 * @category rnn
 */
export type StateSize = number | LSTMStateTuple<number> | readonly StateSize[];

/**
 * Makes a frozen `LSTMStateTuple(c, h)`.
 *
 * @param c the memory cell (or its size)
 * @param h the hidden state (or its size)
 * @returns the tuple
 *
 * @example
 * ```ts
 * import { lstmStateTuple } from "varscope/rnn";
 * import * as assert from "node:assert/strict";
 *
 * const size = lstmStateTuple(4, 2);
 * assert.deepEqual([size.c, size.h], [4, 2]);
 * assert.ok(Object.isFrozen(size));
 * ```
 *
 * @category rnn
 */
export function lstmStateTuple<T>(c: T, h: T): LSTMStateTuple<T> {
  return Object.freeze({ _tag: "LSTMStateTuple", c, h });
}

/**
 * Whether a value is an {@linkcode LSTMStateTuple}.
 *
 * @param value any value
 * @returns true for tuples made by {@linkcode lstmStateTuple}
 *
 * @example
 * ```ts
 * import { isLSTMStateTuple, lstmStateTuple } from "varscope/rnn";
 * import * as assert from "node:assert/strict";
 *
 * assert.ok(isLSTMStateTuple(lstmStateTuple(1, 1)));
 * assert.ok(!isLSTMStateTuple([1, 1]));
 * ```
 *
 * @category rnn
 */
export function isLSTMStateTuple(value: unknown): value is LSTMStateTuple<unknown> {
  try {
    return typeof value === "object" && value !== null &&
      (value as { _tag?: unknown })._tag === "LSTMStateTuple";
  } catch {
    // A getter or proxy trap that throws: not a state tuple.
    return false;
  }
}

/**
 * Per sequence of a batch, its length: a [batch] tensor or an array of
 * non-negative integers (TF1 `sequence_length`).
 *
 * @category rnn
 */
export type SequenceLength = tf.Tensor1D | readonly number[];
