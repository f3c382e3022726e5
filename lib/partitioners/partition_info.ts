/**
 * TF1 `_PartitionInfo` (G13): where a shard sits in its full variable, as
 * given to initializers of partitioned variables (D10).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { pipe } from "fp-ts/lib/function.js";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { type FullShape, MAX_RANK } from "../core/shape.ts";
import type { PartitionInfo } from "../initializers/initializer.ts";

export type { PartitionInfo };

const invalid = (why: string, details: Record<string, unknown>) =>
  E.left(scopeError("InvalidArgument", `Invalid partition info: ${why}`, details));

const isIntArray = (x: unknown): x is number[] => {
  try {
    return Array.isArray(x) && x.length <= MAX_RANK &&
      x.every((d) => typeof d === "number" && Number.isInteger(d));
  } catch {
    return false; // a proxy whose traps throw
  }
};

/**
 * Makes a partition info, checking it as TF1 does: both arguments are
 * sequences of integers of equal length, and `0 <= offset < dim`.
 *
 * @param fullShape shape of the whole variable
 * @param varOffset offset of the shard
 * @returns the info, or an `InvalidArgument` error
 *
 * @example
 * ```ts
 * import { makePartitionInfo } from "./partition_info.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(makePartitionInfo([4, 2], [2, 0])._tag, "Right");
 * assert.equal(makePartitionInfo([4, 2], [4, 0])._tag, "Left");
 * ```
 *
 * @category partitioners
 */
export function makePartitionInfo(
  fullShape: unknown,
  varOffset: unknown,
): Either<ScopeError, PartitionInfo> {
  if (!isIntArray(fullShape)) {
    return invalid(`fullShape must be a sequence of integers, got ${describeValue(fullShape)}`, {
      fullShape,
    });
  }
  if (!isIntArray(varOffset)) {
    return invalid(`varOffset must be a sequence of integers, got ${describeValue(varOffset)}`, {
      varOffset,
    });
  }
  if (fullShape.length !== varOffset.length) {
    return invalid(
      `fullShape ${describeValue(fullShape)} and varOffset ${
        describeValue(varOffset)
      } differ in length`,
      { fullShape, varOffset },
    );
  }
  for (let i = 0; i < fullShape.length; i++) {
    if (varOffset[i]! < 0 || varOffset[i]! >= fullShape[i]!) {
      return invalid(`offset ${varOffset[i]} of dimension ${i} is outside [0, ${fullShape[i]})`, {
        fullShape,
        varOffset,
      });
    }
  }
  return E.right(
    Object.freeze({
      fullShape: Object.freeze(fullShape.slice()),
      varOffset: Object.freeze(varOffset.slice()),
    }),
  );
}

/**
 * The one dimension along which a shard of `shape` differs from the full
 * shape, or null when none does (TF1 `single_slice_dim`).
 *
 * @param info the partition info
 * @param shape the shard's shape
 * @returns the dimension or null, or an `InvalidArgument` error when the
 *   ranks differ, the shard overruns the full shape, or two dimensions differ
 *
 * @example
 * ```ts
 * import { makePartitionInfo, singleSliceDim } from "./partition_info.ts";
 * import * as assert from "node:assert/strict";
 *
 * const info = makePartitionInfo([4, 2], [2, 0]);
 * assert.ok(info._tag === "Right");
 * assert.deepEqual(singleSliceDim(info.right, [2, 2]), { _tag: "Right", right: 0 });
 * ```
 *
 * @category partitioners
 */
export function singleSliceDim(
  info: PartitionInfo,
  shape: FullShape,
): Either<ScopeError, number | null> {
  let fullShape: unknown, varOffset: unknown;
  try {
    ({ fullShape, varOffset } = typeof info === "object" && info !== null ? info : {} as never);
  } catch {
    fullShape = undefined;
  }
  if (!isIntArray(fullShape) || !isIntArray(varOffset) || fullShape.length !== varOffset.length) {
    return invalid(`expected partition info from makePartitionInfo, got ${describeValue(info)}`, {
      info,
    });
  }
  if (!isIntArray(shape)) {
    return invalid(`shard shape must be a sequence of integers, got ${describeValue(shape)}`, {
      shape,
    });
  }
  if (shape.length !== fullShape.length) {
    return invalid(
      `shard shape ${describeValue(shape)} and full shape ${
        describeValue(fullShape)
      } differ in rank`,
      {
        shape,
        fullShape,
      },
    );
  }
  let found: number | null = null;
  for (let i = 0; i < shape.length; i++) {
    if (varOffset[i]! + shape[i]! > fullShape[i]!) {
      return invalid(
        `shard at offset ${varOffset[i]} with size ${shape[i]} overruns dimension ${i} of size ${
          fullShape[i]
        }`,
        {
          shape,
          fullShape,
          varOffset,
        },
      );
    }
    if (shape[i] !== fullShape[i]) {
      if (found !== null) {
        return invalid(
          `shard shape ${
            describeValue(shape)
          } differs from the full shape in more than one dimension`,
          {
            shape,
            fullShape,
          },
        );
      }
      found = i;
    }
  }
  return E.right(found);
}

/**
 * The shard's offset along its slice dimension, or 0 when it is not sliced
 * (TF1 `single_offset`).
 *
 * @param info the partition info
 * @param shape the shard's shape
 * @returns the offset, or the error of {@linkcode singleSliceDim}
 *
 * @example
 * ```ts
 * import { makePartitionInfo, singleOffset } from "./partition_info.ts";
 * import * as assert from "node:assert/strict";
 *
 * const info = makePartitionInfo([4, 2], [2, 0]);
 * assert.ok(info._tag === "Right");
 * assert.deepEqual(singleOffset(info.right, [2, 2]), { _tag: "Right", right: 2 });
 * ```
 *
 * @category partitioners
 */
export function singleOffset(info: PartitionInfo, shape: FullShape): Either<ScopeError, number> {
  return pipe(
    singleSliceDim(info, shape),
    E.map((dim) => (dim === null ? 0 : info.varOffset[dim]!)),
  );
}
