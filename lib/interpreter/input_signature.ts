/**
 * The key a compiled pass is cached under: the structure of a program's
 * input with tensors reduced to dtype and shape (like `tf.function`'s input
 * signature). Two inputs with the same signature take the same path through
 * a program whose scope calls depend only on shapes and plain values.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

const MAX_DEPTH = 8;
const MAX_ITEMS = 256;

/**
 * The input signature, or null when the input cannot be keyed (functions,
 * class instances other than tensors, cycles, very large structures,
 * proxies or getters that throw); such inputs are always interpreted.
 *
 * @param input the program's input
 * @returns the signature string, or null
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { inputSignature, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const x = tf.zeros([2, 3]);
 * assert.equal(inputSignature({ x, training: true }), inputSignature({ x, training: true }));
 * assert.notEqual(inputSignature(x), inputSignature(tf.zeros([3, 3])));
 * assert.equal(inputSignature(() => 1), null);
 * x.dispose();
 * ```
 *
 * @category interpreter
 */
export function inputSignature(input: unknown): string | null {
  // An input whose reading throws (a proxy's trap, a getter) cannot be
  // keyed either: it is interpreted, and the program sees what it throws.
  try {
    if (input instanceof tf.Tensor) return tensorKey(input);
    const budget = { items: MAX_ITEMS };
    return keyOf(input, 0, budget);
  } catch {
    return null;
  }
}

// A tensor's dtype and shape never change: its key is made once.
const tensorKeys = new WeakMap<tf.Tensor, string>();

function tensorKey(t: tf.Tensor): string {
  let key = tensorKeys.get(t);
  if (key === undefined) {
    key = `T${t.dtype}[${t.shape.join(",")}]`;
    tensorKeys.set(t, key);
  }
  return key;
}

function keyOf(x: unknown, depth: number, budget: { items: number }): string | null {
  if (--budget.items < 0 || depth > MAX_DEPTH) return null;
  switch (typeof x) {
    case "number":
      return Object.is(x, -0) ? "n-0" : `n${x}`;
    case "string":
      return JSON.stringify(x);
    case "boolean":
      return x ? "t" : "f";
    case "undefined":
      return "u";
    case "bigint":
      return `b${x}`;
    case "object": {
      if (x === null) return "0";
      if (x instanceof tf.Tensor) return tensorKey(x);
      if (Array.isArray(x)) {
        const parts: string[] = [];
        for (const item of x) {
          const k = keyOf(item, depth + 1, budget);
          if (k === null) return null;
          parts.push(k);
        }
        return `[${parts.join(",")}]`;
      }
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) return null;
      const parts: string[] = [];
      for (const key of Object.keys(x).sort()) {
        const k = keyOf((x as Record<string, unknown>)[key], depth + 1, budget);
        if (k === null) return null;
        parts.push(`${JSON.stringify(key)}:${k}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return null;
  }
}
