/**
 * Pooling layers (TF1 `tf.compat.v1.layers.MaxPooling1D/2D/3D`,
 * `AveragePooling1D/2D/3D` and their functional forms) and `Flatten` /
 * `flatten` (N11). They have no variables; their names ("max_pooling2d",
 * "flatten", …) are made unique like any layer's.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import { type Env, of, type Program, type RunState, type Step } from "../core/program.ts";
import {
  type DataFormat,
  normalizeTuple,
  type Padding,
  parseDataFormat,
  parsePadding,
  toChannelsFirst,
  toChannelsLast,
} from "./_conv_args.ts";
import {
  asLayerError,
  BASE_LAYER_KEYS,
  functionalLayer,
  Layer,
  type LayerOptions,
} from "./layer.ts";
import { checkInput } from "./_weights.ts";
import { maxPool3d } from "./_kernels.ts";

/**
 * Options of the pooling layers (TF1 `padding`, `data_format`, `name`).
 *
 * @category layers
 */
export interface PoolingOptions extends LayerOptions {
  /** "valid" (default) or "same". */
  readonly padding?: Padding | "VALID" | "SAME";
  /** "channels_last" (default) or "channels_first". */
  readonly dataFormat?: DataFormat;
}

const POOL_KEYS: ReadonlySet<string> = new Set([
  ...BASE_LAYER_KEYS,
  "padding",
  "dataFormat",
]);

interface PoolConfig {
  readonly kind: "max" | "avg";
  readonly rank: 1 | 2 | 3;
  readonly poolSize: readonly number[];
  readonly strides: readonly number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly name: string;
}

/**
 * The TF1 pooling base: max or average over windows of `poolSize` every
 * `strides`; subclassed by the six pooling layers.
 *
 * @example
 * ```ts
 * import { MaxPooling2D, Pooling } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * assert.ok(new MaxPooling2D(2, 2) instanceof Pooling);
 * ```
 *
 * @category layers
 */
export class Pooling extends Layer<tf.Tensor, tf.Tensor, null> {
  /** Window size per spatial axis. */
  readonly poolSize: readonly number[];
  /** Strides per spatial axis. */
  readonly strides: readonly number[];
  /** "valid" or "same". */
  readonly padding: Padding;
  /** "channels_last" or "channels_first". */
  readonly dataFormat: DataFormat;
  readonly #config: PoolConfig;

  /**
   * A pooling layer.
   *
   * @param className the TF1 default name ("max_pooling2d")
   * @param kind "max" or "avg"
   * @param rank spatial axes
   * @param poolSize one integer or one per axis
   * @param strides one integer or one per axis (TF1 requires them)
   * @param options padding, dataFormat, name
   * @throws ScopeError `InvalidArgument` for bad arguments
   */
  constructor(
    className: string,
    kind: "max" | "avg",
    rank: 1 | 2 | 3,
    poolSize: number | readonly number[],
    strides: number | readonly number[],
    options: PoolingOptions = {},
  ) {
    super(className, options, POOL_KEYS);
    try {
      this.poolSize = normalizeTuple(poolSize, rank, "poolSize");
      this.strides = normalizeTuple(strides, rank, "strides");
      this.padding = parsePadding(options?.padding);
      this.dataFormat = parseDataFormat(options?.dataFormat);
    } catch (e) {
      throw asLayerError(e);
    }
    this.#config = Object.freeze({
      kind,
      rank,
      poolSize: this.poolSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: this.dataFormat,
      name: className,
    });
    if (new.target === Pooling) Object.freeze(this);
  }

  /**
   * No weights.
   *
   * @returns a program yielding null
   */
  protected build(): Program<null> {
    return of(null);
  }

  /**
   * The pooling.
   *
   * @param x the input
   * @returns the program yielding the output
   */
  protected call(x: tf.Tensor): Program<tf.Tensor> {
    return new PoolCall(x, this.#config);
  }
}

