/**
 * Losses a pass adds to TF1's `REGULARIZATION_LOSSES` collection besides
 * the per-variable regularizers: a layer's activity regularizer
 * (`tf.layers.dense(..., activity_regularizer=...)`), or any loss TF1 code
 * adds with `tf.compat.v1.add_to_collection(REGULARIZATION_LOSSES, loss)`.
 * They are values of this pass's tensors, so they live in the pass: they
 * count in `regularizationLoss()` and in a trainer's regularized loss, and
 * are freed with the pass.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { describeValue, scopeError } from "../core/errors.ts";
import { makeProgram, type Program } from "../core/program.ts";
import { passOf } from "./_pass.ts";
import { notInterpreted } from "./read_variable.ts";

/**
 * Adds a scalar loss to this pass's regularization losses, under `name`
 * (TF1's scope filter of `regularizationLoss(scope)` matches it; default
 * the current name scope + "loss").
 *
 * @param loss a float32 scalar computed in the pass
 * @param name the loss's name for scope filters
 * @returns the program
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { addRegularizationLoss, regularizationLoss, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   yield* addRegularizationLoss(tf.mul(tf.sum(tf.abs(x)), 0.1) as tf.Scalar, "act");
 *   return yield* regularizationLoss();
 * }));
 * const x = tf.tensor1d([1, -2, 3]);
 * const { params } = model.init(x);
 * const loss = model.apply(params, x);
 * assert.ok(Math.abs(loss.dataSync()[0]! - 0.6) < 1e-6);
 * tf.dispose([x, loss]);
 * ```
 *
 * @category state
 */
export function addRegularizationLoss(loss: tf.Scalar, name?: string): Program<void> {
  return makeProgram((env, state) => {
    const pass = passOf(env);
    if (pass === null) return E.left(notInterpreted("addRegularizationLoss"));
    if (!(loss instanceof tf.Tensor) || loss.isDisposed || loss.rank !== 0) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid regularization loss: expected a live scalar tensor, got ${
            loss instanceof tf.Tensor ? `shape [${loss.shape}]` : describeValue(loss)
          }`,
          { argument: "loss" },
        ),
      );
    }
    if (name !== undefined && typeof name !== "string") {
      return E.left(
        scopeError("InvalidArgument", `Invalid name ${describeValue(name)}: expected a string`, {
          argument: "name",
        }),
      );
    }
    const value = tf.keep(loss.dtype === "float32" ? tf.clone(loss) : tf.cast(loss, "float32"));
    pass.losses.push({ name: name ?? `${env.nameScope}loss`, value: value as tf.Scalar });
    return E.right({ value: undefined, state });
  });
}
