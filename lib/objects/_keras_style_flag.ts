/**
 * The keras-style flag (TF1 P1) and the hook that runs a keras-style layer
 * call against the layer's own variables (P2). Kept apart from
 * `keras_style.ts` so that `varscope/layers` can read the flag without
 * loading `varscope/objects`.
 *
 * The flag is on only while a construction callback runs synchronously
 * (`kerasStyleScope`) or for good (`setKerasStyle`): no `await` can observe
 * a scoped value, because a scoped callback that returns a promise is
 * refused.
 *
 * @module
 */
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import type { Env, Program, RunState, Step } from "../core/program.ts";

let depth = 0;
let forGood = false;

/** @internal Whether layers constructed now are keras style. */
export function kerasStyleNow(): boolean {
  return forGood || depth > 0;
}

/** @internal Turns the flag on for good (TF1 `set_keras_style`). */
export function setKerasStyleForGood(): void {
  forGood = true;
}

/** @internal Runs `fn` with the flag on; restores it after, whatever happens. */
export function withKerasStyle<R>(fn: () => R): R {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}

/** @internal Runs one call of a keras-style layer against its own variables. */
export type OwnedCallRunner = <O>(
  owner: object,
  body: Program<O>,
  env: Env,
  state: RunState,
) => Either<ScopeError, Step<O>>;

let runner: OwnedCallRunner | null = null;

/** @internal Set by `varscope/objects` when it loads. */
export function setOwnedCallRunner(r: OwnedCallRunner): void {
  runner = r;
}

/** @internal The runner, or null when `varscope/objects` is not loaded. */
export function ownedCallRunner(): OwnedCallRunner | null {
  return runner;
}
