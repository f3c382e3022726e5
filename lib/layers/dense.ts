/**
 * `Dense` / `dense` (TF1 `tf.compat.v1.layers.Dense`, `dense`; spec N5, N8).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import { zerosInitializer } from "../initializers/initializer.ts";
import type { Env, Program, RunState, Step } from "../core/program.ts";
import { fromEither, type ProgramGenerator, scoped } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { readVariable } from "../interpreter/read_variable.ts";
import { type Activation, resolveActivation, type ResolvedActivation } from "./activation.ts";
import {
  asLayerError,
  BASE_LAYER_KEYS,
  functionalLayer,
  Layer,
  layerOptionError,
  type LayerOptions,
} from "./layer.ts";
import {
  checkInput,
  checkWeightOptions,
  inputDType,
  WEIGHT_OPTION_KEYS,
  type WeightOptions,
} from "./_weights.ts";

/**
 * Options of {@linkcode Dense} and {@linkcode dense}: TF1's keyword
 * arguments, camelCased, with TF1's defaults (no activation, a bias
 * initialised to zeros, the kernel initialised by the scope's initializer
 * or else Glorot uniform).
 *
 * @category layers
 */
export interface DenseOptions extends LayerOptions, WeightOptions {
  /** Activation applied to the output (default none). */
  readonly activation?: Activation | null;
}

/** A dense layer's weights. */
export interface DenseWeights {
  /** `[in, units]`. */
  readonly kernel: VariableLike;
  /** `[units]`, or null without a bias. */
  readonly bias: VariableLike | null;
}

const KEYS: ReadonlySet<string> = new Set([
  ...BASE_LAYER_KEYS,
  "activation",
  ...WEIGHT_OPTION_KEYS,
]);

/**
 * TF1 `tf.compat.v1.layers.Dense(units, …)`: `activation(x · kernel + bias)`
 * over the last axis of `x` (rank ≥ 2). Weights `<scope>/kernel` `[in,
 * units]` and `<scope>/bias` `[units]` (N8).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Dense } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const hidden = new Dense(8, { activation: tf.relu });
 * const out = new Dense(2, { name: "logits" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   return yield* out.apply(yield* hidden.apply(x));
 * }));
 * const { params } = model.init(tf.ones([4, 3]));
 * assert.deepEqual(params.names, ["dense/kernel", "dense/bias", "logits/kernel", "logits/bias"]);
 * ```
 *
 * @category layers
 */
export class Dense extends Layer<tf.Tensor, tf.Tensor, DenseWeights> {
  /** Output size. */
  readonly units: number;
  /** The layer's options as given. */
  readonly options: DenseOptions;
  /** Whether a bias is added. */
  readonly useBias: boolean;
  readonly #activation: ResolvedActivation;

  /**
   * A dense layer (TF1 `Dense(units, **kwargs)`).
   *
   * @param units the output size (a positive integer)
   * @param options TF1's keyword arguments
   * @throws ScopeError `InvalidArgument` for bad options
   */
  constructor(units: number, options: DenseOptions = {}) {
    super("dense", options);
    try {
      if (!Number.isSafeInteger(units) || units <= 0) {
        throw layerOptionError("units", "expected a positive integer", units);
      }
      this.options = Object.freeze({ ...options });
      this.useBias = checkWeightOptions(this.options);
      this.#activation = resolveActivation(this.options.activation);
    } catch (e) {
      throw asLayerError(e);
    }
    this.units = units;
    if (new.target === Dense) Object.freeze(this);
  }

  /**
   * The option keys Dense accepts.
   *
   * @returns the keys
   */
  protected override optionKeys(): ReadonlySet<string> {
    return KEYS;
  }

