/**
 * Initial values without a tensor library: {@linkcode materialize} computes
 * the values a variable's initializer gives it, as a typed array.
 *
 * Decision 3: values are a pure function of (seed, full variable name,
 * shape, initializer). Each random element is drawn from a counter-based
 * generator (Philox4x32-10) keyed by the seeds and indexed by the element's
 * position in the full variable, so creation order, sibling variables and
 * partitioning never change a variable's values.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { DType } from "../core/dtype.ts";
import type { Either } from "../core/either.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import {
  checkElementCount,
  DEFAULT_MAX_ELEMENTS,
  formatShape,
  type FullShape,
  numElements,
} from "../core/shape.ts";
import { readRecord } from "../core/_guard.ts";
import { isVariable, type Variable } from "../core/variable.ts";
import {
  deriveKey,
  type Key,
  normalAt,
  predecessor,
  roundBFloat16,
  roundFloat16,
  truncatedNormalAt,
  uniformAt,
} from "./_random.ts";
import {
  type Initializer,
  isInitializer,
  type PartitionInfo,
  type Scalar,
  type Seed,
} from "./initializer.ts";
import { toValue, validateInitializer } from "./value.ts";

/**
 * The element array of an {@linkcode InitialValue}, by dtype: float32,
 * float16 and bfloat16 → `Float32Array` (float16 and bfloat16 values are
 * rounded to their format, so each element is exactly representable);
 * float64 → `Float64Array`; int8, int16, int32, uint8, uint16, uint32 →
 * the typed array of that name; int64 and uint64 → `Float64Array` of exact
 * integers (safe integers only); bool → `Uint8Array` of 0 and 1; string →
 * an array of strings. Complex dtypes are not supported.
 *
 * @category initializers
 */
export type InitialValueArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | readonly string[];

/**
 * A variable's initial value: dtype, shape, and the elements in row-major
 * order.
 *
 * @category initializers
 */
export interface InitialValue {
  /** The variable's dtype. */
  readonly dtype: DType;
  /** The variable's shape (for a shard, the shard's shape). */
  readonly shape: FullShape;
  /** The elements in row-major order, `numElements(shape)` of them. */
  readonly values: InitialValueArray;
}

/** Options of {@linkcode materialize}. @category initializers */
export interface MaterializeOptions {
  /**
   * The global seed (a safe integer, default 0), combined with each
   * initializer's own seed, or with the variable's full name when that
   * seed is null (like TF's graph-level seed).
   */
  readonly seed?: number;
  /**
   * The most elements the value may have (default `DEFAULT_MAX_ELEMENTS`,
   * 2^31 - 1); a larger variable is a `TooLarge` error, checked before
   * anything is allocated or computed.
   */
  readonly maxElements?: number;
}

type Format =
  | {
    readonly kind: "float";
    readonly make: (n: number) => Float32Array | Float64Array;
    readonly round: (x: number) => number;
  }
  | {
    readonly kind: "int";
    readonly make: (n: number) => Exclude<InitialValueArray, readonly string[]>;
    readonly min: number;
    readonly max: number;
  }
  | { readonly kind: "bool" }
  | { readonly kind: "string" };

const f32 = (n: number): Float32Array => new Float32Array(n);
const f64 = (n: number): Float64Array => new Float64Array(n);
const identity = (x: number): number => x;

function intFormat(
  make: (n: number) => Exclude<InitialValueArray, readonly string[]>,
  min: number,
  max: number,
): Format {
  return { kind: "int", make, min, max };
}

