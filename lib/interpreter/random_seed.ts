/**
 * Randomness inside a pass (dropout's mask), drawn from an explicit seed:
 * `apply(params, input, { seed })`, `applyWithUpdates(…, { seed })` or a
 * trainer step, which uses a new seed every step. The same seed gives the
 * same draws, replayed or not.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { makeProgram, type Program } from "../core/program.ts";
import { passOf } from "./_pass.ts";
import { notInterpreted } from "./read_variable.ts";

/**
 * A fresh integer seed for a TensorFlow.js random op (`tf.dropout`,
 * `tf.randomUniform`), the n-th drawn from the pass's seed (Haiku's
 * `next_rng_key`).
 *
 * @returns the program yielding the seed
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped } from "varscope";
 * import { randomSeed, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const drop = transform((x: tf.Tensor) => scoped(function* () {
 *   return tf.dropout(x, 0.5, undefined, yield* randomSeed());
 * }));
 * const x = tf.ones([64]);
 * const { params } = drop.init(x);
 * const a = drop.apply(params, x, { seed: 7 });
 * const b = drop.apply(params, x, { seed: 7 });
 * const c = drop.apply(params, x, { seed: 8 });
 * assert.deepEqual(a.dataSync(), b.dataSync());
 * assert.notDeepEqual(a.dataSync(), c.dataSync());
 * tf.dispose([x, a, b, c]);
 * ```
 *
 * @category state
 */
export function randomSeed(): Program<number> {
  return makeProgram((env, state) => {
    const pass = passOf(env);
    if (pass === null) return E.left(notInterpreted("randomSeed"));
    return E.right({ value: pass.nextSeed(), state });
  });
}
