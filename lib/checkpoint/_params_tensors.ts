/**
 * Params as stored tensors, by TF1 name.
 *
 * @module
 */
import type { Variable } from "../core/variable.ts";
import { checkParams, type Params, paramsLayout } from "../interpreter/params.ts";
import { allocStoredValues, insertStoredValues } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { readArgument } from "./_guard.ts";
import type { StoredDType, StoredTensor, StoredValues } from "./stored_tensor.ts";

/** @internal A shard of a partitioned variable, as TF1's Saver sees it. */
export interface StoredSlice {
  /** The shard's tensor (named by the shard's own full name). */
  readonly tensor: StoredTensor;
  /** The partitioned variable's full name. */
  readonly fullName: string;
  /** Its full shape. */
  readonly fullShape: readonly number[];
  /** The shard's offset in it. */
  readonly offset: readonly number[];
}

/** @internal Checks params from an untyped caller. */
export function liveParams(params: unknown): Params {
  const bad = readArgument("params", () => checkParams(params));
  if (bad !== null) throw new CheckpointError("InvalidArgument", bad.message, { cause: bad });
  return params as Params;
}

async function valuesOf(params: Params, v: Variable): Promise<StoredTensor> {
  const t = params.get(v.fullName);
  const data = await t.data();
  const values: StoredValues = t.dtype === "string"
    ? (data as unknown as Uint8Array[]).map((s) => s.slice())
    : t.dtype === "bool"
    ? Uint8Array.from(data as ArrayLike<number>)
    : (data as Float32Array | Int32Array).slice();
  return Object.freeze({
    name: v.fullName,
    dtype: t.dtype as StoredDType,
    shape: Object.freeze(v.shape.slice()),
    values,
  });
}

/**
 * @internal Every variable's values, in store order. A partitioned
 * variable is one entry at its first shard: assembled into the full
 * tensor under its full name, or (with `slices`) its shards with where
 * they sit.
 */
export async function storedTensorsOf(
  params: Params,
): Promise<(StoredTensor | { readonly slices: readonly StoredSlice[] })[]> {
  const out: (StoredTensor | { slices: StoredSlice[] })[] = [];
  const groups = new Map<string, StoredSlice[]>();
  for (const v of paramsLayout(params.store).variables) {
    const t = await valuesOf(params, v);
    const info = v.saveSliceInfo;
    if (info === null) {
      out.push(t);
      continue;
    }
    let g = groups.get(info.fullName);
    if (g === undefined) {
      g = [];
      groups.set(info.fullName, g);
      out.push({ slices: g });
    }
    g.push({
      tensor: t,
      fullName: info.fullName,
      fullShape: info.fullShape,
      offset: info.varOffset,
    });
  }
  return out;
}

/** @internal A partitioned variable's shards joined into its full tensor. */
export function assemble(slices: readonly StoredSlice[]): StoredTensor {
  const first = slices[0]!;
  const n = first.fullShape.reduce((a, b) => a * b, 1);
  const values = allocStoredValues(first.tensor.dtype, n);
  for (const s of slices) {
    insertStoredValues(values, first.fullShape, s.tensor.values, s.offset, s.tensor.shape);
  }
  return Object.freeze({
    name: first.fullName,
    dtype: first.tensor.dtype,
    shape: Object.freeze(first.fullShape.slice()),
    values,
  });
}

/**
 * Params as stored tensors by TF1 name, in store order: one per variable,
 * a partitioned variable's shards joined into one tensor under its full
 * name ("emb", at its first shard's place), as TF1 checkpoints name it.
 * The values are copies; the params are left as they are.
 *
 * @param params the params
 * @returns the tensors
 * @throws {CheckpointError} `InvalidArgument` for disposed or non-params
 *
 * @example
 * ```ts
 * import { getVariable, fixedSizePartitioner } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { paramsToStoredTensors } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => getVariable("emb", { shape: [4, 2], partitioner: fixedSizePartitioner(2) }));
 * const { params } = model.init(null);
 * const [emb] = await paramsToStoredTensors(params);
 * assert.deepEqual([emb!.name, emb!.shape], ["emb", [4, 2]]);
 * params.dispose();
 * ```
 *
 * @category checkpoint
 */
export async function paramsToStoredTensors(params: Params): Promise<StoredTensor[]> {
  const p = liveParams(params);
  return (await storedTensorsOf(p)).map((x) => "slices" in x ? assemble(x.slices) : x);
}
