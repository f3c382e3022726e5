/**
 * The value of a variable's regularization loss on TensorFlow.js: what TF1
 * adds to the `regularization_losses` collection when a variable is created
 * under a regularizer (TF1 H7, C10, G7).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeReturned } from "./describe_returned.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { addsLoss, normalizeRegularizer, type Regularizer } from "../regularizers/regularizer.ts";
import { isLiveTensor, requireName } from "./_checks.ts";

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : describeValue(cause);
}

/** The float32 copy of a numeric value that the built-in regularizers read. */
function floatWeights(r: Regularizer, value: tf.Tensor, name: string): tf.Tensor {
  if (value.dtype === "float32" || value.dtype === "int32") return tf.cast(value, "float32");
  throw scopeError(
    "InvalidRegularizer",
    `Cannot regularize variable "${name}": the ${r._tag} regularizer needs a numeric ` +
      `(float32 or int32) value, got a ${value.dtype} tensor`,
    { name, regularizer: r._tag, dtype: value.dtype },
  );
}

/** TF1 `l1_regularizer(scale)(w)`: `scale * sum(|w|)`. */
function l1(scale: number, w: tf.Tensor): tf.Tensor {
  return tf.mul(tf.scalar(scale, "float32"), tf.sum(tf.abs(w)));
}

/** TF1 `l2_regularizer(scale)(w)`: `scale * nn.l2_loss(w)`, `l2_loss = sum(w²) / 2`. */
function l2(scale: number, w: tf.Tensor): tf.Tensor {
  const l2Loss = tf.div(tf.sum(tf.square(w)), tf.scalar(2, "float32"));
  return tf.mul(tf.scalar(scale, "float32"), l2Loss);
}

/** Runs a user regularizer and checks what it returned; inside a tidy. */
function userLoss(
  r: Extract<Regularizer, { _tag: "Fn" }>,
  value: tf.Tensor,
  name: string,
): tf.Tensor | undefined {
  const invalid = (what: string, details: Record<string, unknown> = {}): ScopeError =>
    scopeError(
      "InvalidRegularizer",
      `The regularizer function "${r.name}" of variable "${name}" ${what}`,
      { name, regularizer: r.name, ...details },
    );
  let raw: unknown;
  try {
    raw = r.fn(value);
  } catch (cause) {
    throw invalid(`threw: ${causeText(cause)}`, { cause });
  }
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === "number") return tf.scalar(raw, "float32");
  const expected = "expected a scalar tensor, a number, or null/undefined for no loss";
  if (!isLiveTensor(raw)) {
    throw invalid(`returned ${describeReturned("regularizer", raw)}; ${expected}`, {
      returned: describeReturned("regularizer", raw),
    });
  }
  if (raw.rank !== 0 || (raw.dtype !== "float32" && raw.dtype !== "int32")) {
    throw invalid(
      `returned ${
        describeReturned("regularizer", raw)
      }; ${expected} (a float32 or int32 scalar tensor)`,
      { returned: describeReturned("regularizer", raw), shape: raw.shape, dtype: raw.dtype },
    );
  }
  // A new tensor even when the function returned one it did not create
  // (the variable's own value, say), so disposing the loss is always safe.
  return tf.cast(raw, "float32");
}

/**
 * Computes the regularization loss TF1 adds for a variable: a float32
 * scalar, or null when the regularizer adds none.
 *
 * - `L1`: `scale * sum(|w|)`; `L2`: `scale * sum(w²) / 2` (`scale *
 *   tf.nn.l2_loss(w)`); `L1L2`: the sum of both (TF1
 *   `tf.contrib.layers` regularizers). The weights are read as float32
 *   (a float32 or int32 tensor).
 * - A regularizer for which {@linkcode addsLoss} is false because its
 *   scales are zero gives null: TF1's contrib regularizers return None for
 *   scale 0. `None` (TF1 `no_regularizer`) must not reach here: the caller
 *   adds no loss for it, and this function throws.
 * - `Fn` calls the user function with `value`; it returns a scalar tensor
 *   (float32 or int32, returned as a new float32 tensor), a number, or
 *   null/undefined for no loss.
 *
 * Intermediate tensors are disposed, on success and on failure; `value` is
 * never disposed. The caller owns the returned tensor.
 *
 * @param regularizer the regularizer the variable was created with
 * @param value the variable's value
 * @param name the variable's full name, for error messages
 * @returns the loss (a new float32 scalar), or null for no loss
 * @throws {ScopeError} `InvalidRegularizer` for `None`, a non-numeric value
 *   under a built-in regularizer, or a user function that throws or returns
 *   anything else (a non-scalar tensor, a string, a Promise…);
 *   `InvalidArgument` when `name` is not a string, `value` not a live tensor
 *   (under a regularizer that adds a loss) or `regularizer` not a
 *   regularizer descriptor or function
 *
 * @example
 * ```ts
 * import { l1L2Regularizer, l2Regularizer, regularizerFn } from "varscope";
 * import { regularizationLossValue, useBackend } from "varscope/tfjs";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const w = tf.tensor([1, -2, 3, -4], [2, 2]);
 * const loss = regularizationLossValue(l2Regularizer(0.5), w, "w")!;
 * assert.equal(loss.dataSync()[0], 0.5 * (1 + 4 + 9 + 16) / 2);
 * assert.equal(regularizationLossValue(l1L2Regularizer(0, 0), w, "w"), null);
 * const maxAbs = regularizerFn((v) => tf.max(tf.abs(v as tf.Tensor)), { name: "max_abs" });
 * const max = regularizationLossValue(maxAbs, w, "w")!;
 * assert.equal(max.dataSync()[0], 4);
 * tf.dispose([w, loss, max]);
 * ```
 *
 * @category interpreter
 */
export function regularizationLossValue(
  regularizer: Regularizer,
  value: tf.Tensor,
  name: string,
): tf.Tensor | null {
  requireName(name);
  // The checked (frozen) descriptor: a throwing getter or proxy is a typed error here.
  const checked = normalizeRegularizer(regularizer, "regularizer");
  if (checked._tag === "Left") throw checked.left;
  const r = checked.right;
  if (r === null) {
    throw scopeError(
      "InvalidArgument",
      `Cannot regularize variable "${name}": expected a regularizer, got ${
        describeValue(regularizer)
      }`,
      { name, argument: "regularizer" },
    );
  }
  if (r._tag === "None") {
    throw scopeError(
      "InvalidRegularizer",
      `The regularizer of variable "${name}" is no_regularizer, which adds no loss; ` +
        "it has no loss value to compute",
      { name, regularizer: r._tag },
    );
  }
  if (!addsLoss(r)) return null;
  if (!isLiveTensor(value)) {
    throw scopeError(
      "InvalidArgument",
      `Cannot regularize variable "${name}": expected its value as a live tensor, got ${
        describeReturned("regularizer", value)
      }`,
      { name, argument: "value" },
    );
  }
  const loss = tf.tidy((): tf.Tensor | undefined => {
    switch (r._tag) {
      case "L1":
        return l1(r.scale, floatWeights(r, value, name));
      case "L2":
        return l2(r.scale, floatWeights(r, value, name));
      case "L1L2": {
        // TF1 sum_regularizer skips the terms whose scale is 0 (they are None).
        const w = floatWeights(r, value, name);
        if (r.scaleL1 === 0) return l2(r.scaleL2, w);
        if (r.scaleL2 === 0) return l1(r.scaleL1, w);
        return tf.add(l1(r.scaleL1, w), l2(r.scaleL2, w));
      }
      case "Fn":
        return userLoss(r, value, name);
    }
  });
  return loss ?? null;
}
