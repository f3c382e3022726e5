/**
 * varscope on TensorFlow.js: run scoped programs on tensors.
 *
 * `transform(f)` gives `init` (materialise parameters) and `apply` (run on
 * parameters, compiled after the first call per input signature);
 * `makeTrainer` trains with any TensorFlow.js optimizer; `useBackend`
 * picks `cpu`, `wasm` or `webgpu`. Importing this entry point loads
 * TensorFlow.js; `varscope` itself never does.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped, variableScope } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor2D) =>
 *   variableScope("linear", scoped(function* () {
 *     return tf.matMul(x, yield* variable("w", { shape: [2, 1] }));
 *   }))
 * );
 * const x = tf.ones([1, 2]) as tf.Tensor2D;
 * const { params } = model.init(x);
 * const y = model.apply(params, x);
 * assert.deepEqual(y.shape, [1, 1]);
 * tf.dispose([x, y]);
 * params.dispose();
 * ```
 *
 * @module
 */
export * from "../backends/mod.ts";
export { applyConstraint } from "./apply_constraint.ts";
export { initialTensor, toTfDType } from "./initial_tensor.ts";
export { inputSignature } from "./input_signature.ts";
export {
  checkParams,
  makeParams,
  Params,
  type ParamsLayout,
  paramsLayout,
  shareTensor,
} from "./params.ts";
export { readShards, readVariable, variable } from "./read_variable.ts";
export { regularizationLoss, totalRegularizationLoss } from "./regularization.ts";
export { regularizationLossValue } from "./regularization_loss.ts";
export { requireBackend } from "./require_backend.ts";
export { isTensorContext, type TensorContext } from "./tensor_context.ts";
export { makeTrainer, type StepResult, type Trainer, type TrainerOptions } from "./trainer.ts";
export {
  type Initialized,
  type InitOptions,
  transform,
  type Transformed,
  type TransformOptions,
} from "./transform.ts";
