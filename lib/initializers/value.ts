/**
 * Value initializers: constants given directly (TF1's non-callable
 * initializers: a tensor, an array or a number), and the conversion of any
 * `initializer` argument from an untyped caller into a descriptor.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { pipe } from "fp-ts/lib/function.js";
import { type DType, parseDType } from "../core/dtype.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { frozenDescriptor, functionName, label, ownOptions, readFailed } from "../core/_guard.ts";
import { type FullShape, numElements, parseShape } from "../core/shape.ts";
import {
  frozenValue,
  type Initializer,
  INITIALIZER_FACTORY,
  isInitializer,
  type Scalar,
} from "./initializer.ts";

/**
 * What an `initializer` argument may be: a descriptor, a descriptor
 * constructor (TF1 D9), a function (TF1 callable initializer), or a value:
 * a scalar, a nested array or a typed array (TF1 constant value, D5a).
 *
 * @category initializers
 */
export type InitializerLike =
  | Initializer
  | ((...args: never[]) => unknown)
  | Scalar
  | readonly unknown[]
  | ArrayBufferView;

/**
 * A constant value with an explicit dtype and shape, like a TF1 constant
 * tensor: its dtype counts in TF1 D7 ("Initializer type … and explicit
 * dtype … don't match").
 *
 * @param values a scalar, (nested) array or typed array
 * @param options `dtype` of the value and optional `shape` (default: the value's own)
 * @returns a `Value` descriptor, or throws a `ScopeError` on malformed input
 *
 * @example
 * ```ts
 * import { tensorValue } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = tensorValue([[1, 2], [3, 4]], { dtype: "int32" });
 * assert.deepEqual(v, { _tag: "Value", values: [1, 2, 3, 4], shape: [2, 2], dtype: "int32" });
 * ```
 *
 * @category initializers
 */
export function tensorValue(
  values: Scalar | readonly unknown[] | ArrayBufferView,
  options: { readonly dtype: DType; readonly shape?: FullShape },
): Initializer {
  options = ownOptions(options, "tensorValue") as typeof options;
  const result = E.flatMap(
    parseDType(options.dtype, "dtype"),
    (dtype) =>
      E.flatMap(toValue(values, "values"), (v) => {
        if (options.shape === undefined) return E.right({ ...v, dtype });
        return E.flatMap(parseShape(options.shape, "shape"), (shape) => {
          const full = shape as FullShape;
          if (shape.some((d) => d === null) || numElements(full) !== v.values.length) {
            return E.left(
              scopeError(
                "InvalidInitializer",
                `Invalid tensorValue: shape ${
                  JSON.stringify(shape)
                } does not hold ${v.values.length} elements`,
                { shape, count: v.values.length },
              ),
            );
          }
          return E.right({ ...v, shape: full, dtype });
        });
      }),
  );
  if (E.isLeft(result)) throw result.left;
  return Object.freeze(result.right);
}

/**
 * The `Value` member of {@linkcode Initializer}: a constant with its shape.
 *
 * @category initializers
 */
export type ValueDescriptor = Extract<Initializer, { _tag: "Value" }>;

const TYPED_DTYPES: ReadonlyArray<readonly [string, DType]> = [
  ["Float32Array", "float32"],
  ["Float64Array", "float64"],
  ["Int8Array", "int8"],
  ["Int16Array", "int16"],
  ["Int32Array", "int32"],
  ["Uint8Array", "uint8"],
  ["Uint8ClampedArray", "uint8"],
  ["Uint16Array", "uint16"],
  ["Uint32Array", "uint32"],
];

function invalidValue(argument: string, why: string, value: unknown): ScopeError {
  return scopeError(
    "InvalidInitializer",
    `Invalid ${argument}: ${why}, got ${describeValue(value)}`,
    { argument, value },
  );
}

function scalarKind(x: unknown): "number" | "bool" | "string" | null {
  if (typeof x === "number") return "number";
  if (typeof x === "boolean") return "bool";
  if (typeof x === "string") return "string";
  return null;
}

/**
 * Converts a constant value (scalar, rectangular nested array, typed array,
 * or an existing `Value` descriptor such as {@linkcode tensorValue} makes)
 * into a `Value` descriptor. Plain JS numbers carry no dtype
 * (`dtype: null`): JavaScript has no integer type, so the variable takes
 * the requested or scope dtype; booleans are `bool`, strings `string`, and
 * typed arrays their element type.
 *
 * @param raw the value
 * @param argument the argument's name, for errors
 * @returns the descriptor, or an `InvalidInitializer` error
 *
 * @example
 * ```ts
 * import { toValue } from "./value.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(toValue(new Int32Array([1, 2]), "initializer"), {
 *   _tag: "Right",
 *   right: { _tag: "Value", values: [1, 2], shape: [2], dtype: "int32" },
 * });
 * assert.equal(toValue([[1], [2, 3]], "initializer")._tag, "Left");
 * ```
 *
 * @category initializers
 */
