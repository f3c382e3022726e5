/**
 * Initializers as data. The pure core records which initializer a variable
 * was created with; a tensor interpreter materialises it later. Each
 * constructor mirrors a TF1 `tf.compat.v1.*_initializer` with TF1's defaults.
 *
 * @module
 */
import type { DType } from "../core/dtype.ts";
import { functionName, ownOptions, readFailed } from "../core/_guard.ts";
import { ScopeError, scopeError } from "../core/errors.ts";
import type { FullShape } from "../core/shape.ts";

/**
 * Brand that marks an initializer constructor, so that passing the
 * constructor itself (TF1 `initializer=tf.zeros_initializer`, D9) calls it
 * with no arguments.
 *
 * @category initializers
 */
export const INITIALIZER_FACTORY: unique symbol = Symbol.for(
  "varscope.initializerFactory",
);

/**
 * A random seed: an integer, or `null` for "derive one from the variable"
 * (decision 3: values are a pure function of seed, full name, shape and
 * initializer).
 *
 * @category initializers
 */
export type Seed = number | null;

/** TF1 `VarianceScaling` fan mode. @category initializers */
export type FanMode = "fan_in" | "fan_out" | "fan_avg";

/** TF1 `VarianceScaling` distribution. @category initializers */
export type ScalingDistribution =
  | "normal"
  | "truncated_normal"
  | "untruncated_normal"
  | "uniform";

/** A scalar element of a value initializer. @category initializers */
export type Scalar = number | boolean | string;

/** What `partition_info` gives an initializer of one shard (TF1 D10). @category initializers */
export interface PartitionInfo {
  /** Shape of the whole (unpartitioned) variable. */
  readonly fullShape: FullShape;
  /** Offset of this shard in the whole variable. */
  readonly varOffset: FullShape;
}

/**
 * A user function that computes initial values from the shape, dtype and
 * (for a shard) the partition info; it runs in the interpreter, never in
 * the pure core.
 *
 * @category initializers
 */
export type InitializerFunction = (
  shape: FullShape,
  options: { readonly dtype: DType; readonly partitionInfo: PartitionInfo | null },
) => unknown;

/**
 * Initializer descriptors. `Value` is a constant value given directly
 * (TF1's non-callable initializer: a tensor, array or number); all others
 * are callable initializers in TF1 terms and need a fully defined shape.
 *
 * @category initializers
 */
export type Initializer =
  | { readonly _tag: "Zeros" }
  | { readonly _tag: "Ones" }
  | {
    readonly _tag: "Constant";
    readonly value: Scalar | readonly unknown[];
    readonly verifyShape: boolean;
  }
  | {
    readonly _tag: "RandomNormal";
    readonly mean: number;
    readonly stddev: number;
    readonly seed: Seed;
  }
  | {
    readonly _tag: "TruncatedNormal";
    readonly mean: number;
    readonly stddev: number;
    readonly seed: Seed;
  }
  | {
    readonly _tag: "RandomUniform";
    readonly minval: number;
    readonly maxval: number | null;
    readonly seed: Seed;
  }
  | {
    readonly _tag: "VarianceScaling";
    readonly scale: number;
    readonly mode: FanMode;
    readonly distribution: ScalingDistribution;
    readonly seed: Seed;
    /** The TF1 constructor this descriptor came from, e.g. "glorot_uniform". */
    readonly kind: string;
  }
  | { readonly _tag: "Orthogonal"; readonly gain: number; readonly seed: Seed }
  | { readonly _tag: "Identity"; readonly gain: number }
  | {
    readonly _tag: "Custom";
    readonly fn: InitializerFunction;
    readonly name: string;
  }
  | {
    readonly _tag: "Value";
    /** Elements in row-major order. */
    readonly values: readonly Scalar[];
    readonly shape: FullShape;
    /** The value's own dtype, or null when it has none (plain JS numbers). */
    readonly dtype: DType | null;
  };

/** The tags of {@linkcode Initializer}. @category initializers */
export type InitializerTag = Initializer["_tag"];

const TAGS: ReadonlySet<string> = new Set<InitializerTag>([
  "Zeros",
  "Ones",
  "Constant",
  "RandomNormal",
  "TruncatedNormal",
  "RandomUniform",
  "VarianceScaling",
  "Orthogonal",
  "Identity",
  "Custom",
  "Value",
]);

