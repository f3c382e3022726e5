/**
 * `BatchNormalization` / `batchNormalization` (TF1
 * `tf.compat.v1.layers.BatchNormalization`, `batch_normalization`; N10).
 *
 * Training mode (`training: true` in the call) normalizes with the batch's
 * mean and (biased) variance and records the moving-average updates
 * `moving = moving · momentum + batch_stat · (1 − momentum)`. As in TF1, a
 * 4-D input normalized over axis 3 (or 1) takes TF1's fused kernel path,
 * whose moving-variance update uses the **unbiased** batch variance
 * (Bessel-corrected, `n / (n − 1)` with n the elements per channel; TF1
 * keeps `_bessels_correction_test_only = True`) and whose epsilon is at
 * least 1.001e-5; other inputs (2-D after a dense layer, other axes) use the
 * biased variance in the update too. Inference mode normalizes with the
 * moving statistics.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Constraint, ConstraintFunction } from "../constraints/constraint.ts";
import { readRecord } from "../core/_guard.ts";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import {
  type Env,
  fail,
  fromEither,
  type Program,
  type ProgramGenerator,
  type RunState,
  scoped,
  type Step,
} from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { onesInitializer, zerosInitializer } from "../initializers/initializer.ts";
import type { InitializerLike } from "../initializers/value.ts";
import { readVariable } from "../interpreter/read_variable.ts";
import type { Regularizer, RegularizerFunction } from "../regularizers/regularizer.ts";
import { functionalOptions } from "./dense.ts";
import {
  asLayerError,
  BASE_LAYER_KEYS,
  functionalLayer,
  Layer,
  layerOptionError,
  type LayerOptions,
} from "./layer.ts";
import { recordAssign } from "./_updates.ts";
import { checkInput, inputDType } from "./_weights.ts";

/**
 * Options of {@linkcode BatchNormalization}: TF1's keyword arguments,
 * camelCased, with TF1's defaults.
 *
 * @category layers
 */
export interface BatchNormalizationOptions extends LayerOptions {
  /** The normalized (channel) axis or axes (default -1). */
  readonly axis?: number | readonly number[];
  /** Moving-average momentum (default 0.99). */
  readonly momentum?: number;
  /** Added to the variance (default 1e-3). */
  readonly epsilon?: number;
  /** Add `beta` (default true). */
  readonly center?: boolean;
  /** Multiply by `gamma` (default true). */
  readonly scale?: boolean;
  /** `beta`'s initializer (default zeros). */
  readonly betaInitializer?: InitializerLike | null;
  /** `gamma`'s initializer (default ones). */
  readonly gammaInitializer?: InitializerLike | null;
  /** `moving_mean`'s initializer (default zeros). */
  readonly movingMeanInitializer?: InitializerLike | null;
  /** `moving_variance`'s initializer (default ones). */
  readonly movingVarianceInitializer?: InitializerLike | null;
  /** A regularizer of `beta`. */
  readonly betaRegularizer?: Regularizer | RegularizerFunction | null;
  /** A regularizer of `gamma`. */
  readonly gammaRegularizer?: Regularizer | RegularizerFunction | null;
  /** A constraint of `beta`. */
  readonly betaConstraint?: Constraint | ConstraintFunction | null;
  /** A constraint of `gamma`. */
  readonly gammaConstraint?: Constraint | ConstraintFunction | null;
  /** Batch renormalization: not supported, only false. */
  readonly renorm?: boolean;
  /** TF1 `fused` (default null: fused where TF1 fuses, 4-D over axis 1 or 3). */
  readonly fused?: boolean | null;
  /** Not supported: only null. */
  readonly virtualBatchSize?: number | null;
  /** Not supported: only null. */
  readonly adjustment?: null;
}

/**
 * Options of one batch-normalization call.
 *
 * @category layers
 */
export interface BatchNormalizationCallOptions {
  /** Normalize with batch statistics and update the moving ones (default false). */
  readonly training?: boolean;
}

/** A batch-normalization layer's weights (null for a dropped gamma/beta). */
export interface BatchNormalizationWeights {
  /** `gamma`, or null with `scale: false`. */
  readonly gamma: VariableLike | null;
  /** `beta`, or null with `center: false`. */
  readonly beta: VariableLike | null;
  /** `moving_mean`. */
  readonly movingMean: VariableLike;
  /** `moving_variance`. */
  readonly movingVariance: VariableLike;
}

