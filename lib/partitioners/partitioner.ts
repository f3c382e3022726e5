/**
 * The partitioner contract (TF1 G2) and the slicing of a shape into shards
 * (TF1 G4).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import type { DType } from "../core/dtype.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import {
  formatShape,
  type FullShape,
  isFullyDefined,
  MAX_RANK,
  type Shape,
} from "../core/shape.ts";
import { throwInvalid } from "../core/_guard.ts";

/**
 * A partitioner: given the fully defined shape and dtype of a new variable,
 * returns one partition count per dimension, all >= 1, at most one > 1.
 *
 * @category partitioners
 */
export type Partitioner = (
  args: { readonly shape: FullShape; readonly dtype: DType },
) => readonly number[];

/**
 * Calls a partitioner and checks its answer as TF1 does (G2).
 *
 * @param partitioner the partitioner
 * @param shape the variable's shape (undefined: unknown rank)
 * @param dtype the variable's dtype
 * @param name the variable's full name, for errors
 * @returns the partitions, or a `PartitionerError`
 *
 * @example
 * ```ts
 * import { fixedSizePartitioner } from "varscope";
 * import { callPartitioner } from "./partitioner.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(callPartitioner(fixedSizePartitioner(3), [10, 2], "float32", "v"), { _tag: "Right", right: [3, 1] });
 * assert.equal(callPartitioner(() => [2, 2], [10, 2], "float32", "v")._tag, "Left");
 * ```
 *
 * @category partitioners
 */
export function callPartitioner(
  partitioner: Partitioner,
  shape: Shape | undefined,
  dtype: DType,
  name: string,
): Either<ScopeError, readonly number[]> {
  const fail = (why: string, extra: Record<string, unknown> = {}) =>
    E.left(
      scopeError("PartitionerError", `Cannot partition variable "${name}": ${why}`, {
        name,
        shape,
        ...extra,
      }),
    );
  if (shape === undefined || !isFullyDefined(shape)) {
    return fail(
      `the shape of a new partitioned variable must be fully defined, got ${formatShape(shape)}`,
    );
  }
  if (shape.length < 1) return fail("a partitioned variable must have rank at least 1");
  let slicing: unknown;
  try {
    slicing = partitioner({ shape, dtype });
  } catch (cause) {
    return fail(
      `the partitioner threw: ${cause instanceof Error ? cause.message : describeValue(cause)}`,
    );
  }
  if (!Array.isArray(slicing)) {
    return fail(`the partitioner must return a sequence, got ${describeValue(slicing)}`);
  }
  if (slicing.length !== shape.length) {
    return fail(
      `the partitioner returned ${
        describeValue(slicing)
      }, which does not match the variable's rank ${shape.length}`,
      { partitions: slicing },
    );
  }
  if (slicing.some((p) => typeof p !== "number" || !Number.isInteger(p))) {
    return fail(`the partitioner must return integers, got ${describeValue(slicing)}`, {
      partitions: slicing,
    });
  }
  if (slicing.some((p: number) => p < 1)) {
    return fail(
      `the partitioner returned zero partitions for some axes: ${describeValue(slicing)}`,
      {
        partitions: slicing,
      },
    );
  }
  if (slicing.filter((p: number) => p > 1).length > 1) {
    return fail(
      `can only slice a variable along one dimension, got partitions ${describeValue(slicing)}`,
      {
        partitions: slicing,
      },
    );
  }
  // Bounded before any per-shard allocation: a shard count above the axis
  // length would make empty shards, and millions of shards exhaust memory.
  const axis = slicing.findIndex((p: number) => p > 1);
  if (axis >= 0) {
    const count = slicing[axis] as number;
    const length = shape[axis]!;
    if (count > Math.max(1, length)) {
      return fail(
        `the partitioner asked for ${count} shards of axis ${axis}, which has length ${length}`,
        { partitions: slicing },
      );
    }
    if (count > MAX_SHARDS) {
      return E.left(
        scopeError(
          "TooLarge",
          `Cannot partition variable "${name}": ${count} shards is more than MAX_SHARDS (${MAX_SHARDS})`,
          { name, shape, partitions: slicing, cap: MAX_SHARDS },
        ),
      );
    }
  }
  return E.right(Object.freeze(slicing.slice()) as readonly number[]);
}

