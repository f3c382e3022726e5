/**
 * TF1 `variable_axis_size_partitioner`.
 *
 * @module
 */
import { dtypeSize } from "../core/dtype.ts";
import type { Partitioner } from "./partitioner.ts";
import { ownOptions } from "../core/_guard.ts";

/** Options of {@linkcode variableAxisSizePartitioner}. @category partitioners */
export interface VariableAxisSizeOptions {
  /** The axis to split (default 0). */
  readonly axis?: number;
  /** Assumed bytes of one string element (default 16). */
  readonly bytesPerStringElement?: number;
  /** Upper bound on the number of shards (default none). */
  readonly maxShards?: number | null;
}

/**
 * Shards so that each shard holds at most `maxShardBytes` bytes, splitting
 * only along `axis` (TF1 G12): `slices_per_shard = max(1, floor(max / bytes
 * per slice))`, `shards = ceil(dim / slices_per_shard)`, capped by
 * `maxShards`.
 *
 * @param maxShardBytes the byte budget of one shard (>= 1)
 * @param options axis, bytesPerStringElement, maxShards
 * @returns the partitioner; invalid arguments throw a `RangeError` when it is called,
 *   which `getVariable` reports as a `PartitionerError`
 *
 * @example
 * ```ts
 * import { variableAxisSizePartitioner } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * // 100 rows of 4 float32 = 16 bytes a row; 64 bytes a shard = 4 rows a shard.
 * assert.deepEqual(variableAxisSizePartitioner(64)({ shape: [100, 4], dtype: "float32" }), [25, 1]);
 * ```
 *
 * @category partitioners
 */
export function variableAxisSizePartitioner(
  maxShardBytes: number,
  options: VariableAxisSizeOptions = {},
): Partitioner {
  const o = ownOptions(options, "variableAxisSizePartitioner") as VariableAxisSizeOptions;
  const axis = o.axis ?? 0;
  const bytesPerString = o.bytesPerStringElement ?? 16;
  const maxShards = o.maxShards ?? null;
  return Object.freeze(({ shape, dtype }: Parameters<Partitioner>[0]) => {
    if (!(maxShardBytes >= 1)) {
      throw new RangeError(`maxShardBytes must be >= 1, got ${maxShardBytes}`);
    }
    if (!(bytesPerString >= 1)) {
      throw new RangeError(`bytesPerStringElement must be >= 1, got ${bytesPerString}`);
    }
    if (maxShards !== null && !(maxShards >= 1)) {
      throw new RangeError(`maxShards must be >= 1, got ${maxShards}`);
    }
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new RangeError(`axis ${axis} is out of range for rank ${shape.length}`);
    }
    const dim = shape[axis]!;
    const elementSize = dtypeSize(dtype) ?? bytesPerString;
    const total = shape.reduce((a, b) => a * b, 1);
    const bytesPerSlice = dim === 0 ? 0 : (total / dim) * elementSize;
    const slicesPerShard = bytesPerSlice === 0
      ? Math.max(1, dim)
      : Math.max(1, Math.floor(maxShardBytes / bytesPerSlice));
    let shards = Math.ceil(dim / slicesPerShard);
    if (maxShards !== null) shards = Math.min(maxShards, shards);
    return shape.map((_, d) => (d === axis ? Math.max(1, shards) : 1));
  });
}
