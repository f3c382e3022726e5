/**
 * Per-run counters of how often each variable scope was opened, used to
 * uniquify default names (TF1 B1–B6). Kept as a persistent trie over the
 * "/"-separated scope path, so that "reset every count under N/" (B5) and
 * "restore a snapshot" (B6) cost O(depth), not O(number of scopes).
 *
 * @module
 */
import { PersistentMap } from "./persistent_map.ts";

/**
 * An immutable table of scope-open counts.
 *
 * @category models
 */
export interface ScopeCounts {
  /** How often this scope was opened. */
  readonly count: number;
  /** Counts of the sub-scopes, by next path component. */
  readonly children: PersistentMap<string, ScopeCounts>;
}

const EMPTY: ScopeCounts = Object.freeze({
  count: 0,
  children: PersistentMap.empty<string, ScopeCounts>(),
});

/**
 * The empty table (every count 0).
 *
 * @returns the empty table
 *
 * @example
 * ```ts
 * import { countOf, emptyScopeCounts } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(countOf(emptyScopeCounts(), "foo"), 0);
 * ```
 *
 * @category models
 */
export function emptyScopeCounts(): ScopeCounts {
  return EMPTY;
}

function path(name: string): readonly string[] {
  return name === "" ? [] : name.split("/");
}

/**
 * How many times the scope `name` has been opened (TF1
 * `variable_scope_count`).
 *
 * @param counts the table
 * @param name a full scope name
 * @returns the count
 *
 * @example
 * ```ts
 * import { countOf, emptyScopeCounts, openScope } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(countOf(openScope(emptyScopeCounts(), "a/b"), "a/b"), 1);
 * ```
 *
 * @category models
 */
export function countOf(counts: ScopeCounts, name: string): number {
  let node: ScopeCounts | undefined = counts;
  for (const part of path(name)) {
    node = node.children.get(part);
    if (node === undefined) return 0;
  }
  return node.count;
}

function update(
  node: ScopeCounts,
  parts: readonly string[],
  at: number,
  f: (n: ScopeCounts) => ScopeCounts,
): ScopeCounts {
  if (at === parts.length) return f(node);
  const key = parts[at]!;
  const child = node.children.get(key) ?? EMPTY;
  return { count: node.count, children: node.children.set(key, update(child, parts, at + 1, f)) };
}

/**
 * Records one more opening of scope `name` (TF1 `open_variable_scope`).
 *
 * @param counts the table
 * @param name a full scope name
 * @returns the new table
 *
 * @example
 * ```ts
 * import { countOf, emptyScopeCounts, openScope } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * const c = openScope(openScope(emptyScopeCounts(), "x"), "x");
 * assert.equal(countOf(c, "x"), 2);
 * ```
 *
 * @category models
 */
export function openScope(counts: ScopeCounts, name: string): ScopeCounts {
  return update(counts, path(name), 0, (n) => ({ count: n.count + 1, children: n.children }));
}

/**
 * Resets every count strictly under `name` to 0, keeping `name`'s own (TF1
 * `close_variable_subscopes`, B5).
 *
 * @param counts the table
 * @param name a full scope name
 * @returns the new table
 *
 * @example
 * ```ts
 * import { closeSubscopes, countOf, emptyScopeCounts, openScope } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * const c = closeSubscopes(openScope(openScope(emptyScopeCounts(), "a"), "a/b"), "a");
 * assert.equal(countOf(c, "a"), 1);
 * assert.equal(countOf(c, "a/b"), 0);
 * ```
 *
 * @category models
 */
export function closeSubscopes(counts: ScopeCounts, name: string): ScopeCounts {
  return update(
    counts,
    path(name),
    0,
    (
      n,
    ) => (n.children.size === 0
      ? n
      : { count: n.count, children: PersistentMap.empty<string, ScopeCounts>() }),
  );
}

/**
 * Picks a unique default scope name under `parent` (TF1
 * `_get_unique_variable_scope`, B1): `prefix` if never opened, else the
 * first `prefix_k` (k = 1, 2, …) never opened.
 *
 * @param counts the table
 * @param parent the current scope's full name
 * @param prefix the default name
 * @returns the chosen relative name
 *
 * @example
 * ```ts
 * import { emptyScopeCounts, openScope, uniqueScopeName } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * const c = openScope(emptyScopeCounts(), "foo/bar");
 * assert.equal(uniqueScopeName(c, "foo", "bar"), "bar_1");
 * ```
 *
 * @category models
 */
export function uniqueScopeName(counts: ScopeCounts, parent: string, prefix: string): string {
  const full = parent === "" ? prefix : `${parent}/${prefix}`;
  if (countOf(counts, full) === 0) return prefix;
  let k = 1;
  while (countOf(counts, `${full}_${k}`) > 0) k++;
  return `${prefix}_${k}`;
}
