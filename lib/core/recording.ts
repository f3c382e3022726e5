/**
 * A recording of one run's scope decisions, for interpreters that run the
 * same program many times (a forward pass on every apply).
 *
 * While recording, every recorded primitive (getVariable, variableScope,
 * nameScope, opName and the interpreter's variable reads) notes, in order,
 * the key it was called with (its relative name), a guard (what else could
 * change its decision: a shape, a dtype, scope options) and its result,
 * state included. A replay hands those results back by position after
 * comparing key and guard: no names are built, no store is searched, and
 * the state after each step is the recorded one, so programs that read
 * the state (`getState`, `getStore`, templates) replay too. When a key or
 * guard differs, the program took another path; the replay stops with
 * {@linkcode ReplayDiverged}, an interpreter event (never a `ScopeError`),
 * and the interpreter runs the program in full.
 *
 * The recording belongs to the interpreter (the imperative edge); the core
 * reaches it through `env.run.recording` and only the driver in
 * `_recorded.ts` reads or writes it.
 *
 * @module
 */

/**
 * Thrown by a replay that met a call other than the recorded one. Only
 * interpreters see it: it passes through `catchError` and user code, and
 * `runScoped` (which never replays) never meets it.
 *
 * @category interpreters
 */
export class ReplayDiverged extends Error {
  /** Discriminant. */
  readonly tag = "ReplayDiverged" as const;
  constructor() {
    super("The program took a different path than when it was recorded");
    this.name = "ReplayDiverged";
  }
}

const DIVERGED = new ReplayDiverged();

/**
 * One run's scope decisions, recorded once and replayed many times.
 *
 * @example
 * ```ts
 * import { Recording } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const recording = new Recording();
 * assert.equal(recording.replaying, false);
 * assert.equal(recording.size, 0);
 * ```
 *
 * @category interpreters
 */
export class Recording {
  #keys: unknown[] = [];
  #guards: unknown[] = [];
  #results: unknown[] = [];
  // Where replay continues after an entry: past what was recorded while
  // the call itself ran (a custom getter's inner getVariables).
  #ends: number[] = [];
  #replaying = false;
  #cursor = 0;
  #compilable = true;

  /** Whether this recording is being replayed (else it records). */
  get replaying(): boolean {
    return this.#replaying;
  }

  /** How many calls were recorded. */
  get size(): number {
    return this.#keys.length;
  }

  /**
   * False once the recorded run did something a replay cannot stand in for;
   * such a recording is never replayed.
   */
  get compilable(): boolean {
    return this.#compilable;
  }

  /** Whether a replay has used every recorded call. */
  get complete(): boolean {
    return this.#cursor === this.#keys.length;
  }

  /** Switches to replaying from the first call (call once per replayed run). */
  replay(): void {
    this.#replaying = true;
    this.#cursor = 0;
  }

  /** @internal Marks the recording as not replayable. */
  refuse(): void {
    if (this.#replaying) throw DIVERGED;
    this.#compilable = false;
  }

  /**
   * @internal Replay: the index of the call at the cursor when its key and
   * guard match (the cursor moves past it); throws ReplayDiverged otherwise.
   */
  take(key: unknown, call: { matches(recordedGuard: unknown): boolean }): number {
    const i = this.#cursor;
    if (i >= this.#keys.length || this.#keys[i] !== key || !call.matches(this.#guards[i])) {
      throw DIVERGED;
    }
    this.#cursor = this.#ends[i]!;
    return i;
  }

  /** @internal Replay: the result recorded at an index. */
  result(i: number): unknown {
    return this.#results[i];
  }

  /** @internal Record: opens an entry before the call runs; returns its index. */
  open(key: unknown, guard: unknown): number {
    const i = this.#keys.length;
    this.#keys.push(key);
    this.#guards.push(guard);
    this.#results.push(undefined);
    this.#ends.push(i + 1);
    return i;
  }

  /** @internal Record: closes an entry with the call's result. */
  close(i: number, result: unknown): void {
    this.#results[i] = result;
    this.#ends[i] = this.#keys.length;
  }

  /** @internal Where to roll back to when a branch fails (`catchError`). */
  mark(): number {
    return this.#replaying ? this.#cursor : this.#keys.length;
  }

  /** @internal Drops what a failed branch recorded, or rewinds a replay. */
  rollback(mark: number): void {
    if (this.#replaying) {
      this.#cursor = mark;
      return;
    }
    this.#keys.length = mark;
    this.#guards.length = mark;
    this.#results.length = mark;
    this.#ends.length = mark;
  }
}