const KEYS: ReadonlySet<string> = new Set([
  ...BASE_LAYER_KEYS,
  "axis",
  "momentum",
  "epsilon",
  "center",
  "scale",
  "betaInitializer",
  "gammaInitializer",
  "movingMeanInitializer",
  "movingVarianceInitializer",
  "betaRegularizer",
  "gammaRegularizer",
  "betaConstraint",
  "gammaConstraint",
  "renorm",
  "fused",
  "virtualBatchSize",
  "adjustment",
]);

/** What the call needs, fixed at construction. */
interface BnConfig {
  readonly axis: readonly number[];
  readonly momentum: number;
  readonly epsilon: number;
  readonly fused: boolean | null;
}

function finite(value: unknown, what: string, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw layerOptionError(what, "expected a finite number", value);
  }
  return v;
}

function bool(value: unknown, what: string, fallback: boolean): boolean {
  const v = value ?? fallback;
  if (typeof v !== "boolean") throw layerOptionError(what, "expected a boolean", value);
  return v;
}

/**
 * TF1 `tf.compat.v1.layers.BatchNormalization(…)` (N10): weights `gamma`
 * `[C]` (ones), `beta` `[C]` (zeros), `moving_mean` `[C]` (zeros) and
 * `moving_variance` `[C]` (ones), the moving ones non-trainable; default
 * name "batch_normalization". Call with `{ training: true }` to normalize
 * with batch statistics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { trainableVariables } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { BatchNormalization } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const bn = new BatchNormalization();
 * const model = transform((x: tf.Tensor) => bn.apply(x, { training: true }));
 * const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.names, [
 *   "batch_normalization/gamma",
 *   "batch_normalization/beta",
 *   "batch_normalization/moving_mean",
 *   "batch_normalization/moving_variance",
 * ]);
 * assert.equal(trainableVariables(params.store).length, 2);
 * const y = model.apply(params, x); // (x − batch mean) / sqrt(batch var + 1e-3)
 * assert.ok(Math.abs(y.dataSync()[0]! + 0.9995) < 1e-3);
 * ```
 *
 * @category layers
 */
export class BatchNormalization extends Layer<
  tf.Tensor,
  tf.Tensor,
  BatchNormalizationWeights,
  BatchNormalizationCallOptions
