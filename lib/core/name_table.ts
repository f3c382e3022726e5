/**
 * The op names in use in one run, for name scopes and op names (TF1
 * `Graph.unique_name`, A13): case-insensitive, `foo`, `foo_1`, `foo_2`,
 * skipping names already taken.
 *
 * @module
 */
import { throwInvalid } from "./_guard.ts";
import { PersistentMap } from "./persistent_map.ts";

/**
 * An immutable table of op names in use (lower-cased) and their counters,
 * plus the last path components of those names: `mayHold` asks the small
 * leaf table first, so checking a new variable's name for a clash rarely
 * needs to hash the whole name.
 *
 * @category models
 */
export interface NameTable {
  /** Counter per name in use, keyed by the lower-cased name. */
  readonly used: PersistentMap<string, number>;
  /** The last component of every name in `used`, with how many names end in it. */
  readonly leaves: PersistentMap<string, number>;
}

/**
 * The empty table.
 *
 * @returns a table with no names in use
 *
 * @example
 * ```ts
 * import { emptyNameTable, uniqueName } from "./name_table.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(uniqueName(emptyNameTable(), "foo")[0], "foo");
 * ```
 *
 * @category models
 */
export function emptyNameTable(): NameTable {
  return { used: PersistentMap.empty(), leaves: PersistentMap.empty() };
}

function requireNameTable(table: unknown): asserts table is NameTable {
  let ok = false;
  try {
    ok = typeof table === "object" && table !== null &&
      (table as { used?: unknown }).used instanceof PersistentMap &&
      (table as { leaves?: unknown }).leaves instanceof PersistentMap;
  } catch {
    ok = false; // a throwing getter or proxy trap
  }
  if (!ok) throwInvalid("table", "expected a NameTable", table);
}

function leafOf(key: string): string {
  const at = key.lastIndexOf("/");
  return at < 0 ? key : key.slice(at + 1);
}

function mark(table: NameTable, key: string, count: number, fresh: boolean): NameTable {
  if (!fresh) return { used: table.used.set(key, count), leaves: table.leaves };
  const leaf = leafOf(key);
  return {
    used: table.used.add(key, count),
    leaves: table.leaves.set(leaf, (table.leaves.get(leaf) ?? 0) + 1),
  };
}

/**
 * Whether the lower-case name `prefix/leaf` may be in use: false is
 * certain, true needs a look at the whole name.
 *
 * @internal
 */
export function mayHold(table: NameTable, leaf: string): boolean {
  requireNameTable(table);
  return table.leaves.has(leaf);
}

/**
 * Whether the lower-case name is in use.
 *
 * @internal
 */
export function holds(table: NameTable, key: string): boolean {
  requireNameTable(table);
  return table.used.has(key);
}

const HAS_UPPER_CASE = /[A-Z]/;

/**
 * Whether a name has upper-case letters (and so a different table key).
 *
 * @internal
 */
export function hasUpperCase(name: string): boolean {
  if (typeof name !== "string") throwInvalid("name", "expected a string", name);
  return HAS_UPPER_CASE.test(name);
}
const NONE_TAKEN = (): boolean => false;

/**
 * Makes `name` unique among the names in use and marks the result used,
 * exactly as TF1's `Graph.unique_name(name, mark_as_used=True)`. `taken`
 * reports (lower-cased) names used outside the table: the ops of
 * variables, which TF1 names after the variables' full names.
 *
 * @param table the names in use
 * @param name the wanted name (already prefixed with its name scope)
 * @param taken whether a name is already an op's name (default: none is)
 * @returns the unique name (original capitalisation) and the new table
 *
 * @example
 * ```ts
 * import { emptyNameTable, uniqueName } from "./name_table.ts";
 * import * as assert from "node:assert/strict";
 *
 * const [a, t1] = uniqueName(emptyNameTable(), "foo");
 * const [b, t2] = uniqueName(t1, "Foo");
 * const [c] = uniqueName(t2, "foo");
 * assert.deepEqual([a, b, c], ["foo", "Foo_1", "foo_2"]);
 * ```
 *
 * @category models
 */
export function uniqueName(
  table: NameTable,
  name: string,
  taken: (name: string) => boolean = NONE_TAKEN,
): readonly [string, NameTable] {
  requireNameTable(table);
  if (typeof name !== "string") throwInvalid("name", "expected a string", name);
  if (typeof taken !== "function") throwInvalid("taken", "expected a function", taken);
  let key = hasUpperCase(name) ? name.toLowerCase() : name;
  const known = table.used.get(key);
  let i = known ?? (taken(key) ? 1 : 0);
  if (i === 0) return [name, mark(table, key, 1, true)];
  let next = mark(table, key, i + 1, known === undefined);
  const base = key;
  while (next.used.has(key) || taken(key)) {
    key = `${base}_${i}`;
    i++;
  }
  next = mark(next, key, 1, true);
  return [`${name}_${i - 1}`, next];
}
