/**
 * varscope on TensorFlow.js: run scoped programs on tensors.
 *
 * `transform(f)` gives `init` (materialise parameters), `apply` (run on
 * parameters, compiled after the first call per input signature) and
 * `applyWithUpdates` (apply, then the pass's variable writes);
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

// Running models: init, apply, applyWithUpdates.
export {
  type ApplyOptions,
  type Initialized,
  type InitOptions,
  transform,
  type Transformed,
  type TransformOptions,
  type Updated,
} from "./transform.ts";
export { inputSignature } from "./input_signature.ts";

// Reading and writing variables inside a program.
export { readShards, readVariable, variable } from "./read_variable.ts";
export { assign, assignAdd, assignSub } from "./state_updates.ts";
export { randomSeed } from "./random_seed.ts";
export { addRegularizationLoss } from "./pass_losses.ts";
export { regularizationLoss, totalRegularizationLoss } from "./regularization.ts";

// Parameters.
export {
  checkParams,
  makeParams,
  Params,
  type ParamsLayout,
  paramsLayout,
  shareTensor,
} from "./params.ts";
export { initialTensor, toTfDType } from "./initial_tensor.ts";
export { applyConstraint } from "./apply_constraint.ts";
export { regularizationLossValue } from "./regularization_loss.ts";

// Training.
export { makeTrainer, type StepResult, type Trainer, type TrainerOptions } from "./trainer.ts";

// Backends.
export { requireBackend } from "./require_backend.ts";
export {
  activeBackend,
  BACKEND_NAMES,
  type BackendChoice,
  type BackendName,
  detectGpu,
  type DetectGpuOptions,
  type GpuAdapterDescription,
  type GpuDetection,
  isBackendName,
  isSoftwareAdapter,
  quietCpuBanner,
  useBackend,
  type UseBackendOptions,
} from "../backends/mod.ts";
