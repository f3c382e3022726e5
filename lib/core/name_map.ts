/**
 * The store's map of variables by full name: persistent, append-only, and
 * grouped by scope so that a program working in one scope touches a small,
 * cache-friendly table however large the store grows.
 *
 * Versions share a hidden log (as {@linkcode PersistentMap} does): adding
 * from the newest version writes in place, adding from an older one copies
 * what it sees first. Variables are never replaced or removed, so an entry
 * is visible to every version made after it.
 *
 * @module
 */
import { throwInvalid } from "./_guard.ts";

class NameLog<V> {
  // prefix (everything before the last "/", "" for none) -> leaf -> position
  // in the log; a small integer, so the tables hold no object per name.
  readonly scopes: Map<string, Map<string, number>> = new Map();
  readonly names: string[] = [];
  readonly values: V[] = [];
  tip = 0;

  append(prefix: string, leaf: string, name: string, value: V): void {
    // The tip moves first: should anything below throw (a stack overflow
    // deep in a program), no version can see the half-made entry, and every
    // later write from an existing version forks instead of writing after it.
    const at = this.tip++;
    let scope = this.scopes.get(prefix);
    if (scope === undefined) {
      scope = new Map();
      this.scopes.set(prefix, scope);
    }
    this.names[at] = name;
    this.values[at] = value;
    scope.set(leaf, at);
  }
}

/**
 * Splits a full name into its scope prefix and leaf (`"a/b/v"` → `["a/b",
 * "v"]`, `"v"` → `["", "v"]`).
 *
 * @param name a full name
 * @returns the prefix and the leaf
 *
 * @example
 * ```ts
 * import { splitName } from "./name_map.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(splitName("a/b/v"), ["a/b", "v"]);
 * assert.deepEqual(splitName("v"), ["", "v"]);
 * ```
 *
 * @category models
 */
export function splitName(name: string): readonly [string, string] {
  if (typeof name !== "string") throwInvalid("name", "expected a string", name);
  const at = name.lastIndexOf("/");
  return at < 0 ? ["", name] : [name.slice(0, at), name.slice(at + 1)];
}

/**
 * A persistent, append-only map from full names to values, in insertion
 * order.
 *
 * @example
 * ```ts
 * import { NameMap } from "./name_map.ts";
 * import * as assert from "node:assert/strict";
 *
 * const a = NameMap.empty<number>().add("s/x", 1);
 * const b = a.add("s/y", 2);
 * const c = a.add("t/y", 3);
 * assert.deepEqual([...b.keys()], ["s/x", "s/y"]);
 * assert.deepEqual([...c.entries()], [["s/x", 1], ["t/y", 3]]);
 * assert.equal(b.get("s/y"), 2);
 * assert.equal(a.has("s/y"), false);
 * ```
 *
 * @category models
 */
export class NameMap<V> implements Iterable<readonly [string, V]> {
  readonly #log: NameLog<V>;
  readonly #version: number;

  private constructor(log: NameLog<V>, version: number) {
    this.#log = log;
    this.#version = version;
    Object.freeze(this); // a store's maps cannot be changed from outside
  }

  /**
   * A new, empty map.
   *
   * @returns the map
   */
  static empty<V>(): NameMap<V> {
    return new NameMap(new NameLog<V>(), 0);
  }

  /** Number of names. */
  get size(): number {
    return this.#version;
  }

  /**
   * The value stored under `prefix/leaf` (the name split by
   * {@linkcode splitName}), or undefined. Callers that keep the parts avoid
   * splitting and re-hashing the name.
   *
   * @param prefix the scope prefix ("" for none)
   * @param leaf the last component
   * @returns the value
   */
  getParts(prefix: string, leaf: string): V | undefined {
    const at = this.#log.scopes.get(prefix)?.get(leaf);
    return at !== undefined && at < this.#version ? this.#log.values[at] : undefined;
  }

  /**
   * The value of `name`, or undefined.
   *
   * @param name a full name
   * @returns the value
   */
  get(name: string): V | undefined {
    const [prefix, leaf] = splitName(name);
    return this.getParts(prefix, leaf);
  }

  /**
   * Whether `name` is present.
   *
   * @param name a full name
   * @returns true when present
   */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * A map with `name` added; this map is unchanged. The name must be
   * absent (variables are added once and never replaced).
   *
   * @param name a full name
   * @param value the value
   * @returns the new map
   */
  add(name: string, value: V): NameMap<V> {
    const [prefix, leaf] = splitName(name);
    return this.addParts(prefix, leaf, name, value);
  }

  /**
   * {@linkcode NameMap.add} with the name already split.
   *
   * @param prefix the scope prefix
   * @param leaf the last component
   * @param name the full name (`prefix/leaf`)
   * @param value the value
   * @returns the new map
   */
  addParts(prefix: string, leaf: string, name: string, value: V): NameMap<V> {
    const log = this.#version === this.#log.tip ? this.#log : this.#fork();
    log.append(prefix, leaf, name, value);
    return new NameMap(log, log.tip);
  }

  #fork(): NameLog<V> {
    const log = new NameLog<V>();
    for (const [name, value] of this.entries()) {
      const [prefix, leaf] = splitName(name);
      log.append(prefix, leaf, name, value);
    }
    return log;
  }

  /**
   * The names in insertion order.
   *
   * @returns an iterator of names
   */
  *keys(): IterableIterator<string> {
    const names = this.#log.names;
    for (let i = 0; i < this.#version; i++) yield names[i]!;
  }

  /**
   * The values in insertion order.
   *
   * @returns an iterator of values
   */
  *values(): IterableIterator<V> {
    const values = this.#log.values;
    for (let i = 0; i < this.#version; i++) yield values[i]!;
  }

  /**
   * The entries in insertion order.
   *
   * @returns an iterator of `[name, value]`
   */
  *entries(): IterableIterator<readonly [string, V]> {
    const { names, values } = this.#log;
    for (let i = 0; i < this.#version; i++) yield [names[i]!, values[i]!] as const;
  }

  /**
   * Same as {@linkcode NameMap.entries}.
   *
   * @returns an iterator of `[name, value]`
   */
  [Symbol.iterator](): IterableIterator<readonly [string, V]> {
    return this.entries();
  }
}