/**
 * The most shards a partitioned variable may have (65536). A partitioner
 * asking for more gets a `TooLarge` error before any shard is made; one
 * asking for more shards than the axis has elements gets `PartitionerError`.
 *
 * @example
 * ```ts
 * import { getVariable, MAX_SHARDS, runScoped, variableAxisSizePartitioner } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const r = runScoped(getVariable("e", { shape: [MAX_SHARDS + 1], partitioner: variableAxisSizePartitioner(1) }));
 * assert.equal(r._tag === "Left" && r.left.tag, "TooLarge");
 * ```
 *
 * @category partitioners
 */
export const MAX_SHARDS = 65536;

/**
 * One shard of a partitioned variable: where it starts in the full
 * variable and its own shape.
 *
 * @category partitioners
 */
export interface Slice {
  /** Offset of the shard in every dimension. */
  readonly offset: FullShape;
  /** Shape of the shard. */
  readonly shape: FullShape;
}

/**
 * Slices a shape along the partitioned axis as TF1 does (G4): each shard
 * gets `floor(L / n)`, the first `L mod n` one more; all-ones partitions
 * give one shard.
 *
 * @param fullShape the variable's shape
 * @param partitions the partitioner's answer
 * @returns the shards in order
 *
 * @example
 * ```ts
 * import { sliceShape } from "./partitioner.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(sliceShape([10], [3]).map((s) => s.shape[0]), [4, 3, 3]);
 * assert.deepEqual(sliceShape([10], [3]).map((s) => s.offset[0]), [0, 4, 7]);
 * ```
 *
 * @category partitioners
 */
export function sliceShape(fullShape: FullShape, partitions: readonly number[]): readonly Slice[] {
  if (!isShapeArray(fullShape)) {
    throwInvalid("fullShape", "expected an array of dimensions", fullShape);
  }
  if (!isShapeArray(partitions) || partitions.length !== fullShape.length) {
    throwInvalid("partitions", "expected one count per dimension", partitions);
  }
  const at0 = partitions.findIndex((p) => p > 1);
  if (
    at0 >= 0 && (partitions[at0]! > Math.max(1, fullShape[at0]!) || partitions[at0]! > MAX_SHARDS)
  ) {
    throw scopeError(
      "TooLarge",
      `Cannot slice shape ${formatShape(fullShape)} into ${
        partitions[at0]
      } shards (at most the axis length and MAX_SHARDS, ${MAX_SHARDS})`,
      { shape: fullShape, partitions, cap: MAX_SHARDS },
    );
  }
  let axis = partitions.findIndex((p) => p > 1);
  const n = axis === -1 ? 1 : partitions[axis]!;
  if (axis === -1) axis = 0;
  const length = fullShape[axis] ?? 0;
  const base = Math.floor(length / n);
  const extra = length % n;
  const slices: Slice[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const size = base + (i < extra ? 1 : 0);
    const offset = fullShape.map((_, d) => (d === axis ? at : 0));
    const shape = fullShape.map((dim, d) => (d === axis ? size : dim));
    slices.push({ offset, shape });
    at += size;
  }
  return Object.freeze(
    slices.map((x) =>
      Object.freeze({ offset: Object.freeze(x.offset), shape: Object.freeze(x.shape) })
    ),
  );
}

function isShapeArray(x: unknown): x is readonly number[] {
  try {
    return Array.isArray(x) && x.length <= MAX_RANK &&
      x.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
  } catch {
    return false; // a proxy whose traps throw
  }
}
