/**
 * TF1 `tf.compat.v1.train.init_from_checkpoint` on varscope params.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Variable } from "../core/variable.ts";
import { describeValue } from "../core/errors.ts";
import { Params, paramsLayout, shareTensor } from "../interpreter/params.ts";
import { requireBackend } from "../interpreter/require_backend.ts";
import { type AssignmentMap, resolveAssignmentMap } from "./_assignment_map.ts";
import { Filler, type Outcome } from "./_fill.ts";
import { liveParams } from "./_params_tensors.ts";
import { compareNames } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { optionRecord, readerOf, type Restored } from "./restore.ts";
import { makeReport } from "./restore_report.ts";
import type { CheckpointReader } from "./stored_tensor.ts";

/**
 * Options of {@linkcode initFromCheckpoint}.
 *
 * @category checkpoint
 */
export interface InitFromCheckpointOptions {
  /** As in {@linkcode RestoreOptions}: convert dtypes TensorFlow.js holds alike. */
  readonly castDTypes?: boolean;
}

/**
 * New params in which the variables an assignment map names take their
 * values from a checkpoint, with TF1's `init_from_checkpoint` rules; every
 * other variable keeps its value from `params` (shared, not copied).
 *
 * - `{"old_scope/": "new_scope/"}`: every variable under `new_scope/`
 *   takes the tensor of the same relative name under `old_scope/`;
 * - `{"/": "new_scope/"}`: from the checkpoint's root;
 * - `{"old_scope/w": "new_scope/w"}`: one variable (a target may also be
 *   a `Variable`, a `PartitionedVariable` or the list of its shards);
 * - a partitioned variable takes its shards' slices of a full tensor, and
 *   a full variable takes a tensor the checkpoint stores partitioned.
 *
 * Pairs are applied sorted by checkpoint name (a later one wins for the
 * same variable). As in TF1, a checkpoint name that is not in the file, a
 * scope pair whose checkpoint side is not a scope, and a shape that
 * differs are errors (TF1 raises the last when the initializer runs); a
 * dtype that differs is an error unless `castDTypes` converts it.
 *
 * @param params the params to start from (left as they are)
 * @param checkpoint a path or an open reader
 * @param assignmentMap checkpoint names or scopes to variables or scopes
 * @param options dtype casting
 * @returns the new params and a report (`matched` lists what was
 *   assigned, `keptInitial` the rest, `unusedInFile` what nothing took)
 * @throws {CheckpointError} `NotFound`, `AssignmentMap`, `ShapeMismatch`,
 *   `DTypeMismatch`, `InvalidArgument`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped, variableScope } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import { encodeTfjsWeights, decodeTfjsWeights, initFromCheckpoint, type CheckpointReader } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => variableScope("new_scope_1", scoped(function* () {
 *   return yield* variable("var1", { shape: [2] });
 * })));
 * const { params } = model.init(null);
 * const file: CheckpointReader = {
 *   format: "tfjs",
 *   list: () => [{ name: "old_scope_1/var1", dtype: "float32", shape: [2] }],
 *   has: (n) => n === "old_scope_1/var1",
 *   read: () => ({ name: "old_scope_1/var1", dtype: "float32", shape: [2], values: new Float32Array([7, 8]) }),
 * };
 * const r = initFromCheckpoint(params, file, { "old_scope_1/": "new_scope_1/" });
 * assert.deepEqual(Array.from(r.params.get("new_scope_1/var1").dataSync()), [7, 8]);
 * params.dispose();
 * r.params.dispose();
 * ```
 *
 * @category checkpoint
 */
export function initFromCheckpoint(
  params: Params,
  checkpoint: string | CheckpointReader,
  assignmentMap: AssignmentMap,
  options?: InitFromCheckpointOptions,
): Restored {
  liveParams(params);
  const o = optionRecord(options, ["castDTypes"], "initFromCheckpoint");
  const cast = o.castDTypes ?? false;
  if (typeof cast !== "boolean") {
    throw new CheckpointError("InvalidArgument", `Invalid castDTypes: ${describeValue(cast)}`);
  }
  requireBackend();
  const reader = readerOf(checkpoint);
  const store = params.store;
  const where = `the ${reader.format} checkpoint`;
  const assigned = new Map<string, string>();
  for (
    const a of resolveAssignmentMap(
      store,
      assignmentMap,
      (k) => reader.has(k),
      where,
      "throw",
    )
  ) {
    for (const v of a.variables) assigned.set(v.fullName, a.key);
  }
  const layout = paramsLayout(store);
  const filler = new Filler(reader, cast);
  const outcomes = new Map<Variable, Outcome>();
  const made: tf.Tensor[] = [];
  try {
    for (const v of layout.variables) {
      const key = assigned.get(v.fullName);
      if (key === undefined) continue;
      const x = filler.fill(v, key);
      if (x.kind === "matched") made.push(x.tensor);
      else if (x.kind === "shape") {
        const m = x.mismatch;
        throw new CheckpointError(
          "ShapeMismatch",
          `Shape of variable ${m.variable} ([${
            m.variableShape.join(",")
          }]) doesn't match with shape of tensor ${m.key} ([${
            m.fileShape.join(",")
          }]) from ${where}`,
          { details: { ...m } },
        );
      } else if (x.kind === "dtype") {
        const m = x.mismatch;
        throw new CheckpointError(
          "DTypeMismatch",
          `Variable ${m.variable} is ${m.variableDType}; tensor ${m.key} in ${where} is ${m.fileDType}: ${m.reason}`,
          { details: { ...m } },
        );
      }
      outcomes.set(v, x);
    }
    const tensors = layout.variables.map((v) => {
      const x = outcomes.get(v);
      if (x?.kind === "matched") return x.tensor;
      const t = shareTensor(params.get(v.fullName));
      made.push(t);
      return t;
    });
    const report = makeReport({
      matched: [...outcomes.values()].flatMap((x) => x.kind === "matched" ? [x.match] : []),
      missingInFile: [],
      unusedInFile: filler.unused().sort(compareNames),
      shapeMismatches: [],
      dtypeMismatches: [],
      keptInitial: layout.variables.filter((v) => !outcomes.has(v)).map((v) => v.fullName),
    });
    return Object.freeze({ params: new Params(store, tensors), report });
  } catch (e) {
    for (const t of made) t.dispose();
    throw e;
  }
}