> {
  /** The options as given. */
  readonly options: Readonly<BatchNormalizationOptions>;
  /** The normalized axes as given (negative counts from the end). */
  readonly axis: readonly number[];
  /** Moving-average momentum. */
  readonly momentum: number;
  /** Added to the variance. */
  readonly epsilon: number;
  /** Whether `beta` is added. */
  readonly center: boolean;
  /** Whether `gamma` multiplies. */
  readonly scale: boolean;
  readonly #config: BnConfig;

  /**
   * A batch-normalization layer.
   *
   * @param options TF1's keyword arguments
   * @throws ScopeError `InvalidArgument` for bad options or unsupported
   *   features (renorm, virtual batches, adjustment)
   */
  constructor(options: BatchNormalizationOptions = {}) {
    super("batch_normalization", options, KEYS);
    try {
      const o = Object.freeze({ ...options });
      this.options = o;
      const axis = o.axis ?? -1;
      const list = typeof axis === "number" ? [axis] : axis;
      if (!Array.isArray(list) || list.length === 0 || !list.every(Number.isSafeInteger)) {
        throw layerOptionError("axis", "expected an integer or a non-empty list of them", axis);
      }
      this.axis = Object.freeze(list.slice());
      this.momentum = finite(o.momentum, "momentum", 0.99);
      this.epsilon = finite(o.epsilon, "epsilon", 1e-3);
      if (this.epsilon < 0) throw layerOptionError("epsilon", "expected ≥ 0", o.epsilon);
      this.center = bool(o.center, "center", true);
      this.scale = bool(o.scale, "scale", true);
      if (bool(o.renorm, "renorm", false)) {
        throw layerOptionError("renorm", "batch renormalization is not supported", o.renorm);
      }
      for (const k of ["virtualBatchSize", "adjustment"] as const) {
        if (o[k] !== undefined && o[k] !== null) {
          throw layerOptionError(k, "not supported (only null)", o[k]);
        }
      }
      const fused = o.fused ?? null;
      if (fused !== null && typeof fused !== "boolean") {
        throw layerOptionError("fused", "expected a boolean or null", fused);
      }
      this.#config = Object.freeze({
        axis: this.axis,
        momentum: this.momentum,
        epsilon: this.epsilon,
        fused,
      });
    } catch (e) {
      throw asLayerError(e);
    }
    if (new.target === BatchNormalization) Object.freeze(this);
  }

  /**
   * Makes gamma, beta, moving_mean, moving_variance (TF1's order).
   *
   * @param input the first call's input
   * @returns the program yielding the weights
   */
  protected build(input: tf.Tensor): Program<BatchNormalizationWeights> {
    return scoped(() => this.#build(input));
  }

  *#build(input: tf.Tensor): ProgramGenerator<BatchNormalizationWeights> {
    const x = yield* fromEither(checkInput(input, "batch_normalization", 1));
    const axes = yield* fromEither(resolveAxes(this.axis, x.rank));
    const shape = paramShape(x.shape, axes);
    const o = this.options;
    const dtype = inputDType(this.dtype, x);
    const gamma = this.scale
      ? yield* this.addWeight("gamma", {
        shape,
        dtype,
        initializer: o.gammaInitializer ?? onesInitializer(),
        regularizer: o.gammaRegularizer ?? null,
        constraint: o.gammaConstraint ?? null,
      })
      : null;
    const beta = this.center
      ? yield* this.addWeight("beta", {
        shape,
        dtype,
        initializer: o.betaInitializer ?? zerosInitializer(),
        regularizer: o.betaRegularizer ?? null,
        constraint: o.betaConstraint ?? null,
      })
      : null;
    // TF1: moving statistics are non-trainable, read-synchronized means.
    const stat = {
      shape,
      dtype,
      trainable: false,
      synchronization: "on_read",
      aggregation: "mean",
    } as const;
    const movingMean = yield* this.addWeight("moving_mean", {
      ...stat,
      initializer: o.movingMeanInitializer ?? zerosInitializer(),
    });
    const movingVariance = yield* this.addWeight("moving_variance", {
      ...stat,
      initializer: o.movingVarianceInitializer ?? onesInitializer(),
    });
    return { gamma, beta, movingMean, movingVariance };
  }

  /**
   * The normalization, and in training mode the moving-average updates.
   *
   * @param x the input
   * @param w the weights
   * @param options `training`
   * @returns the program yielding the output
   */
  protected call(
    x: tf.Tensor,
    w: BatchNormalizationWeights,
    options: BatchNormalizationCallOptions,
  ): Program<tf.Tensor> {
    return new BnCall(x, w, this.#config, options?.training ?? false);
  }
}

function resolveAxes(axis: readonly number[], rank: number): Either<ScopeError, number[]> {
  const out = axis.map((a) => (a < 0 ? a + rank : a));
  if (out.some((a) => a < 0 || a >= rank) || new Set(out).size !== out.length) {
    return E.left(
      layerOptionError("axis", `out of range or repeated for an input of rank ${rank}`, axis),
    );
  }
  return E.right(out.sort((a, b) => a - b));
}

// TF1: one axis gives a [C] parameter; several give a broadcastable full-rank shape.
function paramShape(shape: readonly number[], axes: readonly number[]): number[] {
  return axes.length === 1 ? [shape[axes[0]!]!] : shape.map((d, i) => (axes.includes(i) ? d : 1));
}

class BnCall extends ProgramBase<tf.Tensor> {
  constructor(
    readonly x: tf.Tensor,
    readonly w: BatchNormalizationWeights,
    readonly c: BnConfig,
    readonly training: unknown,
  ) {
    super();
  }

