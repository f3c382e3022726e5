/**
 * Recording and replaying a program's scope decisions, so that an
 * interpreter can run the same program again without scope bookkeeping.
 *
 * A run in `record` mode notes, in order, what each scope primitive
 * returned (the variable `getVariable` resolved, the scope `variableScope`
 * opened, …), each under a key that identifies the call (the relative name
 * it was given). A run in `replay` mode gives those values back by position
 * after comparing keys: no names are built, no store is searched, no
 * options are parsed. When a key differs, the program took another path
 * (its control flow depends on something the interpreter did not key the
 * trace on); the replay stops with {@linkcode TRACE_DIVERGED} and the
 * interpreter falls back to a full run.
 *
 * The trace is the one mutable object the core touches; it belongs to the
 * interpreter (the imperative edge), which makes a fresh one per recording
 * and resets its cursor per replay. A run without a trace (`env.trace ===
 * null`, as in `runScoped`) is unaffected.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { type ScopeError, scopeError } from "./errors.ts";
import type { Env, RunState, Step } from "./program.ts";
import { sameGuardElement } from "./_same_guard_element.ts";

/**
 * A recording of one successful run, or a replay of it.
 *
 * @category models
 */
export interface Trace {
  /** `record` while the interpreter learns the program; `replay` after. */
  mode: "record" | "replay";
  /** Per entry, what identifies the call (compared on replay). */
  readonly keys: unknown[];
  /** Per entry, what the call returned. */
  readonly values: unknown[];
  /**
   * Per entry, where replay continues after it: past the entries recorded
   * while the call itself ran (a custom getter's inner `getVariable`s).
   */
  readonly ends: number[];
  /**
   * Per entry, what else the call was given that could change its result
   * (getVariable's shape and dtype), compared on replay; or undefined.
   */
  readonly guards: unknown[];
  /** Next entry to replay. */
  cursor: number;
  /**
   * False once the recorded run used something replay cannot stand in for
   * (a template, raw state access); the interpreter then never replays it.
   */
  compilable: boolean;
}

/**
 * A fresh trace in record mode.
 *
 * @returns the trace
 *
 * @example
 * ```ts
 * import { newTrace } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(newTrace().mode, "record");
 * ```
 *
 * @category interpreters
 */
export function newTrace(): Trace {
  return {
    mode: "record",
    keys: [],
    values: [],
    ends: [],
    guards: [],
    cursor: 0,
    compilable: true,
  };
}

/**
 * The error a replay stops with when the program asks for something other
 * than what was recorded. Interpreters compare by identity and re-run the
 * program in full; `catchError` never handles it.
 *
 * @category interpreters
 */
export const TRACE_DIVERGED: ScopeError = scopeError(
  "InvalidArgument",
  "The program took a different path than when it was compiled",
);

/**
 * Runs one traced scope primitive: in record mode it runs `compute` and
 * notes `key` and the value; in replay mode it returns the recorded value
 * when the key matches, with the state unchanged.
 *
 * @param env the environment (its trace, if any)
 * @param state the state
 * @param key what identifies this call
 * @param compute the primitive's ordinary step
 * @param guard other arguments that could change the result (compared on
 *   replay, arrays element by element)
 * @returns the step
 *
 * @example
 * ```ts
 * import { makeProgram, newTrace, runScopedOrThrow, tracedStep } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = makeProgram((env, state) =>
 *   tracedStep(env, state, "answer", () => ({ _tag: "Right", right: { value: 42, state } }))
 * );
 * assert.equal(runScopedOrThrow(p).value, 42);
 * assert.equal(newTrace().keys.length, 0);
 * ```
 *
 * @category interpreters
 */
export function tracedStep<A>(
  env: Env,
  state: RunState,
  key: unknown,
  compute: () => Either<ScopeError, Step<A>>,
  guard?: readonly unknown[],
): Either<ScopeError, Step<A>> {
  const trace = env.trace;
  if (trace === null) return compute();
  if (trace.mode === "replay") {
    const i = trace.cursor;
    if (
      i >= trace.keys.length || trace.keys[i] !== key ||
      !sameGuard(trace.guards[i] as readonly unknown[] | undefined, guard)
    ) {
      return E.left(TRACE_DIVERGED);
    }
    trace.cursor = trace.ends[i]!;
    return E.right({ value: trace.values[i] as A, state });
  }
  // The entry goes first: what `compute` records itself comes after it and
  // is skipped on replay.
  const i = trace.keys.length;
  trace.keys.push(key);
  trace.values.push(undefined);
  trace.ends.push(i + 1);
  trace.guards.push(guard === undefined ? undefined : guard.map(copyArray));
  const r = compute();
  if (E.isRight(r)) {
    trace.values[i] = r.right.value;
    trace.ends[i] = trace.keys.length;
  } else {
    truncate(trace, i);
  }
  return r;
}

