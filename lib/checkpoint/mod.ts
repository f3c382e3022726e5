/**
 * varscope checkpoints: weights by TF1 name in TensorFlow.js weight files
 * (`model.json` + `.bin` shards), read into and written out of varscope
 * {@linkcode Params}.
 *
 * ```ts
 * import { decodeTfjsWeights, encodeTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const { modelJson, shards } = encodeTfjsWeights([
 *   { name: "w", dtype: "float32", shape: [], values: new Float32Array([0.5]) },
 * ]);
 * const [w] = decodeTfjsWeights(modelJson, { [shards[0]!.path]: shards[0]!.bytes });
 * assert.equal((w!.values as Float32Array)[0], 0.5);
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
} from "./_tfjs_errors.ts";
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
export { saveTfjsWeights } from "./save_tfjs_weights.ts";
export { paramsToStoredTensors } from "./_params_tensors.ts";
