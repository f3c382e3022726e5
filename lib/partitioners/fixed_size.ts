/**
 * TF1 `fixed_size_partitioner`.
 *
 * @module
 */
import type { Partitioner } from "./partitioner.ts";

/**
 * Partitions `axis` into `numShards` shards, or fewer when the dimension is
 * smaller (TF1 G12: 3 shards of a dimension of size 2 gives 2).
 *
 * @param numShards number of shards (a positive integer)
 * @param axis the axis to split (default 0)
 * @returns the partitioner
 *
 * @example
 * ```ts
 * import { fixedSizePartitioner } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(fixedSizePartitioner(3)({ shape: [2, 4], dtype: "float32" }), [2, 1]);
 * assert.deepEqual(fixedSizePartitioner(2, 1)({ shape: [2, 4], dtype: "float32" }), [1, 2]);
 * ```
 *
 * @category partitioners
 */
export function fixedSizePartitioner(numShards: number, axis = 0): Partitioner {
  return Object.freeze(({ shape }: Parameters<Partitioner>[0]) => {
    if (!Number.isInteger(numShards) || numShards < 1) {
      throw new RangeError(`numShards must be a positive integer, got ${numShards}`);
    }
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new RangeError(`axis ${axis} is out of range for rank ${shape.length}`);
    }
    return shape.map((dim, d) => (d === axis ? Math.max(1, Math.min(numShards, dim)) : 1));
  });
}
