/**
 * Where the layers record variable writes (batch normalization's moving
 * statistics, TF1's `UPDATE_OPS`) and draw random seeds (dropout): the
 * interpreter's state channel, `assign` and `randomSeed`.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Program } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { randomSeed } from "../interpreter/random_seed.ts";
import { assign } from "../interpreter/state_updates.ts";

/**
 * Records `variable := value` for after the pass.
 *
 * @internal
 */
export function recordAssign(variable: VariableLike, value: tf.Tensor): Program<void> {
  return assign(variable, value);
}

/**
 * The next seed drawn from the pass's seed.
 *
 * @internal
 */
export function passSeed(): Program<number | null> {
  return randomSeed();
}
