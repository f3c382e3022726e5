/**
 * A persistent map that is O(1) to extend from its newest version.
 *
 * Every version stays valid and unchanged, as with any persistent map. The
 * trick (the "fat node" method): all versions derived from one another
 * share a hidden, append-only log of writes; a version is the number of
 * writes it can see. Writing from the newest version appends to the log in
 * place; writing from an older version first copies what that version sees
 * into a fresh log (O(size), rare: it happens when a program forks a store,
 * e.g. runs twice from the same store or recovers with `catchError`).
 * Reading the newest version is one hash lookup; an older version walks back
 * through the writes made to that key after it.
 *
 * Stores only grow and a run only moves forward, so nearly every write is
 * at the newest version: creating a variable costs the same in a store of
 * 1k or 100k variables, where a hash trie's cost grows with its depth.
 *
 * @module
 */

interface Entry<V> {
  readonly value: V;
  readonly version: number;
  readonly prev: Entry<V> | undefined;
}

// The shared log. Mutated only by `PersistentMap#set` at the newest version.
class Log<K, V> {
  readonly latest: Map<K, Entry<V>> = new Map();
  // Keys in first-insertion order and the version of that insertion
  // (parallel arrays: no object per insertion).
  readonly orderKeys: K[] = [];
  readonly orderVersions: number[] = [];
  tip = 0;
}

/**
 * An immutable map with insertion-ordered iteration; see the module doc for
 * how it stays O(1) to extend.
 *
 * @example
 * ```ts
 * import { PersistentMap } from "./persistent_map.ts";
 * import * as assert from "node:assert/strict";
 *
 * const a = PersistentMap.empty<string, number>().set("x", 1);
 * const b = a.set("y", 2);
 * const c = a.set("y", 3); // from an older version: b is unaffected
 * assert.deepEqual([...b.entries()], [["x", 1], ["y", 2]]);
 * assert.deepEqual([...c.entries()], [["x", 1], ["y", 3]]);
 * assert.equal(a.has("y"), false);
 * ```
 *
 * @category models
 */
export class PersistentMap<K, V> implements Iterable<readonly [K, V]> {
  readonly #log: Log<K, V>;
  readonly #version: number;
  /** Number of keys. */
  readonly size: number;

  private constructor(log: Log<K, V>, version: number, size: number) {
    this.#log = log;
    this.#version = version;
    this.size = size;
    Object.freeze(this); // a store's maps cannot be changed from outside
  }

  /**
   * A new, empty map.
   *
   * @returns the map
   */
  static empty<K, V>(): PersistentMap<K, V> {
    return new PersistentMap(new Log<K, V>(), 0, 0);
  }

  #entry(key: K): Entry<V> | undefined {
    let e = this.#log.latest.get(key);
    while (e !== undefined && e.version >= this.#version) e = e.prev;
    return e;
  }

  /**
   * The value of `key`, or undefined.
   *
   * @param key the key
   * @returns the value
   */
  get(key: K): V | undefined {
    return this.#entry(key)?.value;
  }

  /**
   * Whether the map has `key`.
   *
   * @param key the key
   * @returns true when present
   */
  has(key: K): boolean {
    return this.#entry(key) !== undefined;
  }

  /**
   * A map with `key` set to `value`; this map is unchanged.
   *
   * @param key the key
   * @param value the value
   * @returns the new map
   */
  set(key: K, value: V): PersistentMap<K, V> {
    const log = this.#version === this.#log.tip ? this.#log : this.#fork();
    // The tip moves first, so a write cut short leaves nothing a version sees.
    const at = log.tip++;
    const prev = log.latest.get(key);
    log.latest.set(key, { value, version: at, prev });
    if (prev === undefined) {
      log.orderKeys.push(key);
      log.orderVersions.push(at);
    }
    return new PersistentMap(log, log.tip, prev === undefined ? this.size + 1 : this.size);
  }

  /**
   * Like {@linkcode PersistentMap.set} for a key this version does not
   * have, one hash operation cheaper. The caller guarantees the key is
   * absent (the store adds each variable once).
   *
   * @internal
   */
  add(key: K, value: V): PersistentMap<K, V> {
    const log = this.#version === this.#log.tip ? this.#log : this.#fork();
    // At the newest version every write is visible, so an absent key has no
    // entry; one from an abandoned branch was dropped by the fork.
    const at = log.tip++; // first: a write cut short leaves nothing a version sees
    log.latest.set(key, { value, version: at, prev: undefined });
    log.orderKeys.push(key);
    log.orderVersions.push(at);
    return new PersistentMap(log, log.tip, this.size + 1);
  }

  // Copies what this version sees into a fresh log, one write per key.
  #fork(): Log<K, V> {
    const log = new Log<K, V>();
    for (const [key, value] of this.entries()) {
      log.latest.set(key, { value, version: log.tip, prev: undefined });
      log.orderKeys.push(key);
      log.orderVersions.push(log.tip);
      log.tip++;
    }
    return log;
  }

  /**
   * The keys in first-insertion order.
   *
   * @returns an iterator of keys
   */
  *keys(): IterableIterator<K> {
    const { orderKeys, orderVersions } = this.#log;
    for (let i = 0; i < orderKeys.length && orderVersions[i]! < this.#version; i++) {
      yield orderKeys[i]!;
    }
  }

  /**
   * The values in key-insertion order.
   *
   * @returns an iterator of values
   */
  *values(): IterableIterator<V> {
    for (const key of this.keys()) yield this.#entry(key)!.value;
  }

  /**
   * The entries in key-insertion order.
   *
   * @returns an iterator of `[key, value]`
   */
  *entries(): IterableIterator<readonly [K, V]> {
    for (const key of this.keys()) yield [key, this.#entry(key)!.value] as const;
  }

  /**
   * Same as {@linkcode PersistentMap.entries}.
   *
   * @returns an iterator of `[key, value]`
   */
  [Symbol.iterator](): IterableIterator<readonly [K, V]> {
    return this.entries();
  }
}
