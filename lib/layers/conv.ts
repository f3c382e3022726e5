/**
 * Convolution layers (TF1 `tf.compat.v1.layers.Conv1D`, `Conv2D`,
 * `Conv3D`, `Conv2DTranspose`, `Conv3DTranspose`, `SeparableConv1D`,
 * `SeparableConv2D` and
 * their functional forms; spec N9).
 *
 * Inputs in `channels_first` are moved to channels-last, convolved and
 * moved back, so every backend computes them the same way. Conv2D with a
 * relu or no activation is one fused kernel (`tf.fused.conv2d`: convolution,
 * bias and activation), as in tfjs-layers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Constraint, ConstraintFunction } from "../constraints/constraint.ts";
import { readFailed } from "../core/_guard.ts";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import {
  type Env,
  fromEither,
  type Program,
  type ProgramGenerator,
  type RunState,
  scoped,
  type Step,
} from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { zerosInitializer } from "../initializers/initializer.ts";
import type { InitializerLike } from "../initializers/value.ts";
import { readVariable } from "../interpreter/read_variable.ts";
import type { Regularizer, RegularizerFunction } from "../regularizers/regularizer.ts";
import { type Activation, resolveActivation, type ResolvedActivation } from "./activation.ts";
import {
  type DataFormat,
  deconvOutputLength,
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
  layerOptionError,
  type LayerOptions,
} from "./layer.ts";
import { functionalOptions } from "./dense.ts";
import {
  canFuseConv2d,
  conv2d as conv2dKernel,
  conv2dTranspose as conv2dTransposeKernel,
  conv3d as conv3dKernel,
  conv3dTranspose as conv3dTransposeKernel,
  depthwiseConv2d as depthwiseKernel,
} from "./_kernels.ts";
import {
  checkInput,
  checkWeightOptions,
  inputDType,
  WEIGHT_OPTION_KEYS,
  type WeightOptions,
} from "./_weights.ts";

/**
 * Options of the convolution layers: TF1's keyword arguments, camelCased,
 * with TF1's defaults (strides 1, "valid", channels_last, dilation 1, no
 * activation, a zero-initialised bias).
 *
 * @category layers
 */
export interface ConvOptions extends LayerOptions, WeightOptions {
  /** Strides: one integer for every spatial axis, or one per axis (default 1). */
  readonly strides?: number | readonly number[];
  /** "valid" (default) or "same" (TF1's padding, case-insensitive). */
  readonly padding?: Padding | "VALID" | "SAME";
  /** "channels_last" (default) or "channels_first". */
  readonly dataFormat?: DataFormat;
  /** Dilation rate (default 1); not with strides > 1 (TF1 refuses that too). */
  readonly dilationRate?: number | readonly number[];
  /** Activation applied to the output (default none). */
  readonly activation?: Activation | null;
}

/**
 * Options of the separable convolutions: {@linkcode ConvOptions} with
 * TF1's depthwise and pointwise weight options in place of the kernel's.
 *
 * @category layers
 */
export interface SeparableConvOptions
  extends Omit<ConvOptions, "kernelInitializer" | "kernelRegularizer" | "kernelConstraint"> {
  /** Depthwise channels per input channel (default 1). */
  readonly depthMultiplier?: number;
  /** The depthwise kernel's initializer (default the scope's, else Glorot uniform). */
  readonly depthwiseInitializer?: InitializerLike | null;
  /** The pointwise kernel's initializer (default the scope's, else Glorot uniform). */
  readonly pointwiseInitializer?: InitializerLike | null;
  /** A regularizer of the depthwise kernel. */
  readonly depthwiseRegularizer?: Regularizer | RegularizerFunction | null;
  /** A regularizer of the pointwise kernel. */
  readonly pointwiseRegularizer?: Regularizer | RegularizerFunction | null;
  /** A constraint of the depthwise kernel. */
  readonly depthwiseConstraint?: Constraint | ConstraintFunction | null;
  /** A constraint of the pointwise kernel. */
  readonly pointwiseConstraint?: Constraint | ConstraintFunction | null;
}

/**
 * A convolution layer's weights: `kernel` (the depthwise kernel of a
 * separable convolution), `pointwise` (separable only) and `bias`.
 *
 * @category layers
 */
export interface ConvWeights {
  /** `kernel` or `depthwise_kernel`. */
  readonly kernel: VariableLike;
  /** `pointwise_kernel`, or null. */
  readonly pointwise: VariableLike | null;
  /** `bias`, or null without one. */
  readonly bias: VariableLike | null;
}