/**
 * Whether a value is an initializer descriptor.
 *
 * @param value any value
 * @returns true for objects with a known initializer `_tag`
 *
 * @example
 * ```ts
 * import { isInitializer, zerosInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isInitializer(zerosInitializer()), true);
 * assert.equal(isInitializer({ _tag: "Nope" }), false);
 * ```
 *
 * @category initializers
 */
export function isInitializer(value: unknown): value is Initializer {
  if (typeof value !== "object" || value === null) return false;
  try {
    return TAGS.has((value as { _tag?: unknown })._tag as string);
  } catch {
    return false; // a throwing getter or proxy trap: not a descriptor
  }
}

// Every factory reads its options record through one guard (own
// properties only, typed error on a throwing getter or proxy) and returns a
// frozen descriptor, so neither a polluted prototype nor a later change to
// the caller's objects reaches a variable.
const NO_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

function brand<F extends (...args: never[]) => Initializer>(
  f: F,
  optionsAt = 0,
  what = f.name || "initializer",
): F {
  const guarded = (...args: unknown[]): Initializer => {
    // No options given (the common `zerosInitializer()` in a forward pass):
    // nothing to read, so no snapshot; an empty record without a prototype
    // still keeps a polluted Object.prototype out of the factory's defaults.
    if (args[optionsAt] === undefined) {
      args[optionsAt] = NO_OPTIONS;
      return Object.freeze((f as unknown as (...a: unknown[]) => Initializer)(...args));
    }
    const safe = args.slice();
    safe[optionsAt] = ownOptions(args[optionsAt], what);
    return Object.freeze((f as unknown as (...a: unknown[]) => Initializer)(...safe));
  };
  Object.defineProperty(guarded, INITIALIZER_FACTORY, { value: true });
  Object.defineProperty(guarded, "name", { value: what });
  return guarded as unknown as F;
}

// The deepest nesting a constant value may have (TF's largest rank).
const MAX_VALUE_DEPTH = 254;

/**
 * A frozen copy of a constant value: nested arrays copied and frozen, typed
 * arrays copied into frozen arrays (they cannot be frozen in place), so the
 * caller changing its array later changes no variable.
 *
 * @internal
 */
export function frozenValue(value: unknown, depth = 0): unknown {
  try {
    return frozenValueUnguarded(value, depth);
  } catch (cause) {
    if (cause instanceof ScopeError) throw cause;
    throw readFailed("value", cause); // a proxy or throwing getter in the value
  }
}

function frozenValueUnguarded(value: unknown, depth: number): unknown {
  if (ArrayBuffer.isView(value)) {
    return Object.freeze(Array.from(value as unknown as ArrayLike<number>));
  }
  if (!Array.isArray(value)) return value;
  if (depth >= MAX_VALUE_DEPTH) {
    throw scopeError(
      "InvalidInitializer",
      `Invalid constantInitializer value: nested deeper than ${MAX_VALUE_DEPTH} levels`,
      { argument: "value" },
    );
  }
  const out = new Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = frozenValueUnguarded(value[i], depth + 1);
  return Object.freeze(out);
}

/** Options of the seeded normal initializers. @category initializers */
export interface NormalOptions {
  /** Mean of the distribution (default 0). */
  readonly mean?: number;
  /** Standard deviation (default 1). */
  readonly stddev?: number;
  /** Integer seed; null derives one from the variable (default null). */
  readonly seed?: Seed;
}

/**
 * TF1 `zeros_initializer()`.
 *
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { zerosInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(zerosInitializer(), { _tag: "Zeros" });
 * ```
 *
 * @category initializers
 */
export const zerosInitializer: () => Initializer = brand(
  () => ({ _tag: "Zeros" }),
  0,
  "zerosInitializer",
);

/**
 * TF1 `ones_initializer()`.
 *
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { onesInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(onesInitializer(), { _tag: "Ones" });
 * ```
 *
 * @category initializers
 */
export const onesInitializer: () => Initializer = brand(
  () => ({ _tag: "Ones" }),
  0,
  "onesInitializer",
);

/**
 * TF1 `constant_initializer(value, verify_shape=False)`: a callable
 * initializer that fills the requested shape (a scalar fills everything; a
 * shorter list repeats its last element, TF1's fill rule).
 *
 * @param value a scalar or a (nested) array of scalars
 * @param options `verifyShape`: require the value's shape to equal the variable's
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { constantInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(constantInitializer(0.5), { _tag: "Constant", value: 0.5, verifyShape: false });
 * ```
 *
 * @category initializers
 */
