/**
 * Graph collections (TF1 H1–H8): named, ordered lists of variables, losses
 * and anything else, kept in the store.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import type { Regularizer } from "../regularizers/regularizer.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { makeProgram, type Program } from "./program.ts";
import { isVariableScope, type VariableScope } from "./scope.ts";
import { addToCollections, requireStore, type Store } from "./store.ts";
import { throwInvalid } from "./_guard.ts";
import type { Variable } from "./variable.ts";

/**
 * TF1 `tf.GraphKeys` (H1).
 *
 * @example
 * ```ts
 * import { GraphKeys } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(GraphKeys.TRAINABLE_VARIABLES, "trainable_variables");
 * ```
 *
 * @category variables
 */
export const GraphKeys: {
  /** TF1 `GLOBAL_VARIABLES`. */
  readonly GLOBAL_VARIABLES: "variables";
  /** TF1 `TRAINABLE_VARIABLES`. */
  readonly TRAINABLE_VARIABLES: "trainable_variables";
  /** TF1 `LOCAL_VARIABLES`. */
  readonly LOCAL_VARIABLES: "local_variables";
  /** TF1 `MODEL_VARIABLES`. */
  readonly MODEL_VARIABLES: "model_variables";
  /** TF1 `REGULARIZATION_LOSSES`. */
  readonly REGULARIZATION_LOSSES: "regularization_losses";
  /** TF1 `UPDATE_OPS`. */
  readonly UPDATE_OPS: "update_ops";
} = Object.freeze({
  GLOBAL_VARIABLES: "variables",
  TRAINABLE_VARIABLES: "trainable_variables",
  LOCAL_VARIABLES: "local_variables",
  MODEL_VARIABLES: "model_variables",
  REGULARIZATION_LOSSES: "regularization_losses",
  UPDATE_OPS: "update_ops",
});

/**
 * A regularization loss recorded when a variable with a regularizer is
 * created (H7). `name` is the TF1 tensor name of the loss, e.g.
 * "foo/w/Regularizer/l2_regularizer:0"; the interpreter computes its value.
 *
 * @category variables
 */
export interface RegularizationLoss {
  /** Discriminant. */
  readonly _tag: "RegularizationLoss";
  /** TF1 tensor name of the loss. */
  readonly name: string;
  /** The variable it regularizes. */
  readonly variable: Variable;
  /** The regularizer that makes it. */
  readonly regularizer: Regularizer;
}

