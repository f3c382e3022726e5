/**
 * Where the layers record variable writes (batch normalization's moving
 * statistics) and draw random seeds (dropout). Until the interpreter's state
 * channel (`assign`, `randomSeed` in `varscope/tfjs`) is on main, writes are
 * dropped and seeds come from the caller.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { of, type Program } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";

/**
 * Records `variable := value` for after the pass (TF1's `UPDATE_OPS`).
 *
 * @internal
 */
export function recordAssign(_variable: VariableLike, value: tf.Tensor): Program<void> {
  value.dispose();
  return of(undefined);
}

/**
 * A seed for a random op in this pass, or null when the interpreter gives
 * none (the op then uses its own).
 *
 * @internal
 */
export function passSeed(): Program<number | null> {
  return of(null);
}
