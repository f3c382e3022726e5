/**
 * Params for a store from a weight file, by TF1 name, with a report.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { describeValue } from "../core/errors.ts";
import { isStore, type Store } from "../core/store.ts";
import { checkParams, Params, paramsLayout, shareTensor } from "../interpreter/params.ts";
import { requireBackend } from "../interpreter/require_backend.ts";
import { type AssignmentMap, resolveAssignmentMap } from "./_assignment_map.ts";
import { checkReader, Filler, type Outcome } from "./_fill.ts";
import { errorText } from "./_guard.ts";
import { compareNames } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { loadCheckpoint } from "./load_checkpoint.ts";
import { makeReport, type RestoreReport } from "./restore_report.ts";
import type { CheckpointReader } from "./stored_tensor.ts";

/**
 * Options of {@linkcode restore}.
 *
 * @category checkpoint
 */
export interface RestoreOptions {
  /**
   * Reads some variables from other file names, with TF1's
   * `init_from_checkpoint` syntax (`{"old_scope/": "new_scope/"}`,
   * `{"/": "new/"}`, `{"old/w": "new/w"}`); every other variable is read
   * by its own name.
   */
  readonly assignmentMap?: AssignmentMap;
  /**
   * Where variables the file does not fill (missing, or another shape or
   * dtype) take their value from. Without it such a variable is a
   * `RestoreIncomplete` error.
   */
  readonly initial?: Params;
  /**
   * Converts a file dtype to the variable's when TensorFlow.js holds both
   * the same way (float64, float16, bfloat16 to float32; small integers
   * and int64 to int32), failing on values that do not fit. Default false:
   * as TF1's Saver, dtypes must be equal.
   */
  readonly castDTypes?: boolean;
}

/**
 * What {@linkcode restore} returns.
 *
 * @category checkpoint
 */
export interface Restored {
  /** One tensor per store variable (owned by the caller: dispose them). */
  readonly params: Params;
  /** What came from where. */
  readonly report: RestoreReport;
}

/** @internal Checks the options object. */
export function optionRecord(
  o: unknown,
  allowed: readonly string[],
  what: string,
): Record<string, unknown> {
  if (o === undefined) return {};
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    throw new CheckpointError("InvalidArgument", `Invalid ${what} options: ${describeValue(o)}`);
  }
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(o);
    for (const k of keys) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      out[k] = d !== undefined && "value" in d ? d.value : undefined;
    }
  } catch (e) {
    // A proxy whose traps throw.
    throw new CheckpointError(
      "InvalidArgument",
      `Invalid ${what} options: unreadable (${errorText(e)})`,
      { cause: e },
    );
  }
  for (const k of keys) {
    if (!allowed.includes(k)) {
      throw new CheckpointError(
        "InvalidArgument",
        `Unknown ${what} option "${k}"; known: ${allowed.join(", ")}`,
      );
    }
  }
  return out;
}

/** @internal Opens a path or checks a reader. */
export function readerOf(checkpoint: unknown): CheckpointReader {
  return typeof checkpoint === "string" ? loadCheckpoint(checkpoint) : checkReader(checkpoint);
}

/**
 * Reads a store's variables from a weight file (a TensorFlow checkpoint
 * or TensorFlow.js weights) by TF1 name: each variable takes the file
 * tensor of its full name ("dense/kernel"), a partitioned variable's
 * shards ("emb/part_0", …) take their slices of the file's "emb". Returns
 * params for every variable and a report of what matched, what the file
 * lacks, what it holds that nothing took, and shape or dtype mismatches.
 * A variable the file cannot fill takes its value from `initial`, or the
 * restore fails with `RestoreIncomplete` (the report is in
 * `error.details.report`) and leaves no tensors behind.
 *
 * @param store the store (from `init` or `runScoped`)
 * @param checkpoint a path (see {@linkcode loadCheckpoint}) or an open reader
 * @param options assignment map, fallback params, dtype casting
 * @returns the params and the report
 * @throws {CheckpointError} `RestoreIncomplete`, `AssignmentMap`,
 *   `InvalidArgument`, and the reader's errors
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import { useBackend } from "varscope/tfjs";
 * import { encodeTfjsWeights, restore, type CheckpointReader } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { store } = runScopedOrThrow(variableScope("dense", scoped(function* () {
 *   yield* getVariable("kernel", { shape: [2, 1] });
 * })));
 * const file: CheckpointReader = {
 *   format: "tfjs",
 *   list: () => [{ name: "dense/kernel", dtype: "float32", shape: [2, 1] }],
 *   has: (n) => n === "dense/kernel",
 *   read: () => ({ name: "dense/kernel", dtype: "float32", shape: [2, 1], values: new Float32Array([3, 4]) }),
 * };
 * const { params, report } = restore(store, file);
 * assert.deepEqual(Array.from(params.get("dense/kernel").dataSync()), [3, 4]);
 * assert.equal(report.complete, true);
 * params.dispose();
 * ```
 *
 * @category checkpoint
 */
