/**
 * TF1 layers (`tf.compat.v1.layers`) as scoped programs, on TensorFlow.js.
 *
 * Every layer exists as TF1 has it: a class (`new Dense(units, options)`,
 * whose scope is fixed by its first call) and a function
 * (`dense(x, units, options)`). Calling either is a program: `yield*
 * layer.apply(x)`, `yield* dense(x, 10)`. Variable names are TF1's
 * (`dense/kernel`, `conv2d_1/bias`, `batch_normalization/moving_mean`), so
 * weights from a TF1 checkpoint fit by name.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { dense } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const mlp = transform((x: tf.Tensor) => scoped(function* () {
 *   const h = yield* dense(x, 16, { activation: tf.relu });
 *   return yield* dense(h, 2);
 * }));
 * const x = tf.ones([4, 8]);
 * const { params } = mlp.init(x);
 * assert.deepEqual(params.names, ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]);
 * const y = mlp.apply(params, x);
 * assert.deepEqual(y.shape, [4, 2]);
 * tf.dispose([x, y]);
 * params.dispose();
 * ```
 *
 * @module
 */
export {
  type AddWeightOptions,
  callFreshLayer,
  type CallOptions,
  functionalLayer,
  Layer,
  type LayerOptions,
  type LayerState,
  layerStateKey,
  toSnakeCase,
} from "./layer.ts";
export { type Activation, resolveActivation, type ResolvedActivation } from "./activation.ts";
export { Dense, dense, type DenseOptions, type DenseWeights } from "./dense.ts";
export type { WeightOptions } from "./_weights.ts";
export {
  Conv,
  Conv1D,
  conv1d,
  Conv2D,
  conv2d,
  Conv2DTranspose,
  conv2dTranspose,
  Conv3D,
  conv3d,
  Conv3DTranspose,
  conv3dTranspose,
  type ConvOptions,
  type ConvWeights,
  SeparableConv1D,
  separableConv1d,
  SeparableConv2D,
  separableConv2d,
  type SeparableConvOptions,
} from "./conv.ts";
export type { DataFormat, Padding } from "./_conv_args.ts";
export {
  AveragePooling1D,
  averagePooling1d,
  AveragePooling2D,
  averagePooling2d,
  AveragePooling3D,
  averagePooling3d,
  Flatten,
  flatten,
  type FlattenOptions,
  MaxPooling1D,
  maxPooling1d,
  MaxPooling2D,
  maxPooling2d,
  MaxPooling3D,
  maxPooling3d,
  Pooling,
  type PoolingFunction,
  type PoolingOptions,
} from "./pooling.ts";
export {
  BatchNormalization,
  batchNormalization,
  type BatchNormalizationCallOptions,
  type BatchNormalizationOptions,
  type BatchNormalizationWeights,
} from "./normalization.ts";
export { Dropout, dropout, type DropoutCallOptions, type DropoutOptions } from "./dropout.ts";
export {
  embeddingLookup,
  type EmbeddingLookupOptions,
  type EmbeddingParams,
} from "./embedding_lookup.ts";
