/**
 * `varscope/checkpoint`: weight files by TF1 variable name. Reads and writes
 * TensorFlow checkpoints (tensor bundle V2: `.index` + `.data-*` shards),
 * including partitioned variables, the `checkpoint` state file, and converts
 * stored values to TensorFlow.js dtypes. Reads and writes TensorFlow.js
 * weights (`model.json` + `.bin` shards). Saves varscope params to either
 * format and restores them by TF1 name with a report, or with TF1's
 * `init_from_checkpoint` assignment maps.
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
export {
  decodeTfjsWeights,
  encodeTfjsWeights,
  parseTfjsManifest,
  TFJS_SHARD_SIZE_BYTES,
  type TfjsEncoded,
  type TfjsManifestGroup,
  type TfjsModelJson,
  type TfjsQuantization,
  type TfjsWeightDType,
  type TfjsWeightEntry,
  type TfjsWriteOptions,
} from "./tfjs_weights.ts";
export {
  openTfjsWeights,
  TfjsWeightsReader,
  type TfjsWritten,
  writeTfjsWeights,
} from "./tfjs_files.ts";
export type { AssignmentMap, AssignmentTarget } from "./_assignment_map.ts";
export { initFromCheckpoint, type InitFromCheckpointOptions } from "./init_from_checkpoint.ts";
export { checkpointFormat, loadCheckpoint } from "./load_checkpoint.ts";
export { restore, type Restored, type RestoreOptions } from "./restore.ts";
export {
  formatRestoreReport,
  type RestoreDTypeMismatch,
  type RestoreMatch,
  type RestoreMissing,
  type RestoreReport,
  type RestoreShapeMismatch,
  type RestoreSlice,
} from "./restore_report.ts";
export { saveCheckpoint, type SaveCheckpointOptions } from "./save_checkpoint.ts";
export { saveTfjsWeights } from "./save_tfjs_weights.ts";
export { paramsToStoredTensors } from "./_params_tensors.ts";
export { type CliOutput, EXIT, formatListing, main } from "./cli.ts";
