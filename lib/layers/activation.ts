/**
 * Activations as TF1 layers take them: a function (`tf.relu`) or a name.
 * `tf.relu` and "relu" (and the identity) are fused into the matMul or
 * convolution (`tf.fused.*`), as tfjs-layers does; the others run after it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { layerOptionError } from "./layer.ts";

/**
 * A layer's `activation`: a tensor function, a name, or null for none
 * (TF1 `activation=None`).
 *
 * @category layers
 */
export type Activation =
  | ((x: tf.Tensor) => tf.Tensor)
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "tanh"
  | "sigmoid"
  | "softmax"
  | "softplus"
  | "softsign";

/** An activation split into what a fused kernel does and what runs after. */
export interface ResolvedActivation {
  /** The fused kernel's activation ("linear" or "relu": both have gradients). */
  readonly fused: "linear" | "relu";
  /** What runs after the kernel, or null. */
  readonly after: ((x: tf.Tensor) => tf.Tensor) | null;
}

const NAMED: Readonly<Record<string, (x: tf.Tensor) => tf.Tensor>> = {
  relu6: (x) => tf.relu6(x),
  elu: (x) => tf.elu(x),
  selu: (x) => tf.selu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softmax: (x) => tf.softmax(x),
  softplus: (x) => tf.softplus(x),
  softsign: (x) => tf.div(x, tf.add(tf.abs(x), 1)),
};

const LINEAR: ResolvedActivation = Object.freeze({ fused: "linear", after: null });
const RELU: ResolvedActivation = Object.freeze({ fused: "relu", after: null });

/**
 * Checks an activation and splits it for a fused kernel.
 *
 * @param activation the option's value
 * @returns the split activation
 * @throws ScopeError `InvalidArgument` for anything else
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { resolveActivation } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(resolveActivation(tf.relu).fused, "relu");
 * assert.equal(resolveActivation(null).after, null);
 * ```
 *
 * @category layers
 */
export function resolveActivation(activation: unknown): ResolvedActivation {
  if (activation === null || activation === undefined || activation === "linear") return LINEAR;
  if (activation === "relu" || activation === tf.relu) return RELU;
  if (typeof activation === "string") {
    const f = NAMED[activation];
    if (f !== undefined && Object.hasOwn(NAMED, activation)) return { fused: "linear", after: f };
  }
  if (typeof activation === "function") {
    return { fused: "linear", after: activation as (x: tf.Tensor) => tf.Tensor };
  }
  throw layerOptionError(
    "activation",
    "expected a function of a tensor, an activation name or null",
    activation,
  );
}
