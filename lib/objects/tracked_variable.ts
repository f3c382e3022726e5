/**
 * A variable an object owns, as its users see it.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Variable } from "../core/variable.ts";

/**
 * One variable owned by an object (a {@linkcode Module}, a keras-style
 * layer or cell, a tfjs-layers Layer with a decorated method): its TF1
 * name and the tfjs variable that holds its value. The object owns the
 * variable: `dispose()` on the object frees it.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { Module, runTf1, trackTf1StyleVariables, type TrackedVariable } from "varscope/objects";
 * import { useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * class Scale extends Module {
 *   @trackTf1StyleVariables
 *   scale(x: tf.Tensor): tf.Tensor {
 *     return tf.mul(x, runTf1(variable("s", { shape: [] })));
 *   }
 * }
 * const m = new Scale();
 * m.scale(tf.scalar(2)).dispose();
 * const [v]: readonly TrackedVariable[] = m.variables;
 * assert.equal(v!.name, "s:0");
 * m.dispose();
 * ```
 *
 * @category objects
 */
export interface TrackedVariable {
  /** TF1 `variable.name`: "scope/name:0". */
  readonly name: string;
  /** The full name without ":0" (checkpoint key). */
  readonly fullName: string;
  /** Whether training updates it. */
  readonly trainable: boolean;
  /** The tfjs variable holding the value (owned by the object). */
  readonly variable: tf.Variable;
  /** The TF1 description of the variable (shape, dtype, initializer, …). */
  readonly spec: Variable;
}
