/**
 * Saving varscope params as TensorFlow.js weights.
 *
 * @module
 */
import type { Params } from "../interpreter/params.ts";
import { checkString, readOptions } from "./_guard.ts";
import { liveParams, paramsToStoredTensors } from "./_params_tensors.ts";
import { type TfjsWritten, writeTfjsWeights } from "./tfjs_files.ts";
import { checkShardSize, type TfjsWriteOptions } from "./tfjs_weights.ts";

/**
 * Writes params as TensorFlow.js weights in a folder (`model.json` +
 * `group1-shardIofN.bin`, see {@linkcode writeTfjsWeights}), one weight
 * per variable named by its TF1 full name ("dense/kernel"). TensorFlow.js
 * has no partitioned weights, so a partitioned variable is written whole
 * under its full name ("emb"), as TF1 names it in checkpoints.
 *
 * @param params the params (left as they are)
 * @param dir the folder (created if missing)
 * @param options shard size
 * @returns what was written
 * @throws {CheckpointError} `InvalidArgument`, `IoError`
 *
 * @example
 * ```ts
 * import { getVariable, fixedSizePartitioner, scoped } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import { openTfjsWeights, saveTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => scoped(function* () {
 *   yield* variable("w", { shape: [2] });
 *   yield* getVariable("emb", { shape: [4, 2], partitioner: fixedSizePartitioner(2) });
 * }));
 * const { params } = model.init(null);
 * const dir = Deno.makeTempDirSync();
 * await saveTfjsWeights(params, dir);
 * assert.deepEqual(openTfjsWeights(dir).list().map((t) => [t.name, t.shape]), [["emb", [4, 2]], ["w", [2]]]);
 * params.dispose();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @category checkpoint
 */
export async function saveTfjsWeights(
  params: Params,
  dir: string,
  options?: TfjsWriteOptions,
): Promise<TfjsWritten> {
  liveParams(params);
  checkString(dir, "folder");
  const o = readOptions(options, ["shardSizeBytes"], "TensorFlow.js write options");
  checkShardSize(o.shardSizeBytes);
  return writeTfjsWeights(dir, await paramsToStoredTensors(params), o as TfjsWriteOptions);
}