function formatOf(dtype: DType): Format | null {
  switch (dtype) {
    case "float16":
      return { kind: "float", make: f32, round: roundFloat16 };
    case "bfloat16":
      return { kind: "float", make: f32, round: roundBFloat16 };
    case "float32":
      return { kind: "float", make: f32, round: Math.fround };
    case "float64":
      return { kind: "float", make: f64, round: identity };
    case "int8":
      return intFormat((n) => new Int8Array(n), -128, 127);
    case "int16":
      return intFormat((n) => new Int16Array(n), -32768, 32767);
    case "int32":
      return intFormat((n) => new Int32Array(n), -2147483648, 2147483647);
    case "int64":
      return intFormat(f64, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case "uint8":
      return intFormat((n) => new Uint8Array(n), 0, 255);
    case "uint16":
      return intFormat((n) => new Uint16Array(n), 0, 65535);
    case "uint32":
      return intFormat((n) => new Uint32Array(n), 0, 4294967295);
    case "uint64":
      return intFormat(f64, 0, Number.MAX_SAFE_INTEGER);
    case "bool":
      return { kind: "bool" };
    case "string":
      return { kind: "string" };
    case "complex64":
    case "complex128":
      return null;
  }
}

/** What every step needs: the variable, its format, and how to fail. */
interface Context {
  readonly variable: Variable;
  readonly format: Format;
  readonly globalSeed: number;
  /** Full name the values derive from: the partitioned variable's for a shard. */
  readonly seedName: string;
  /** Shape of the full variable (the variable's own unless a shard). */
  readonly fullShape: FullShape;
  /** Offset of the shard in the full variable (zeros unless a shard). */
  readonly offset: FullShape;
}

type Result = Either<ScopeError, InitialValueArray>;

function failFor(
  v: Variable,
  why: string,
  details: Record<string, unknown> = {},
): Either<ScopeError, never> {
  return E.left(
    scopeError(
      "InvalidInitializer",
      `Cannot materialize variable "${v.fullName}" (${v.initializer._tag}, dtype ${v.dtype}, shape ${
        formatShape(v.shape)
      }): ${why}`,
      {
        name: v.fullName,
        dtype: v.dtype,
        shape: v.shape,
        initializer: v.initializer._tag,
        ...details,
      },
    ),
  );
}

function fail(ctx: Context, why: string, details: Record<string, unknown> = {}): Result {
  return failFor(ctx.variable, why, details);
}

/** Fills the output from numbers, rounding floats and checking integers. */
function fromNumbers(ctx: Context, n: number, at: (i: number) => number): Result {
  const f = ctx.format;
  if (f.kind === "float") {
    const out = f.make(n);
    for (let i = 0; i < n; i++) out[i] = f.round(at(i));
    return E.right(out);
  }
  if (f.kind === "int") {
    const out = f.make(n);
    for (let i = 0; i < n; i++) {
      const x = at(i);
      if (!Number.isInteger(x) || x < f.min || x > f.max) {
        return fail(ctx, `element ${i} is ${x}, not an integer in [${f.min}, ${f.max}]`, {
          index: i,
        });
      }
      out[i] = x;
    }
    return E.right(out);
  }
  return fail(ctx, "needs a numeric dtype");
}

/** Fills the output from scalars with TF's conversion rules (no coercion). */
function fromScalars(ctx: Context, n: number, at: (i: number) => Scalar): Result {
  const f = ctx.format;
  const bad = (i: number, x: Scalar, want: string): Result =>
    fail(ctx, `element ${i} is ${describeValue(x)}, not ${want}`, { index: i });
  if (f.kind === "bool") {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = at(i);
      if (typeof x !== "boolean") return bad(i, x, "a boolean");
      out[i] = x ? 1 : 0;
    }
    return E.right(out);
  }
  if (f.kind === "string") {
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const x = at(i);
      if (typeof x !== "string") return bad(i, x, "a string");
      out[i] = x;
    }
    return E.right(Object.freeze(out));
  }
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (typeof x !== "number") return bad(i, x, "a number");
  }
  return fromNumbers(ctx, n, at as (i: number) => number);
}

function requireFloat(ctx: Context): Result | null {
  return ctx.format.kind === "float" ? null : fail(ctx, "needs a floating dtype");
}