type Kind = "conv" | "transpose" | "separable";

const BASE_KEYS = [
  ...BASE_LAYER_KEYS,
  "activation",
  "strides",
  "padding",
  "dataFormat",
];
const CONV_KEYS: ReadonlySet<string> = new Set([
  ...BASE_KEYS,
  ...WEIGHT_OPTION_KEYS,
  "dilationRate",
]);
const TRANSPOSE_KEYS: ReadonlySet<string> = new Set([...BASE_KEYS, ...WEIGHT_OPTION_KEYS]);
const SEPARABLE_KEYS: ReadonlySet<string> = new Set([
  ...BASE_KEYS,
  ...WEIGHT_OPTION_KEYS.filter((k) => !k.startsWith("kernel")),
  "dilationRate",
  "depthMultiplier",
  "depthwiseInitializer",
  "pointwiseInitializer",
  "depthwiseRegularizer",
  "pointwiseRegularizer",
  "depthwiseConstraint",
  "pointwiseConstraint",
]);

/** What a convolution computes, fixed at construction. */
interface ConvConfig {
  readonly kind: Kind;
  readonly rank: 1 | 2 | 3;
  readonly filters: number;
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  readonly dilationRate: readonly number[];
  readonly depthMultiplier: number;
  readonly activation: ResolvedActivation;
  readonly name: string;
}

/**
 * The TF1 convolution base (`tf.keras.layers.Conv` under the legacy
 * layers): the common build and call of {@linkcode Conv1D},
 * {@linkcode Conv2D}, {@linkcode Conv3D}, {@linkcode Conv2DTranspose},
 * {@linkcode SeparableConv1D} and {@linkcode SeparableConv2D}.
 *
 * @example
 * ```ts
 * import { Conv, Conv2D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * assert.ok(new Conv2D(4, 3) instanceof Conv);
 * ```
 *
 * @category layers
 */
export class Conv extends Layer<tf.Tensor, tf.Tensor, ConvWeights> {
  /** Number of output channels. */
  readonly filters: number;
  /** The kernel's spatial size. */
  readonly kernelSize: readonly number[];
  /** Strides per spatial axis. */
  readonly strides: readonly number[];
  /** "valid" or "same". */
  readonly padding: Padding;
  /** "channels_last" or "channels_first". */
  readonly dataFormat: DataFormat;
  /** Dilation per spatial axis. */
  readonly dilationRate: readonly number[];
  /** Whether a bias is added. */
  readonly useBias: boolean;
  /** The options as given. */
  readonly options: Readonly<SeparableConvOptions & ConvOptions>;
  readonly #config: ConvConfig;