/**
 * For primitives whose effect replay cannot reproduce (a template, raw
 * state access): marks a recording as not replayable, and tells a replay to
 * stop (the caller then returns {@linkcode TRACE_DIVERGED}).
 *
 * @param env the environment
 * @returns true when a replay must stop here
 *
 * @example
 * ```ts
 * import { makeProgram, refuseReplay, runScopedOrThrow, TRACE_DIVERGED } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = makeProgram((env, state) =>
 *   refuseReplay(env)
 *     ? { _tag: "Left", left: TRACE_DIVERGED }
 *     : { _tag: "Right", right: { value: 1, state } }
 * );
 * assert.equal(runScopedOrThrow(p).value, 1);
 * ```
 *
 * @category interpreters
 */
export function refuseReplay(env: Env): boolean {
  const trace = env.trace;
  if (trace === null) return false;
  if (trace.mode === "replay") return true;
  trace.compilable = false;
  return false;
}

/**
 * The position to roll a recording back to when a branch fails (see
 * `catchError`): entries of a failed branch are not part of the run.
 *
 * @param env the environment
 * @returns the mark, or -1 without a recording trace
 *
 * @example
 * ```ts
 * import { runScopedOrThrow, ask, traceMark } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(traceMark(runScopedOrThrow(ask()).value), -1);
 * ```
 *
 * @category interpreters
 */
export function traceMark(env: Env): number {
  const trace = env.trace;
  if (trace === null) return -1;
  return trace.mode === "record" ? trace.keys.length : trace.cursor;
}

/**
 * Rolls a trace back to a mark from {@linkcode traceMark}.
 *
 * @param env the environment
 * @param mark the mark
 *
 * @example
 * ```ts
 * import { ask, rollbackTrace, runScopedOrThrow } from "varscope";
 *
 * rollbackTrace(runScopedOrThrow(ask()).value, -1);
 * ```
 *
 * @category interpreters
 */
export function rollbackTrace(env: Env, mark: number): void {
  const trace = env.trace;
  if (trace === null || mark < 0) return;
  if (trace.mode === "record") {
    truncate(trace, mark);
  } else {
    trace.cursor = mark;
  }
}

/**
 * A defect-free error for a program that diverged: used by interpreters to
 * tell "fall back" from a real failure.
 *
 * @param error an error from a run
 * @returns whether it is {@linkcode TRACE_DIVERGED}
 *
 * @example
 * ```ts
 * import { isTraceDiverged, TRACE_DIVERGED } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.ok(isTraceDiverged(TRACE_DIVERGED));
 * ```
 *
 * @category interpreters
 */
export function isTraceDiverged(error: unknown): boolean {
  return error === TRACE_DIVERGED;
}

/**
 * What {@linkcode replayEntry} returns when the key does not match.
 *
 * @category interpreters
 */
export const TRACE_MISS: unique symbol = Symbol("varscope.traceMiss");

/**
 * For combinators that open a scope: in replay mode, the value recorded
 * under `key` at the cursor (and the cursor moves on), or
 * {@linkcode TRACE_MISS}.
 *
 * @param trace a trace in replay mode
 * @param key what identifies the call
 * @param guard other arguments that could change the result
 * @returns the recorded value or `TRACE_MISS`
 *
 * @example
 * ```ts
 * import { newTrace, recordEntry, replayEntry } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const t = newTrace();
 * recordEntry(t, "foo", 1);
 * t.mode = "replay";
 * assert.equal(replayEntry(t, "foo"), 1);
 * ```
 *
 * @category interpreters
 */
export function replayEntry(trace: Trace, key: unknown, guard?: readonly unknown[]): unknown {
  const i = trace.cursor;
  if (
    i >= trace.keys.length || trace.keys[i] !== key ||
    !sameGuard(trace.guards[i] as readonly unknown[] | undefined, guard)
  ) {
    return TRACE_MISS;
  }
  trace.cursor = i + 1;
  return trace.values[i];
}

function copyArray(x: unknown): unknown {
  return Array.isArray(x) ? x.slice() : x;
}

// Guards compare element by element, and arrays in them (shapes) one level
// deeper: the caller builds them afresh on every call.
function sameGuard(
  recorded: readonly unknown[] | undefined,
  given: readonly unknown[] | undefined,
): boolean {
  if (recorded === given) return true;
  if (recorded === undefined || given === undefined || recorded.length !== given.length) {
    return false;
  }
  for (let i = 0; i < given.length; i++) {
    if (!sameGuardElement(recorded[i], given[i])) return false;
  }
  return true;
}

function truncate(trace: Trace, length: number): void {
  trace.guards.length = length;
  trace.keys.length = length;
  trace.values.length = length;
  trace.ends.length = length;
}

/**
 * For combinators that open a scope: in record mode, notes `key` and
 * `value` before the body runs. No-op in replay mode.
 *
 * @param trace the trace
 * @param key what identifies the call
 * @param value what the call opened
 * @param guard other arguments that could change the result
 *
 * @example
 * ```ts
 * import { newTrace, recordEntry } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const t = newTrace();
 * recordEntry(t, "foo", 1);
 * assert.deepEqual(t.keys, ["foo"]);
 * ```
 *
 * @category interpreters
 */
export function recordEntry(
  trace: Trace,
  key: unknown,
  value: unknown,
  guard?: readonly unknown[],
): void {
  if (trace.mode !== "record") return;
  trace.guards.push(guard === undefined ? undefined : guard.map(copyArray));
  trace.ends.push(trace.keys.length + 1);
  trace.keys.push(key);
  trace.values.push(value);
}