export function restore(
  store: Store,
  checkpoint: string | CheckpointReader,
  options?: RestoreOptions,
): Restored {
  if (!isStore(store)) {
    throw new CheckpointError("InvalidArgument", `Invalid store: got ${describeValue(store)}`);
  }
  const o = optionRecord(options, ["assignmentMap", "initial", "castDTypes"], "restore");
  const initial = o.initial;
  if (initial !== undefined) {
    const bad = checkParams(initial);
    if (bad !== null) {
      throw new CheckpointError("InvalidArgument", `Invalid initial params: ${bad.message}`, {
        cause: bad,
      });
    }
  }
  const cast = o.castDTypes ?? false;
  if (typeof cast !== "boolean") {
    throw new CheckpointError("InvalidArgument", `Invalid castDTypes: ${describeValue(cast)}`);
  }
  requireBackend();
  const reader = readerOf(checkpoint);
  const layout = paramsLayout(store);
  const keyOf = new Map<string, string>();
  for (const v of layout.variables) keyOf.set(v.fullName, v.saveSliceInfo?.fullName ?? v.fullName);
  if (o.assignmentMap !== undefined) {
    const where = `the ${reader.format} checkpoint`;
    for (
      const a of resolveAssignmentMap(
        store,
        o.assignmentMap,
        (k) => reader.has(k),
        where,
        "keep",
      )
    ) {
      for (const v of a.variables) keyOf.set(v.fullName, a.key);
    }
  }
  const filler = new Filler(reader, cast);
  const outcomes: Outcome[] = [];
  const shared: tf.Tensor[] = [];
  try {
    for (const v of layout.variables) outcomes.push(filler.fill(v, keyOf.get(v.fullName)!));
    const report0 = {
      matched: outcomes.flatMap((x) => x.kind === "matched" ? [x.match] : []),
      missingInFile: outcomes.flatMap((x) => x.kind === "missing" ? [x.missing] : []),
      unusedInFile: filler.unused().sort(compareNames),
      shapeMismatches: outcomes.flatMap((x) => x.kind === "shape" ? [x.mismatch] : []),
      dtypeMismatches: outcomes.flatMap((x) => x.kind === "dtype" ? [x.mismatch] : []),
    };
    const unfilled = layout.variables.filter((_, i) => outcomes[i]!.kind !== "matched");
    if (unfilled.length > 0 && !(initial instanceof Params)) {
      const report = makeReport({ ...report0, keptInitial: [] });
      throw new CheckpointError(
        "RestoreIncomplete",
        `The checkpoint does not fill ${unfilled.length} of ${layout.variables.length} variables (pass initial params to keep their values):\n${
          formatShort(report)
        }`,
        { details: { report } },
      );
    }
    const tensors: tf.Tensor[] = layout.variables.map((v, i) => {
      const x = outcomes[i]!;
      if (x.kind === "matched") return x.tensor;
      const init = initial as Params;
      if (!init.has(v.fullName)) {
        throw new CheckpointError(
          "InvalidArgument",
          `The initial params have no "${v.fullName}" (they are for another store)`,
        );
      }
      const t = shareTensor(init.get(v.fullName));
      shared.push(t);
      return t;
    });
    const report = makeReport({
      ...report0,
      keptInitial: unfilled.map((v) => v.fullName),
    });
    return Object.freeze({ params: new Params(store, tensors), report });
  } catch (e) {
    for (const x of outcomes) if (x.kind === "matched") x.tensor.dispose();
    for (const t of shared) t.dispose();
    throw e;
  }
}

function formatShort(r: RestoreReport): string {
  return [
    ...r.missingInFile.map((m) => `  missing in file: ${m.key}`),
    ...r.shapeMismatches.map((m) =>
      `  shape mismatch: ${m.variable} [${m.variableShape.join(",")}] vs "${m.key}" [${
        m.fileShape.join(",")
      }]`
    ),
    ...r.dtypeMismatches.map((m) =>
      `  dtype mismatch: ${m.variable} ${m.variableDType} vs "${m.key}" ${m.fileDType}`
    ),
  ].join("\n");
}
