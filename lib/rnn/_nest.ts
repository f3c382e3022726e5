/**
 * Internal helpers for state structures: flatten, pack, zero, check.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { isLSTMStateTuple, lstmStateTuple, type RNNState, type StateSize } from "./state.ts";

/** The tensors of a state, depth first (c before h). */
export function flattenState(state: RNNState): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = [];
  const walk = (s: RNNState): void => {
    if (s instanceof tf.Tensor) out.push(s);
    else if (isLSTMStateTuple(s)) out.push(s.c, s.h);
    else for (const x of s) walk(x);
  };
  walk(state);
  return out;
}

/** The state sizes, depth first, matching {@linkcode flattenState}. */
export function flattenSize(size: StateSize): number[] {
  const out: number[] = [];
  const walk = (s: StateSize): void => {
    if (typeof s === "number") out.push(s);
    else if (isLSTMStateTuple(s)) out.push(s.c, s.h);
    else for (const x of s) walk(x);
  };
  walk(size);
  return out;
}

/** Rebuilds a state of `size`'s structure from flat tensors. */
export function packState<S extends RNNState>(size: StateSize, flat: readonly tf.Tensor2D[]): S {
  let i = 0;
  const build = (s: StateSize): RNNState => {
    if (typeof s === "number") return flat[i++]!;
    if (isLSTMStateTuple(s)) {
      const c = flat[i++]!;
      return lstmStateTuple(c, flat[i++]!);
    }
    return Object.freeze(s.map(build));
  };
  return build(size) as S;
}

/** A state of zeros for `size` (TF1 `zero_state`). */
export function zeroStateOf<S extends RNNState>(size: StateSize, batchSize: number): S {
  return packState<S>(size, flattenSize(size).map((n) => tf.zeros([batchSize, n])));
}

/**
 * Checks that `state` has `size`'s structure and a [batch, n] tensor for each
 * size n; returns a message naming the problem, or null.
 */
export function checkState(size: StateSize, state: unknown, batch: number): string | null {
  const walk = (s: StateSize, v: unknown, path: string): string | null => {
    if (typeof s === "number") {
      if (!(v instanceof tf.Tensor)) {
        return `${path}: expected a tensor of shape [${batch}, ${s}], got ${describeValue(v)}`;
      }
      if (v.rank !== 2 || v.shape[0] !== batch || v.shape[1] !== s) {
        return `${path}: expected shape [${batch}, ${s}], got [${v.shape.join(", ")}]`;
      }
      return null;
    }
    if (isLSTMStateTuple(s)) {
      if (!isLSTMStateTuple(v)) {
        return `${path}: expected an LSTMStateTuple, got ${describeValue(v)}`;
      }
      return walk(s.c, v.c, `${path}.c`) ?? walk(s.h, v.h, `${path}.h`);
    }
    if (!Array.isArray(v) || v.length !== s.length) {
      return `${path}: expected an array of ${s.length} states, got ${describeValue(v)}`;
    }
    for (let i = 0; i < s.length; i++) {
      const m = walk(s[i]!, v[i], `${path}[${i}]`);
      if (m !== null) return m;
    }
    return null;
  };
  return walk(size, state, "state");
}

/** An `InvalidArgument` error for the rnn functions. */
export function rnnError(argument: string, message: string, value?: unknown): ScopeError {
  return scopeError("InvalidArgument", message, { argument, value });
}
