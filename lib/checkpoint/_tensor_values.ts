/**
 * Helpers over stored values: element counts that refuse overflow, byte
 * sizes per dtype, the TensorFlow.js dtype of each stored dtype, and
 * row-major slicing for partitioned variables.
 *
 * @module
 */
import type { StoredDType, StoredValues } from "./stored_tensor.ts";

const STORED_DTYPES: ReadonlySet<string> = new Set([
  "float32",
  "float64",
  "float16",
  "bfloat16",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "bool",
  "string",
]);

/** Whether a value is a {@linkcode StoredDType}. */
export function isStoredDType(value: unknown): value is StoredDType {
  return typeof value === "string" && STORED_DTYPES.has(value);
}

/**
 * Element count of a shape; null when a dim is not a non-negative integer
 * or the product passes 2^53 (the caller names the problem).
 */
export function elementCount(shape: unknown): number | null {
  if (!Array.isArray(shape) || shape.length > 64) return null;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) return null;
    n *= d;
    if (!Number.isSafeInteger(n)) return null;
  }
  return n;
}

/** The TensorFlow.js dtypes a stored tensor can become. */
export type TfjsDType = "float32" | "int32" | "bool" | "string";

/** The TensorFlow.js dtype each stored dtype becomes. */
export function tfjsDTypeOf(dtype: StoredDType): TfjsDType {
  switch (dtype) {
    case "float32":
    case "float64":
    case "float16":
    case "bfloat16":
      return "float32";
    case "bool":
      return "bool";
    case "string":
      return "string";
    default:
      return "int32";
  }
}

/** IEEE half-precision bits to a number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** Row-major strides of a shape. */
function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Flat indices (row-major in `full`) of the box at `offset` of `shape`. */
export function boxIndices(
  full: readonly number[],
  offset: readonly number[],
  shape: readonly number[],
): Int32Array | Float64Array {
  const total = shape.reduce((a, b) => a * b, 1);
  const out = total < 2 ** 31 ? new Int32Array(total) : new Float64Array(total);
  const st = strides(full);
  const idx = shape.map(() => 0);
  for (let n = 0; n < total; n++) {
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat += (idx[d]! + offset[d]!) * st[d]!;
    out[n] = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** The values of the box at `offset` of `shape` inside a row-major `full` tensor. */
export function sliceStoredValues(
  values: StoredValues,
  full: readonly number[],
  offset: readonly number[],
  shape: readonly number[],
): StoredValues {
  const idx = boxIndices(full, offset, shape);
  if (Array.isArray(values)) return Array.from(idx, (i) => (values as Uint8Array[])[i]!.slice());
  const src = values as Exclude<StoredValues, readonly Uint8Array[]>;
  // deno-lint-ignore no-explicit-any
  const out = new (src.constructor as any)(idx.length) as typeof src;
  for (let n = 0; n < idx.length; n++) out[n] = src[idx[n]!]!;
  return out;
}

/** Copies `part` (row-major, shape `shape`) into `full` at `offset`. */
export function insertStoredValues(
  full: StoredValues,
  fullShape: readonly number[],
  part: StoredValues,
  offset: readonly number[],
  shape: readonly number[],
): void {
  const idx = boxIndices(fullShape, offset, shape);
  const dst = full as unknown as { [i: number]: unknown };
  const src = part as unknown as { readonly [i: number]: unknown };
  for (let n = 0; n < idx.length; n++) dst[idx[n]!] = src[n];
}

/** Empty values of a dtype with n elements. */
export function allocStoredValues(dtype: StoredDType, n: number): StoredValues {
  switch (dtype) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int8":
      return new Int8Array(n);
    case "int16":
      return new Int16Array(n);
    case "int32":
      return new Int32Array(n);
    case "int64":
      return new BigInt64Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    case "float16":
    case "bfloat16":
    case "uint16":
      return new Uint16Array(n);
    case "string":
      return Array.from({ length: n }, () => new Uint8Array(0));
  }
}

/** Bytewise (UTF-8) comparison, the order TensorFlow sorts names in. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