export function toValue(raw: unknown, argument: string): Either<ScopeError, ValueDescriptor> {
  argument = label(argument, "initializer");
  try {
    return toValueUnguarded(raw, argument);
  } catch (cause) {
    // A proxy or an array with throwing getters somewhere in the value.
    return E.left(readFailed(argument, cause));
  }
}

function toValueUnguarded(raw: unknown, argument: string): Either<ScopeError, ValueDescriptor> {
  if (isInitializer(raw) && raw._tag === "Value") {
    return pipe(validateInitializer(raw, argument), E.map(() => raw));
  }
  if (ArrayBuffer.isView(raw)) {
    const ctor = raw.constructor.name;
    const entry = TYPED_DTYPES.find(([n]) => n === ctor);
    if (entry === undefined) {
      return E.left(invalidValue(argument, `unsupported typed array ${ctor}`, raw));
    }
    const values = Array.from(raw as unknown as ArrayLike<number>);
    return E.right(Object.freeze({
      _tag: "Value",
      values: Object.freeze(values),
      shape: Object.freeze([values.length]),
      dtype: entry[1],
    }));
  }
  const k = scalarKind(raw);
  if (k !== null) {
    return E.right(Object.freeze({
      _tag: "Value",
      values: Object.freeze([raw as Scalar]),
      shape: Object.freeze([]),
      dtype: k === "number" ? null : k,
    }));
  }
  if (!Array.isArray(raw)) {
    return E.left(
      invalidValue(
        argument,
        "expected a number, boolean, string, (nested) array or typed array",
        raw,
      ),
    );
  }
  // Walk the nested array once, checking it is rectangular and of one kind.
  const shape: number[] = [];
  let probe: unknown = raw;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: Scalar[] = [];
  let kind: "number" | "bool" | "string" | null = null;
  const visit = (node: unknown, depth: number): string | null => {
    if (depth === shape.length) {
      const nk = scalarKind(node);
      if (nk === null) return `element ${describeValue(node)} is not a number, boolean or string`;
      if (kind !== null && nk !== kind) return "elements mix numbers, booleans and strings";
      kind = nk;
      values.push(node as Scalar);
      return null;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      return "the nested array is not rectangular";
    }
    for (const child of node) {
      const err = visit(child, depth + 1);
      if (err !== null) return err;
    }
    return null;
  };
  const err = visit(raw, 0);
  if (err !== null) return E.left(invalidValue(argument, err, raw));
  const k2 = kind as "number" | "bool" | "string" | null;
  return E.right(Object.freeze({
    _tag: "Value",
    values: Object.freeze(values),
    shape: Object.freeze(shape),
    dtype: k2 === "bool" ? "bool" : k2 === "string" ? "string" : null,
  }));
}

function finite(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}

function validSeed(x: unknown): boolean {
  return x === null || (typeof x === "number" && Number.isSafeInteger(x));
}

/**
 * Checks an initializer descriptor's fields (untyped callers can build
 * descriptors by hand).
 *
 * @param init the descriptor
 * @param argument the argument's name, for errors
 * @returns the same descriptor, or an `InvalidInitializer` error naming the field
 *
 * @example
 * ```ts
 * import { randomNormalInitializer } from "varscope";
 * import { validateInitializer } from "./value.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(validateInitializer(randomNormalInitializer({ stddev: -1 }), "initializer")._tag, "Left");
 * ```
 *
 * @category initializers
 */
export function validateInitializer(
  init: Initializer,
  argument: string,
): Either<ScopeError, Initializer> {
  argument = label(argument, "initializer");
  if (!isInitializer(init)) {
    return E.left(invalidValue(argument, "expected an initializer descriptor", init));
  }
  try {
    return validateUnguarded(init, argument);
  } catch (cause) {
    return E.left(readFailed(argument, cause));
  }
}