class PoolCall extends ProgramBase<tf.Tensor> {
  constructor(readonly x: tf.Tensor, readonly c: PoolConfig) {
    super();
  }
  run(_env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const c = this.c;
    const checked = checkInput(this.x, c.name, c.rank + 2, c.rank + 2);
    if (E.isLeft(checked)) return checked;
    const first = c.dataFormat === "channels_first";
    const x = first ? toChannelsLast(checked.right) : checked.right;
    const y = pool(x, c);
    return E.right({ value: first ? toChannelsFirst(y) : y, state });
  }
}

function pool(x: tf.Tensor, c: PoolConfig): tf.Tensor {
  const pad = c.padding;
  if (c.rank === 3) {
    const size = c.poolSize as [number, number, number];
    const strides = c.strides as [number, number, number];
    return c.kind === "max"
      ? maxPool3d(x as tf.Tensor5D, size, strides, pad)
      : tf.avgPool3d(x as tf.Tensor5D, size, strides, pad);
  }
  if (c.rank === 2) {
    const size = c.poolSize as [number, number];
    const strides = c.strides as [number, number];
    return c.kind === "max"
      ? tf.maxPool(x as tf.Tensor4D, size, strides, pad)
      : tf.avgPool(x as tf.Tensor4D, size, strides, pad);
  }
  // TF1 Pooling1D: 2-D pooling over a height of 1.
  const x4 = tf.expandDims(x, 1) as tf.Tensor4D;
  const size: [number, number] = [1, c.poolSize[0]!];
  const strides: [number, number] = [1, c.strides[0]!];
  const y = c.kind === "max"
    ? tf.maxPool(x4, size, strides, pad)
    : tf.avgPool(x4, size, strides, pad);
  return tf.squeeze(y, [1]);
}

type PoolingClass = new (
  poolSize: number | readonly number[],
  strides: number | readonly number[],
  options?: PoolingOptions,
) => Pooling;

function poolingClass(className: string, kind: "max" | "avg", rank: 1 | 2 | 3): PoolingClass {
  return class extends Pooling {
    constructor(
      poolSize: number | readonly number[],
      strides: number | readonly number[],
      options: PoolingOptions = {},
    ) {
      super(className, kind, rank, poolSize, strides, options);
      Object.freeze(this);
    }
  };
}

/**
 * TF1 `tf.compat.v1.layers.MaxPooling1D(pool_size, strides, …)`: input
 * `[batch, width, channels]`, default name "max_pooling1d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { MaxPooling1D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new MaxPooling1D(2, 2).apply(x));
 * const x = tf.tensor3d([1, 3, 2, 5], [1, 4, 1]);
 * const { params } = m.init(x);
 * assert.deepEqual(Array.from(m.apply(params, x).dataSync()), [3, 5]);
 * ```
 *
 * @category layers
 */
export const MaxPooling1D: PoolingClass = poolingClass("max_pooling1d", "max", 1);
/**
 * TF1 `tf.compat.v1.layers.MaxPooling2D(pool_size, strides, …)`: default
 * name "max_pooling2d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { MaxPooling2D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new MaxPooling2D(2, 2).apply(x));
 * const x = tf.ones([1, 28, 28, 3]);
 * const { params } = m.init(x);
 * assert.deepEqual(m.apply(params, x).shape, [1, 14, 14, 3]);
 * ```
 *
 * @category layers
 */
export const MaxPooling2D: PoolingClass = poolingClass("max_pooling2d", "max", 2);
/**
 * TF1 `tf.compat.v1.layers.MaxPooling3D(pool_size, strides, …)`: default
 * name "max_pooling3d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { MaxPooling3D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new MaxPooling3D(2, 2).apply(x));
 * const x = tf.ones([1, 4, 4, 4, 1]);
 * const { params } = m.init(x);
 * assert.deepEqual(m.apply(params, x).shape, [1, 2, 2, 2, 1]);
 * ```
 *
 * @category layers
 */
