/**
 * Parameters: the tensors of a store's variables, by full TF1 name.
 *
 * Ownership: a `Params` value owns one tensor handle per variable and
 * nothing else. Handles may share memory with other `Params` values (a
 * training step's result shares the buffers that did not change), but
 * disposing one `Params` never invalidates another: TensorFlow.js frees a
 * buffer when its last handle goes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { readFailed, readRecord, throwInvalid } from "../core/_guard.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { isStore, listVariables, type Store } from "../core/store.ts";
import type { Variable } from "../core/variable.ts";
import { toTfDType } from "./initial_tensor.ts";
import { isInstance, isLiveTensor } from "./_checks.ts";

/**
 * Where each variable of a store sits in a {@linkcode Params}: store
 * creation order, shards included.
 *
 * @category interpreter
 */
export interface ParamsLayout {
  /** The store's variables in creation order. */
  readonly variables: readonly Variable[];
  /** Their full names (`Variable.fullName`). */
  readonly names: readonly string[];
  /** Slot by full name. */
  readonly index: ReadonlyMap<string, number>;
}

/** A read-only view of a map: the layout's index cannot be changed from outside. */
class ReadOnlyMap<K, V> implements ReadonlyMap<K, V> {
  readonly #map: Map<K, V>;
  constructor(map: Map<K, V>) {
    this.#map = map;
    Object.freeze(this);
  }
  get size(): number {
    return this.#map.size;
  }
  get(key: K): V | undefined {
    return this.#map.get(key);
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    this.#map.forEach((v, k) => f(v, k, this));
  }
  keys(): MapIterator<K> {
    return this.#map.keys();
  }
  values(): MapIterator<V> {
    return this.#map.values();
  }
  entries(): MapIterator<[K, V]> {
    return this.#map.entries();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#map.entries();
  }
}

// Stores are immutable, so a layout computed once per store stays right.
const layouts = new WeakMap<Store, ParamsLayout>();

/**
 * The layout of a store's parameters (cached per store).
 *
 * @param store a store
 * @returns the layout
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, sequenceArray } from "varscope";
 * import { paramsLayout } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const { store } = runScopedOrThrow(sequenceArray([getVariable("b", { shape: [1] }), getVariable("a", { shape: [1] })]));
 * assert.deepEqual(paramsLayout(store).names, ["b", "a"]);
 * ```
 *
 * @category interpreter
 */
export function paramsLayout(store: Store): ParamsLayout {
  let layout = layouts.get(store);
  if (layout === undefined) {
    // Frozen: the layout pairs names with tensor slots, so sorting or
    // reversing `names` or `variables` must not re-label the weights.
    const variables = Object.freeze(listVariables(store).slice());
    const names = Object.freeze(variables.map((v) => v.fullName));
    layout = Object.freeze({
      variables,
      names,
      index: new ReadOnlyMap(new Map(names.map((n, i) => [n, i]))),
    });
    layouts.set(store, layout);
  }
  return layout;
}

/**
 * The tensors of a store's variables, by full TF1 name ("scope/w", no
 * ":0"), as returned by `init` and by training steps. Immutable: a
 * training step returns new `Params`; these stay readable until
 * {@linkcode Params.dispose}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, runScopedOrThrow } from "varscope";
 * import { makeParams, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { store } = runScopedOrThrow(getVariable("w", { shape: [2] }));
 * const w = tf.tensor1d([1, 2]);
 * const params = makeParams(store, { w });
 * assert.deepEqual(Array.from(params.get("w:0").dataSync()), [1, 2]);
 * params.dispose();
 * w.dispose();
 * ```
 *
 * @category interpreter
 */
export class Params {
  /** The store whose variables these are (frozen: apply only reuses). */
  readonly store: Store;
  readonly #tensors: readonly tf.Tensor[];
  #disposed = false;
  #handles: Set<tf.Tensor> | undefined;

  /**
   * Use `init`, {@linkcode makeParams} or a training step instead; this
   * takes ownership of `tensors`, one per slot of `paramsLayout(store)`.
   *
   * @param store the store
   * @param tensors one tensor per variable, in layout order
   * @throws {ScopeError} `InvalidArgument` unless `store` is a store and
   *   `tensors` an array of live tensors, one per variable of the store
   */
  constructor(store: Store, tensors: readonly tf.Tensor[]) {
    if (!isStore(store)) throwInvalid("store", "expected a Store", store);
    this.store = store;
    this.#tensors = ownTensors(tensors, paramsLayout(store).variables.length);
  }

