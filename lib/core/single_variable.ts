/**
 * Getting or creating one (unpartitioned) variable in the store, with TF1's
 * checks (C4, D1–D8, E8, H2, H7).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import {
  glorotUniformInitializer,
  type Initializer,
  type PartitionInfo,
  zerosInitializer,
} from "../initializers/initializer.ts";
import { toValue } from "../initializers/value.ts";
import { addsLoss, regularizerOpName } from "../regularizers/regularizer.ts";
import { GraphKeys, type RegularizationLoss } from "./collections.ts";
import { CheckedArgs, type GetterArgs } from "./custom_getter.ts";
import { type DType, isFloatingDType, isIntegerDType } from "./dtype.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { splitName } from "./name_map.ts";
import { variableOpTaken } from "./name_scope.ts";
import { hasUpperCase, holds, mayHold, type NameTable, uniqueName } from "./name_table.ts";
import {
  formatShape,
  type FullShape,
  isFullyDefined,
  numElements,
  type Shape,
  shapesCompatible,
} from "./shape.ts";
import { addToCollections, putVariable, type Store } from "./store.ts";
import type { SaveSliceInfo, Variable } from "./variable.ts";
import type { CreationPolicy } from "./creation_policy.ts";
import { decideReuse } from "./reuse.ts";

/** @internal A result with the store and op-name table after it. */
export type Made<A> = Either<
  ScopeError,
  { readonly value: A; readonly store: Store; readonly names: NameTable }
>;

/** @internal The hint TF1 gives on accidental sharing. */
export const REUSE_HINT = "set reuse to true or AUTO_REUSE in the variable scope to share it";

// Shared: every variable without an initializer records the same descriptor.
const DEFAULT_FLOAT_INITIALIZER: Initializer = Object.freeze(glorotUniformInitializer());
const DEFAULT_OTHER_INITIALIZER: Initializer = Object.freeze(zerosInitializer());

function defaultInitializer(name: string, dtype: DType): Either<ScopeError, Initializer> {
  // TF1 E8: glorot uniform for floats, zeros for integers, bool and string.
  if (isFloatingDType(dtype)) return E.right(DEFAULT_FLOAT_INITIALIZER);
  if (isIntegerDType(dtype) || dtype === "bool" || dtype === "string") {
    return E.right(DEFAULT_OTHER_INITIALIZER);
  }
  return E.left(
    scopeError(
      "InvalidInitializer",
      `Cannot create variable "${name}": an initializer for dtype ${dtype} is required`,
      {
        name,
        dtype,
      },
    ),
  );
}

function scalarCount(value: unknown): number {
  return Array.isArray(value) ? value.reduce((n: number, x: unknown) => n + scalarCount(x), 0) : 1;
}

function checkConstant(
  name: string,
  init: Initializer,
  shape: FullShape,
): Either<ScopeError, Initializer> {
  if (init._tag !== "Constant") return E.right(init);
  const count = scalarCount(init.value);
  const size = numElements(shape);
  const v = toValue(init.value, "initializer");
  if (E.isLeft(v)) return v;
  const exact = v.right.shape.length === shape.length &&
    v.right.shape.every((d, i) => d === shape[i]);
  if (init.verifyShape ? !exact : count > size) {
    return E.left(
      scopeError(
        "InvalidInitializer",
        `Cannot create variable "${name}": the constant initializer has ${count} elements of shape ${
          formatShape(v.right.shape)
        }, which ${init.verifyShape ? "is not" : "do not fit in"} the variable's shape ${
          formatShape(shape)
        }`,
        { name, shape, valueShape: v.right.shape },
      ),
    );
  }
  return E.right(init);
}

// The two collection lists nearly every variable has, shared (H2).
const TRAINABLE_GLOBAL: readonly string[] = Object.freeze([
  GraphKeys.GLOBAL_VARIABLES,
  GraphKeys.TRAINABLE_VARIABLES,
]);
const GLOBAL_ONLY: readonly string[] = Object.freeze([GraphKeys.GLOBAL_VARIABLES]);