/** @internal TF1's scope filter of a collection: `re.match(scope, item.name)`. */
export function matcher(
  scope: string | undefined,
): Either<ScopeError, (item: unknown) => boolean> {
  if (scope === undefined || scope === "") return E.right(() => true);
  let re: RegExp;
  try {
    // TF1 uses `re.match(scope, item.name)`: a regular expression anchored
    // at the start of the name.
    re = new RegExp(`^(?:${scope})`);
  } catch {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid scope filter ${describeValue(scope)}: not a regular expression`,
        {
          argument: "scope",
          value: scope,
        },
      ),
    );
  }
  return E.right((item) => {
    const name = typeof item === "object" && item !== null
      ? (item as { name?: unknown }).name
      : undefined;
    return typeof name === "string" && re.test(name);
  });
}

/**
 * TF1 `tf.get_collection(key, scope)` (H6): the items of a collection in
 * insertion order; with `scope`, only items whose `name` matches it as a
 * regular expression at the start.
 *
 * @param store the store
 * @param key the collection key
 * @param scope optional filter (a regular expression, as in TF1)
 * @returns the items; throws a `ScopeError` for an invalid key or filter
 *
 * @example
 * ```ts
 * import { getCollection, getVariable, GraphKeys, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(scoped(function* () {
 *   yield* variableScope("foo", getVariable("a", { shape: [1] }));
 *   yield* variableScope("foo_", getVariable("b", { shape: [1] }));
 * }));
 * const names = (items: readonly unknown[]) => items.map((v) => (v as { name: string }).name);
 * assert.deepEqual(names(getCollection(store, GraphKeys.GLOBAL_VARIABLES)), ["foo/a:0", "foo_/b:0"]);
 * assert.deepEqual(names(getCollection(store, GraphKeys.GLOBAL_VARIABLES, "foo/")), ["foo/a:0"]);
 * ```
 *
 * @category variables
 */
export function getCollection(store: Store, key: string, scope?: string): readonly unknown[] {
  requireStore(store);
  if (typeof key !== "string") {
    throw scopeError(
      "InvalidArgument",
      `Invalid collection key ${describeValue(key)}: expected a string`,
      {
        argument: "key",
      },
    );
  }
  const match = matcher(scope);
  if (E.isLeft(match)) throw match.left;
  return store.collections.get(key).filter(match.right);
}

/**
 * TF1 `VariableScope.get_collection(key)`: the collection filtered to the
 * scope's own variables (`scope.name + "/"`; no filter at the root), so
 * "foo" does not match "foo_/…" (H6).
 *
 * @param store the store
 * @param scope the scope
 * @param key the collection key
 * @returns the items
 *
 * @example
 * ```ts
 * import { getScopeCollection, getVariable, getVariableScope, GraphKeys, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: scope, store } = runScopedOrThrow(variableScope("foo", scoped(function* () {
 *   yield* getVariable("a", { shape: [1] });
 *   return yield* getVariableScope();
 * })));
 * assert.equal(getScopeCollection(store, scope, GraphKeys.TRAINABLE_VARIABLES).length, 1);
 * ```
 *
 * @category variables
 */
export function getScopeCollection(
  store: Store,
  scope: VariableScope,
  key: string,
): readonly unknown[] {
  requireStore(store);
  if (!isVariableScope(scope)) throwInvalid("scope", "expected a VariableScope", scope);
  return getCollection(store, key, scope.name === "" ? undefined : `${scope.name}/`);
}

function variablesIn(store: Store, key: string, scope?: string): readonly Variable[] {
  return getCollection(store, key, scope) as readonly Variable[];
}

/**
 * TF1 `tf.global_variables(scope)`.
 *
 * @param store the store
 * @param scope optional filter
 * @returns the global variables
 *
 * @example
 * ```ts
 * import { getLocalVariable, getVariable, globalVariables, runScopedOrThrow, scoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(scoped(function* () {
 *   yield* getVariable("g", { shape: [1] });
 *   yield* getLocalVariable("l", { shape: [1] });
 * }));
 * assert.deepEqual(globalVariables(store).map((v) => v.name), ["g:0"]);
 * ```
 *
 * @category variables
 */
export function globalVariables(store: Store, scope?: string): readonly Variable[] {
  return variablesIn(store, GraphKeys.GLOBAL_VARIABLES, scope);
}

/**
 * TF1 `tf.trainable_variables(scope)`.
 *
 * @param store the store
 * @param scope optional filter
 * @returns the trainable variables
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, scoped, trainableVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(scoped(function* () {
 *   yield* getVariable("t", { shape: [1] });
 *   yield* getVariable("n", { shape: [1], trainable: false });
 * }));
 * assert.deepEqual(trainableVariables(store).map((v) => v.name), ["t:0"]);
 * ```
 *
 * @category variables
 */
export function trainableVariables(store: Store, scope?: string): readonly Variable[] {
  return variablesIn(store, GraphKeys.TRAINABLE_VARIABLES, scope);
}

/**
 * TF1 `tf.local_variables(scope)`.
 *
 * @param store the store
 * @param scope optional filter
 * @returns the local variables
 *
 * @example
 * ```ts
 * import { getLocalVariable, localVariables, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(getLocalVariable("l", { shape: [1] }));
 * assert.deepEqual(localVariables(store).map((v) => v.name), ["l:0"]);
 * ```
 *
 * @category variables
 */
export function localVariables(store: Store, scope?: string): readonly Variable[] {
  return variablesIn(store, GraphKeys.LOCAL_VARIABLES, scope);
}

/**
 * TF1 `tf.losses.get_regularization_losses(scope)`: the losses recorded in
 * `regularization_losses`.
 *
 * @param store the store
 * @param scope optional filter
 * @returns the losses
 *
 * @example
 * ```ts
 * import { getVariable, l2Regularizer, regularizationLosses, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(variableScope("foo", getVariable("w", { shape: [2], regularizer: l2Regularizer(0.1) })));
 * assert.deepEqual(regularizationLosses(store).map((l) => l.name), ["foo/w/Regularizer/l2_regularizer:0"]);
 * ```
 *
 * @category variables
 */
export function regularizationLosses(store: Store, scope?: string): readonly RegularizationLoss[] {
  return getCollection(
    store,
    GraphKeys.REGULARIZATION_LOSSES,
    scope,
  ) as readonly RegularizationLoss[];
}

// More keys than any real call passes; bounds the check's work.
const MAX_KEYS = 1 << 16;

/**
 * TF1 `tf.add_to_collection(key, value)` (and `add_to_collections` for
 * several keys) as a program.
 *
 * @param keys one key or several
 * @param item the item
 * @returns the program
 *
 * @example
 * ```ts
 * import { addToCollection, getCollection, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(addToCollection("my_things", { name: "thing" }));
 * assert.deepEqual(getCollection(store, "my_things"), [{ name: "thing" }]);
 * ```
 *
 * @category variables
 */
export function addToCollection(keys: string | readonly string[], item: unknown): Program<void> {
  // Not recorded: a replay reproduces the state it makes (the recorded
  // steps around it hand back the recorded states).
  return makeProgram((_env, state) => {
    const list = typeof keys === "string" ? [keys] : keys;
    if (
      !Array.isArray(list) || list.length > MAX_KEYS || list.some((k) => typeof k !== "string")
    ) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid collection keys ${describeValue(keys)}: expected strings`,
          {
            argument: "keys",
          },
        ),
      );
    }
    return E.right({
      value: undefined,
      state: { ...state, store: addToCollections(state.store, list, item) },
    });
  });
}