  /**
   * Full names, in store order: a fresh copy per read, so sorting it (to
   * print the names) changes nothing about which tensor is which.
   */
  get names(): readonly string[] {
    return paramsLayout(this.store).names.slice();
  }

  /** How many variables. */
  get size(): number {
    return this.#tensors.length;
  }

  /** Whether {@linkcode Params.dispose} ran. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * The tensor of a variable, by full name ("a/w" or "a/w:0").
   *
   * @param name the full name
   * @returns the tensor (owned by these params: do not dispose it)
   */
  get(name: string): tf.Tensor {
    this.#checkLive();
    const slot = typeof name === "string"
      ? paramsLayout(this.store).index.get(name.endsWith(":0") ? name.slice(0, -2) : name)
      : undefined;
    if (slot === undefined) {
      throw scopeError(
        "InvalidParams",
        `No parameter named ${describeValue(name)}; known: ${this.names.join(", ") || "(none)"}`,
        { name },
      );
    }
    return this.#tensors[slot]!;
  }

  /**
   * Whether a variable of that full name exists.
   *
   * @param name the full name
   * @returns whether it exists
   */
  has(name: string): boolean {
    return typeof name === "string" &&
      paramsLayout(this.store).index.has(name.endsWith(":0") ? name.slice(0, -2) : name);
  }

  /**
   * Whether `t` is one of these params' own handles (not merely sharing a
   * buffer with one).
   *
   * @param t a tensor
   * @returns whether these params hold that very handle
   */
  holds(t: tf.Tensor): boolean {
    this.#handles ??= new Set(this.#tensors);
    return this.#handles.has(t);
  }

  /**
   * The tensor in a slot (layout order), for interpreters.
   *
   * @param slot the slot
   * @returns the tensor
   * @throws {ScopeError} `InvalidParams` for a slot out of range
   */
  at(slot: number): tf.Tensor {
    // typeof first: another key would be converted (a proxy's traps run).
    const t = typeof slot === "number" ? this.#tensors[slot] : undefined;
    if (t === undefined) {
      throw scopeError(
        "InvalidParams",
        `No parameter in slot ${describeValue(slot)}; slots are 0 to ${this.#tensors.length - 1}`,
        { argument: "slot", slot },
      );
    }
    return t;
  }