  run(env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const checked = checkInput(this.x, "batch_normalization", 1);
    if (E.isLeft(checked)) return checked;
    if (typeof this.training !== "boolean") {
      return E.left(layerOptionError("training", "expected a boolean", this.training));
    }
    const x = checked.right;
    const axesE = resolveAxes(this.c.axis, x.rank);
    if (E.isLeft(axesE)) return axesE;
    const axes = axesE.right;
    let s = state;
    const read = (v: VariableLike | null): Either<ScopeError, tf.Tensor | null> => {
      if (v === null) return E.right(null);
      const r = readVariable(v).run(env, s);
      if (E.isLeft(r)) return r;
      s = r.right.state;
      return E.right(r.right.value);
    };
    const gamma = read(this.w.gamma);
    if (E.isLeft(gamma)) return gamma;
    const beta = read(this.w.beta);
    if (E.isLeft(beta)) return beta;
    const mm = read(this.w.movingMean);
    if (E.isLeft(mm)) return mm;
    const mv = read(this.w.movingVariance);
    if (E.isLeft(mv)) return mv;
    const pshape = paramShape(x.shape, axes);
    const stored = mm.right!.shape;
    if (stored.length !== pshape.length || stored.some((d, i) => d !== pshape[i])) {
      return E.left(
        layerOptionError(
          "inputs of batch_normalization",
          `the normalized dimensions must be [${stored}], as on the first call`,
          x.shape,
        ),
      );
    }
    // Parameters broadcast against the input: [C] on the last axis as is,
    // otherwise reshaped to rank-many dimensions.
    const bshape = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const lastOnly = axes.length === 1 && axes[0] === x.rank - 1;
    const bcast = (t: tf.Tensor | null): tf.Tensor | undefined =>
      t === null ? undefined : lastOnly ? t : tf.reshape(t, bshape);
    // TF1 fuses 4-D inputs normalized over axis 1 or 3 (unless fused: false).
    const fused = this.c.fused !== false && x.rank === 4 && axes.length === 1 &&
      (axes[0] === 1 || axes[0] === 3);
    const epsilon = fused ? Math.max(this.c.epsilon, 1.001e-5) : this.c.epsilon;
    if (!this.training) {
      const y = normalize(
        x,
        lastOnly,
        bcast(mm.right)!,
        bcast(mv.right)!,
        bcast(beta.right),
        bcast(gamma.right),
        epsilon,
      );
      return E.right({ value: y, state: s });
    }
    const reduce = Array.from({ length: x.rank }, (_, i) => i).filter((i) => !axes.includes(i));
    const { mean, variance } = tf.moments(x, reduce, !lastOnly);
    const y = normalize(
      x,
      lastOnly,
      mean,
      variance,
      bcast(beta.right),
      bcast(gamma.right),
      epsilon,
    );
    const n = reduce.reduce((p, i) => p * x.shape[i]!, 1);
    const batchMean = tf.reshape(mean, pshape);
    let batchVar = tf.reshape(variance, pshape);
    if (fused && n > 1) batchVar = tf.mul(batchVar, n / (n - 1));
    const m = this.c.momentum;
    const newMean = tf.add(tf.mul(mm.right!, m), tf.mul(batchMean, 1 - m));
    const newVar = tf.add(tf.mul(mv.right!, m), tf.mul(batchVar, 1 - m));
    const u1 = recordAssign(this.w.movingMean, newMean).run(env, s);
    if (E.isLeft(u1)) return u1;
    const u2 = recordAssign(this.w.movingVariance, newVar).run(env, u1.right.state);
    if (E.isLeft(u2)) return u2;
    return E.right({ value: y, state: u2.right.state });
  }
}

// `γ · (x − mean) / sqrt(var + ε) + β`. Over the last axis it is one
// batchNorm kernel (with gradients for the statistics too); tfjs's kernels
// broadcast its parameters along the last axis only, so other axes use
// broadcasting arithmetic.
function normalize(
  x: tf.Tensor,
  lastOnly: boolean,
  mean: tf.Tensor,
  variance: tf.Tensor,
  beta: tf.Tensor | undefined,
  gamma: tf.Tensor | undefined,
  epsilon: number,
): tf.Tensor {
  if (lastOnly) return tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  if (gamma !== undefined) y = tf.mul(y, gamma);
  return beta === undefined ? y : tf.add(y, beta);
}

/**
 * TF1 `tf.compat.v1.layers.batch_normalization(inputs, …, training)`: a new
 * {@linkcode BatchNormalization} called once; `name` and `reuse` as in
 * `dense`.
 *
 * @param inputs the input
 * @param options TF1's keyword arguments, `training` among them
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { batchNormalization } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => batchNormalization(x, { name: "bn", training: false }));
 * const x = tf.ones([2, 3]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.names, ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]);
 * ```
 *
 * @category layers
 */
export function batchNormalization(
  inputs: tf.Tensor,
  options: BatchNormalizationOptions & BatchNormalizationCallOptions = {},
): Program<tf.Tensor> {
  // A throwing getter or proxy trap in the options fails the program, typed.
  const read = readRecord(options, "batchNormalization", null);
  if (!read.ok) return fail(read.error);
  const { training, ...rest } = read.record as
    & BatchNormalizationOptions
    & BatchNormalizationCallOptions;
  return functionalLayer(
    () => new BatchNormalization(functionalOptions(rest)),
    inputs,
    training === undefined ? {} : { training },
  );
}
