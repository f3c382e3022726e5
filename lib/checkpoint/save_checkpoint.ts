/**
 * Saving varscope params as a TensorFlow checkpoint, as TF1's
 * `tf.train.Saver` lays it out.
 *
 * @module
 */
import { dirOf as dirname } from "./_paths.ts";
import { describeValue } from "../core/errors.ts";
import type { Params } from "../interpreter/params.ts";
import { liveParams, storedTensorsOf } from "./_params_tensors.ts";
import { readOptions } from "./_guard.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { writeCheckpointState } from "./checkpoint_state.ts";
import type { StoredTensor } from "./stored_tensor.ts";
import {
  type TfTensorSlice,
  type TfWriteResult,
  writeTfCheckpoint,
} from "./tf_checkpoint_writer.ts";

/**
 * Options of {@linkcode saveCheckpoint}.
 *
 * @category checkpoint
 */
export interface SaveCheckpointOptions {
  /**
   * Also write the `checkpoint` state file beside the prefix, naming it the
   * latest checkpoint (as `Saver.save` does). Default true.
   */
  readonly stateFile?: boolean;
  /** Flush the files to disk before renaming them into place. Default true. */
  readonly sync?: boolean;
}

/**
 * Saves params as a TensorFlow checkpoint at `prefix` (`prefix.index` and
 * `prefix.data-00000-of-00001`), one entry per variable keyed by its TF1
 * full name ("dense/kernel"), values as the params hold them. A
 * partitioned variable is saved as TF1's Saver saves it: one entry under
 * its full name ("emb") with the full shape and one slice per shard
 * ("emb/part_0" …), so TensorFlow restores it into any partitioning. The
 * save is atomic: until it completes, an earlier checkpoint at `prefix`
 * stays whole and readable.
 *
 * @param params the params (left as they are)
 * @param prefix the checkpoint prefix, e.g. `dir/model.ckpt-1000` (its
 *   folder must exist)
 * @param options state file, fsync
 * @returns what was written
 * @throws {CheckpointError} `InvalidArgument`, `IoError`, and the
 *   writer's errors
 *
 * @example
 * ```ts
 * import { fixedSizePartitioner, getVariable, scoped, variableScope } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import { openTfCheckpoint, saveCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => variableScope("dense", scoped(function* () {
 *   yield* variable("kernel", { shape: [3, 2] });
 *   yield* getVariable("emb", { shape: [4, 2], partitioner: fixedSizePartitioner(2) });
 * })));
 * const { params } = model.init(null);
 * const dir = Deno.makeTempDirSync();
 * await saveCheckpoint(params, `${dir}/model.ckpt`);
 * const ckpt = openTfCheckpoint(`${dir}/model.ckpt`);
 * assert.deepEqual(ckpt.list().map((t) => [t.name, t.shape]), [["dense/emb", [4, 2]], ["dense/kernel", [3, 2]]]);
 * assert.equal(ckpt.slices("dense/emb").length, 2);
 * params.dispose();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @category checkpoint
 */
export async function saveCheckpoint(
  params: Params,
  prefix: string,
  options?: SaveCheckpointOptions,
): Promise<TfWriteResult> {
  const p = liveParams(params);
  if (typeof prefix !== "string" || prefix.length === 0) {
    throw new CheckpointError(
      "InvalidArgument",
      `invalid checkpoint prefix: ${describeValue(prefix)}`,
    );
  }
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new CheckpointError("InvalidArgument", `invalid options: ${describeValue(options)}`);
  }
  const o = readOptions(options, ["stateFile", "sync"], "saveCheckpoint options");
  const stateFile = o.stateFile ?? true;
  const sync = o.sync ?? true;
  if (typeof stateFile !== "boolean" || typeof sync !== "boolean") {
    throw new CheckpointError("InvalidArgument", "stateFile and sync must be booleans");
  }
  const tensors: (StoredTensor | TfTensorSlice)[] = [];
  for (const x of await storedTensorsOf(p)) {
    if (!("slices" in x)) {
      tensors.push(x);
      continue;
    }
    for (const s of x.slices) {
      tensors.push({
        name: s.fullName,
        dtype: s.tensor.dtype,
        shape: s.fullShape,
        values: s.tensor.values,
        slice: { start: s.offset, length: s.tensor.shape },
      });
    }
  }
  const written = writeTfCheckpoint(prefix, tensors, { sync });
  if (stateFile) writeCheckpointState(dirname(prefix), prefix);
  return written;
}
