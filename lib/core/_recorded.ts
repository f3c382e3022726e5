/**
 * The one record/replay driver. A recorded primitive says only what
 * identifies a call (`key`), what else could change its decision
 * (`guard`), its TF1 logic (`decide`) and, for scopes and tensor reads,
 * what runs after the decision every time (`resume`: a scope's body, a
 * tensor lookup). This file decides when to record, when to replay and
 * when a replay diverged; no primitive does.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import type { ScopeError } from "./errors.ts";
import type { Env, RunState, Step } from "./program.ts";
import { ProgramBase } from "./_program_base.ts";

/**
 * A primitive whose decision an interpreter can record and replay. `D` is
 * what it decides, `A` what it yields.
 */
export abstract class RecordedProgram<D, A> extends ProgramBase<A> {
  /** What identifies the call in a recording (compared by identity). */
  abstract readonly key: unknown;
  /**
   * The guard to record (only called while recording): what else besides
   * the key could change the decision. None by default.
   */
  guard(): unknown {
    return undefined;
  }
  /** Whether a recorded guard fits this call (called on replay; must not allocate). */
  matches(recorded: unknown): boolean {
    return recorded === undefined;
  }
  /** The primitive's TF1 logic. */
  abstract decide(env: Env, state: RunState): Either<ScopeError, Step<D>>;
  /**
   * What runs after the decision, recorded or replayed (a scope's body, a
   * tensor lookup). Primitives whose decision is their result do not
   * override it, and their replay hands back the recorded result as is.
   */
  resume(
    _decision: D,
    _env: Env,
    _before: RunState,
    _after: RunState,
  ): Either<ScopeError, Step<A>> {
    throw new Error("unreachable: a leaf primitive has no resume");
  }

  run(env: Env, state: RunState): Either<ScopeError, Step<A>> {
    const recording = env.run.recording;
    let r: Either<ScopeError, Step<D>>;
    if (recording === null) {
      r = this.decide(env, state);
    } else if (recording.replaying) {
      r = recording.result(recording.take(this.key, this)) as Either<ScopeError, Step<D>>;
    } else {
      const i = recording.open(this.key, this.guard());
      r = this.decide(env, state);
      if (E.isLeft(r)) {
        // A failed call is not part of the run (a handled failure's branch
        // is rolled back by catchError; an unhandled one ends the run).
        recording.rollback(i);
        return r;
      }
      recording.close(i, r);
    }
    if (E.isLeft(r) || this.resume === LEAF_RESUME) return r as Either<ScopeError, Step<A>>;
    return this.resume(r.right.value, env, state, r.right.state);
  }
}

const LEAF_RESUME = RecordedProgram.prototype.resume;

/**
 * A recorded primitive from functions, for primitives that are not on the
 * hot path of a forward pass (a closure per program is fine there). It has
 * no guard: the key says it all.
 */
export class RecordedStep<D, A> extends RecordedProgram<D, A> {
  constructor(
    readonly key: unknown,
    readonly decideStep: (env: Env, state: RunState) => Either<ScopeError, Step<D>>,
    readonly resumeStep: (decision: D, env: Env, after: RunState) => Either<ScopeError, Step<A>>,
  ) {
    super();
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<D>> {
    return this.decideStep(env, state);
  }
  override resume(
    decision: D,
    env: Env,
    _before: RunState,
    after: RunState,
  ): Either<ScopeError, Step<A>> {
    return this.resumeStep(decision, env, after);
  }
}