  /**
   * Name and tensor pairs, in store order.
   *
   * @returns the pairs
   */
  entries(): Array<[string, tf.Tensor]> {
    this.#checkLive();
    return paramsLayout(this.store).names.map((n, i) => [n, this.#tensors[i]!]);
  }

  /**
   * A plain record by full name (the shape of a TensorFlow.js
   * `NamedTensorMap`, for saving). The tensors stay owned by these params.
   *
   * @returns the record
   */
  toRecord(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.entries());
  }

  /** Frees these params' tensor handles. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const t of this.#tensors) t.dispose();
  }

  #checkLive(): void {
    if (this.#disposed) {
      throw scopeError("InvalidParams", "These params were disposed", {});
    }
  }
}

/**
 * A frozen copy of the constructor's `tensors`, checked once here so that
 * the slots read later (`at`, `get`) are tensors.
 */
function ownTensors(raw: unknown, count: number): readonly tf.Tensor[] {
  const expected = `expected an array of ${count} live tensors, one per variable of the store`;
  let length: number | null;
  try {
    length = Array.isArray(raw) ? raw.length : null;
  } catch (cause) {
    throw readFailed("tensors", cause);
  }
  if (length === null) throwInvalid("tensors", expected, raw);
  // The length first: a huge array is refused before it is copied.
  if (length !== count) throwInvalid("tensors", `${expected}; it has ${length} items`, raw);
  let copy: unknown[];
  try {
    copy = (raw as unknown[]).slice();
  } catch (cause) {
    throw readFailed("tensors", cause);
  }
  for (let i = 0; i < copy.length; i++) {
    if (!isLiveTensor(copy[i])) throwInvalid(`tensors[${i}]`, expected, copy[i]);
  }
  return Object.freeze(copy as tf.Tensor[]);
}

/**
 * Checks that a value is live {@linkcode Params} (for untyped callers).
 *
 * @param value anything
 * @returns null when fine, else the error
 *
 * @example
 * ```ts
 * import { checkParams } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(checkParams({})?.tag, "InvalidParams");
 * ```
 *
 * @category interpreter
 */
export function checkParams(value: unknown): ScopeError | null {
  if (!isInstance(value, Params)) {
    return scopeError(
      "InvalidParams",
      `Invalid params: expected Params from init, makeParams or a training step, got ${
        describeValue(value)
      }`,
      { argument: "params" },
    );
  }
  if ((value as Params).isDisposed) {
    return scopeError("InvalidParams", "Invalid params: they were disposed", {
      argument: "params",
    });
  }
  return null;
}

/**
 * Params for a store from tensors by full name (for example weights loaded
 * from a file). Every variable needs a tensor of its exact shape and dtype;
 * extra names are an error. The result holds its own handles: disposing
 * it leaves the given tensors alone.
 *
 * @param store the store (frozen copies are made by `init`; any store works)
 * @param tensors tensors by full name ("a/w" or "a/w:0")
 * @returns the params
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, runScopedOrThrow } from "varscope";
 * import { makeParams, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { store } = runScopedOrThrow(getVariable("w", { shape: [2] }));
 * assert.throws(() => makeParams(store, { w: tf.zeros([3]) }), /shape \[3\].*\[2\]/);
 * ```
 *
 * @category interpreter
 */
export function makeParams(store: Store, tensors: Readonly<Record<string, tf.Tensor>>): Params {
  if (!isStore(store)) {
    throw scopeError("InvalidArgument", `Invalid store: got ${describeValue(store)}`, {
      argument: "store",
    });
  }
  if (typeof tensors !== "object" || tensors === null) {
    throw scopeError(
      "InvalidParams",
      `Invalid tensors: expected a record of tensors by name, got ${describeValue(tensors)}`,
      { argument: "tensors" },
    );
  }
  // A snapshot of own properties: a throwing getter or proxy trap is a typed error.
  const read = readRecord(tensors, "makeParams", null, "tensors");
  if (!read.ok) throw read.error;
  const layout = paramsLayout(store);
  const given = new Map<string, unknown>();
  for (const [k, t] of Object.entries(read.record)) {
    given.set(k.endsWith(":0") ? k.slice(0, -2) : k, t);
  }
  for (const k of given.keys()) {
    if (!layout.index.has(k)) {
      throw scopeError(
        "InvalidParams",
        `Unknown parameter "${k}": the store has no such variable`,
        {
          name: k,
        },
      );
    }
  }
  const checked = layout.variables.map((v) => {
    const t = given.get(v.fullName);
    if (!(t instanceof tf.Tensor)) {
      throw scopeError(
        "InvalidParams",
        `Missing parameter "${v.fullName}": expected a tensor, got ${describeValue(t)}`,
        { name: v.fullName },
      );
    }
    if (t.isDisposed) {
      throw scopeError("InvalidParams", `Parameter "${v.fullName}" was disposed`, {
        name: v.fullName,
      });
    }
    const dtype = toTfDType(v.dtype, v.fullName);
    if (t.dtype !== dtype) {
      throw scopeError(
        "InvalidParams",
        `Parameter "${v.fullName}" has dtype ${t.dtype}; the variable is ${v.dtype}`,
        { name: v.fullName, dtype: t.dtype, expected: v.dtype },
      );
    }
    if (
      t.shape.length !== v.shape.length || t.shape.some((d: number, i: number) => d !== v.shape[i])
    ) {
      throw scopeError(
        "InvalidParams",
        `Parameter "${v.fullName}" has shape [${t.shape.join(",")}]; the variable is [${
          v.shape.join(",")
        }]`,
        { name: v.fullName, shape: t.shape, expected: v.shape },
      );
    }
    return t;
  });
  return new Params(store, checked.map(shareTensor));
}

/**
 * A new handle on a tensor's buffer: no copy, no kernel. The buffer lives
 * until its last handle is disposed.
 *
 * @param t a tensor
 * @returns another handle on the same data
 * @throws {ScopeError} `InvalidArgument` when `t` is not a live tensor
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { shareTensor, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const a = tf.tensor1d([1, 2]);
 * const b = shareTensor(a);
 * a.dispose();
 * assert.deepEqual(Array.from(b.dataSync()), [1, 2]);
 * b.dispose();
 * ```
 *
 * @category interpreter
 */
export function shareTensor(t: tf.Tensor): tf.Tensor {
  if (!isLiveTensor(t)) throwInvalid("tensor", "expected a live tensor", t);
  const engine = tf.engine();
  const holder = engine.state.tensorInfo.get(t.dataId)?.backend;
  // Data that lives on another backend than the active one (the user
  // switched) is copied instead, which also moves it.
  if (holder !== engine.backend) return tf.clone(t);
  // makeTensorFromDataId counts the handle but, made for fresh buffers,
  // adds no reference to the buffer; the second line does, as
  // `tf.Variable.assign` does.
  const handle = engine.makeTensorFromDataId(t.dataId, t.shape, t.dtype, holder);
  holder.incRef(t.dataId);
  return handle;
}
