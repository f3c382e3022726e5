/**
 * Opening a weight file of either format by path.
 *
 * @module
 */
import { joinPath as join } from "./_paths.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { describeValue } from "../core/errors.ts";
import { latestCheckpoint } from "./checkpoint_state.ts";
import type { CheckpointReader } from "./stored_tensor.ts";
import { openTfCheckpoint } from "./open_tf_checkpoint.ts";
import { openTfjsWeights } from "./tfjs_files.ts";

function kind(path: string): "dir" | "file" | null {
  try {
    return Deno.statSync(path).isDirectory ? "dir" : "file";
  } catch {
    return null;
  }
}

/**
 * Which format a path holds: "tfjs" for a `.json` file or a folder with a
 * `model.json`; "tensorflow" for a checkpoint prefix (`P` with `P.index`
 * beside it, or `P.index` itself) or a folder with a `checkpoint` state
 * file; null when neither.
 *
 * @param path a path
 * @returns the format, or null
 *
 * @example
 * ```ts
 * import { checkpointFormat } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(checkpointFormat("tests/fixtures/tfjs-weights/tfjs-graph-model-w-2x2"), "tfjs");
 * assert.equal(checkpointFormat("no/such/file"), null);
 * ```
 *
 * @category checkpoint
 */
export function checkpointFormat(path: string): "tensorflow" | "tfjs" | null {
  if (typeof path !== "string" || path.length === 0) return null;
  const k = kind(path);
  if (k === "file" && path.endsWith(".json")) return "tfjs";
  if (k === "dir") {
    if (kind(join(path, "model.json")) === "file") return "tfjs";
    if (kind(join(path, "checkpoint")) === "file") return "tensorflow";
    return null;
  }
  if (path.endsWith(".index") && k === "file") return "tensorflow";
  if (kind(`${path}.index`) === "file") return "tensorflow";
  return null;
}

/**
 * Opens a weight file by path, either format (see
 * {@linkcode checkpointFormat}). Listing reads only the index or manifest.
 *
 * @param path a TensorFlow checkpoint prefix (or its `.index`, or a folder
 *   with a `checkpoint` file), or a TensorFlow.js `model.json` (or its folder)
 * @returns the reader
 * @throws {CheckpointError} `NotFound` when the path is neither, and the
 *   format readers' errors
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const ckpt = loadCheckpoint("tests/fixtures/tfjs-weights/tfjs-graph-model-w-2x2/model.json");
 * assert.equal(ckpt.format, "tfjs");
 * assert.deepEqual(ckpt.list()[0]!.shape, [2, 2]);
 * ```
 *
 * @category checkpoint
 */
export function loadCheckpoint(path: string): CheckpointReader {
  if (typeof path !== "string" || path.length === 0) {
    throw new CheckpointError("InvalidArgument", `invalid checkpoint path: ${describeValue(path)}`);
  }
  const format = checkpointFormat(path);
  if (format === "tfjs") return openTfjsWeights(path);
  if (format === "tensorflow") {
    if (kind(path) === "dir") {
      const latest = latestCheckpoint(path);
      if (latest === undefined) {
        throw new CheckpointError("NotFound", "the checkpoint state file names no checkpoint", {
          file: join(path, "checkpoint"),
        });
      }
      return openTfCheckpoint(latest);
    }
    return openTfCheckpoint(path);
  }
  // A lone file may be a legacy V1 checkpoint: the TF reader says so.
  if (kind(path) === "file") return openTfCheckpoint(path);
  throw new CheckpointError(
    "NotFound",
    `neither a TensorFlow checkpoint prefix (no ${path}.index) nor TensorFlow.js weights (no model.json)`,
    { file: path },
  );
}
