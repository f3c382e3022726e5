/**
 * `varscope/checkpoint`: weight files by TF1 variable name. Reads and writes
 * TensorFlow checkpoints (tensor bundle V2: `.index` + `.data-*` shards),
 * including partitioned variables, the `checkpoint` state file, and converts
 * stored values to TensorFlow.js dtypes.
 *
 * ```ts
 * import { openTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const ckpt = openTfCheckpoint("tests/fixtures/tf-checkpoints/tf1-half-plus-two-conv2d/variables");
 * assert.deepEqual(ckpt.read("conv2d/kernel").shape, [1, 1, 1, 1]);
 * ```
 *
 * @module
 */
export type {
  CheckpointReader,
  StoredDType,
  StoredTensor,
  StoredTensorInfo,
  StoredValues,
} from "./stored_tensor.ts";
export {
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointErrorOptions,
} from "./checkpoint_error.ts";
export { openTfCheckpoint, openTfCheckpointBytes } from "./open_tf_checkpoint.ts";
export {
  type TfCheckpointBytes,
  type TfCheckpointReader,
  type TfSlice,
  type TfStorage,
} from "./tf_checkpoint_reader.ts";
export {
  encodeTfCheckpoint,
  splitTensor,
  type TfTensorSlice,
  type TfWriteOptions,
  type TfWriteResult,
  writeTfCheckpoint,
  writeTfCheckpointAsync,
} from "./tf_checkpoint_writer.ts";
export {
  type CheckpointState,
  latestCheckpoint,
  readCheckpointState,
  writeCheckpointState,
} from "./checkpoint_state.ts";
export { type TfjsValues, toTfjsValues } from "./tfjs_values.ts";