export const MaxPooling3D: PoolingClass = poolingClass("max_pooling3d", "max", 3);
/**
 * TF1 `tf.compat.v1.layers.AveragePooling1D(pool_size, strides, …)`:
 * default name "average_pooling1d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { AveragePooling1D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new AveragePooling1D(2, 2).apply(x));
 * const x = tf.tensor3d([1, 3, 2, 6], [1, 4, 1]);
 * const { params } = m.init(x);
 * assert.deepEqual(Array.from(m.apply(params, x).dataSync()), [2, 4]);
 * ```
 *
 * @category layers
 */
export const AveragePooling1D: PoolingClass = poolingClass("average_pooling1d", "avg", 1);
/**
 * TF1 `tf.compat.v1.layers.AveragePooling2D(pool_size, strides, …)`:
 * default name "average_pooling2d". With "same" padding a window's average
 * is over its elements inside the input, as in TF1.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { AveragePooling2D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new AveragePooling2D(2, 2).apply(x));
 * const x = tf.ones([1, 4, 4, 1]);
 * const { params } = m.init(x);
 * assert.deepEqual(m.apply(params, x).shape, [1, 2, 2, 1]);
 * ```
 *
 * @category layers
 */
export const AveragePooling2D: PoolingClass = poolingClass("average_pooling2d", "avg", 2);
/**
 * TF1 `tf.compat.v1.layers.AveragePooling3D(pool_size, strides, …)`:
 * default name "average_pooling3d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { AveragePooling3D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new AveragePooling3D(2, 1).apply(x));
 * const x = tf.ones([1, 3, 3, 3, 1]);
 * const { params } = m.init(x);
 * assert.deepEqual(m.apply(params, x).shape, [1, 2, 2, 2, 1]);
 * ```
 *
 * @category layers
 */
export const AveragePooling3D: PoolingClass = poolingClass("average_pooling3d", "avg", 3);

function functionalPooling(cls: PoolingClass): PoolingFunction {
  return (
    inputs: tf.Tensor,
    poolSize: number | readonly number[],
    strides: number | readonly number[],
    options: PoolingOptions = {},
  ): Program<tf.Tensor> => functionalLayer(() => new cls(poolSize, strides, options), inputs);
}

/** A pooling layer's functional form. @category layers */
export type PoolingFunction = (
  inputs: tf.Tensor,
  poolSize: number | readonly number[],
  strides: number | readonly number[],
  options?: PoolingOptions,
) => Program<tf.Tensor>;

/**
 * TF1 `tf.compat.v1.layers.max_pooling1d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { maxPooling1d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => maxPooling1d(x, 2, 1));
 * const x = tf.ones([1, 4, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 3, 1]);
 * ```
 *
 * @category layers
 */
export const maxPooling1d: PoolingFunction = functionalPooling(MaxPooling1D);
/**
 * TF1 `tf.compat.v1.layers.max_pooling2d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { maxPooling2d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => maxPooling2d(x, 2, 2, { padding: "same" }));
 * const x = tf.ones([1, 5, 5, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 3, 3, 1]);
 * ```
 *
 * @category layers
 */
export const maxPooling2d: PoolingFunction = functionalPooling(MaxPooling2D);
/**
 * TF1 `tf.compat.v1.layers.max_pooling3d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { maxPooling3d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => maxPooling3d(x, 2, 2));
 * const x = tf.ones([1, 2, 2, 2, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 1, 1, 1, 1]);
 * ```
 *
 * @category layers
 */
export const maxPooling3d: PoolingFunction = functionalPooling(MaxPooling3D);
/**
 * TF1 `tf.compat.v1.layers.average_pooling1d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { averagePooling1d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => averagePooling1d(x, 2, 2));
 * const x = tf.ones([1, 4, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 2, 1]);
 * ```
 *
 * @category layers
 */
