/**
 * Per-run counters of how often each variable scope was opened, used to
 * uniquify default names (TF1 B1–B6). Kept as a persistent trie over the
 * "/"-separated scope path, so that "reset every count under N/" (B5) and
 * "restore a snapshot" (B6) cost O(depth), not O(number of scopes).
 *
 * @module
 */
import { throwInvalid } from "./_guard.ts";
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
  /**
   * Per default name D, a k such that the sub-scopes D_1 … D_(k-1) are all
   * known to be opened: where the search for the next unique D_k starts,
   * which keeps default-name uniquification linear (B1). Reset with the
   * children (B5); absent when nothing is known.
   */
  readonly hints?: PersistentMap<string, number>;
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
  if (typeof name !== "string") throwInvalid("name", "expected a scope name", name);
  return name === "" ? [] : name.split("/");
}

function requireCounts(counts: unknown): asserts counts is ScopeCounts {
  let ok = false;
  try {
    ok = typeof counts === "object" && counts !== null &&
      typeof (counts as { count?: unknown }).count === "number" &&
      (counts as { children?: unknown }).children instanceof PersistentMap;
  } catch {
    ok = false;
  }
  if (!ok) throwInvalid("counts", "expected ScopeCounts", counts);
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
  requireCounts(counts);
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
  const children = node.children.set(key, update(child, parts, at + 1, f));
  return node.hints === undefined
    ? { count: node.count, children }
    : { count: node.count, children, hints: node.hints };
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
  requireCounts(counts);
  return update(counts, path(name), 0, (n) => ({ ...n, count: n.count + 1 }));
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
  requireCounts(counts);
  return update(
    counts,
    path(name),
    0,
    (
      n,
    ) => (n.children.size === 0 && n.hints === undefined
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
  requireCounts(counts);
  if (typeof prefix !== "string") throwInvalid("prefix", "expected a string", prefix);
  return pickUnique(counts, parent, prefix)[0];
}

// The unique name and the k it used (0 for the bare prefix). The search for
// D_k starts at the parent's hint, so n sibling default-name scopes cost
// O(n) probes in all, not O(n²).
function pickUnique(
  counts: ScopeCounts,
  parent: string,
  prefix: string,
): readonly [string, number] {
  const full = parent === "" ? prefix : `${parent}/${prefix}`;
  if (countOf(counts, full) === 0) return [prefix, 0];
  let k = nodeAt(counts, parent)?.hints?.get(prefix) ?? 1;
  while (countOf(counts, `${full}_${k}`) > 0) k++;
  return [`${prefix}_${k}`, k];
}

function nodeAt(counts: ScopeCounts, name: string): ScopeCounts | undefined {
  let node: ScopeCounts | undefined = counts;
  for (const part of path(name)) {
    node = node.children.get(part);
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * Picks a unique default scope name under `parent` exactly as
 * {@linkcode uniqueScopeName} (TF1 B1) and opens it, remembering where the
 * next search under `parent` may start (so repeated default names stay
 * linear).
 *
 * @param counts the table
 * @param parent the current scope's full name
 * @param prefix the default name
 * @returns the chosen relative name and the table with it opened
 *
 * @example
 * ```ts
 * import { emptyScopeCounts, openUniqueScope } from "./scope_counts.ts";
 * import * as assert from "node:assert/strict";
 *
 * const [a, c1] = openUniqueScope(emptyScopeCounts(), "foo", "bar");
 * const [b, c2] = openUniqueScope(c1, "foo", "bar");
 * const [c] = openUniqueScope(c2, "foo", "bar");
 * assert.deepEqual([a, b, c], ["bar", "bar_1", "bar_2"]);
 * ```
 *
 * @category models
 */
export function openUniqueScope(
  counts: ScopeCounts,
  parent: string,
  prefix: string,
): readonly [string, ScopeCounts] {
  requireCounts(counts);
  if (typeof prefix !== "string") throwInvalid("prefix", "expected a string", prefix);
  const [unique, k] = pickUnique(counts, parent, prefix);
  let next = openScope(counts, parent === "" ? unique : `${parent}/${unique}`);
  if (k > 0) {
    // D_1 … D_k are now all opened: the next search starts at k + 1.
    next = update(next, path(parent), 0, (n) => ({
      ...n,
      hints: (n.hints ?? PersistentMap.empty<string, number>()).set(prefix, k + 1),
    }));
  }
  return [unique, next];
}
