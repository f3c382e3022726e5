/**
 * Attribute tracking (tf.Module's `_flatten`, Keras' attribute tracking,
 * spec Q8, Q9): the objects reachable through an object's fields that own
 * variables, each once.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { cellLayerOf } from "../rnn/_bind.ts";
import { existingOwned, type Owned } from "./_owned.ts";

/** What a walk found, in field order, each once. */
export interface Found {
  /** Owned variable sets: the root's first, then its fields'. */
  readonly owned: readonly Owned[];
  /** tfjs-layers Layers held in fields (not entered). */
  readonly layers: readonly tfl.layers.Layer[];
  /** Objects owning variables or holding objects that do (submodules). */
  readonly objects: readonly object[];
}

const MAX_DEPTH = 24;

const modules = new WeakSet<object>();

/** Marks a Module, so that walks list it as a submodule even without variables. */
export function markModule(obj: object): void {
  modules.add(obj);
}

let baseLayerKeys: ReadonlySet<string> | null = null;

/** The fields tfjs-layers' own Layer constructor sets (its graph links, not submodules). */
function layerKeys(): ReadonlySet<string> {
  if (baseLayerKeys === null) {
    const probe = new (tfl.layers.Layer as unknown as new (a: object) => object)({
      name: "varscope_probe",
    });
    baseLayerKeys = new Set(Object.keys(probe));
  }
  return baseLayerKeys;
}

function isWalkable(v: unknown): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (v instanceof tf.Tensor || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return false;
  if (v instanceof Promise || v instanceof Date || v instanceof RegExp) return false;
  return true;
}

function fieldValues(obj: object, isRootLayer: boolean): unknown[] {
  if (Array.isArray(obj)) return obj;
  if (obj instanceof Map) return [...obj.values()];
  if (obj instanceof Set) return [...obj];
  const skip = isRootLayer ? layerKeys() : null;
  const out: unknown[] = [];
  for (const key of Object.keys(obj)) {
    if (skip !== null && skip.has(key)) continue;
    const d = Object.getOwnPropertyDescriptor(obj, key);
    // Only data fields: a getter may throw or compute.
    if (d !== undefined && "value" in d) out.push(d.value);
  }
  return out;
}

/**
 * Walks `root`'s fields. tfjs-layers Layers met in fields are recorded and
 * not entered (their own `weights` include what they track).
 */
export function walk(root: object): Found {
  const owned: Owned[] = [];
  const layers: tfl.layers.Layer[] = [];
  const objects: object[] = [];
  const seen = new Set<unknown>([root]);
  const seenOwned = new Set<Owned>();
  const addOwned = (o: Owned | undefined): boolean => {
    if (o === undefined || seenOwned.has(o)) return false;
    seenOwned.add(o);
    owned.push(o);
    return true;
  };
  const visit = (obj: object, depth: number, isRoot: boolean): void => {
    const own = existingOwned(obj);
    const fromOwn = addOwned(own);
    const cell = cellLayerOf(obj);
    const fromCell = cell !== undefined && addOwned(existingOwned(cell));
    if (!isRoot && (fromOwn || fromCell || modules.has(obj))) objects.push(obj);
    if (depth >= MAX_DEPTH) return;
    const values = fieldValues(obj, isRoot && obj instanceof tfl.layers.Layer);
    if (own !== undefined) values.push(...own.children.values());
    for (const v of values) {
      if (!isWalkable(v) || seen.has(v)) continue;
      seen.add(v);
      if (v instanceof tfl.layers.Layer) {
        layers.push(v);
        objects.push(v);
        continue;
      }
      const before = owned.length + layers.length;
      visit(v, depth + 1, false);
      if (!objects.includes(v) && owned.length + layers.length > before && !Array.isArray(v)) {
        objects.push(v);
      }
    }
  };
  visit(root, 0, true);
  return { owned, layers, objects };
}
