/**
 * The one rule every interpreter follows with a kept recording: replay it;
 * a replay counts only when it completes (every recorded call used) and the
 * caller accepts its result; anything else (a divergence, a failure) starts
 * the pass over and runs the program in full while recording anew, and the
 * full run's result is the reference. `transform` (per input signature) and
 * the objects of `varscope/objects` (per call signature) both go through it.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import { Recording, ReplayDiverged } from "../core/recording.ts";

/** What {@linkcode replayOrRecord} did. */
export interface ReplayOrRecord<A> {
  /** The result: the replay's, or the full run's. */
  readonly result: Either<ScopeError, A>;
  /** Whether the result is a replay's (the kept recording was used). */
  readonly replayed: boolean;
  /**
   * The fresh recording of a full run that may be kept for later replays
   * (set to replay), or null: the replay was used, or the run cannot be
   * replayed.
   */
  readonly recorded: Recording | null;
}

/**
 * Replays `kept` when given, else (or when the replay does not count) runs
 * in full with a fresh recording.
 *
 * @param kept a recording kept from an earlier run, or undefined
 * @param run runs the program with a recording (replaying or recording)
 * @param accept whether a complete replay's result counts
 * @param pass what starts over before a full run that follows a replay
 * @returns the result and a recording to keep
 */
export function replayOrRecord<A>(
  kept: Recording | undefined,
  run: (recording: Recording) => Either<ScopeError, A>,
  accept: (value: A) => boolean,
  pass: { reset(): void },
): ReplayOrRecord<A> {
  if (kept !== undefined) {
    kept.replay();
    try {
      const r = run(kept);
      if (E.isRight(r) && kept.complete && accept(r.right)) {
        return { result: r, replayed: true, recorded: null };
      }
    } catch (e) {
      if (!(e instanceof ReplayDiverged)) throw e;
    }
    // The full run draws the same seeds and makes its own writes.
    pass.reset();
  }
  const recording = new Recording();
  const result = run(recording);
  if (E.isLeft(result) || !recording.compilable) return { result, replayed: false, recorded: null };
  recording.replay();
  return { result, replayed: false, recorded: recording };
}

/** For callers that accept every complete replay. */
export function anyResult(): boolean {
  return true;
}
