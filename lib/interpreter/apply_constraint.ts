/**
 * Constraints on TensorFlow.js: the projection TF1 applies to a variable
 * after an optimizer update (`constraint`), with the Keras formulas.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeReturned } from "./describe_returned.ts";
import { type Constraint, normalizeConstraint } from "../constraints/constraint.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { isLiveTensor, requireName } from "./_checks.ts";

/** Keras `backend.epsilon()`, added to norms before dividing. */
const EPSILON = 1e-7;

function invalid(name: string, what: string, details: Record<string, unknown> = {}): ScopeError {
  return scopeError("InvalidArgument", `Cannot constrain variable "${name}": ${what}`, {
    name,
    ...details,
  });
}

/** A Python-style axis (negative counts from the end) for a value of `rank`. */
function resolveAxis(
  c: Constraint & { readonly axis: number },
  rank: number,
  name: string,
): number {
  const axis = c.axis;
  if (Number.isInteger(axis) && axis >= -rank && axis < rank) return axis < 0 ? axis + rank : axis;
  const range = rank === 0 ? "a scalar has no axis" : `expected an integer in [${-rank}, ${rank})`;
  throw invalid(
    name,
    `the ${c._tag} constraint's axis ${axis} is out of range for rank ${rank}; ${range}`,
    {
      constraint: c._tag,
      axis,
      rank,
    },
  );
}

function requireFloat(c: Constraint, value: tf.Tensor, name: string): void {
  if (value.dtype === "float32") return;
  throw invalid(
    name,
    `the ${c._tag} constraint needs a float32 value, got a ${value.dtype} tensor`,
    {
      constraint: c._tag,
      dtype: value.dtype,
    },
  );
}

/** Keras: `sqrt(sum(w², axis, keepdims=True))`. */
function norms(w: tf.Tensor, axis: number): tf.Tensor {
  return tf.sqrt(tf.sum(tf.square(w), axis, true));
}

/** Keras `backend.clip`: a maximum below the minimum becomes the minimum. */
function clip(x: tf.Tensor, min: number, max: number): tf.Tensor {
  return tf.clipByValue(x, min, Math.max(min, max));
}

/** Keras: `w * (desired / (epsilon + norms))`. */
function rescale(w: tf.Tensor, desired: tf.Tensor, n: tf.Tensor): tf.Tensor {
  return tf.mul(w, tf.div(desired, tf.add(tf.scalar(EPSILON, "float32"), n)));
}

/** Runs a user constraint and checks what it returned; inside a tidy. */
function userProjection(
  c: Extract<Constraint, { _tag: "Fn" }>,
  value: tf.Tensor,
  name: string,
): tf.Tensor {
  let raw: unknown;
  try {
    raw = c.fn(value);
  } catch (cause) {
    const text = cause instanceof Error ? cause.message : describeValue(cause);
    throw invalid(name, `the constraint function threw: ${text}`, { constraint: "Fn", cause });
  }
  const want = `a ${value.dtype} tensor of shape [${value.shape.join(", ")}]`;
  const sameShape = (shape: readonly number[]): boolean =>
    shape.length === value.rank && shape.every((d, i) => d === value.shape[i]);
  // isLiveTensor: a returned proxy whose traps throw is a wrong result, not a crash.
  const ok = isLiveTensor(raw) && raw.dtype === value.dtype && sameShape(raw.shape);
  if (!ok) {
    throw invalid(
      name,
      `the constraint function returned ${
        describeReturned("constraint", raw)
      }; expected ${want}, ` +
        "the variable's own shape and dtype",
      { constraint: "Fn", returned: describeReturned("constraint", raw) },
    );
  }
  // A new tensor even when the function returned one it did not create
  // (its input, say), so the caller can dispose the input and keep this.
  return tf.clone(raw as tf.Tensor);
}