function validateUnguarded(init: Initializer, argument: string): Either<ScopeError, Initializer> {
  const bad = (field: string, why: string): Either<ScopeError, Initializer> =>
    E.left(
      scopeError(
        "InvalidInitializer",
        `Invalid ${argument}: ${init._tag} field "${field}" ${why}, got ${
          describeValue((init as unknown as Record<string, unknown>)[field])
        }`,
        { argument, field },
      ),
    );
  switch (init._tag) {
    case "Zeros":
    case "Ones":
      return E.right(init);
    case "Constant": {
      if (typeof init.verifyShape !== "boolean") return bad("verifyShape", "must be a boolean");
      const v = toValue(init.value, argument);
      return E.isLeft(v) ? v : E.right(init);
    }
    case "RandomNormal":
    case "TruncatedNormal":
      if (!finite(init.mean)) return bad("mean", "must be a finite number");
      if (!finite(init.stddev) || init.stddev < 0) {
        return bad("stddev", "must be a finite number >= 0");
      }
      return validSeed(init.seed) ? E.right(init) : bad("seed", "must be an integer or null");
    case "RandomUniform":
      if (!finite(init.minval)) return bad("minval", "must be a finite number");
      if (init.maxval !== null && (!finite(init.maxval) || init.maxval < init.minval)) {
        return bad("maxval", "must be null or a finite number >= minval");
      }
      return validSeed(init.seed) ? E.right(init) : bad("seed", "must be an integer or null");
    case "VarianceScaling":
      if (!finite(init.scale) || init.scale <= 0) return bad("scale", "must be a positive number");
      if (!["fan_in", "fan_out", "fan_avg"].includes(init.mode)) {
        return bad("mode", "must be fan_in, fan_out or fan_avg");
      }
      if (
        !["normal", "truncated_normal", "untruncated_normal", "uniform"].includes(init.distribution)
      ) {
        return bad(
          "distribution",
          "must be normal, truncated_normal, untruncated_normal or uniform",
        );
      }
      return validSeed(init.seed) ? E.right(init) : bad("seed", "must be an integer or null");
    case "Orthogonal":
      if (!finite(init.gain)) return bad("gain", "must be a finite number");
      return validSeed(init.seed) ? E.right(init) : bad("seed", "must be an integer or null");
    case "Identity":
      return finite(init.gain) ? E.right(init) : bad("gain", "must be a finite number");
    case "Custom":
      return typeof init.fn === "function" ? E.right(init) : bad("fn", "must be a function");
    case "Value": {
      if (!Array.isArray(init.values)) return bad("values", "must be an array");
      const shape = parseShape(init.shape, `${argument}.shape`);
      if (E.isLeft(shape)) return shape;
      if (
        shape.right.some((d) => d === null) ||
        numElements(shape.right as FullShape) !== init.values.length
      ) {
        return bad("shape", "must be fully defined and match the number of values");
      }
      if (init.dtype !== null && E.isLeft(parseDType(init.dtype, `${argument}.dtype`))) {
        return bad("dtype", "must be a dtype or null");
      }
      return E.right(init);
    }
  }
}

/**
 * Converts any `initializer` argument to a descriptor: descriptors are
 * checked, constructors are called with no arguments (TF1 D9), functions
 * become `Custom` initializers, values become `Value` descriptors, and a
 * plain object that is not a descriptor is rejected (TF1 D12).
 *
 * @param raw what the caller passed (undefined or null: none)
 * @param argument the argument's name, for errors
 * @returns the descriptor or null, or an `InvalidInitializer` error
 *
 * @example
 * ```ts
 * import { zerosInitializer } from "varscope";
 * import { normalizeInitializer } from "./value.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(normalizeInitializer(zerosInitializer, "initializer"), { _tag: "Right", right: { _tag: "Zeros" } });
 * assert.equal(normalizeInitializer({ a: 1 }, "initializer")._tag, "Left");
 * ```
 *
 * @category initializers
 */
export function normalizeInitializer(
  raw: unknown,
  argument: string,
): Either<ScopeError, Initializer | null> {
  argument = label(argument, "initializer");
  if (raw === undefined || raw === null) return E.right(null);
  if (typeof raw === "function") {
    let factory: unknown;
    try {
      factory = (raw as unknown as Record<symbol, unknown>)[INITIALIZER_FACTORY];
    } catch (cause) {
      return E.left(readFailed(argument, cause));
    }
    if (factory === true) {
      const made: unknown = (raw as () => unknown)();
      return isInitializer(made)
        ? validateInitializer(made, argument)
        : E.left(invalidValue(argument, "constructor did not return an initializer", raw));
    }
    const fn = raw as (...args: never[]) => unknown;
    return E.right(
      Object.freeze({ _tag: "Custom", fn: fn as never, name: functionName(fn, "custom") }),
    );
  }
  if (isInitializer(raw)) {
    // A hand-built descriptor is copied and frozen first, so the checked
    // descriptor is the one the variable keeps.
    const copy = frozenInitializer(raw, argument);
    return E.isLeft(copy) ? copy : validateInitializer(copy.right, argument);
  }
  if (typeof raw === "object" && !Array.isArray(raw) && !ArrayBuffer.isView(raw)) {
    return E.left(
      scopeError(
        "InvalidInitializer",
        `Invalid ${argument}: a plain object (dict) is not an initializer, got ${
          describeValue(raw)
        }`,
        { argument, value: raw },
      ),
    );
  }
  return toValue(raw, argument);
}

function frozenInitializer(raw: Initializer, argument: string): Either<ScopeError, Initializer> {
  const copy = frozenDescriptor(raw, argument);
  if (!copy.ok) return E.left(copy.error);
  const r = copy.record as unknown as Initializer;
  if (r === raw && (r._tag !== "Value" || Object.isFrozen(r.values))) return E.right(r);
  if (r._tag === "Value" && Array.isArray(r.values) && Array.isArray(r.shape)) {
    return E.right(Object.freeze({
      ...r,
      values: Object.freeze(r.values.slice()),
      shape: Object.freeze(r.shape.slice()),
    }));
  }
  if (r._tag === "Constant") {
    return E.right(
      Object.freeze({ ...r, value: frozenValue(r.value) as Scalar | readonly unknown[] }),
    );
  }
  return E.right(r);
}
