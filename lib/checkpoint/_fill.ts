/**
 * Reading file tensors into variables: shapes and dtypes checked, shards
 * cut out of full tensors, each file tensor read once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Variable } from "../core/variable.ts";
import { toTfDType } from "../interpreter/initial_tensor.ts";
import { sliceStoredValues, tfjsDTypeOf } from "./_tensor_values.ts";
import { toTfjsValues } from "./tfjs_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { readArgument } from "./_guard.ts";
import { describeValue } from "../core/errors.ts";
import type {
  RestoreDTypeMismatch,
  RestoreMatch,
  RestoreMissing,
  RestoreShapeMismatch,
} from "./restore_report.ts";
import type { CheckpointReader, StoredTensor, StoredTensorInfo } from "./stored_tensor.ts";
import type { TfSlice } from "./tf_checkpoint_reader.ts";

/** @internal What happened to one variable. */
export type Outcome =
  | { readonly kind: "matched"; readonly match: RestoreMatch; readonly tensor: tf.Tensor }
  | { readonly kind: "missing"; readonly missing: RestoreMissing }
  | { readonly kind: "shape"; readonly mismatch: RestoreShapeMismatch }
  | { readonly kind: "dtype"; readonly mismatch: RestoreDTypeMismatch };

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** @internal Checks that a value looks like a CheckpointReader. */
export function checkReader(r: unknown): CheckpointReader {
  const o = r as Record<string, unknown> | null;
  const ok = readArgument(
    "checkpoint",
    () =>
      typeof o === "object" && o !== null && typeof o.list === "function" &&
      typeof o.read === "function" && typeof o.has === "function",
  );
  if (!ok) {
    throw new CheckpointError(
      "InvalidArgument",
      `Invalid checkpoint: expected a path or a CheckpointReader, got ${describeValue(r)}`,
    );
  }
  return r as CheckpointReader;
}

/**
 * @internal Fills variables from a reader. `targets` maps each variable
 * to the file name it reads; the logical (full) shape of a shard is its
 * partitioned variable's. Tensors made are owned by the caller; on a
 * thrown error, none are left.
 */
export class Filler {
  readonly #reader: CheckpointReader;
  readonly #info: ReadonlyMap<string, StoredTensorInfo>;
  readonly #cast: boolean;
  readonly #cache = new Map<string, StoredTensor>();
  readonly #used = new Set<string>();

  constructor(reader: CheckpointReader, cast: boolean) {
    this.#reader = reader;
    // A caller's reader: what its list() returns is checked, not trusted.
    this.#info = readArgument("checkpoint reader", () => {
      const list: unknown = reader.list();
      if (!Array.isArray(list)) {
        throw new CheckpointError(
          "InvalidArgument",
          `Invalid checkpoint reader: list() returned ${describeValue(list)}, not an array`,
        );
      }
      return new Map(Array.from(list as StoredTensorInfo[], (t) => [t.name, t]));
    });
    this.#cast = cast;
  }

  /** File names no variable has read. */
  unused(): string[] {
    return [...this.#info.keys()].filter((k) => !this.#used.has(k));
  }

  /** Marks a file name as taken even when it was not read (a mismatch). */
  touch(key: string): void {
    if (this.#info.has(key)) this.#used.add(key);
  }

  // A shard reads its slice: from a TF reader only the bytes that overlap
  // it (readSlice), otherwise cut from the full tensor, read once per name.
  #read(key: string, slice: Variable["saveSliceInfo"]): StoredTensor {
    const r = this.#reader as Partial<{ readSlice(n: string, s: TfSlice): StoredTensor }>;
    if (slice !== null && typeof r.readSlice === "function") {
      return r.readSlice(key, { start: slice.varOffset, length: slice.varShape });
    }
    let stored = this.#cache.get(key);
    if (stored === undefined) {
      stored = this.#reader.read(key);
      this.#cache.set(key, stored);
    }
    if (slice === null) return stored;
    return {
      name: key,
      dtype: stored.dtype,
      shape: slice.varShape,
      values: sliceStoredValues(stored.values, stored.shape, slice.varOffset, slice.varShape),
    };
  }

  fill(v: Variable, key: string): Outcome {
    const info = this.#info.get(key);
    if (info === undefined) return { kind: "missing", missing: { variable: v.fullName, key } };
    this.#used.add(key);
    const slice = v.saveSliceInfo;
    const logicalShape = slice?.fullShape ?? v.shape;
    if (!sameShape(info.shape, logicalShape)) {
      return {
        kind: "shape",
        mismatch: {
          variable: v.fullName,
          key,
          variableShape: logicalShape.slice(),
          fileShape: info.shape.slice(),
        },
      };
    }
    const target = toTfDType(v.dtype, v.fullName);
    const dmis = (reason: string): Outcome => ({
      kind: "dtype",
      mismatch: {
        variable: v.fullName,
        key,
        variableDType: v.dtype,
        fileDType: info.dtype,
        reason,
      },
    });
    if (info.dtype !== v.dtype) {
      if (!this.#cast) return dmis("dtypes differ (castDTypes is off)");
      if (tfjsDTypeOf(info.dtype) !== target) {
        return dmis(`${info.dtype} does not convert to ${target}`);
      }
    }
    const part = this.#read(key, slice);
    let values;
    try {
      values = toTfjsValues(part);
    } catch (e) {
      if (e instanceof CheckpointError && e.code === "NoExactConversion") return dmis(e.message);
      throw e;
    }
    const tensor = tf.tensor(
      values.values as Float32Array,
      v.shape.slice(),
      values.dtype,
    );
    return {
      kind: "matched",
      match: {
        variable: v.fullName,
        key,
        fileDType: info.dtype,
        slice: slice === null
          ? null
          : Object.freeze({ offset: slice.varOffset.slice(), shape: slice.varShape.slice() }),
      },
      tensor,
    };
  }
}