/** Index of each shard element in the full variable (row-major). */
function globalIndices(ctx: Context): (i: number) => number {
  const { fullShape: full, offset } = ctx;
  const shape = ctx.variable.shape;
  if (ctx.variable.saveSliceInfo === null) return (i) => i;
  const n = numElements(shape);
  const out = new Float64Array(n);
  const strides = full.map((_, d) => numElements(full.slice(d + 1)));
  const idx = shape.map(() => 0);
  for (let k = 0; k < n; k++) {
    let flat = 0;
    for (let d = 0; d < shape.length; d++) flat += (idx[d]! + offset[d]!) * strides[d]!;
    out[k] = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return (i) => out[i]!;
}

function keyOf(ctx: Context, seed: Seed): Key {
  return deriveKey(ctx.globalSeed, seed ?? ctx.seedName);
}

/** TF1 `_compute_fans` (E9) of the full shape. */
function fans(shape: FullShape): readonly [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  if (shape.length === 2) return [shape[0]!, shape[1]!];
  const receptive = numElements(shape.slice(0, -2));
  return [shape.at(-2)! * receptive, shape.at(-1)! * receptive];
}

// sqrt of the variance of a standard normal truncated to (-2, 2).
const TRUNCATED_STDDEV = 0.87962566103423978;

function uniform(
  ctx: Context,
  seed: Seed,
  minval: number,
  maxval: number | null,
): Result {
  const n = numElements(ctx.variable.shape);
  const g = globalIndices(ctx);
  const key = keyOf(ctx, seed);
  const f = ctx.format;
  if (f.kind === "float") {
    const hi = maxval ?? 1;
    const limit = f.round(hi);
    const low = f.round(minval);
    let below: number | null = null;
    return fromNumbers(ctx, n, (i) => {
      const r = f.round(minval + (hi - minval) * uniformAt(key, g(i)));
      if (r < limit || limit <= low) return r;
      below ??= predecessor(f.round, limit);
      return below;
    });
  }
  if (f.kind !== "int") return fail(ctx, "needs a numeric dtype");
  if (maxval === null) return fail(ctx, "maxval is required for an integer dtype");
  if (!Number.isInteger(minval) || !Number.isInteger(maxval) || minval >= maxval) {
    return fail(ctx, `needs integers minval < maxval, got ${minval} and ${maxval}`);
  }
  if (minval < f.min || maxval - 1 > f.max) {
    return fail(ctx, `[${minval}, ${maxval}) does not fit in ${ctx.variable.dtype}`);
  }
  const range = maxval - minval;
  if (range > Number.MAX_SAFE_INTEGER) return fail(ctx, `the range ${range} is too large`);
  return fromNumbers(
    ctx,
    n,
    (i) => minval + Math.min(range - 1, Math.floor(uniformAt(key, g(i)) * range)),
  );
}

function normal(
  ctx: Context,
  seed: Seed,
  mean: number,
  stddev: number,
  truncated: boolean,
): Result {
  const n = numElements(ctx.variable.shape);
  const g = globalIndices(ctx);
  const key = keyOf(ctx, seed);
  const draw = truncated ? truncatedNormalAt : normalAt;
  return fromNumbers(ctx, n, (i) => mean + stddev * draw(key, g(i)));
}

function varianceScaling(
  ctx: Context,
  init: Extract<Initializer, { _tag: "VarianceScaling" }>,
): Result {
  const [fanIn, fanOut] = fans(ctx.fullShape);
  const fan = init.mode === "fan_in"
    ? fanIn
    : init.mode === "fan_out"
    ? fanOut
    : (fanIn + fanOut) / 2;
  const scale = init.scale / Math.max(1, fan);
  switch (init.distribution) {
    case "normal":
    case "truncated_normal":
      return normal(ctx, init.seed, 0, Math.sqrt(scale) / TRUNCATED_STDDEV, true);
    case "untruncated_normal":
      return normal(ctx, init.seed, 0, Math.sqrt(scale), false);
    case "uniform": {
      const limit = Math.sqrt(3 * scale);
      return uniform(ctx, init.seed, -limit, limit);
    }
  }
}

/** Values of the full variable, row-major, computed once and sliced. */
function sliced(ctx: Context, full: Float64Array): Result {
  const g = globalIndices(ctx);
  return fromNumbers(ctx, numElements(ctx.variable.shape), (i) => full[g(i)]!);
}

/**
 * Thin QR of an m×n column-major matrix (m >= n) by Householder
 * reflections; returns Q (m×n, column-major) with each column multiplied
 * by the sign of R's diagonal entry, so that R's diagonal is non-negative.
 */
function signedQ(a: Float64Array, m: number, n: number): Float64Array {
  const diag = new Float64Array(n);
  const vs: Float64Array[] = [];
  const betas = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const col = k * m;
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[col + i]! * a[col + i]!;
    const norm = Math.sqrt(norm2);
    const x0 = a[col + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    diag[k] = alpha;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[col + i]!;
    v[0] = x0 - alpha;
    const vnorm2 = norm2 - x0 * x0 + v[0]! * v[0]!;
    const beta = vnorm2 > 0 ? 2 / vnorm2 : 0;
    vs.push(v);
    betas[k] = beta;
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * a[cj + i]!;
      s *= beta;
      for (let i = k; i < m; i++) a[cj + i] = a[cj + i]! - s * v[i - k]!;
    }
  }
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k]!;
    const beta = betas[k]!;
    for (let j = k; j < n; j++) {
      const cj = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += v[i - k]! * q[cj + i]!;
      s *= beta;
      for (let i = k; i < m; i++) q[cj + i] = q[cj + i]! - s * v[i - k]!;
    }
  }
  for (let k = 0; k < n; k++) {
    // TF1 multiplies Q by sign(diag(R)); R's diagonal here is alpha.
    const s = Math.sign(diag[k]!);
    for (let i = 0; i < m; i++) q[k * m + i] = q[k * m + i]! * s;
  }
  return q;
}

