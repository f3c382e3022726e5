/**
 * TF1 dtypes as string literals, with the ref-suffix reduction of TF1 D11.
 *
 * @module
 */
import { label, throwInvalid } from "./_guard.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";

/**
 * The TensorFlow dtype names varscope understands. All of them can name a
 * variable (checkpoints carry them); which ones a tensor backend can hold is
 * the interpreter's business.
 *
 * @category models
 */
export type DType =
  | "float16"
  | "bfloat16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool"
  | "string"
  | "complex64"
  | "complex128";

/**
 * Every {@linkcode DType}, in a stable order.
 *
 * @example
 * ```ts
 * import { DTYPES } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.ok(DTYPES.includes("float32"));
 * ```
 *
 * @category models
 */
export const DTYPES: readonly DType[] = Object.freeze([
  "float16",
  "bfloat16",
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "bool",
  "string",
  "complex64",
  "complex128",
]);

const DTYPE_SET: ReadonlySet<string> = new Set(DTYPES);

/**
 * Parses a dtype from an untyped caller. A `_ref` suffix is dropped first
 * (TF1 D11: ref dtypes are reduced to their base dtype).
 *
 * @param value what the caller passed
 * @param argument the argument's name, for the error message
 * @returns the dtype, or an `InvalidArgument` error naming the argument
 *
 * @example
 * ```ts
 * import { parseDType } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(parseDType("float32_ref", "dtype"), { _tag: "Right", right: "float32" });
 * assert.equal(parseDType("float", "dtype")._tag, "Left");
 * ```
 *
 * @category models
 */
export function parseDType(
  value: unknown,
  argument: string,
): Either<ScopeError, DType> {
  argument = label(argument, "dtype");
  if (typeof value === "string") {
    const base = value.endsWith("_ref") ? value.slice(0, -4) : value;
    if (DTYPE_SET.has(base)) return E.right(base as DType);
  }
  return E.left(
    scopeError(
      "InvalidArgument",
      `Invalid ${argument}: ${describeValue(value)} is not a dtype; expected one of ${
        DTYPES.join(", ")
      }`,
      { argument, value },
    ),
  );
}

/**
 * Whether a dtype is a floating-point type (TF1 `dtype.is_floating`).
 *
 * @param dtype the dtype
 * @returns true for float16, bfloat16, float32 and float64
 *
 * @example
 * ```ts
 * import { isFloatingDType } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isFloatingDType("bfloat16"), true);
 * assert.equal(isFloatingDType("int32"), false);
 * ```
 *
 * @category models
 */
export function isFloatingDType(dtype: DType): boolean {
  return dtype === "float16" || dtype === "bfloat16" || dtype === "float32" ||
    dtype === "float64";
}

/**
 * Whether a dtype is an integer (signed or unsigned) type.
 *
 * @param dtype the dtype
 * @returns true for int8…int64 and uint8…uint64
 *
 * @example
 * ```ts
 * import { isIntegerDType } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isIntegerDType("uint8"), true);
 * assert.equal(isIntegerDType("bool"), false);
 * ```
 *
 * @category models
 */
export function isIntegerDType(dtype: DType): boolean {
  if (typeof dtype !== "string") throwInvalid("dtype", "expected a dtype", dtype);
  return dtype.startsWith("int") || dtype.startsWith("uint");
}

/**
 * Size in bytes of one element (TF1 `dtype.size`); `string` has no fixed
 * size and returns `null` (partitioners use `bytesPerStringElement`).
 *
 * @param dtype the dtype
 * @returns bytes per element, or null for string
 *
 * @example
 * ```ts
 * import { dtypeSize } from "./dtype.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(dtypeSize("float32"), 4);
 * assert.equal(dtypeSize("complex128"), 16);
 * assert.equal(dtypeSize("string"), null);
 * ```
 *
 * @category models
 */
export function dtypeSize(dtype: DType): number | null {
  switch (dtype) {
    case "bool":
    case "int8":
    case "uint8":
      return 1;
    case "float16":
    case "bfloat16":
    case "int16":
    case "uint16":
      return 2;
    case "float32":
    case "int32":
    case "uint32":
      return 4;
    case "float64":
    case "int64":
    case "uint64":
    case "complex64":
      return 8;
    case "complex128":
      return 16;
    case "string":
      return null;
  }
}