/**
 * Projects a variable's value with its constraint, as Keras constraints do
 * in TF1 (`epsilon` is Keras's `1e-7`, norms are L2 norms over `axis` kept
 * as a dimension):
 *
 * - `NonNeg`: `w * (w >= 0)`;
 * - `MaxNorm`: `w * (clip(norms, 0, maxValue) / (epsilon + norms))`;
 * - `UnitNorm`: `w / (epsilon + norms)`;
 * - `MinMaxNorm`: `w * (desired / (epsilon + norms))` with `desired =
 *   rate * clip(norms, minValue, maxValue) + (1 - rate) * norms`;
 * - `Fn`: the user function's result, which must have the value's shape
 *   and dtype.
 *
 * `axis` may be negative (counting from the end, as in Python). As in
 * Keras's `clip`, a maximum below the minimum is raised to the minimum.
 * `NonNeg` takes float32 and int32 values (the result keeps the dtype); the
 * norm constraints take float32 values.
 *
 * The result is a new tensor; `value` is not disposed, and intermediate
 * tensors are disposed on success and on failure.
 *
 * @param constraint the variable's constraint
 * @param value the variable's value (after an update)
 * @param name the variable's full name, for error messages
 * @returns the projected value, a new tensor of the same shape and dtype
 * @throws {ScopeError} `InvalidArgument` naming the variable when `axis` is
 *   out of range for the value's rank, the dtype does not suit the
 *   constraint, a user function throws or returns anything but a tensor
 *   of the value's shape and dtype, or an argument is not what it should
 *   be (`name` a string, `value` a live tensor, `constraint` a descriptor
 *   or function, as `getVariable`'s `constraint` option takes)
 *
 * @example
 * ```ts
 * import { maxNormConstraint, nonNegConstraint } from "varscope";
 * import { applyConstraint, useBackend } from "varscope/tfjs";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const w = tf.tensor([3, -4, 0.5, 0], [2, 2]);
 * const nonNeg = applyConstraint(nonNegConstraint(), w, "w");
 * assert.deepEqual(Array.from(nonNeg.dataSync()), [3, 0, 0.5, 0]);
 * // Rows (axis -1) of norm 5 and 0.5, at most 1:
 * const capped = applyConstraint(maxNormConstraint({ maxValue: 1, axis: -1 }), w, "w");
 * const [a, b, c, d] = capped.dataSync();
 * assert.ok(Math.abs(a! - 0.6) < 1e-6 && Math.abs(b! + 0.8) < 1e-6);
 * assert.ok(Math.abs(c! - 0.5) < 1e-6 && d === 0);
 * tf.dispose([w, nonNeg, capped]);
 * ```
 *
 * @category interpreter
 */
export function applyConstraint(constraint: Constraint, value: tf.Tensor, name: string): tf.Tensor {
  requireName(name);
  if (!isLiveTensor(value)) {
    throw invalid(
      name,
      `expected its value as a live tensor, got ${describeReturned("constraint", value)}`,
      {
        argument: "value",
      },
    );
  }
  // The checked (frozen) descriptor: a throwing getter or proxy is a typed error here.
  const checked = normalizeConstraint(constraint, "constraint");
  if (checked._tag === "Left") throw checked.left;
  const c = checked.right;
  if (c === null) {
    throw invalid(name, `expected a constraint, got ${describeValue(constraint)}`, {
      argument: "constraint",
    });
  }
  return tf.tidy((): tf.Tensor => {
    switch (c._tag) {
      case "NonNeg": {
        if (value.dtype !== "float32" && value.dtype !== "int32") {
          throw invalid(
            name,
            `the NonNeg constraint needs a float32 or int32 value, got a ${value.dtype} tensor`,
            { constraint: c._tag, dtype: value.dtype },
          );
        }
        return tf.mul(value, tf.cast(tf.greaterEqual(value, 0), value.dtype));
      }
      case "MaxNorm": {
        const axis = resolveAxis(c, value.rank, name);
        requireFloat(c, value, name);
        const n = norms(value, axis);
        return rescale(value, clip(n, 0, c.maxValue), n);
      }
      case "UnitNorm": {
        const axis = resolveAxis(c, value.rank, name);
        requireFloat(c, value, name);
        return tf.div(value, tf.add(tf.scalar(EPSILON, "float32"), norms(value, axis)));
      }
      case "MinMaxNorm": {
        const axis = resolveAxis(c, value.rank, name);
        requireFloat(c, value, name);
        const n = norms(value, axis);
        const desired = tf.add(
          tf.mul(tf.scalar(c.rate, "float32"), clip(n, c.minValue, c.maxValue)),
          tf.mul(tf.scalar(1 - c.rate, "float32"), n),
        );
        return rescale(value, desired, n);
      }
      case "Fn":
        return userProjection(c, value, name);
    }
  });
}