  /**
   * A convolution of `rank` spatial axes.
   *
   * @param className the TF1 default name ("conv2d")
   * @param kind convolution, transposed or separable
   * @param rank spatial axes (1, 2 or 3)
   * @param filters output channels
   * @param kernelSize one integer or one per axis
   * @param options TF1's keyword arguments
   * @throws ScopeError `InvalidArgument` for bad arguments
   */
  constructor(
    className: string,
    kind: Kind,
    rank: 1 | 2 | 3,
    filters: number,
    kernelSize: number | readonly number[],
    options: ConvOptions | SeparableConvOptions = {},
  ) {
    super(
      className,
      options,
      kind === "separable" ? SEPARABLE_KEYS : kind === "transpose" ? TRANSPOSE_KEYS : CONV_KEYS,
    );
    try {
      if (!Number.isSafeInteger(filters) || filters <= 0) {
        throw layerOptionError("filters", "expected a positive integer", filters);
      }
      const o = Object.freeze({ ...options }) as Readonly<SeparableConvOptions & ConvOptions>;
      this.options = o;
      this.useBias = checkWeightOptions(o);
      this.kernelSize = normalizeTuple(kernelSize, rank, "kernelSize");
      this.strides = normalizeTuple(o.strides ?? 1, rank, "strides");
      this.padding = parsePadding(o.padding);
      this.dataFormat = parseDataFormat(o.dataFormat);
      this.dilationRate = normalizeTuple(o.dilationRate ?? 1, rank, "dilationRate");
      if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
        throw layerOptionError(
          "strides",
          "strides > 1 not supported in conjunction with dilationRate > 1",
          o.strides,
        );
      }
      const dm = o.depthMultiplier ?? 1;
      if (!Number.isSafeInteger(dm) || dm <= 0) {
        throw layerOptionError("depthMultiplier", "expected a positive integer", dm);
      }
      this.filters = filters;
      this.#config = Object.freeze({
        kind,
        rank,
        filters,
        kernelSize: this.kernelSize,
        strides: this.strides,
        padding: this.padding,
        dataFormat: this.dataFormat,
        dilationRate: this.dilationRate,
        depthMultiplier: dm,
        activation: resolveActivation(o.activation),
        name: className,
      });
    } catch (e) {
      throw asLayerError(e);
    }
    if (new.target === Conv) Object.freeze(this);
  }

  /**
   * Makes the kernel(s) and the bias (TF1 `Conv.build`).
   *
   * @param input the first call's input
   * @returns the program yielding the weights
   */
  protected build(input: tf.Tensor): Program<ConvWeights> {
    return scoped(() => this.#build(input));
  }

  *#build(input: tf.Tensor): ProgramGenerator<ConvWeights> {
    const c = this.#config;
    const x = yield* fromEither(checkConvInput(input, c));
    const o = this.options;
    const channels = c.dataFormat === "channels_first" ? x.shape[1]! : x.shape[x.rank - 1]!;
    const dtype = inputDType(this.dtype, x);
    let kernel: VariableLike;
    let pointwise: VariableLike | null = null;
    if (c.kind === "separable") {
      kernel = yield* this.addWeight("depthwise_kernel", {
        shape: [...c.kernelSize, channels, c.depthMultiplier],
        dtype,
        initializer: o.depthwiseInitializer ?? null,
        regularizer: o.depthwiseRegularizer ?? null,
        constraint: o.depthwiseConstraint ?? null,
      });
      pointwise = yield* this.addWeight("pointwise_kernel", {
        shape: [...c.kernelSize.map(() => 1), channels * c.depthMultiplier, c.filters],
        dtype,
        initializer: o.pointwiseInitializer ?? null,
        regularizer: o.pointwiseRegularizer ?? null,
        constraint: o.pointwiseConstraint ?? null,
      });
    } else {
      kernel = yield* this.addWeight("kernel", {
        // TF1 Conv2DTranspose keeps [h, w, filters, in]: the forward conv's kernel.
        shape: c.kind === "transpose"
          ? [...c.kernelSize, c.filters, channels]
          : [...c.kernelSize, channels, c.filters],
        dtype,
        initializer: o.kernelInitializer ?? null,
        regularizer: o.kernelRegularizer ?? null,
        constraint: o.kernelConstraint ?? null,
      });
    }
    if (!this.useBias) return { kernel, pointwise, bias: null };
    const bias = yield* this.addWeight("bias", {
      shape: [c.filters],
      dtype,
      initializer: o.biasInitializer ?? zerosInitializer(),
      regularizer: o.biasRegularizer ?? null,
      constraint: o.biasConstraint ?? null,
    });
    return { kernel, pointwise, bias };
  }

  /**
   * The convolution, bias and activation.
   *
   * @param x the input
   * @param w the weights
   * @returns the program yielding the output
   */
  protected call(x: tf.Tensor, w: ConvWeights): Program<tf.Tensor> {
    return new ConvCall(x, w, this.#config);
  }
}

function checkConvInput(x: unknown, c: ConvConfig): Either<ScopeError, tf.Tensor> {
  return checkInput(x, c.name, c.rank + 2, c.rank + 2);
}

class ConvCall extends ProgramBase<tf.Tensor> {
  constructor(readonly x: tf.Tensor, readonly w: ConvWeights, readonly c: ConvConfig) {
    super();
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const c = this.c;
    const checked = checkConvInput(this.x, c);
    if (E.isLeft(checked)) return checked;
    const k = readVariable(this.w.kernel).run(env, state);
    if (E.isLeft(k)) return k;
    let s = k.right.state;
    let pointwise: tf.Tensor | null = null;
    if (this.w.pointwise !== null) {
      const p = readVariable(this.w.pointwise).run(env, s);
      if (E.isLeft(p)) return p;
      pointwise = p.right.value;
      s = p.right.state;
    }
    let bias: tf.Tensor | null = null;
    if (this.w.bias !== null) {
      const b = readVariable(this.w.bias).run(env, s);
      if (E.isLeft(b)) return b;
      bias = b.right.value;
      s = b.right.state;
    }
    const kernel = k.right.value;
    const first = c.dataFormat === "channels_first";
    const x = first ? toChannelsLast(checked.right) : checked.right;
    const inChannels = c.kind === "transpose" ? kernel.shape[c.rank + 1]! : kernel.shape[c.rank]!;
    if (x.shape[x.rank - 1] !== inChannels) {
      return E.left(
        layerOptionError(
          `inputs of ${c.name}`,
          `the channel dimension must be ${inChannels}, as on the first call`,
          checked.right.shape,
        ),
      );
    }
    let y = convolve(x, kernel, pointwise, bias, c);
    if (c.activation.after !== null) y = c.activation.after(y);
    return E.right({ value: first ? toChannelsFirst(y) : y, state: s });
  }
}

