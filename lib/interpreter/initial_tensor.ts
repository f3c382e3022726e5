/**
 * Initial values as TensorFlow.js tensors: the values
 * {@linkcode materializeOrThrow} computes (decision 3), uploaded as they
 * are, with the dtype mapping from TF1 dtypes to TensorFlow.js ones.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DType } from "../core/dtype.ts";
import { describeValue, scopeError } from "../core/errors.ts";
import { isVariable, type Variable } from "../core/variable.ts";
import { materializeOrThrow } from "../initializers/materialize.ts";
import { requireName } from "./_checks.ts";

/** The TF1 dtypes TensorFlow.js can hold, and the dtype each becomes. */
const SUPPORTED: Readonly<Partial<Record<DType, tf.DataType>>> = Object.freeze({
  float32: "float32",
  int32: "int32",
  bool: "bool",
  string: "string",
});

/**
 * The TensorFlow.js dtype of a variable's TF1 dtype: float32, int32, bool
 * and string map to themselves. TensorFlow.js has no other dtype a
 * variable can hold (its `complex64` is not TF's: varscope does not
 * materialize complex values), so every other dtype is an error.
 *
 * @param dtype the variable's dtype
 * @param name the variable's full name, for the error message
 * @returns the TensorFlow.js dtype
 * @throws {ScopeError} `UnsupportedDType` naming the variable, its dtype
 *   and the supported dtypes; `InvalidArgument` when `name` is not a string
 *
 * @example
 * ```ts
 * import { toTfDType } from "varscope/tfjs";
 * import { ScopeError } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(toTfDType("int32", "step"), "int32");
 * assert.throws(
 *   () => toTfDType("float64", "w"),
 *   (e) => e instanceof ScopeError && e.tag === "UnsupportedDType" && /"w"/.test(e.message),
 * );
 * ```
 *
 * @category interpreter
 */
export function toTfDType(dtype: DType, name: string): tf.DataType {
  requireName(name);
  // Only a string is looked up: another key would be converted (a proxy's traps run).
  const tfDType = typeof dtype === "string" && Object.hasOwn(SUPPORTED, dtype)
    ? SUPPORTED[dtype]
    : undefined;
  if (tfDType !== undefined) return tfDType;
  const supported = Object.keys(SUPPORTED);
  const shown = typeof dtype === "string" ? dtype : describeValue(dtype);
  throw scopeError(
    "UnsupportedDType",
    `Variable "${name}" has dtype ${shown}, which TensorFlow.js cannot hold; ` +
      `supported dtypes: ${supported.join(", ")}`,
    { name, dtype, supported },
  );
}

/**
 * A variable's initial value as a new tensor: {@linkcode materializeOrThrow}'s
 * values, uploaded unchanged with {@linkcode toTfDType}'s dtype. Random
 * values are a pure function of the global `seed`, the variable's full name
 * and shape, and its initializer, as in the pure core; a shard of a
 * partitioned variable gets its slice of the full variable's values (fans
 * from the full shape), and zeros, ones and constants fill the shard's own
 * shape with TF1's rules.
 *
 * The caller owns the returned tensor.
 *
 * @param variable the variable (a shard of a partitioned variable is one)
 * @param options the global `seed` (a safe integer, default 0) and `maxElements` (default
 *   `DEFAULT_MAX_ELEMENTS`; a larger variable is a `TooLarge` error before any allocation)
 * @returns a new tensor of the variable's shape and dtype
 * @throws {ScopeError} `UnsupportedDType` for a dtype TensorFlow.js cannot
 *   hold (checked before any value is computed); `InvalidInitializer` when
 *   the values cannot be computed; `InvalidArgument` for a bad variable or
 *   seed
 *
 * @example
 * ```ts
 * import { constantInitializer, getVariable, runScopedOrThrow } from "varscope";
 * import { initialTensor, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const v = runScopedOrThrow(
 *   getVariable("b", { shape: [2, 2], initializer: constantInitializer([1, 2]) }),
 * ).value;
 * assert.ok(v._tag === "Variable");
 * const t = initialTensor(v);
 * assert.deepEqual(t.shape, [2, 2]);
 * assert.equal(t.dtype, "float32");
 * assert.deepEqual(Array.from(t.dataSync()), [1, 2, 2, 2]);
 * t.dispose();
 * ```
 *
 * @category interpreter
 */
export function initialTensor(
  variable: Variable,
  options: { readonly seed?: number; readonly maxElements?: number } = {},
): tf.Tensor {
  // A non-variable goes straight to materialize, which reports it.
  const dtype = isVariable(variable) ? toTfDType(variable.dtype, variable.fullName) : null;
  const { shape, values } = materializeOrThrow(variable, options);
  const tfDType = dtype ?? toTfDType(variable.dtype, variable.fullName);
  if (tfDType === "string") {
    return tf.tensor(Array.from(values as readonly string[]), [...shape], "string");
  }
  return tf.tensor(values as Float32Array | Int32Array | Uint8Array, [...shape], tfDType);
}
