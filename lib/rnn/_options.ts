/**
 * Internal: checks of cell constructor arguments (typed errors, never a
 * crash on untyped input).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue } from "../core/errors.ts";
import { rnnError } from "./_nest.ts";

/** A cell's activation: a tensor function (TF1 `activation=`, default tanh). */
export type Activation = (x: tf.Tensor) => tf.Tensor;

/** Throws unless `n` is a positive safe integer. */
export function positiveInt(argument: string, n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw rnnError(
      argument,
      `Invalid ${argument} ${describeValue(n)}: expected a positive integer`,
      n,
    );
  }
  return n;
}

/** Throws unless `x` is a finite number (or undefined/null → `dflt`). */
export function finite(argument: string, x: unknown, dflt: number): number {
  if (x === undefined || x === null) return dflt;
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw rnnError(
      argument,
      `Invalid ${argument} ${describeValue(x)}: expected a finite number`,
      x,
    );
  }
  return x;
}

/** An optional positive number (a clip value), or null. */
export function optionalPositive(argument: string, x: unknown): number | null {
  if (x === undefined || x === null) return null;
  if (typeof x !== "number" || !(x > 0) || !Number.isFinite(x)) {
    throw rnnError(
      argument,
      `Invalid ${argument} ${describeValue(x)}: expected a positive number`,
      x,
    );
  }
  return x;
}

/** The activation, default tanh. */
export function activationOf(x: unknown): Activation {
  if (x === undefined || x === null) return tf.tanh;
  if (typeof x !== "function") {
    throw rnnError("activation", `Invalid activation ${describeValue(x)}: expected a function`, x);
  }
  return x as Activation;
}

/** A boolean option with a default. */
export function bool(argument: string, x: unknown, dflt: boolean): boolean {
  if (x === undefined || x === null) return dflt;
  if (typeof x !== "boolean") {
    throw rnnError(argument, `Invalid ${argument} ${describeValue(x)}: expected a boolean`, x);
  }
  return x;
}

/** The cell's scope name: `name` or the TF1 default. */
export function nameOf(x: unknown, dflt: string): string {
  if (x === undefined || x === null) return dflt;
  if (typeof x !== "string" || x === "") {
    throw rnnError("name", `Invalid name ${describeValue(x)}: expected a non-empty string`, x);
  }
  return x;
}

/** Only float32 cells. */
export function dtypeOf(x: unknown): "float32" {
  if (x === undefined || x === null || x === "float32") return "float32";
  throw rnnError("dtype", `Invalid dtype ${describeValue(x)}: RNN cells are float32`, x);
}

/** Throws on an options value that is not a plain object or undefined. */
export function optionsOf<T>(what: string, x: unknown): Partial<T> {
  if (x === undefined || x === null) return {};
  if (typeof x !== "object" || Array.isArray(x)) {
    throw rnnError("options", `Invalid ${what} options ${describeValue(x)}: expected an object`, x);
  }
  return x as Partial<T>;
}
