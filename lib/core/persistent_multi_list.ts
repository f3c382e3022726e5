/**
 * Named append-only lists (the store's collections), persistent and O(1) to
 * extend from the newest version, with the technique of
 * `PersistentMap`.
 *
 * @module
 */

// The shared log of a PersistentMultiList.
class ListsLog<K, T> {
  readonly items: Map<K, T[]> = new Map();
  // The write number of each item, parallel to `items`.
  readonly stamps: Map<K, number[]> = new Map();
  readonly keys: K[] = [];
  readonly keyStamps: number[] = [];
  tip = 0;
}

/**
 * Named lists, all extended in O(1) from the newest version with no object
 * per item (the same technique as {@linkcode PersistentMap}): each list is
 * a shared array of items stamped with their write number, and a version
 * sees the items written before it. Used for collections, which only grow.
 *
 * @example
 * ```ts
 * import { PersistentMultiList } from "./persistent_multi_list.ts";
 * import * as assert from "node:assert/strict";
 *
 * const a = PersistentMultiList.empty<string, number>().push("k", 1);
 * const b = a.push("k", 2);
 * const c = a.push("j", 3);
 * assert.deepEqual(b.get("k"), [1, 2]);
 * assert.deepEqual([...c.entries()], [["k", [1]], ["j", [3]]]);
 * ```
 *
 * @category models
 */
export class PersistentMultiList<K, T> implements Iterable<readonly [K, readonly T[]]> {
  readonly #log: ListsLog<K, T>;
  readonly #version: number;

  private constructor(log: ListsLog<K, T>, version: number) {
    this.#log = log;
    this.#version = version;
    Object.freeze(this); // a store's maps cannot be changed from outside
  }

  /**
   * New, empty lists.
   *
   * @returns the lists
   */
  static empty<K, T>(): PersistentMultiList<K, T> {
    return new PersistentMultiList(new ListsLog<K, T>(), 0);
  }

  // How many items of `key` this version sees.
  #count(key: K): number {
    const stamps = this.#log.stamps.get(key);
    if (stamps === undefined) return 0;
    if (this.#version === this.#log.tip) return stamps.length;
    let lo = 0, hi = stamps.length; // first stamp >= version (stamps increase)
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (stamps[mid]! < this.#version) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The number of items in list `key`.
   *
   * @param key the list's key
   * @returns the count (0 for an absent list)
   */
  count(key: K): number {
    return this.#count(key);
  }

  /**
   * The items of list `key`, in insertion order (a new array).
   *
   * @param key the list's key
   * @returns the items ([] for an absent list)
   */
  get(key: K): T[] {
    const n = this.#count(key);
    return n === 0 ? [] : this.#log.items.get(key)!.slice(0, n);
  }

  /**
   * Lists with `item` appended to list `key`; these lists are unchanged.
   *
   * @param key the list's key
   * @param item the item
   * @returns the new lists
   */
  push(key: K, item: T): PersistentMultiList<K, T> {
    const log = this.#version === this.#log.tip ? this.#log : this.#fork();
    const at = log.tip++; // first: a write cut short leaves nothing a version sees
    let items = log.items.get(key);
    let stamps = log.stamps.get(key);
    if (items === undefined || stamps === undefined) {
      items = [];
      stamps = [];
      log.items.set(key, items);
      log.stamps.set(key, stamps);
      log.keys.push(key);
      log.keyStamps.push(at);
    }
    // Stamps and items stay aligned even after a write cut short.
    items[stamps.length] = item;
    stamps.push(at);
    return new PersistentMultiList(log, log.tip);
  }

  #fork(): ListsLog<K, T> {
    const log = new ListsLog<K, T>();
    for (const [key, items] of this.entries()) {
      log.items.set(key, items);
      log.stamps.set(key, items.map(() => log.tip++));
      log.keys.push(key);
      log.keyStamps.push(log.tip - items.length);
    }
    return log;
  }

  /**
   * The keys of non-empty lists, in the order they were first written.
   *
   * @returns an iterator of keys
   */
  *keys(): IterableIterator<K> {
    const { keys, keyStamps } = this.#log;
    for (let i = 0; i < keys.length && keyStamps[i]! < this.#version; i++) yield keys[i]!;
  }

  /**
   * Every non-empty list as `[key, items]`.
   *
   * @returns an iterator of entries
   */
  *entries(): IterableIterator<readonly [K, T[]]> {
    for (const key of this.keys()) yield [key, this.get(key)] as const;
  }

  /**
   * Same as {@linkcode PersistentMultiList.entries}.
   *
   * @returns an iterator of entries
   */
  [Symbol.iterator](): IterableIterator<readonly [K, T[]]> {
    return this.entries();
  }
}