function orthogonal(ctx: Context, init: Extract<Initializer, { _tag: "Orthogonal" }>): Result {
  const shape = ctx.fullShape;
  if (shape.length < 2) return fail(ctx, "the shape must have rank 2 or more");
  const rows = numElements(shape.slice(0, -1));
  const cols = shape.at(-1)!;
  const m = Math.max(rows, cols); // TF1: a normal matrix of shape (m, p), then QR
  const p = Math.min(rows, cols);
  const key = keyOf(ctx, init.seed);
  const a = new Float64Array(m * p);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < p; j++) a[j * m + i] = normalAt(key, i * p + j);
  }
  const q = signedQ(a, m, p);
  const full = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      // rows >= cols: Q is rows×cols; otherwise Q is cols×rows, transposed.
      full[i * cols + j] = init.gain * (rows >= cols ? q[j * m + i]! : q[i * m + j]!);
    }
  }
  return sliced(ctx, full);
}

function identityMatrix(ctx: Context, gain: number): Result {
  const shape = ctx.fullShape;
  if (shape.length !== 2) return fail(ctx, "the shape must have rank 2");
  const [rows, cols] = [shape[0]!, shape[1]!];
  const full = new Float64Array(rows * cols);
  for (let i = 0; i < Math.min(rows, cols); i++) full[i * cols + i] = gain;
  return sliced(ctx, full);
}

function zero(ctx: Context): Scalar {
  const k = ctx.format.kind;
  return k === "bool" ? false : k === "string" ? "" : 0;
}