function convolve(
  x: tf.Tensor,
  kernel: tf.Tensor,
  pointwise: tf.Tensor | null,
  bias: tf.Tensor | null,
  c: ConvConfig,
): tf.Tensor {
  const pad = c.padding;
  if (c.kind === "conv" && c.rank === 2 && canFuseConv2d(c.dilationRate as [number, number])) {
    return tf.fused.conv2d({
      x: x as tf.Tensor4D,
      filter: kernel as tf.Tensor4D,
      strides: c.strides as [number, number],
      pad,
      dataFormat: "NHWC",
      dilations: c.dilationRate as [number, number],
      ...(bias === null ? {} : { bias }),
      activation: c.activation.fused,
    });
  }
  let y: tf.Tensor;
  if (c.kind === "conv" && c.rank === 2) {
    y = conv2dKernel(
      x as tf.Tensor4D,
      kernel as tf.Tensor4D,
      c.strides as [number, number],
      pad,
      c.dilationRate as [number, number],
    );
  } else if (c.kind === "conv" && c.rank === 1) {
    // TF1 conv1d is a 2-D convolution over a height of 1.
    const y4 = conv2dKernel(
      tf.expandDims(x, 1) as tf.Tensor4D,
      tf.expandDims(kernel, 0) as tf.Tensor4D,
      [1, c.strides[0]!],
      pad,
      [1, c.dilationRate[0]!],
    );
    y = tf.squeeze(y4, [1]);
  } else if (c.kind === "conv") {
    y = conv3dKernel(
      x as tf.Tensor5D,
      kernel as tf.Tensor5D,
      c.strides as [number, number, number],
      pad,
      c.dilationRate as [number, number, number],
    );
  } else if (c.kind === "transpose" && c.rank === 2) {
    const [b, h, w] = x.shape as [number, number, number, number];
    const out: [number, number, number, number] = [
      b,
      deconvOutputLength(h, c.kernelSize[0]!, pad, c.strides[0]!),
      deconvOutputLength(w, c.kernelSize[1]!, pad, c.strides[1]!),
      c.filters,
    ];
    y = conv2dTransposeKernel(
      x as tf.Tensor4D,
      kernel as tf.Tensor4D,
      out,
      c.strides as [number, number],
      pad,
    );
  } else if (c.kind === "transpose") {
    const [b, d, h, w] = x.shape as [number, number, number, number, number];
    const out: [number, number, number, number, number] = [
      b,
      deconvOutputLength(d, c.kernelSize[0]!, pad, c.strides[0]!),
      deconvOutputLength(h, c.kernelSize[1]!, pad, c.strides[1]!),
      deconvOutputLength(w, c.kernelSize[2]!, pad, c.strides[2]!),
      c.filters,
    ];
    y = conv3dTransposeKernel(
      x as tf.Tensor5D,
      kernel as tf.Tensor5D,
      out,
      c.strides as [number, number, number],
      pad,
    );
  } else if (c.rank === 2) {
    // TF1 separable_conv2d: a depthwise convolution, then a 1×1 convolution.
    const depthwise = depthwiseKernel(
      x as tf.Tensor4D,
      kernel as tf.Tensor4D,
      c.strides as [number, number],
      pad,
      c.dilationRate as [number, number],
    );
    y = conv2dKernel(depthwise, pointwise as tf.Tensor4D, [1, 1], "valid", [1, 1]);
  } else {
    // TF1 SeparableConv1D: a 2-D separable convolution over a height of 1.
    const depthwise = depthwiseKernel(
      tf.expandDims(x, 1) as tf.Tensor4D,
      tf.expandDims(kernel, 0) as tf.Tensor4D,
      [1, c.strides[0]!],
      pad,
      [1, c.dilationRate[0]!],
    );
    const pw = tf.expandDims(pointwise!, 0) as tf.Tensor4D;
    y = tf.squeeze(conv2dKernel(depthwise, pw, [1, 1], "valid", [1, 1]), [1]);
  }
  if (bias !== null) y = tf.add(y, bias);
  return c.activation.fused === "relu" ? tf.relu(y) : y;
}

