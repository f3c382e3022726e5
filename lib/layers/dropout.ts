/**
 * `Dropout` / `dropout` (TF1 `tf.compat.v1.layers.Dropout`, `dropout`;
 * N11): in training mode each element is kept with probability `1 − rate`
 * and scaled by `1 / (1 − rate)`; otherwise the input passes unchanged.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { readRecord } from "../core/_guard.ts";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import { type Env, fail, of, type Program, type RunState, type Step } from "../core/program.ts";
import {
  asLayerError,
  BASE_LAYER_KEYS,
  functionalLayer,
  Layer,
  layerOptionError,
  type LayerOptions,
} from "./layer.ts";
import { passSeed } from "./_updates.ts";
import { checkInput } from "./_weights.ts";

/**
 * Options of {@linkcode Dropout}: TF1's keyword arguments.
 *
 * @category layers
 */
export interface DropoutOptions extends LayerOptions {
  /** The fraction dropped, in [0, 1) (default 0.5). */
  readonly rate?: number;
  /** The mask's shape (null entries take the input's); default the input's. */
  readonly noiseShape?: readonly (number | null)[] | null;
  /** An integer mixed into the pass's seed (TF1's op-level seed). */
  readonly seed?: number | null;
}

/**
 * Options of one dropout call.
 *
 * @category layers
 */
export interface DropoutCallOptions {
  /** Drop elements (default false: the input passes unchanged). */
  readonly training?: boolean;
}

const KEYS: ReadonlySet<string> = new Set([
  ...BASE_LAYER_KEYS,
  "rate",
  "noiseShape",
  "seed",
]);

/**
 * TF1 `tf.compat.v1.layers.Dropout(rate, noise_shape, seed)` (N11): no
 * variables, default name "dropout". Call with `{ training: true }` to drop.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { Dropout } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const drop = new Dropout({ rate: 0.5 });
 * const model = transform((x: tf.Tensor) => drop.apply(x, { training: true }));
 * const x = tf.ones([1000]);
 * const { params } = model.init(x);
 * const y = Array.from(model.apply(params, x).dataSync());
 * assert.ok(y.every((v) => v === 0 || v === 2)); // kept ones are scaled by 1 / (1 − rate)
 * ```
 *
 * @category layers
 */
export class Dropout extends Layer<tf.Tensor, tf.Tensor, null, DropoutCallOptions> {
  /** The fraction dropped. */
  readonly rate: number;
  /** The mask's shape, or null. */
  readonly noiseShape: readonly (number | null)[] | null;
  /** TF1's op-level seed, or null. */
  readonly seed: number | null;

  /**
   * A dropout layer.
   *
   * @param options rate, noiseShape, seed, name
   * @throws ScopeError `InvalidArgument` for a rate outside [0, 1) and other bad options
   */
  constructor(options: DropoutOptions = {}) {
    super("dropout", options, KEYS);
    try {
      const rate = options?.rate ?? 0.5;
      if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
        throw layerOptionError("rate", "expected a number in [0, 1)", rate);
      }
      const ns = options?.noiseShape ?? null;
      if (
        ns !== null &&
        (!Array.isArray(ns) || !ns.every((d) => d === null || (Number.isSafeInteger(d) && d > 0)))
      ) {
        throw layerOptionError("noiseShape", "expected positive integers or nulls", ns);
      }
      const seed = options?.seed ?? null;
      if (seed !== null && !Number.isSafeInteger(seed)) {
        throw layerOptionError("seed", "expected an integer", seed);
      }
      this.rate = rate;
      this.noiseShape = ns === null ? null : Object.freeze(ns.slice());
      this.seed = seed;
    } catch (e) {
      throw asLayerError(e);
    }
    if (new.target === Dropout) Object.freeze(this);
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
   * The dropout.
   *
   * @param x the input
   * @param _w no weights
   * @param options `training`
   * @returns the program yielding the output
   */
  protected call(x: tf.Tensor, _w: null, options: DropoutCallOptions): Program<tf.Tensor> {
    return new DropoutCall(this, x, options?.training ?? false);
  }
}

class DropoutCall extends ProgramBase<tf.Tensor> {
  constructor(readonly layer: Dropout, readonly x: tf.Tensor, readonly training: unknown) {
    super();
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const checked = checkInput(this.x, "dropout", 0);
    if (E.isLeft(checked)) return checked;
    if (typeof this.training !== "boolean") {
      return E.left(layerOptionError("training", "expected a boolean", this.training));
    }
    const x = checked.right;
    const { rate, noiseShape, seed: opSeed } = this.layer;
    if (!this.training || rate === 0) return E.right({ value: x, state });
    let shape: number[] | undefined;
    if (noiseShape !== null) {
      if (noiseShape.length !== x.rank) {
        return E.left(
          layerOptionError("noiseShape", `expected ${x.rank} entries for the input`, noiseShape),
        );
      }
      shape = noiseShape.map((d, i) => d ?? x.shape[i]!);
    }
    const drawn = passSeed().run(env, state);
    if (E.isLeft(drawn)) return drawn;
    const passS = drawn.right.value;
    const seed = passS === null
      ? opSeed ?? undefined
      : opSeed === null
      ? passS
      : mix(passS, opSeed);
    const y = tf.dropout(x, rate, shape, seed);
    return E.right({ value: y, state: drawn.right.state });
  }
}

// Two integer seeds as one (a 32-bit mix), so an op seed changes the mask.
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * TF1 `tf.compat.v1.layers.dropout(inputs, rate, noise_shape, seed,
 * training, name)`.
 *
 * @param inputs the input
 * @param options rate, noiseShape, seed, training, name
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { dropout } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => dropout(x, { rate: 0.1 })); // training: false
 * const x = tf.ones([3]);
 * assert.deepEqual(Array.from(model.apply(model.init(x).params, x).dataSync()), [1, 1, 1]);
 * ```
 *
 * @category layers
 */
export function dropout(
  inputs: tf.Tensor,
  options: DropoutOptions & DropoutCallOptions = {},
): Program<tf.Tensor> {
  // A throwing getter or proxy trap in the options fails the program, typed.
  const read = readRecord(options, "dropout", null);
  if (!read.ok) return fail(read.error);
  const { training, ...rest } = read.record as DropoutOptions & DropoutCallOptions;
  return functionalLayer(
    () => new Dropout(rest),
    inputs,
    training === undefined ? {} : { training },
  );
}
