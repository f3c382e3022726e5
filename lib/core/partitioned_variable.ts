/**
 * Getting or creating a partitioned variable: shards `name/part_k`, each a
 * variable of its own (TF1 G1–G12).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Initializer } from "../initializers/initializer.ts";
import { callPartitioner, sliceShape } from "../partitioners/partitioner.ts";
import type { GetterArgs } from "./custom_getter.ts";
import { describeValue, scopeError } from "./errors.ts";
import type { CreationPolicy } from "./creation_policy.ts";
import { decideReuse } from "./reuse.ts";
import type { NameTable } from "./name_table.ts";
import { formatShape, type FullShape, numElements, type Shape, shapesCompatible } from "./shape.ts";
import { type Made, REUSE_HINT, sharingMismatch, singleVariable } from "./single_variable.ts";
import { putPartitioned, type Store } from "./store.ts";
import type { PartitionedVariable, Variable } from "./variable.ts";

function sliceSpec(fullShape: FullShape, offset: FullShape, shape: FullShape): string {
  // TF1 SaveSliceInfo.spec: "<full dims> <offset,length>:<offset,length>…" (G5).
  return `${fullShape.join(" ")} ${offset.map((o, i) => `${o},${shape[i]}`).join(":")}`;
}

function sliceValues(
  values: readonly (number | boolean | string)[],
  full: FullShape,
  offset: FullShape,
  shape: FullShape,
): (number | boolean | string)[] {
  const out: (number | boolean | string)[] = [];
  const strides = full.map((_, i) => full.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = shape.map(() => 0);
  const total = numElements(shape);
  for (let n = 0; n < total; n++) {
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat += (idx[d]! + offset[d]!) * strides[d]!;
    out.push(values[flat]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

function samePartitions(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** @internal Gets or creates a partitioned variable (TF1 `_get_partitioned_variable`). */
export function partitionedVariable(
  store: Store,
  names: NameTable,
  start: Store["variables"],
  args: GetterArgs,
  creation: CreationPolicy,
): Made<PartitionedVariable> {
  const { name } = args;
  if (store.variables.has(name)) {
    return E.left(
      scopeError(
        "PartitionKindMismatch",
        `Cannot partition variable "${name}": a partitioner was provided, but an unpartitioned variable of that name exists`,
        { name },
      ),
    );
  }
  let shape: Shape | undefined = args.shape;
  const init = args.initializer;
  if (init !== null && init._tag === "Value") {
    if (shape !== undefined && !shapesCompatible(shape, init.shape)) {
      return E.left(
        scopeError(
          "ShapeMismatch",
          `Cannot create partitioned variable "${name}": shape ${
            formatShape(shape)
          } does not match the initializer's shape ${formatShape(init.shape)}`,
          { name, specified: shape, found: init.shape },
        ),
      );
    }
    shape = init.shape;
  }
  let partitions: readonly number[] | null = null;
  if (args.reuse !== true || args.partitioner !== null) {
    if (args.partitioner === null) {
      return E.left(
        scopeError("NotCallable", `Cannot create partitioned variable "${name}": no partitioner`, {
          name,
        }),
      );
    }
    const p = callPartitioner(args.partitioner, shape, args.dtype, name);
    if (E.isLeft(p)) return p;
    partitions = p.right;
  }
  const existing = store.partitioned.get(name);
  const decision = decideReuse(args.reuse, existing !== undefined);
  if (decision === "exists") {
    return E.left(
      scopeError(
        "VariableExists",
        `Cannot create partitioned variable "${name}": it already exists; ${REUSE_HINT}`,
        { name },
      ),
    );
  }
  if (decision === "take") {
    const found = existing!;
    const mismatch = sharingMismatch("reuse partitioned variable", name, shape, args.dtype, found);
    if (mismatch !== null) return E.left(mismatch);
    if (partitions !== null && !samePartitions(partitions, found.partitions)) {
      return E.left(
        scopeError(
          "PartitionMismatch",
          `Cannot reuse partitioned variable "${name}": specified partitions ${
            describeValue(partitions)
          } and found partitions ${describeValue(found.partitions)}`,
          { name, specified: partitions, found: found.partitions },
        ),
      );
    }
    return E.right({ value: found, store, names });
  }
  if (decision === "missing") {
    return E.left(
      scopeError(
        "VariableMissing",
        `Cannot reuse partitioned variable "${name}": it does not exist, or was not created with getVariable; set reuse to AUTO_REUSE to create it when missing`,
        { name },
      ),
    );
  }
  const full = shape as FullShape; // callPartitioner checked it is fully defined
  const slices = sliceShape(full, partitions!);
  const n = slices.length;
  if (store.variables.has(`${name}/part_0`)) {
    if (!store.variables.has(`${name}/part_${n - 1}`) || store.variables.has(`${name}/part_${n}`)) {
      return E.left(
        scopeError(
          "PartitionMismatch",
          `Cannot create partitioned variable "${name}": the partitioner returned ${n} shards, which differs from the shards "${name}/part_*" already stored`,
          { name, shards: n },
        ),
      );
    }
  }
  let s = store;
  let nm = names;
  let dtype = args.dtype;
  const parts: Variable[] = [];
  for (let i = 0; i < n; i++) {
    const { offset, shape: partShape } = slices[i]!;
    let partInit: Initializer | null = init;
    let partArgShape: Shape | undefined = partShape;
    if (init !== null && init._tag === "Value") {
      // TF1 G6: a value initializer is sliced to the shard.
      partInit = Object.freeze({
        ...init,
        values: Object.freeze(sliceValues(init.values, full, offset, partShape)),
        shape: partShape,
      });
      partArgShape = undefined;
      dtype = init.dtype ?? dtype;
    }
    const partName = `${name}/part_${i}`;
    const made = singleVariable(s, nm, start, {
      ...args,
      name: partName,
      shape: partArgShape,
      dtype,
      initializer: partInit,
    }, {
      partitionInfo: Object.freeze({ fullShape: full, varOffset: offset }),
      saveSliceInfo: Object.freeze({
        fullName: name,
        fullShape: full,
        varOffset: offset,
        varShape: partShape,
        spec: sliceSpec(full, offset, partShape),
      }),
    }, creation);
    if (E.isLeft(made)) return made;
    parts.push(made.right.value);
    s = made.right.store;
    nm = made.right.names;
  }
  const pv: PartitionedVariable = Object.freeze({
    _tag: "PartitionedVariable",
    name,
    fullName: name,
    shape: full,
    dtype,
    partitions: partitions!,
    parts: Object.freeze(parts),
    trainable: args.trainable,
  });
  return E.right({ value: pv, store: putPartitioned(s, pv), names: nm });
}
