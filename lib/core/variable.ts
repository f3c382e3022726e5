/**
 * Variable values: what `getVariable` returns and the store holds. They are
 * frozen descriptions (name, shape, dtype, initializer…), not tensors.
 *
 * @module
 */
import type { Constraint } from "../constraints/constraint.ts";
import type { Initializer } from "../initializers/initializer.ts";
import type { Regularizer } from "../regularizers/regularizer.ts";
import type { DType } from "./dtype.ts";
import type { FullShape } from "./shape.ts";

/**
 * TF1 `caching_device`: a device string or a function of an op (E12).
 * Recorded on the variable, never acted on (decision 5).
 *
 * @category variables
 */
export type CachingDevice = string | ((op: unknown) => unknown);

/** TF `tf.VariableSynchronization`. @category variables */
export type Synchronization = "auto" | "none" | "on_write" | "on_read";

/** TF `tf.VariableAggregation`. @category variables */
export type Aggregation = "none" | "sum" | "mean" | "only_first_replica";

/**
 * Where a shard sits in its partitioned variable (TF1 `SaveSliceInfo`, G5).
 *
 * @category variables
 */
export interface SaveSliceInfo {
  /** Full name of the partitioned variable, e.g. "scope/emb". */
  readonly fullName: string;
  /** Shape of the whole variable. */
  readonly fullShape: FullShape;
  /** Offset of the shard. */
  readonly varOffset: FullShape;
  /** Shape of the shard. */
  readonly varShape: FullShape;
  /** The checkpoint slice spec, e.g. "3 1 1 2,1:0,1:0,1". */
  readonly spec: string;
}

/**
 * A variable. `name` is TF1's tensor name (`"foo/bar/v:0"`), `fullName` the
 * store key (`"foo/bar/v"`). A reused variable is the identical object.
 *
 * @category variables
 */
export interface Variable {
  /** Discriminant. */
  readonly _tag: "Variable";
  /** TF1 tensor name, `fullName + ":0"` (A3). */
  readonly name: string;
  /** TF1 op name and store key. */
  readonly fullName: string;
  /** Fully defined shape. */
  readonly shape: FullShape;
  /** Element type. */
  readonly dtype: DType;
  /** Whether optimizers train it (in `trainable_variables`). */
  readonly trainable: boolean;
  /** How its initial value is made (default initializer resolved, E8). */
  readonly initializer: Initializer;
  /** The regularizer it was created with, if any. */
  readonly regularizer: Regularizer | null;
  /** Projection after updates, if any. */
  readonly constraint: Constraint | null;
  /** Collections it was added to (H2, H3). */
  readonly collections: readonly string[];
  /** Recorded caching device (decision 5). */
  readonly cachingDevice: CachingDevice | null;
  /** TF1 `validate_shape`. */
  readonly validateShape: boolean;
  /** TF1 `use_resource` as resolved; has no effect (decision 5). */
  readonly useResource: boolean;
  /** Distribution synchronization. */
  readonly synchronization: Synchronization;
  /** Distribution aggregation. */
  readonly aggregation: Aggregation;
  /** For a shard of a partitioned variable, where it sits (G5). */
  readonly saveSliceInfo: SaveSliceInfo | null;
}

/**
 * A partitioned variable: shards `fullName/part_0 …` stored as variables
 * of their own. `name` is the bare full name (TF1 A3, no `:0`).
 *
 * @category variables
 */
export interface PartitionedVariable {
  /** Discriminant. */
  readonly _tag: "PartitionedVariable";
  /** The bare full name (A3). */
  readonly name: string;
  /** Same as `name`; the store key. */
  readonly fullName: string;
  /** Shape of the whole variable. */
  readonly shape: FullShape;
  /** Element type. */
  readonly dtype: DType;
  /** The partitioner's answer, one count per dimension. */
  readonly partitions: readonly number[];
  /** The shards, in order. */
  readonly parts: readonly Variable[];
  /** Whether the shards are trainable. */
  readonly trainable: boolean;
}

/**
 * What `getVariable` returns: a variable, or a partitioned one when a
 * partitioner is in effect.
 *
 * @category variables
 */
export type VariableLike = Variable | PartitionedVariable;

/**
 * Whether a value is a (single) variable.
 *
 * @param value any value
 * @returns true for {@linkcode Variable} values
 *
 * @example
 * ```ts
 * import { getVariable, isVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(getVariable("v", { shape: [2] }));
 * assert.equal(isVariable(value), true);
 * ```
 *
 * @category variables
 */
export function isVariable(value: unknown): value is Variable {
  if (typeof value !== "object" || value === null) return false;
  try {
    return (value as { _tag?: unknown })._tag === "Variable";
  } catch {
    return false; // a throwing getter or proxy trap: not a variable
  }
}

/**
 * Whether a value is a partitioned variable.
 *
 * @param value any value
 * @returns true for {@linkcode PartitionedVariable} values
 *
 * @example
 * ```ts
 * import { fixedSizePartitioner, getVariable, isPartitionedVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(getVariable("v", { shape: [4], partitioner: fixedSizePartitioner(2) }));
 * assert.equal(isPartitionedVariable(value), true);
 * ```
 *
 * @category variables
 */
export function isPartitionedVariable(value: unknown): value is PartitionedVariable {
  if (typeof value !== "object" || value === null) return false;
  try {
    return (value as { _tag?: unknown })._tag === "PartitionedVariable";
  } catch {
    return false; // a throwing getter or proxy trap: not a variable
  }
}
