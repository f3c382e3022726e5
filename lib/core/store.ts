/**
 * The variable store: an immutable value holding every variable by full
 * name, the partitioned variables, the collections and template state.
 * Operations return a new store; the old one is never changed.
 *
 * @module
 */
import { NameMap } from "./name_map.ts";
import { throwInvalid } from "./_guard.ts";
import { PersistentMap } from "./persistent_map.ts";
import { PersistentMultiList } from "./persistent_multi_list.ts";
import type { VariableScope } from "./scope.ts";
import type { PartitionedVariable, Variable } from "./variable.ts";

/**
 * What the store remembers of a template between calls (TF1 M2–M7).
 *
 * @category models
 */
export interface TemplateState {
  /** The captured scope, once known. */
  readonly scope: VariableScope | null;
  /** Whether a first call has succeeded. */
  readonly created: boolean;
}

/**
 * The variable store (TF1 `_VariableStore` plus the graph collections).
 * Its maps and lists are persistent and O(1) to extend from the newest
 * version ({@linkcode PersistentMap}), so growing a store never copies it.
 *
 * @category models
 */
export interface Store {
  /** Discriminant. */
  readonly _tag: "Store";
  /** Single variables (shards included) by full name, in creation order. */
  readonly variables: NameMap<Variable>;
  /** Partitioned variables by full name, in creation order. */
  readonly partitioned: PersistentMap<string, PartitionedVariable>;
  /** Collections by key, items in insertion order (H5). */
  readonly collections: PersistentMultiList<string, unknown>;
  /** Template state by template id. */
  readonly templates: PersistentMap<number, TemplateState>;
  /** Next template id to hand out. */
  readonly nextTemplateId: number;
  /**
   * How many stored variables are named `…/part_0`; while 0, the TF1 G10
   * check for a partitioned version of a name can be skipped.
   */
  readonly partZeroCount: number;
}

/**
 * The empty store.
 *
 * @returns a store with no variables
 *
 * @example
 * ```ts
 * import { emptyStore, listVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(listVariables(emptyStore()), []);
 * ```
 *
 * @category models
 */
export function emptyStore(): Store {
  return Object.freeze({
    _tag: "Store",
    variables: NameMap.empty<Variable>(),
    partitioned: PersistentMap.empty<string, PartitionedVariable>(),
    collections: PersistentMultiList.empty<string, unknown>(),
    templates: PersistentMap.empty<number, TemplateState>(),
    nextTemplateId: 0,
    partZeroCount: 0,
  });
}

/**
 * Whether a value is a store.
 *
 * @param value any value
 * @returns true for store values
 *
 * @example
 * ```ts
 * import { emptyStore, isStore } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isStore(emptyStore()), true);
 * assert.equal(isStore({}), false);
 * ```
 *
 * @category models
 */
export function isStore(value: unknown): value is Store {
  if (typeof value !== "object" || value === null) return false;
  try {
    return (value as { _tag?: unknown })._tag === "Store" &&
      (value as { variables?: unknown }).variables instanceof NameMap;
  } catch {
    return false; // a throwing getter or proxy trap: not a store
  }
}

/**
 * Throws a typed `InvalidArgument` error unless `value` is a store (for the
 * store queries, which return values rather than `Either`s).
 *
 * @internal
 */
export function requireStore(value: unknown, argument = "store"): asserts value is Store {
  if (!isStore(value)) throwInvalid(argument, "expected a Store", value);
}

/**
 * Looks a variable up by full name (shards by `name/part_k`).
 *
 * @param store the store
 * @param fullName the variable's full name, without ":0"
 * @returns the variable, or undefined
 *
 * @example
 * ```ts
 * import { findVariable, getVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(variableScope("foo", getVariable("v", { shape: [1] })));
 * assert.equal(findVariable(store, "foo/v")?.name, "foo/v:0");
 * ```
 *
 * @category models
 */
export function findVariable(store: Store, fullName: string): Variable | undefined {
  requireStore(store);
  return store.variables.get(fullName);
}

/**
 * Looks a partitioned variable up by full name.
 *
 * @param store the store
 * @param fullName the partitioned variable's full name
 * @returns the partitioned variable, or undefined
 *
 * @example
 * ```ts
 * import { findPartitionedVariable, fixedSizePartitioner, getVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(getVariable("e", { shape: [4, 2], partitioner: fixedSizePartitioner(2) }));
 * assert.equal(findPartitionedVariable(store, "e")?.parts.length, 2);
 * ```
 *
 * @category models
 */
export function findPartitionedVariable(
  store: Store,
  fullName: string,
): PartitionedVariable | undefined {
  requireStore(store);
  return store.partitioned.get(fullName);
}

/**
 * Every single variable (shards included), in creation order.
 *
 * @param store the store
 * @returns the variables
 *
 * @example
 * ```ts
 * import { getVariable, listVariables, runScopedOrThrow, scoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(scoped(function* () {
 *   yield* getVariable("b", { shape: [1] });
 *   yield* getVariable("a", { shape: [1] });
 * }));
 * assert.deepEqual(listVariables(store).map((v) => v.name), ["b:0", "a:0"]);
 * ```
 *
 * @category models
 */
export function listVariables(store: Store): readonly Variable[] {
  requireStore(store);
  // A fresh array per call: sorting or changing it changes no store.
  return Array.from(store.variables.values());
}

/**
 * Every partitioned variable, in creation order.
 *
 * @param store the store
 * @returns the partitioned variables
 *
 * @example
 * ```ts
 * import { emptyStore, listPartitionedVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(listPartitionedVariables(emptyStore()), []);
 * ```
 *
 * @category models
 */
export function listPartitionedVariables(store: Store): readonly PartitionedVariable[] {
  requireStore(store);
  return Array.from(store.partitioned.values());
}

/**
 * Adds a single variable under its full name and appends it to its
 * collections (keys given once each).
 *
 * @internal
 */
export function putVariable(
  store: Store,
  v: Variable,
  collections: readonly string[],
  parts: readonly [string, string],
): Store {
  requireStore(store);
  return Object.freeze({
    ...store,
    variables: store.variables.addParts(parts[0], parts[1], v.fullName, v),
    collections: appendTo(store.collections, collections, v),
    partZeroCount: v.fullName.endsWith("/part_0") ? store.partZeroCount + 1 : store.partZeroCount,
  });
}

/** @internal Adds a partitioned variable under its full name. */
export function putPartitioned(store: Store, v: PartitionedVariable): Store {
  requireStore(store);
  return Object.freeze({ ...store, partitioned: store.partitioned.set(v.fullName, v) });
}

/** @internal Appends an item to each of the given collections. */
export function addToCollections(store: Store, keys: readonly string[], item: unknown): Store {
  requireStore(store);
  return Object.freeze({
    ...store,
    collections: appendTo(store.collections, [...new Set(keys)], item),
  });
}

function appendTo(
  collections: Store["collections"],
  distinctKeys: readonly string[],
  item: unknown,
): Store["collections"] {
  let next = collections;
  for (const key of distinctKeys) {
    next = next.push(key, item);
  }
  return next;
}