// TF1 H2: the given collections (default: global), plus trainable_variables
// for a trainable variable, each key once.
function variableCollections(
  given: readonly string[] | null,
  trainable: boolean,
): readonly string[] {
  if (given === null) return trainable ? TRAINABLE_GLOBAL : GLOBAL_ONLY;
  const keys = [...new Set(given)];
  if (trainable && !keys.includes(GraphKeys.TRAINABLE_VARIABLES)) {
    keys.push(GraphKeys.TRAINABLE_VARIABLES);
  }
  return Object.freeze(keys);
}

/** @internal TF1 D1–D3, G8: sharing needs a compatible shape and the same dtype. */
export function sharingMismatch(
  action: string,
  name: string,
  shape: Shape | undefined,
  dtype: DType,
  found: { readonly shape: FullShape; readonly dtype: DType },
): ScopeError | null {
  if (!shapesCompatible(shape, found.shape)) {
    return scopeError(
      "ShapeMismatch",
      `Cannot ${action} "${name}": specified shape ${formatShape(shape)} and found shape ${
        formatShape(found.shape)
      }`,
      { name, specified: shape, found: found.shape },
    );
  }
  if (dtype !== found.dtype) {
    return scopeError(
      "DTypeMismatch",
      `Cannot ${action} "${name}": specified dtype ${dtype} and found dtype ${found.dtype}`,
      { name, specified: dtype, found: found.dtype },
    );
  }
  return null;
}

/** @internal Where a shard sits, for its initializer and checkpoint slice. */
export interface ShardInfo {
  readonly partitionInfo: PartitionInfo;
  readonly saveSliceInfo: SaveSliceInfo;
}

