/**
 * The store-level getter (TF1 `_VariableStore.get_variable`'s
 * `_true_getter`): dispatches to single or partitioned variables (G1, G8,
 * G10) and holds the fast path for reuse.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { CheckedArgs, type GetterArgs } from "./custom_getter.ts";
import type { DType } from "./dtype.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { partitionedVariable } from "./partitioned_variable.ts";
import type { RunState, Step } from "./program.ts";
import { type Shape, shapesCompatible } from "./shape.ts";
import { type Made, singleVariable } from "./single_variable.ts";
import type { Store } from "./store.ts";
import type { CreationPolicy } from "./creation_policy.ts";
import { AUTO_REUSE, decideReuse } from "./reuse.ts";
import type { Variable, VariableLike } from "./variable.ts";

/**
 * The common case of a reusing `getVariable`, without building getter
 * arguments: the stored variable when there is no partitioned variable in
 * the store, reuse is on, and shape and dtype are compatible. Anything else
 * (creation, errors, partitions) returns undefined and takes the full path.
 *
 * @internal
 */
export function reusedVariable(
  store: Store,
  parts: readonly [string, string],
  shape: Shape | undefined,
  dtype: DType,
  reuse: GetterArgs["reuse"],
): Variable | undefined {
  if (store.partZeroCount > 0) return undefined;
  const found = store.variables.getParts(parts[0], parts[1]);
  if (
    decideReuse(reuse, found !== undefined) !== "take" || found!.dtype !== dtype ||
    !shapesCompatible(shape, found!.shape)
  ) {
    return undefined;
  }
  return found;
}

/**
 * The innermost getter, on arguments already checked: gets or creates the
 * variable named `args.name` in the store, as TF1's `_true_getter`.
 *
 * @internal
 */
export function runTrueGetter(
  given: GetterArgs,
  state: RunState,
  creation: CreationPolicy,
): Either<ScopeError, Step<VariableLike>> {
  let args = given;
  const { store, names } = state;
  if (creation._tag === "OwnedByObject") {
    // TF1 Q7, Q2: the shim refuses partitioners and never raises "already exists".
    if (args.partitioner !== null) {
      return E.left(
        scopeError(
          "PartitionerUnsupported",
          `Cannot get variable "${args.name}": \`partitioner\` arg for \`get_variable\` is unsupported in TF2 (objects that own their variables do not partition them)`,
          { name: args.name },
        ),
      );
    }
    if (args.reuse !== true && args.reuse !== AUTO_REUSE) args = withAutoReuse(args);
  }
  const isScalar = args.shape !== undefined && args.shape.length === 0;
  let made: Made<VariableLike>;
  if (args.partitioner !== null && !isScalar) {
    if (typeof args.partitioner !== "function") {
      return E.left(
        scopeError(
          "NotCallable",
          `Cannot get variable "${args.name}": the partitioner must be a function, got ${
            describeValue(args.partitioner)
          }`,
          { name: args.name },
        ),
      );
    }
    made = partitionedVariable(store, names, state.startVariables, args, creation);
  } else if (args.reuse === true && args.partitioner === null && store.partitioned.has(args.name)) {
    // TF1 G8: reuse=True without a partitioner returns the stored one.
    made = partitionedVariable(store, names, state.startVariables, args, creation);
  } else if (store.partZeroCount > 0 && store.variables.has(`${args.name}/part_0`)) {
    return E.left(
      scopeError(
        "PartitionKindMismatch",
        `Cannot get variable "${args.name}": no partitioner was provided, but a partitioned version was found: "${args.name}/part_0"`,
        { name: args.name },
      ),
    );
  } else {
    made = singleVariable(store, names, state.startVariables, args, null, creation);
  }
  if (E.isLeft(made)) return made;
  const next = made.right;
  // Reusing changes nothing: keep the state object as it is.
  if (next.store === store && next.names === names) return E.right({ value: next.value, state });
  return E.right({ value: next.value, state: { ...state, store: next.store, names: next.names } });
}

function withAutoReuse(args: GetterArgs): GetterArgs {
  return new CheckedArgs({
    name: args.name,
    shape: args.shape,
    dtype: args.dtype,
    initializer: args.initializer,
    regularizer: args.regularizer,
    reuse: AUTO_REUSE,
    trainable: args.trainable,
    collections: args.collections,
    cachingDevice: args.cachingDevice,
    partitioner: args.partitioner,
    validateShape: args.validateShape,
    useResource: args.useResource,
    constraint: args.constraint,
    synchronization: args.synchronization,
    aggregation: args.aggregation,
  });
}
