/**
 * What the weighted layers share: their TF1 weight options, checked once,
 * and the input check every call does.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Constraint, ConstraintFunction } from "../constraints/constraint.ts";
import type { DType } from "../core/dtype.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import type { InitializerLike } from "../initializers/value.ts";
import type { Regularizer, RegularizerFunction } from "../regularizers/regularizer.ts";
import { layerOptionError } from "./layer.ts";

/**
 * The kernel and bias options of the weighted layers, TF1's keyword
 * arguments camelCased. Omitted: TF1's defaults (a bias, zeros for it, the
 * scope's initializer or Glorot uniform for the kernel).
 *
 * @category layers
 */
export interface WeightOptions {
  /** Whether to add a bias (default true). */
  readonly useBias?: boolean;
  /** The kernel's initializer (default the scope's, else Glorot uniform). */
  readonly kernelInitializer?: InitializerLike | null;
  /** The bias's initializer (default zeros). */
  readonly biasInitializer?: InitializerLike | null;
  /** A regularizer of the kernel; its loss is added once (N12). */
  readonly kernelRegularizer?: Regularizer | RegularizerFunction | null;
  /** A regularizer of the bias. */
  readonly biasRegularizer?: Regularizer | RegularizerFunction | null;
  /** A constraint applied to the kernel after each optimizer step. */
  readonly kernelConstraint?: Constraint | ConstraintFunction | null;
  /** A constraint applied to the bias after each optimizer step. */
  readonly biasConstraint?: Constraint | ConstraintFunction | null;
}

/** The option keys of {@linkcode WeightOptions}. */
export const WEIGHT_OPTION_KEYS: readonly string[] = [
  "useBias",
  "kernelInitializer",
  "biasInitializer",
  "kernelRegularizer",
  "biasRegularizer",
  "kernelConstraint",
  "biasConstraint",
];

/** Checks what varscope refuses outright; getVariable checks the rest. */
export function checkWeightOptions(o: WeightOptions): boolean {
  const useBias = o.useBias ?? true;
  if (typeof useBias !== "boolean") {
    throw layerOptionError("useBias", "expected a boolean", useBias);
  }
  return useBias;
}

/** The dtype weights take from a float input (TF1 infers the layer dtype from it). */
export function inputDType(layerDType: DType | null, x: tf.Tensor): DType | null {
  if (layerDType !== null) return layerDType;
  return x.dtype === "float32" ? "float32" : null;
}

/** Checks that `x` is a tensor of rank in [min, max]. */
export function checkInput(
  x: unknown,
  layer: string,
  min: number,
  max = Infinity,
): Either<ScopeError, tf.Tensor> {
  if (!(x instanceof tf.Tensor)) {
    return E.left(layerOptionError(`inputs of ${layer}`, "expected a tf.Tensor", x));
  }
  if (x.rank < min || x.rank > max) {
    const want = max === min
      ? `ndim=${min}`
      : max === Infinity
      ? `min_ndim=${min}`
      : `ndim in [${min}, ${max}]`;
    return E.left(
      layerOptionError(
        `inputs of ${layer}`,
        `the input is incompatible with the layer: expected ${want}, found ndim=${x.rank}`,
        x.shape,
      ),
    );
  }
  return E.right(x);
}
