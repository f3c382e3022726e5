/**
 * What a restore did, variable by variable: nothing a file holds or a
 * store needs goes unmentioned.
 *
 * @module
 */
import type { DType } from "../core/dtype.ts";
import type { StoredDType } from "./stored_tensor.ts";
import { checkObject, readArgument } from "./_guard.ts";

/**
 * Where a shard of a partitioned variable sits in the file's full tensor.
 *
 * @category checkpoint
 */
export interface RestoreSlice {
  /** Offset of the shard in the full tensor. */
  readonly offset: readonly number[];
  /** Shape of the shard. */
  readonly shape: readonly number[];
}

/**
 * A variable that took its value from the file.
 *
 * @category checkpoint
 */
export interface RestoreMatch {
  /** The store variable's full name (a shard: "emb/part_0"). */
  readonly variable: string;
  /** The file's tensor name it came from (a shard: "emb"). */
  readonly key: string;
  /** The file's dtype (differs from the variable's only when cast). */
  readonly fileDType: StoredDType;
  /** For a shard, the part of the file's tensor it took; else null. */
  readonly slice: RestoreSlice | null;
}

/**
 * A variable the file has no tensor for.
 *
 * @category checkpoint
 */
export interface RestoreMissing {
  /** The store variable's full name. */
  readonly variable: string;
  /** The name looked for in the file. */
  readonly key: string;
}

/**
 * A variable whose file tensor has another shape.
 *
 * @category checkpoint
 */
export interface RestoreShapeMismatch {
  /** The store variable's full name. */
  readonly variable: string;
  /** The file's tensor name. */
  readonly key: string;
  /** The variable's shape (a shard's: its partitioned variable's full shape). */
  readonly variableShape: readonly number[];
  /** The file's shape. */
  readonly fileShape: readonly number[];
}

/**
 * A variable whose file tensor has another dtype, or could not be cast.
 *
 * @category checkpoint
 */
export interface RestoreDTypeMismatch {
  /** The store variable's full name. */
  readonly variable: string;
  /** The file's tensor name. */
  readonly key: string;
  /** The variable's dtype. */
  readonly variableDType: DType;
  /** The file's dtype. */
  readonly fileDType: StoredDType;
  /** Why it was not used. */
  readonly reason: string;
}

/**
 * The account of a restore. Every store variable is in exactly one of
 * `matched`, `missingInFile`, `shapeMismatches`, `dtypeMismatches`; every
 * file tensor no variable took is in `unusedInFile`; `keptInitial` lists
 * the variables that kept their value from `initial`.
 *
 * @category checkpoint
 */
export interface RestoreReport {
  /** Variables filled from the file, in store order. */
  readonly matched: readonly RestoreMatch[];
  /** Variables the file has no tensor for. */
  readonly missingInFile: readonly RestoreMissing[];
  /** File tensors no variable took, sorted by name. */
  readonly unusedInFile: readonly string[];
  /** Variables whose file tensor has another shape. */
  readonly shapeMismatches: readonly RestoreShapeMismatch[];
  /** Variables whose file tensor has another dtype. */
  readonly dtypeMismatches: readonly RestoreDTypeMismatch[];
  /** Variables that kept the value of the `initial` params. */
  readonly keptInitial: readonly string[];
  /** Whether every variable was filled from the file. */
  readonly complete: boolean;
}

/** @internal Freezes a report, deriving `complete`. */
export function makeReport(r: Omit<RestoreReport, "complete">): RestoreReport {
  const fz = <T>(xs: readonly T[]): readonly T[] => Object.freeze(xs.map((x) => Object.freeze(x)));
  return Object.freeze({
    matched: fz(r.matched),
    missingInFile: fz(r.missingInFile),
    unusedInFile: Object.freeze(r.unusedInFile.slice()),
    shapeMismatches: fz(r.shapeMismatches),
    dtypeMismatches: fz(r.dtypeMismatches),
    keptInitial: Object.freeze(r.keptInitial.slice()),
    complete: r.missingInFile.length === 0 && r.shapeMismatches.length === 0 &&
      r.dtypeMismatches.length === 0,
  });
}

const shape = (s: readonly number[]): string => `[${s.join(",")}]`;

/**
 * The report as text, one line per problem (for logs and the CLI).
 *
 * @param report the report
 * @returns the text
 *
 * @example
 * ```ts
 * import { formatRestoreReport, type RestoreReport } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const report: RestoreReport = {
 *   matched: [{ variable: "w", key: "w", fileDType: "float32", slice: null }],
 *   missingInFile: [{ variable: "b", key: "b" }],
 *   unusedInFile: ["global_step"],
 *   shapeMismatches: [],
 *   dtypeMismatches: [],
 *   keptInitial: ["b"],
 *   complete: false,
 * };
 * assert.equal(
 *   formatRestoreReport(report),
 *   [
 *     "restored 1 of 2 variables",
 *     "missing in file: b (kept its initial value)",
 *     "unused in file: global_step",
 *   ].join("\n"),
 * );
 * ```
 *
 * @category checkpoint
 */
export function formatRestoreReport(report: RestoreReport): string {
  checkObject(report, "restore report");
  return readArgument("restore report", () => format(report));
}

function format(report: RestoreReport): string {
  const kept = new Set(report.keptInitial);
  const note = (v: string): string => kept.has(v) ? " (kept its initial value)" : "";
  const total = report.matched.length + report.missingInFile.length +
    report.shapeMismatches.length + report.dtypeMismatches.length;
  const lines = [`restored ${report.matched.length} of ${total} variables`];
  for (const m of report.missingInFile) {
    lines.push(
      `missing in file: ${m.variable}${m.key === m.variable ? "" : ` (as "${m.key}")`}${
        note(m.variable)
      }`,
    );
  }
  for (const m of report.shapeMismatches) {
    lines.push(
      `shape mismatch: ${m.variable} is ${shape(m.variableShape)}, "${m.key}" in the file is ${
        shape(m.fileShape)
      }${note(m.variable)}`,
    );
  }
  for (const m of report.dtypeMismatches) {
    lines.push(
      `dtype mismatch: ${m.variable} is ${m.variableDType}, "${m.key}" in the file is ${m.fileDType}: ${m.reason}${
        note(m.variable)
      }`,
    );
  }
  if (report.unusedInFile.length > 0) {
    lines.push(`unused in file: ${report.unusedInFile.join(", ")}`);
  }
  return lines.join("\n");
}