/** @internal Gets or creates one variable (TF1 `_get_single_variable`). */
export function singleVariable(
  store: Store,
  names: NameTable,
  start: Store["variables"],
  args: GetterArgs,
  shard: ShardInfo | null,
  creation: CreationPolicy,
): Made<Variable> {
  const { name } = args;
  let init = args.initializer;
  const fromValue = init !== null && init._tag === "Value";
  // TF1 D6: checked before the lookup, so it fires on reuse too.
  if (args.shape !== undefined && fromValue) {
    return E.left(
      scopeError(
        "InvalidInitializer",
        `Cannot get variable "${name}": the initializer is a constant value, so do not specify a shape`,
        { name, shape: args.shape },
      ),
    );
  }
  const parts = args instanceof CheckedArgs ? args.nameParts() : splitName(name);
  const found = store.variables.getParts(parts[0], parts[1]);
  const decision = decideReuse(args.reuse, found !== undefined);
  if (decision === "exists") {
    return E.left(
      scopeError(
        "VariableExists",
        `Cannot create variable "${name}": it already exists; ${REUSE_HINT}`,
        { name },
      ),
    );
  }
  if (decision === "take") {
    const mismatch = sharingMismatch("share variable", name, args.shape, args.dtype, found!);
    if (mismatch !== null) return E.left(mismatch);
    return E.right({ value: found!, store, names });
  }
  if (decision === "missing") {
    return E.left(
      scopeError(
        "VariableMissing",
        `Cannot reuse variable "${name}": it does not exist, or was not created with getVariable; set reuse to AUTO_REUSE in the variable scope to create it when missing`,
        { name },
      ),
    );
  }
  if (creation._tag === "ReuseOnly") {
    // An apply run: "creating" takes the variable the creating run made,
    // so this run meets exactly the sharing checks that one met.
    const made = creation.source.variables.getParts(parts[0], parts[1]);
    if (made === undefined) {
      return E.left(
        scopeError(
          "CreationRefused",
          `Cannot create variable "${name}": init did not create it, and this run may only use the variables that its source store (the one init made) holds`,
          { name },
        ),
      );
    }
    const mismatch = sharingMismatch("use variable", name, args.shape, args.dtype, made);
    if (mismatch !== null) return E.left(mismatch);
    return addCreated(store, names, start, made, args.regularizer, parts);
  }
  let dtype = args.dtype;
  let shape: FullShape;
  if (init === null) {
    const d = defaultInitializer(name, dtype);
    if (E.isLeft(d)) return d;
    init = d.right;
  }
  if (init._tag === "Value") {
    shape = init.shape;
    dtype = init.dtype ?? dtype;
  } else if (args.shape !== undefined && isFullyDefined(args.shape)) {
    shape = args.shape;
    const c = checkConstant(name, init, shape);
    if (E.isLeft(c)) return c;
  } else if (init._tag === "Custom" && init.fn.length === 0) {
    // TF1 D5(b): a callable whose parameters all have defaults is called with
    // no arguments and gives the value (and so the shape).
    let raw: unknown;
    try {
      raw = (init.fn as () => unknown)();
    } catch (cause) {
      return E.left(
        scopeError(
          "InvalidInitializer",
          `Cannot create variable "${name}": the initializer threw: ${
            cause instanceof Error ? cause.message : describeValue(cause)
          }`,
          { name },
        ),
      );
    }
    const v = toValue(raw, "initializer");
    if (E.isLeft(v)) return v;
    init = v.right;
    shape = v.right.shape;
    dtype = v.right.dtype ?? dtype;
  } else {
    return E.left(
      scopeError(
        "InvalidInitializer",
        `Cannot create variable "${name}": its shape ${
          formatShape(args.shape)
        } is not fully defined and the initializer does not supply one; give a fully defined shape, or a constant value or no-argument function as initializer without a shape`,
        { name, shape: args.shape },
      ),
    );
  }
  const collections = variableCollections(args.collections, args.trainable);
  const variable: Variable = Object.freeze({
    _tag: "Variable",
    name: `${name}:0`,
    fullName: name,
    shape: Object.isFrozen(shape) ? shape : Object.freeze(shape.slice()),
    dtype,
    trainable: args.trainable,
    initializer: init,
    regularizer: args.regularizer,
    constraint: args.constraint,
    collections,
    cachingDevice: args.cachingDevice,
    validateShape: args.validateShape,
    useResource: args.useResource ?? false,
    synchronization: args.synchronization,
    aggregation: args.aggregation,
    saveSliceInfo: shard?.saveSliceInfo ?? null,
  });
  return addCreated(store, names, start, variable, args.regularizer, parts);
}

function addCreated(
  store: Store,
  names: NameTable,
  start: Store["variables"],
  variable: Variable,
  regularizer: GetterArgs["regularizer"],
  parts: readonly [string, string],
): Made<Variable> {
  const name = variable.fullName;
  let next = putVariable(store, variable, variable.collections, parts);
  // TF1 marks the variable's op name used. A lower-case name not yet in the
  // table is found through the store (variableOpTaken), which keeps the table
  // small; anything else is marked now, exactly as TF1 does.
  const clash = hasUpperCase(parts[0]) || hasUpperCase(parts[1]) ||
    (mayHold(names, parts[1]) && holds(names, name));
  let nextNames = clash ? uniqueName(names, name, variableOpTaken(store, start))[1] : names;
  if (regularizer !== null && addsLoss(regularizer)) {
    // TF1 H7: the loss op lives under the absolute name scope "<name>/Regularizer/".
    const [lossName, n2] = uniqueName(
      nextNames,
      `${name}/Regularizer/${regularizerOpName(regularizer)}`,
      variableOpTaken(next, start),
    );
    nextNames = n2;
    const loss: RegularizationLoss = Object.freeze({
      _tag: "RegularizationLoss",
      name: `${lossName}:0`,
      variable,
      regularizer,
    });
    next = addToCollections(next, [GraphKeys.REGULARIZATION_LOSSES], loss);
  }
  return E.right({ value: variable, store: next, names: nextNames });
}