/**
 * TF1 `tf.compat.v1.layers.Conv1D(filters, kernel_size, …)`: input
 * `[batch, width, channels]` (or channels first), kernel `[k, in, filters]`,
 * default name "conv1d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Conv1D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const layer = new Conv1D(4, 3, { padding: "same" });
 * const model = transform((x: tf.Tensor) => layer.apply(x));
 * const { params } = model.init(tf.ones([2, 10, 3]));
 * assert.deepEqual(params.get("conv1d/kernel").shape, [3, 3, 4]);
 * assert.deepEqual(model.apply(params, tf.ones([2, 10, 3])).shape, [2, 10, 4]);
 * ```
 *
 * @category layers
 */
export class Conv1D extends Conv {
  /**
   * A 1-D convolution.
   *
   * @param filters output channels
   * @param kernelSize the window's width
   * @param options TF1's keyword arguments
   */
  constructor(filters: number, kernelSize: number | readonly number[], options: ConvOptions = {}) {
    super("conv1d", "conv", 1, filters, kernelSize, options);
    if (new.target === Conv1D) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.Conv2D(filters, kernel_size, …)` (N9): input
 * `[batch, h, w, channels]` (or channels first), kernel `[kh, kw, in,
 * filters]`, bias `[filters]`, default name "conv2d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Conv2D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const layer = new Conv2D(8, [3, 3], { strides: 2, padding: "same", activation: tf.relu });
 * const model = transform((x: tf.Tensor) => layer.apply(x));
 * const x = tf.ones([1, 28, 28, 1]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.names, ["conv2d/kernel", "conv2d/bias"]);
 * assert.deepEqual(model.apply(params, x).shape, [1, 14, 14, 8]);
 * ```
 *
 * @category layers
 */
export class Conv2D extends Conv {
  /**
   * A 2-D convolution.
   *
   * @param filters output channels
   * @param kernelSize one integer or [height, width]
   * @param options TF1's keyword arguments
   */
  constructor(filters: number, kernelSize: number | readonly number[], options: ConvOptions = {}) {
    super("conv2d", "conv", 2, filters, kernelSize, options);
    if (new.target === Conv2D) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.Conv3D(filters, kernel_size, …)`: input
 * `[batch, d, h, w, channels]`, kernel `[kd, kh, kw, in, filters]`, default
 * name "conv3d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Conv3D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => new Conv3D(2, 2).apply(x));
 * const { params } = model.init(tf.ones([1, 3, 3, 3, 1]));
 * assert.deepEqual(params.get("conv3d/kernel").shape, [2, 2, 2, 1, 2]);
 * ```
 *
 * @category layers
 */
export class Conv3D extends Conv {
  /**
   * A 3-D convolution.
   *
   * @param filters output channels
   * @param kernelSize one integer or [depth, height, width]
   * @param options TF1's keyword arguments
   */
  constructor(filters: number, kernelSize: number | readonly number[], options: ConvOptions = {}) {
    super("conv3d", "conv", 3, filters, kernelSize, options);
    if (new.target === Conv3D) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.Conv2DTranspose(filters, kernel_size, …)`:
 * kernel `[kh, kw, filters, in]`; output size `in · stride` ("same") or
 * `in · stride + max(k − stride, 0)` ("valid"); default name
 * "conv2d_transpose". TF1's legacy layer has no dilation.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Conv2DTranspose } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => new Conv2DTranspose(3, 3, { strides: 2 }).apply(x));
 * const x = tf.ones([1, 4, 4, 2]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.get("conv2d_transpose/kernel").shape, [3, 3, 3, 2]);
 * assert.deepEqual(model.apply(params, x).shape, [1, 9, 9, 3]);
 * ```
 *
 * @category layers
 */
export class Conv2DTranspose extends Conv {
  /**
   * A transposed 2-D convolution.
   *
   * @param filters output channels
   * @param kernelSize one integer or [height, width]
   * @param options TF1's keyword arguments (no dilationRate)
   */
  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    options: Omit<ConvOptions, "dilationRate"> = {},
  ) {
    super("conv2d_transpose", "transpose", 2, filters, kernelSize, checkNoDilation(options));
    if (new.target === Conv2DTranspose) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.Conv3DTranspose(filters, kernel_size, …)`:
 * kernel `[kd, kh, kw, filters, in]`; output sizes as
 * {@linkcode Conv2DTranspose}'s; default name "conv3d_transpose".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Conv3DTranspose } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => new Conv3DTranspose(2, 2, { strides: 2 }).apply(x));
 * const x = tf.ones([1, 2, 2, 2, 3]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.get("conv3d_transpose/kernel").shape, [2, 2, 2, 2, 3]);
 * assert.deepEqual(model.apply(params, x).shape, [1, 4, 4, 4, 2]);
 * ```
 *
 * @category layers
 */
export class Conv3DTranspose extends Conv {
  /**
   * A transposed 3-D convolution.
   *
   * @param filters output channels
   * @param kernelSize one integer or [depth, height, width]
   * @param options TF1's keyword arguments (no dilationRate)
   */
  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    options: Omit<ConvOptions, "dilationRate"> = {},
  ) {
    super("conv3d_transpose", "transpose", 3, filters, kernelSize, checkNoDilation(options));
    if (new.target === Conv3DTranspose) Object.freeze(this);
  }
}

function checkNoDilation<T>(options: T): T {
  let d: unknown;
  try {
    d = (options as { dilationRate?: unknown } | null)?.dilationRate;
  } catch (cause) {
    // A throwing getter or proxy trap in the options: typed, with the cause.
    throw readFailed("transposed convolution options", cause);
  }
  if (d !== undefined) {
    throw layerOptionError("dilationRate", "TF1's Conv2DTranspose has no dilation", d);
  }
  return options;
}

/**
 * TF1 `tf.compat.v1.layers.SeparableConv1D(filters, kernel_size, …)`:
 * `depthwise_kernel` `[k, in, depthMultiplier]`, `pointwise_kernel` `[1,
 * in · depthMultiplier, filters]`, default name "separable_conv1d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { SeparableConv1D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => new SeparableConv1D(4, 3, { depthMultiplier: 2 }).apply(x));
 * const { params } = model.init(tf.ones([1, 8, 3]));
 * assert.deepEqual(params.names, [
 *   "separable_conv1d/depthwise_kernel",
 *   "separable_conv1d/pointwise_kernel",
 *   "separable_conv1d/bias",
 * ]);
 * assert.deepEqual(params.get("separable_conv1d/pointwise_kernel").shape, [1, 6, 4]);
 * ```
 *
 * @category layers
 */
export class SeparableConv1D extends Conv {
  /**
   * A depthwise-separable 1-D convolution.
   *
   * @param filters output channels
   * @param kernelSize the window's width
   * @param options TF1's keyword arguments
   */
  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    options: SeparableConvOptions = {},
  ) {
    super("separable_conv1d", "separable", 1, filters, kernelSize, options);
    if (new.target === SeparableConv1D) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.SeparableConv2D(filters, kernel_size, …)`:
 * `depthwise_kernel` `[kh, kw, in, depthMultiplier]`, `pointwise_kernel`
 * `[1, 1, in · depthMultiplier, filters]`, default name "separable_conv2d".
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { SeparableConv2D } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => new SeparableConv2D(4, 3).apply(x));
 * const { params } = model.init(tf.ones([1, 5, 5, 2]));
 * assert.deepEqual(params.get("separable_conv2d/depthwise_kernel").shape, [3, 3, 2, 1]);
 * ```
 *
 * @category layers
 */
export class SeparableConv2D extends Conv {
  /**
   * A depthwise-separable 2-D convolution.
   *
   * @param filters output channels
   * @param kernelSize one integer or [height, width]
   * @param options TF1's keyword arguments
   */
  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    options: SeparableConvOptions = {},
  ) {
    super("separable_conv2d", "separable", 2, filters, kernelSize, options);
    if (new.target === SeparableConv2D) Object.freeze(this);
  }
}

/**
 * TF1 `tf.compat.v1.layers.conv1d(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, width, channels]`
 * @param filters output channels
 * @param kernelSize the window's width
 * @param options TF1's keyword arguments (`name`, `reuse` as in `dense`)
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { conv1d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { params } = transform((x: tf.Tensor) => conv1d(x, 2, 3)).init(tf.ones([1, 5, 1]));
 * assert.deepEqual(params.names, ["conv1d/kernel", "conv1d/bias"]);
 * ```
 *
 * @category layers
 */
export function conv1d(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: ConvOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(() => new Conv1D(filters, kernelSize, functionalOptions(options)), inputs);
}

/**
 * TF1 `tf.compat.v1.layers.conv2d(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, h, w, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize one integer or [height, width]
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { conv2d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   return yield* conv2d(yield* conv2d(x, 4, 3), 4, 3);
 * }));
 * const { params } = model.init(tf.ones([1, 8, 8, 1]));
 * assert.deepEqual(params.names, ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias"]);
 * ```
 *
 * @category layers
 */
export function conv2d(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: ConvOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(() => new Conv2D(filters, kernelSize, functionalOptions(options)), inputs);
}

/**
 * TF1 `tf.compat.v1.layers.conv3d(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, d, h, w, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize one integer or [depth, height, width]
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { conv3d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { params } = transform((x: tf.Tensor) => conv3d(x, 2, 2, { name: "c3" })).init(tf.ones([1, 2, 2, 2, 1]));
 * assert.deepEqual(params.names, ["c3/kernel", "c3/bias"]);
 * ```
 *
 * @category layers
 */
export function conv3d(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: ConvOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(() => new Conv3D(filters, kernelSize, functionalOptions(options)), inputs);
}

/**
 * TF1 `tf.compat.v1.layers.conv2d_transpose(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, h, w, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize one integer or [height, width]
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { conv2dTranspose } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => conv2dTranspose(x, 1, 2, { strides: 2, padding: "same" }));
 * const x = tf.ones([1, 3, 3, 1]);
 * const { params } = model.init(x);
 * assert.deepEqual(model.apply(params, x).shape, [1, 6, 6, 1]);
 * ```
 *
 * @category layers
 */
export function conv2dTranspose(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: Omit<ConvOptions, "dilationRate"> = {},
): Program<tf.Tensor> {
  return functionalLayer(
    () => new Conv2DTranspose(filters, kernelSize, functionalOptions(options)),
    inputs,
  );
}

/**
 * TF1 `tf.compat.v1.layers.separable_conv1d(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, width, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize the window's width
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { separableConv1d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => separableConv1d(x, 2, 3, { padding: "same" }));
 * const x = tf.ones([1, 6, 2]);
 * const { params } = model.init(x);
 * assert.deepEqual(model.apply(params, x).shape, [1, 6, 2]);
 * ```
 *
 * @category layers
 */
export function separableConv1d(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: SeparableConvOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(
    () => new SeparableConv1D(filters, kernelSize, functionalOptions(options)),
    inputs,
  );
}

/**
 * TF1 `tf.compat.v1.layers.separable_conv2d(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, h, w, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize one integer or [height, width]
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { separableConv2d } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const { params } = transform((x: tf.Tensor) => separableConv2d(x, 2, 3)).init(tf.ones([1, 4, 4, 1]));
 * assert.deepEqual(params.get("separable_conv2d/pointwise_kernel").shape, [1, 1, 1, 2]);
 * ```
 *
 * @category layers
 */
export function separableConv2d(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: SeparableConvOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(
    () => new SeparableConv2D(filters, kernelSize, functionalOptions(options)),
    inputs,
  );
}

/**
 * TF1 `tf.compat.v1.layers.conv3d_transpose(inputs, filters, kernel_size, …)`.
 *
 * @param inputs `[batch, d, h, w, channels]` (or channels first)
 * @param filters output channels
 * @param kernelSize one integer or [depth, height, width]
 * @param options TF1's keyword arguments
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { conv3dTranspose } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => conv3dTranspose(x, 1, 3, { padding: "same" }));
 * const x = tf.ones([1, 2, 3, 4, 1]);
 * const { params } = model.init(x);
 * assert.deepEqual(model.apply(params, x).shape, [1, 2, 3, 4, 1]);
 * ```
 *
 * @category layers
 */
export function conv3dTranspose(
  inputs: tf.Tensor,
  filters: number,
  kernelSize: number | readonly number[],
  options: Omit<ConvOptions, "dilationRate"> = {},
): Program<tf.Tensor> {
  return functionalLayer(
    () => new Conv3DTranspose(filters, kernelSize, functionalOptions(options)),
    inputs,
  );
}