function constant(ctx: Context, init: Extract<Initializer, { _tag: "Constant" }>): Result {
  const v = toValue(init.value, "initializer");
  if (E.isLeft(v)) return v;
  const { values, shape } = v.right;
  const target = ctx.variable.shape;
  const n = numElements(target);
  if (
    init.verifyShape &&
    (shape.length !== target.length || shape.some((d, i) => d !== target[i]))
  ) {
    return fail(ctx, `verifyShape: the value has shape ${formatShape(shape)}`, {
      valueShape: shape,
    });
  }
  if (values.length > n) {
    return fail(ctx, `the value has ${values.length} elements, more than ${n}`, {
      valueShape: shape,
    });
  }
  // TF1 fill rule: missing elements repeat the last one; no elements gives zeros.
  if (values.length === 0) return fromScalars(ctx, n, () => zero(ctx));
  return fromScalars(ctx, n, (i) => values[Math.min(i, values.length - 1)]!);
}

function custom(ctx: Context, init: Extract<Initializer, { _tag: "Custom" }>): Result {
  const info = ctx.variable.saveSliceInfo;
  const partitionInfo: PartitionInfo | null = info === null
    ? null
    : { fullShape: info.fullShape, varOffset: info.varOffset };
  let raw: unknown;
  try {
    raw = init.fn(ctx.variable.shape, { dtype: ctx.variable.dtype, partitionInfo });
  } catch (cause) {
    return fail(
      ctx,
      `the initializer function threw: ${
        cause instanceof Error ? cause.message : describeValue(cause)
      }`,
    );
  }
  const v = toValue(raw, "initializer");
  if (E.isLeft(v)) return v;
  const n = numElements(ctx.variable.shape);
  if (v.right.values.length !== n) {
    return fail(ctx, `the initializer function returned ${v.right.values.length} elements`, {
      valueShape: v.right.shape,
    });
  }
  const values = v.right.values;
  return fromScalars(ctx, n, (i) => values[i]!);
}

function compute(ctx: Context, init: Initializer): Result {
  const n = numElements(ctx.variable.shape);
  switch (init._tag) {
    case "Zeros":
      return fromScalars(ctx, n, () => zero(ctx));
    case "Ones": {
      const k = ctx.format.kind;
      if (k === "string") return fail(ctx, "a string variable has no ones");
      return fromScalars(ctx, n, () => k === "bool" ? true : 1);
    }
    case "Constant":
      return constant(ctx, init);
    case "RandomNormal":
    case "TruncatedNormal":
      return requireFloat(ctx) ??
        normal(ctx, init.seed, init.mean, init.stddev, init._tag === "TruncatedNormal");
    case "RandomUniform":
      return uniform(ctx, init.seed, init.minval, init.maxval);
    case "VarianceScaling":
      return requireFloat(ctx) ?? varianceScaling(ctx, init);
    case "Orthogonal":
      return requireFloat(ctx) ?? orthogonal(ctx, init);
    case "Identity":
      return identityMatrix(ctx, init.gain);
    case "Custom":
      return custom(ctx, init);
    case "Value": {
      if (init.values.length !== n) {
        return fail(ctx, `the value has ${init.values.length} elements, not ${n}`);
      }
      return fromScalars(ctx, n, (i) => init.values[i]!);
    }
  }
}

/**
 * Computes a variable's initial value without any tensor library
 * (decision 3): a pure function of the global seed, the initializer (and
 * its own seed), the variable's full name and its shape.
 *
 * - Random initializers with a null seed derive their key from the full
 *   name; an explicit seed makes the values independent of the name, like
 *   a TF op seed. The global `seed` option changes every random value.
 * - Each random element depends only on the key and its index in the full
 *   variable: a shard of a partitioned variable gets exactly the slice of
 *   the values the unpartitioned variable of that name and full shape
 *   would get, and variance-scaling fans come from the full shape (E9).
 *   Orthogonal and identity values are computed for the full shape and
 *   sliced.
 * - Zeros, ones and constants fill the variable's own (shard) shape with
 *   TF1's rules: a shorter list repeats its last element; `Value`
 *   descriptors of a shard already hold the shard's slice; custom
 *   functions get the shard shape, dtype and partition info (D10).
 *
 * @param variable the variable (a shard of a partitioned variable is a variable too)
 * @param options the global `seed` (default 0)
 * @returns the dtype, shape and values, or an `InvalidInitializer` error
 *   (`InvalidArgument` for a bad variable or seed)
 *
 * @example
 * ```ts
 * import { getVariable, materialize, randomNormalInitializer, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(
 *   getVariable("w", { shape: [2, 3], initializer: randomNormalInitializer({ stddev: 0.1 }) }),
 * ).value;
 * assert.ok(v._tag === "Variable");
 * const result = materialize(v);
 * assert.ok(result._tag === "Right");
 * assert.equal(result.right.values.length, 6);
 * assert.ok(result.right.values instanceof Float32Array);
 * assert.deepEqual(materialize(v), result); // the same values every time
 * ```
 *
 * @category initializers
 */
