/**
 * What the tensor interpreter passes to its primitives through the
 * program's environment (`env.context`): how to find a variable's slot and
 * the tensor in a slot. Init, apply and training steps each make their own.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { ScopeError } from "../core/errors.ts";
import type { Variable } from "../core/variable.ts";

/**
 * How interpreter primitives reach tensors while a program runs.
 *
 * @category interpreter
 */
export interface TensorContext {
  /** Discriminant. */
  readonly _tag: "TensorContext";
  /** The slot of a store variable (made on first use during init). */
  readonly slotOf: (variable: Variable) => number | ScopeError;
  /** The tensor for a slot: a parameter, or a training variable. */
  readonly tensor: (slot: number) => tf.Tensor;
}

/**
 * Whether a value is a {@linkcode TensorContext}.
 *
 * @param value anything
 * @returns true for a tensor context
 *
 * @example
 * ```ts
 * import { isTensorContext } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isTensorContext(null), false);
 * ```
 *
 * @category interpreter
 */
export function isTensorContext(value: unknown): value is TensorContext {
  return typeof value === "object" && value !== null &&
    (value as { _tag?: unknown })._tag === "TensorContext";
}