export const averagePooling1d: PoolingFunction = functionalPooling(AveragePooling1D);
/**
 * TF1 `tf.compat.v1.layers.average_pooling2d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { averagePooling2d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => averagePooling2d(x, 2, 2));
 * const x = tf.ones([1, 4, 4, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 2, 2, 1]);
 * ```
 *
 * @category layers
 */
export const averagePooling2d: PoolingFunction = functionalPooling(AveragePooling2D);
/**
 * TF1 `tf.compat.v1.layers.average_pooling3d(inputs, pool_size, strides, …)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { averagePooling3d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => averagePooling3d(x, 2, 2));
 * const x = tf.ones([1, 2, 2, 2, 1]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [1, 1, 1, 1, 1]);
 * ```
 *
 * @category layers
 */
export const averagePooling3d: PoolingFunction = functionalPooling(AveragePooling3D);

/**
 * Options of {@linkcode Flatten}.
 *
 * @category layers
 */
export interface FlattenOptions extends LayerOptions {
  /** "channels_last" (default) or "channels_first" (moved last before flattening, as TF1). */
  readonly dataFormat?: DataFormat;
}

const FLATTEN_KEYS: ReadonlySet<string> = new Set([
  ...BASE_LAYER_KEYS,
  "dataFormat",
]);

/**
 * TF1 `tf.compat.v1.layers.Flatten(data_format)` (N11): `[batch, …]` to
 * `[batch, n]`; channels-first inputs are made channels-last first, so the
 * order matches a channels-last model's. Default name "flatten".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Flatten } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => new Flatten().apply(x));
 * const x = tf.ones([2, 3, 4]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [2, 12]);
 * ```
 *
 * @category layers
 */
export class Flatten extends Layer<tf.Tensor, tf.Tensor, null> {
  /** "channels_last" or "channels_first". */
  readonly dataFormat: DataFormat;

  /**
   * A flattening layer.
   *
   * @param options dataFormat, name
   */
  constructor(options: FlattenOptions = {}) {
    super("flatten", options, FLATTEN_KEYS);
    try {
      this.dataFormat = parseDataFormat(options?.dataFormat);
    } catch (e) {
      throw asLayerError(e);
    }
    if (new.target === Flatten) Object.freeze(this);
  }

  /**
   * No weights.
   *
   * @returns a program yielding null
   */
  protected build(): Program<null> {
    return of(null);
  }

  /**
   * The reshape.
   *
   * @param x the input
   * @returns the program yielding `[batch, n]`
   */
  protected call(x: tf.Tensor): Program<tf.Tensor> {
    return new FlattenCall(x, this.dataFormat);
  }
}

class FlattenCall extends ProgramBase<tf.Tensor> {
  constructor(readonly x: tf.Tensor, readonly dataFormat: DataFormat) {
    super();
  }
  run(_env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const checked = checkInput(this.x, "flatten", 1);
    if (E.isLeft(checked)) return checked;
    let x = checked.right;
    if (x.rank === 1) return E.right({ value: tf.expandDims(x, 1), state });
    if (this.dataFormat === "channels_first" && x.rank > 2) x = toChannelsLast(x);
    return E.right({ value: tf.reshape(x, [x.shape[0]!, -1]), state });
  }
}

/**
 * TF1 `tf.compat.v1.layers.flatten(inputs, name, data_format)`.
 *
 * @param inputs the input
 * @param options dataFormat, name
 * @returns the program yielding `[batch, n]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { flatten } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((x: tf.Tensor) => flatten(x));
 * const x = tf.ones([2, 2, 2, 2]);
 * assert.deepEqual(m.apply(m.init(x).params, x).shape, [2, 8]);
 * ```
 *
 * @category layers
 */
export function flatten(inputs: tf.Tensor, options: FlattenOptions = {}): Program<tf.Tensor> {
  return functionalLayer(() => new Flatten(options), inputs);
}
