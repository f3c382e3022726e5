/**
 * Snapshots of a store's contents and the two ways the laws compare
 * stores: IDENTICAL (the same objects: "nothing changed") and EQUIVALENT
 * (deeply equal: "the same result").
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { PartitionedVariable, Store, TemplateState, Variable } from "../../mod.ts";

/**
 * Everything a store holds, as plain arrays in store order: what
 * {@linkcode snapshotStore} returns and the store laws compare.
 *
 * @example
 * ```ts
 * import { snapshotStore, type StoreSnapshot } from "varscope/testing";
 * import { emptyStore } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const s: StoreSnapshot = snapshotStore(emptyStore());
 * assert.deepEqual(s.variables, []);
 * ```
 *
 * @category laws
 */
export interface StoreSnapshot {
  /** `[fullName, variable]` in creation order. */
  readonly variables: readonly (readonly [string, Variable])[];
  /** `[fullName, partitioned variable]` in creation order. */
  readonly partitioned: readonly (readonly [string, PartitionedVariable])[];
  /** `[key, items]` per collection, keys sorted, items in insertion order. */
  readonly collections: readonly (readonly [string, readonly unknown[]])[];
  /** `[id, state]` per template, ids sorted. */
  readonly templates: readonly (readonly [number, TemplateState])[];
  /** The next template id. */
  readonly nextTemplateId: number;
}

/**
 * Takes a snapshot of a store's contents (variables, partitioned
 * variables, collections, templates, flags).
 *
 * @param store the store
 * @returns the snapshot
 *
 * @example
 * ```ts
 * import { snapshotStore } from "varscope/testing";
 * import { getVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(getVariable("v", { shape: [1] }));
 * const s = snapshotStore(store);
 * assert.deepEqual(s.variables.map(([name]) => name), ["v"]);
 * assert.deepEqual(s.collections.map(([key]) => key), ["trainable_variables", "variables"]);
 * ```
 *
 * @category laws
 */
export function snapshotStore(store: Store): StoreSnapshot {
  return {
    variables: Array.from(store.variables.entries()),
    partitioned: Array.from(store.partitioned.entries()),
    collections: Array.from(store.collections.entries())
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    templates: Array.from(store.templates.entries()).sort(([a], [b]) => a - b),
    nextTemplateId: store.nextTemplateId,
  };
}

function identical(a: unknown, b: unknown): boolean {
  return a === b;
}

// Same length and `same` elements at every position (default `===`).
function sameElements<T>(
  a: readonly T[],
  b: readonly T[],
  same: (x: T, y: T) => boolean = identical,
): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

// Same keys (`===`) in the same order, with `sameValue` values (default `===`).
function sameEntries<K, V>(
  a: readonly (readonly [K, V])[],
  b: readonly (readonly [K, V])[],
  sameValue: (x: V, y: V) => boolean = identical,
): boolean {
  return sameElements(a, b, ([k, v], [l, w]) => k === l && sameValue(v, w));
}

function toSnapshot(s: Store | StoreSnapshot): StoreSnapshot {
  return "_tag" in s ? snapshotStore(s) : s;
}

/**
 * Whether two stores (or snapshots) hold the IDENTICAL entries: the same
 * names in the same order mapped to the same (`===`) variables, the same
 * collection items, templates and flags. This is "nothing changed".
 *
 * @param a a store or snapshot
 * @param b a store or snapshot
 * @returns true when identical
 *
 * @example
 * ```ts
 * import { storesIdentical } from "varscope/testing";
 * import { emptyStore, getVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = getVariable("v", { shape: [1] });
 * assert.equal(storesIdentical(emptyStore(), emptyStore()), true);
 * // two runs make equal but distinct variables
 * assert.equal(storesIdentical(runScopedOrThrow(p).store, runScopedOrThrow(p).store), false);
 * ```
 *
 * @category laws
 */
export function storesIdentical(a: Store | StoreSnapshot, b: Store | StoreSnapshot): boolean {
  const x = toSnapshot(a);
  const y = toSnapshot(b);
  return sameEntries(x.variables, y.variables) &&
    sameEntries(x.partitioned, y.partitioned) &&
    sameEntries(x.collections, y.collections, sameElements) &&
    sameEntries(x.templates, y.templates) &&
    x.nextTemplateId === y.nextTemplateId;
}

/**
 * Whether two stores (or snapshots) hold structurally equal contents
 * (deep equality, in store order). Two runs of the same program on the
 * same store give equivalent stores.
 *
 * @param a a store or snapshot
 * @param b a store or snapshot
 * @returns true when equivalent
 *
 * @example
 * ```ts
 * import { storesEquivalent } from "varscope/testing";
 * import { getVariable, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = getVariable("v", { shape: [1] });
 * assert.equal(storesEquivalent(runScopedOrThrow(p).store, runScopedOrThrow(p).store), true);
 * ```
 *
 * @category laws
 */
export function storesEquivalent(a: Store | StoreSnapshot, b: Store | StoreSnapshot): boolean {
  return isDeepStrictEqual(toSnapshot(a), toSnapshot(b));
}