export const constantInitializer: (
  value?: Scalar | readonly unknown[],
  options?: { readonly verifyShape?: boolean },
) => Initializer = brand(
  (value = 0, options = {}) => ({
    _tag: "Constant",
    value: frozenValue(value) as Scalar | readonly unknown[],
    verifyShape: options.verifyShape ?? false,
  }),
  1,
  "constantInitializer",
);

/**
 * TF1 `random_normal_initializer(mean=0, stddev=1, seed=None)`.
 *
 * @param options mean, stddev and seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { randomNormalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(randomNormalInitializer({ stddev: 0.1 }), { _tag: "RandomNormal", mean: 0, stddev: 0.1, seed: null });
 * ```
 *
 * @category initializers
 */
export const randomNormalInitializer: (options?: NormalOptions) => Initializer = brand(
  (
    options: NormalOptions = {},
  ) => ({
    _tag: "RandomNormal",
    mean: options.mean ?? 0,
    stddev: options.stddev ?? 1,
    seed: options.seed ?? null,
  }),
  0,
  "randomNormalInitializer",
);

/**
 * TF1 `truncated_normal_initializer(mean=0, stddev=1, seed=None)`: normal
 * samples redrawn when further than two standard deviations from the mean.
 *
 * @param options mean, stddev and seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { truncatedNormalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(truncatedNormalInitializer({ seed: 3 })._tag, "TruncatedNormal");
 * ```
 *
 * @category initializers
 */
export const truncatedNormalInitializer: (options?: NormalOptions) => Initializer = brand(
  (
    options: NormalOptions = {},
  ) => ({
    _tag: "TruncatedNormal",
    mean: options.mean ?? 0,
    stddev: options.stddev ?? 1,
    seed: options.seed ?? null,
  }),
  0,
  "truncatedNormalInitializer",
);

/**
 * TF1 `random_uniform_initializer(minval=0, maxval=None, seed=None)`; a
 * `maxval` of null means 1 for floating dtypes, as in TF1.
 *
 * @param options minval, maxval and seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { randomUniformInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(randomUniformInitializer({ minval: -1, maxval: 1 }), { _tag: "RandomUniform", minval: -1, maxval: 1, seed: null });
 * ```
 *
 * @category initializers
 */
export const randomUniformInitializer: (
  options?: { readonly minval?: number; readonly maxval?: number | null; readonly seed?: Seed },
) => Initializer = brand(
  (options = {}) => ({
    _tag: "RandomUniform",
    minval: options.minval ?? 0,
    maxval: options.maxval ?? null,
    seed: options.seed ?? null,
  }),
  0,
  "randomUniformInitializer",
);

/** Options of {@linkcode varianceScalingInitializer}. @category initializers */
export interface VarianceScalingOptions {
  /** Scaling factor (default 1). */
  readonly scale?: number;
  /** Which fan to divide by (default "fan_in"). */
  readonly mode?: FanMode;
  /** Sampling distribution (default "truncated_normal"). */
  readonly distribution?: ScalingDistribution;
  /** Integer seed, or null (default). */
  readonly seed?: Seed;
}

function varianceScaling(options: VarianceScalingOptions, kind: string): Initializer {
  return {
    _tag: "VarianceScaling",
    scale: options.scale ?? 1,
    mode: options.mode ?? "fan_in",
    distribution: options.distribution ?? "truncated_normal",
    seed: options.seed ?? null,
    kind,
  };
}

/**
 * TF1 `variance_scaling_initializer(scale=1, mode="fan_in",
 * distribution="truncated_normal")`. Fans follow TF1 E9; a shard uses the
 * full shape.
 *
 * @param options scale, mode, distribution and seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { varianceScalingInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = varianceScalingInitializer({ scale: 2 });
 * assert.equal(init._tag === "VarianceScaling" && init.mode, "fan_in");
 * ```
 *
 * @category initializers
 */
export const varianceScalingInitializer: (options?: VarianceScalingOptions) => Initializer = brand(
  (
    options: VarianceScalingOptions = {},
  ) => varianceScaling(options, "variance_scaling"),
  0,
  "varianceScalingInitializer",
);

/**
 * TF1 `glorot_uniform_initializer()`: U(-l, l), l = sqrt(6 / (fan_in +
 * fan_out)); the default initializer of floating variables (E8).
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { glorotUniformInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = glorotUniformInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.kind, "glorot_uniform");
 * ```
 *
 * @category initializers
 */
