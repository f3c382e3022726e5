/**
 * Converting stored checkpoint values to the dtypes TensorFlow.js holds.
 *
 * @module
 */
import { CheckpointError } from "./checkpoint_error.ts";
import { checkObject, readArgument } from "./_guard.ts";
import { describeValue } from "../core/errors.ts";
import type { StoredTensor } from "./stored_tensor.ts";

/**
 * A tensor's values in a TensorFlow.js dtype.
 *
 * @category checkpoint
 */
export type TfjsValues =
  | { readonly dtype: "float32"; readonly values: Float32Array }
  | { readonly dtype: "int32"; readonly values: Int32Array }
  | { readonly dtype: "bool"; readonly values: Uint8Array }
  | { readonly dtype: "string"; readonly values: readonly Uint8Array[] };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE-754 half to float32 (exact). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function fail(t: StoredTensor, what: string): never {
  const name = typeof t.name === "string" ? JSON.stringify(t.name) : "(unnamed)";
  throw new CheckpointError("NoExactConversion", `tensor ${name}: ${what}`);
}

/**
 * Converts a stored tensor's values to what TensorFlow.js holds (a fresh
 * copy): float32, float16 and bfloat16 to float32 (exact); float64 to
 * float32 rounded to nearest, refusing finite values beyond float32's range
 * (they would become ±Infinity); int8, int16, int32, uint8, uint16 to int32
 * (exact); int64 to int32 only when every value lies in
 * [-2^31, 2^31 - 1], else refused; bool to bool (any non-zero byte is
 * true); string to string (the bytes as stored).
 *
 * @example
 * ```ts
 * import { CheckpointError, toTfjsValues } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const step = { name: "global_step", dtype: "int64", shape: [], values: new BigInt64Array([7n]) } as const;
 * assert.deepEqual(toTfjsValues(step), { dtype: "int32", values: new Int32Array([7]) });
 * assert.throws(
 *   () => toTfjsValues({ ...step, values: new BigInt64Array([2n ** 40n]) }),
 *   (e: unknown) => e instanceof CheckpointError && e.code === "NoExactConversion",
 * );
 * ```
 *
 * @param t the stored tensor
 * @returns the dtype and values for `tf.tensor(values, shape, dtype)`
 * @throws {CheckpointError} NoExactConversion (with the element index) when a value does not fit
 * @category checkpoint
 */
export function toTfjsValues(t: StoredTensor): TfjsValues {
  checkObject(t, "tensor");
  return readArgument("tensor", () => convert(t));
}

function convert(t: StoredTensor): TfjsValues {
  const v = t.values;
  switch (t.dtype) {
    case "float32":
      return { dtype: "float32", values: Float32Array.from(v as Float32Array) };
    case "float64": {
      const src = v as Float64Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const x = src[i]!;
        out[i] = x;
        if (Number.isFinite(x) && !Number.isFinite(out[i]!)) {
          fail(t, `float64 value ${x} at element ${i} overflows float32`);
        }
      }
      return { dtype: "float32", values: out };
    }
    case "float16": {
      const src = v as Uint16Array;
      return { dtype: "float32", values: Float32Array.from(src, halfToFloat) };
    }
    case "bfloat16": {
      const src = v as Uint16Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        u32[0] = src[i]! << 16;
        out[i] = f32[0]!;
      }
      return { dtype: "float32", values: out };
    }
    case "int8":
    case "int16":
    case "int32":
    case "uint8":
    case "uint16":
      return { dtype: "int32", values: Int32Array.from(v as Int32Array) };
    case "int64": {
      const src = v as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const x = src[i]!;
        if (x < -2147483648n || x > 2147483647n) {
          fail(t, `int64 value ${x} at element ${i} is outside the int32 range`);
        }
        out[i] = Number(x);
      }
      return { dtype: "int32", values: out };
    }
    case "bool":
      return { dtype: "bool", values: Uint8Array.from(v as Uint8Array, (b) => (b !== 0 ? 1 : 0)) };
    case "string":
      return {
        dtype: "string",
        values: Object.freeze((v as readonly Uint8Array[]).map((b) => Uint8Array.from(b))),
      };
    default:
      throw new CheckpointError(
        "InvalidArgument",
        `Invalid tensor: dtype ${describeValue(t.dtype)}`,
      );
  }
}