export function materialize(
  variable: Variable,
  options: MaterializeOptions = {},
): Either<ScopeError, InitialValue> {
  if (!isVariable(variable)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid variable: expected a Variable (a shard for a partitioned variable), got ${
          describeValue(variable)
        }`,
        { argument: "variable", value: variable },
      ),
    );
  }
  const read = readRecord(options, "materialize", null);
  if (!read.ok) return E.left(read.error);
  const o = read.record as MaterializeOptions;
  if (
    !Array.isArray(variable.shape) || typeof variable.fullName !== "string" ||
    !isInitializer(variable.initializer)
  ) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid variable: expected a Variable from a store, got ${describeValue(variable)}`,
        { argument: "variable", value: variable },
      ),
    );
  }
  const tooLarge = checkElementCount(
    variable.shape,
    o.maxElements ?? DEFAULT_MAX_ELEMENTS,
    variable.fullName,
  );
  if (tooLarge !== null) return E.left(tooLarge);
  const globalSeed = o.seed ?? 0;
  if (typeof globalSeed !== "number" || !Number.isSafeInteger(globalSeed)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid seed: expected a safe integer, got ${describeValue(globalSeed)}`,
        { argument: "seed", value: globalSeed },
      ),
    );
  }
  const format = formatOf(variable.dtype);
  if (format === null) return failFor(variable, "complex dtypes are not supported");
  const info = variable.saveSliceInfo;
  const ctx: Context = {
    variable,
    format,
    globalSeed,
    seedName: info?.fullName ?? variable.fullName,
    fullShape: info?.fullShape ?? variable.shape,
    offset: info?.varOffset ?? variable.shape.map(() => 0),
  };
  const checked = validateInitializer(variable.initializer, "initializer");
  if (E.isLeft(checked)) return checked;
  const values = compute(ctx, checked.right);
  if (E.isLeft(values)) return values;
  return E.right(
    Object.freeze({ dtype: variable.dtype, shape: variable.shape, values: values.right }),
  );
}

/**
 * {@linkcode materialize}, throwing the `ScopeError` instead of returning it.
 *
 * @param variable the variable
 * @param options the global `seed` (default 0)
 * @returns the dtype, shape and values
 * @throws {ScopeError} when the values cannot be computed
 *
 * @example
 * ```ts
 * import { constantInitializer, getVariable, materializeOrThrow, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(
 *   getVariable("b", { shape: [2, 2], initializer: constantInitializer([1, 2]) }),
 * ).value;
 * assert.ok(v._tag === "Variable");
 * const { shape, values } = materializeOrThrow(v);
 * assert.deepEqual(shape, [2, 2]);
 * assert.deepEqual(values, new Float32Array([1, 2, 2, 2])); // TF1 fill: the last one repeats
 * ```
 *
 * @category initializers
 */
export function materializeOrThrow(
  variable: Variable,
  options: MaterializeOptions = {},
): InitialValue {
  const result = materialize(variable, options);
  if (E.isLeft(result)) throw result.left;
  return result.right;
}