export const glorotUniformInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling({
      scale: 1,
      mode: "fan_avg",
      distribution: "uniform",
      seed: options.seed ?? null,
    }, "glorot_uniform"),
  0,
  "glorotUniformInitializer",
);

/**
 * TF1 `glorot_normal_initializer()`: truncated normal with variance
 * 2 / (fan_in + fan_out).
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { glorotNormalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = glorotNormalInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.distribution, "truncated_normal");
 * ```
 *
 * @category initializers
 */
export const glorotNormalInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling(
      { scale: 1, mode: "fan_avg", distribution: "truncated_normal", seed: options.seed ?? null },
      "glorot_normal",
    ),
  0,
  "glorotNormalInitializer",
);

/**
 * He normal (`tf.compat.v1.keras.initializers.he_normal`): variance scaling
 * with scale 2, fan_in, truncated normal.
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { heNormalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = heNormalInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.scale, 2);
 * ```
 *
 * @category initializers
 */
export const heNormalInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling(
      { scale: 2, mode: "fan_in", distribution: "truncated_normal", seed: options.seed ?? null },
      "he_normal",
    ),
  0,
  "heNormalInitializer",
);

/**
 * He uniform: variance scaling with scale 2, fan_in, uniform.
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { heUniformInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = heUniformInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.distribution, "uniform");
 * ```
 *
 * @category initializers
 */
export const heUniformInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling(
      { scale: 2, mode: "fan_in", distribution: "uniform", seed: options.seed ?? null },
      "he_uniform",
    ),
  0,
  "heUniformInitializer",
);

/**
 * LeCun normal: variance scaling with scale 1, fan_in, truncated normal.
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { lecunNormalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = lecunNormalInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.kind, "lecun_normal");
 * ```
 *
 * @category initializers
 */
export const lecunNormalInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling(
      { scale: 1, mode: "fan_in", distribution: "truncated_normal", seed: options.seed ?? null },
      "lecun_normal",
    ),
  0,
  "lecunNormalInitializer",
);

/**
 * LeCun uniform: variance scaling with scale 1, fan_in, uniform.
 *
 * @param options seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { lecunUniformInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = lecunUniformInitializer();
 * assert.equal(init._tag === "VarianceScaling" && init.mode, "fan_in");
 * ```
 *
 * @category initializers
 */
export const lecunUniformInitializer: (options?: { readonly seed?: Seed }) => Initializer = brand(
  (
    options: { readonly seed?: Seed } = {},
  ) =>
    varianceScaling(
      { scale: 1, mode: "fan_in", distribution: "uniform", seed: options.seed ?? null },
      "lecun_uniform",
    ),
  0,
  "lecunUniformInitializer",
);

/**
 * TF1 `orthogonal_initializer(gain=1, seed=None)`.
 *
 * @param options gain and seed
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { orthogonalInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(orthogonalInitializer({ gain: 2 }), { _tag: "Orthogonal", gain: 2, seed: null });
 * ```
 *
 * @category initializers
 */
export const orthogonalInitializer: (
  options?: { readonly gain?: number; readonly seed?: Seed },
) => Initializer = brand(
  (options = {}) => ({
    _tag: "Orthogonal",
    gain: options.gain ?? 1,
    seed: options.seed ?? null,
  }),
  0,
  "orthogonalInitializer",
);

/**
 * TF1 `identity_initializer(gain=1)` for 2-D variables.
 *
 * @param options gain
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { identityInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(identityInitializer(), { _tag: "Identity", gain: 1 });
 * ```
 *
 * @category initializers
 */
export const identityInitializer: (options?: { readonly gain?: number }) => Initializer = brand(
  (
    options: { readonly gain?: number } = {},
  ) => ({ _tag: "Identity", gain: options.gain ?? 1 }),
  0,
  "identityInitializer",
);

/**
 * A user-written initializer function, run by the interpreter with the
 * (shard) shape, dtype and partition info (TF1 D10).
 *
 * @param fn computes the initial values
 * @param options `name`, shown in variable tables
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { customInitializer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const init = customInitializer((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
 * assert.equal(init._tag, "Custom");
 * ```
 *
 * @category initializers
 */
export function customInitializer(
  fn: InitializerFunction,
  options: { readonly name?: string } = {},
): Initializer {
  const o = ownOptions(options, "customInitializer");
  const name = o.name ?? functionName(fn, "custom");
  return Object.freeze({ _tag: "Custom", fn, name: name as string });
}
