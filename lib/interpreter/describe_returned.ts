/**
 * How error messages name what a user's regularizer or constraint function
 * returned.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue } from "../core/errors.ts";

/**
 * A short description of a user function's result, for error messages.
 *
 * @param kind what the function was ("constraint", "regularizer")
 * @param raw what it returned
 * @returns the description
 */
export function describeReturned(kind: string, raw: unknown): string {
  try {
    if (raw instanceof tf.Tensor) {
      if (raw.isDisposed) return "a disposed tensor";
      return `a ${raw.dtype} tensor of shape [${raw.shape.join(", ")}]`;
    }
    if (
      typeof raw === "object" && raw !== null &&
      typeof (raw as { then?: unknown }).then === "function"
    ) {
      return `a Promise (${kind} functions must be synchronous)`;
    }
  } catch {
    // A proxy whose traps throw: describeValue says what it can.
  }
  return describeValue(raw);
}