  /**
   * Makes `kernel` and `bias` (TF1 `Dense.build`).
   *
   * @param input the first call's input
   * @returns the program yielding the weights
   */
  protected build(input: tf.Tensor): Program<DenseWeights> {
    return scoped(() => this.#build(input));
  }

  *#build(input: tf.Tensor): ProgramGenerator<DenseWeights> {
    const x = yield* fromEither(checkInput(input, "dense", 2));
    const o = this.options;
    const dtype = inputDType(this.dtype, x);
    const kernel = yield* this.addWeight("kernel", {
      shape: [x.shape[x.rank - 1]!, this.units],
      dtype,
      initializer: o.kernelInitializer ?? null,
      regularizer: o.kernelRegularizer ?? null,
      constraint: o.kernelConstraint ?? null,
    });
    if (!this.useBias) return { kernel, bias: null };
    const bias = yield* this.addWeight("bias", {
      shape: [this.units],
      dtype,
      initializer: o.biasInitializer ?? zerosInitializer(),
      regularizer: o.biasRegularizer ?? null,
      constraint: o.biasConstraint ?? null,
    });
    return { kernel, bias };
  }

  /**
   * `activation(x · kernel + bias)` (TF1 `core_ops.dense`).
   *
   * @param x the input
   * @param w the weights
   * @returns the program yielding the output
   */
  protected call(x: tf.Tensor, w: DenseWeights): Program<tf.Tensor> {
    return new DenseCall(x, w, this.#activation);
  }
}

class DenseCall extends ProgramBase<tf.Tensor> {
  constructor(
    readonly x: tf.Tensor,
    readonly w: DenseWeights,
    readonly activation: ResolvedActivation,
  ) {
    super();
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const x = checkInput(this.x, "dense", 2);
    if (E.isLeft(x)) return x;
    const k = readVariable(this.w.kernel).run(env, state);
    if (E.isLeft(k)) return k;
    let s = k.right.state;
    let bias: tf.Tensor | undefined;
    if (this.w.bias !== null) {
      const b = readVariable(this.w.bias).run(env, s);
      if (E.isLeft(b)) return b;
      bias = b.right.value;
      s = b.right.state;
    }
    const kernel = k.right.value as tf.Tensor2D;
    const input = x.right;
    const inDim = kernel.shape[0];
    if (input.shape[input.rank - 1] !== inDim) {
      return E.left(
        layerOptionError(
          "inputs of dense",
          `the last dimension must be ${inDim} (the kernel's first), as on the first call`,
          input.shape,
        ),
      );
    }
    // TF1 core_ops.dense: a matMul for rank 2, a tensordot over the last
    // axis otherwise (the same as flattening the leading axes).
    const flat = input.rank === 2
      ? input as tf.Tensor2D
      : tf.reshape(input, [-1, inDim]) as tf.Tensor2D;
    let y: tf.Tensor = tf.fused.matMul({
      a: flat,
      b: kernel,
      ...(bias === undefined ? {} : { bias }),
      activation: this.activation.fused,
    });
    if (input.rank !== 2) y = tf.reshape(y, [...input.shape.slice(0, -1), kernel.shape[1]]);
    if (this.activation.after !== null) y = this.activation.after(y);
    return E.right({ value: y, state: s });
  }
}

/**
 * TF1 `tf.compat.v1.layers.dense(inputs, units, …)`: a new {@linkcode Dense}
 * called once. Its scope is `name` exactly (a second call with the same
 * name needs `reuse: true`, N5), a captured scope given as `name` (N6), or
 * else "dense" made unique ("dense", "dense_1").
 *
 * @param inputs the input (rank ≥ 2)
 * @param units the output size
 * @param options TF1's keyword arguments (`name`, `reuse` included)
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { dense } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   const a = yield* dense(x, 2, { name: "my_dense" });
 *   return yield* dense(x, 2, { name: "my_dense", reuse: true }); // shares
 * }));
 * const { params } = model.init(tf.ones([1, 3]));
 * assert.deepEqual(params.names, ["my_dense/kernel", "my_dense/bias"]);
 * ```
 *
 * @category layers
 */
export function dense(
  inputs: tf.Tensor,
  units: number,
  options: DenseOptions = {},
): Program<tf.Tensor> {
  return functionalLayer(() => new Dense(units, functionalOptions(options)), inputs);
}

/**
 * TF1's functional forms pass `name` as the layer's `_scope` (an exact
 * scope, N2, N5) and `reuse` as its `_reuse`.
 *
 * @internal
 */
export function functionalOptions<T extends LayerOptions>(options: T): T {
  if (typeof options !== "object" || options === null) return options;
  const { name, ...rest } = options;
  return (name === undefined || name === null ? rest : { ...rest, name, scope: name }) as T;
}
