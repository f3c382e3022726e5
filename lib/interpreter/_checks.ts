/**
 * Entry checks of the interpreter's exported functions, for untyped
 * callers: a proxy whose traps throw or an object with throwing getters
 * becomes a typed error (or `false`), never a raw TypeError. They run once
 * per call of an exported function, never per tensor primitive.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { throwInvalid } from "../core/_guard.ts";

/**
 * `value instanceof ctor`, false when asking throws (a proxy's
 * `getPrototypeOf` trap).
 */
export function isInstance<T>(
  value: unknown,
  ctor: abstract new (...args: never[]) => T,
): value is T {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  try {
    return value instanceof ctor;
  } catch {
    return false;
  }
}

/** Whether `value` is a tensor that was not disposed (never throws). */
export function isLiveTensor(value: unknown): value is tf.Tensor {
  if (!isInstance(value, tf.Tensor)) return false;
  try {
    return !value.isDisposed;
  } catch {
    return false;
  }
}

/**
 * Throws a typed `InvalidArgument` error unless `name` (a variable's full
 * name, used in messages) is a string.
 */
export function requireName(name: unknown, argument = "name"): asserts name is string {
  if (typeof name !== "string") {
    throwInvalid(argument, "expected the variable's full name as a string", name);
  }
}
