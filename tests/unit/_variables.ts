/**
 * Variables made by a one-line program, for tests that need a `Variable`
 * or `PartitionedVariable` value (the initializer and interpreter tests).
 *
 * @module
 */
import * as assert from "node:assert/strict";
import {
  type DType,
  fixedSizePartitioner,
  getVariable,
  type InitializerLike,
  type PartitionedVariable,
  runScopedOrThrow,
  type Variable,
} from "varscope";

/** What {@linkcode variable} may set besides the initializer. */
export interface VarOptions {
  readonly dtype?: DType;
  readonly shape?: readonly number[];
}

/** The variable `name` made in an empty store with `initializer`. */
export function variable(
  name: string,
  initializer: InitializerLike,
  options: VarOptions = {},
): Variable {
  const v = runScopedOrThrow(
    getVariable(name, {
      ...(options.shape === undefined ? {} : { shape: options.shape }),
      ...(options.dtype === undefined ? {} : { dtype: options.dtype }),
      initializer,
    }),
  ).value;
  assert.ok(v._tag === "Variable");
  return v;
}

/** The variable `name` split into `shards` along `axis` (fixedSizePartitioner). */
export function partitioned(
  name: string,
  shape: readonly number[],
  initializer: InitializerLike | null,
  shards: number,
  axis = 0,
  dtype?: DType,
): PartitionedVariable {
  const v = runScopedOrThrow(
    getVariable(name, {
      shape,
      ...(dtype === undefined ? {} : { dtype }),
      initializer,
      partitioner: fixedSizePartitioner(shards, axis),
    }),
  ).value;
  assert.ok(v._tag === "PartitionedVariable");
  return v;
}
