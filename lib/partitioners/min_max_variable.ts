/**
 * TF1 `min_max_variable_partitioner`.
 *
 * @module
 */
import { dtypeSize } from "../core/dtype.ts";
import type { Partitioner } from "./partitioner.ts";
import { ownOptions } from "../core/_guard.ts";

/** Options of {@linkcode minMaxVariablePartitioner}. @category partitioners */
export interface MinMaxVariableOptions {
  /** Upper bound on the number of partitions (default 1). */
  readonly maxPartitions?: number;
  /** The axis to split (default 0). */
  readonly axis?: number;
  /** Minimum bytes of one slice (default 256 KiB). */
  readonly minSliceSize?: number;
  /** Assumed bytes of one string element (default 16). */
  readonly bytesPerStringElement?: number;
}

/**
 * As many partitions as keep each at least `minSliceSize` bytes, at most
 * `maxPartitions` and at most the axis length (TF1 G12).
 *
 * @param options maxPartitions, axis, minSliceSize, bytesPerStringElement
 * @returns the partitioner; an axis beyond the rank throws a `RangeError` when
 *   called, reported by `getVariable` as a `PartitionerError`
 *
 * @example
 * ```ts
 * import { minMaxVariablePartitioner } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = minMaxVariablePartitioner({ maxPartitions: 100 });
 * assert.deepEqual(p({ shape: [1024, 1024], dtype: "float32" }), [16, 1]);
 * ```
 *
 * @category partitioners
 */
export function minMaxVariablePartitioner(options: MinMaxVariableOptions = {}): Partitioner {
  const o = ownOptions(options, "minMaxVariablePartitioner") as MinMaxVariableOptions;
  const maxPartitions = o.maxPartitions ?? 1;
  const axis = o.axis ?? 0;
  const minSliceSize = o.minSliceSize ?? 256 << 10;
  const bytesPerString = o.bytesPerStringElement ?? 16;
  return Object.freeze(({ shape, dtype }: Parameters<Partitioner>[0]) => {
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
      throw new RangeError(`axis ${axis} must be smaller than the rank ${shape.length}`);
    }
    if (!(maxPartitions >= 1)) {
      throw new RangeError(`maxPartitions must be >= 1, got ${maxPartitions}`);
    }
    if (!(minSliceSize >= 1)) {
      throw new RangeError(`minSliceSize must be >= 1, got ${minSliceSize}`);
    }
    const elementSize = dtypeSize(dtype) ?? bytesPerString;
    const totalBytes = shape.reduce((a, b) => a * b, 1) * elementSize;
    const partitions = Math.max(
      1,
      Math.min(shape[axis]!, maxPartitions, Math.ceil(totalBytes / minSliceSize)),
    );
    return shape.map((_, d) => (d === axis ? partitions : 1));
  });
}
