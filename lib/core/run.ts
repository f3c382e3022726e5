/**
 * Running programs. Each run starts at the root scope with fresh
 * default-name counters and op names, like a new TF1 thread (L1), on the
 * given store, which it never modifies (L2: a shared store still refuses a
 * second creation of the same name).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { emptyNameTable } from "./name_table.ts";
import { type Env, isProgram, type Program, type RunContext, type RunState } from "./program.ts";
import { createVariables, type CreationPolicy, ownedByObject } from "./creation_policy.ts";
import { checkOptionKeys } from "./_options.ts";
import { emptyScopeCounts } from "./scope_counts.ts";
import { rootScope } from "./scope.ts";
import { emptyStore, isStore, requireStore, type Store } from "./store.ts";

/**
 * The outcome of a successful run: the program's value and the new store.
 *
 * @category running
 */
export interface RunResult<A> {
  /** The program's value. */
  readonly value: A;
  /** The store after the run. */
  readonly store: Store;
}

/**
 * How a run may go: who may create variables.
 *
 * @category running
 */
export interface RunOptions {
  /** Who may create variables (default: `createVariables()`). */
  readonly creation?: CreationPolicy;
}

const ROOT_SCOPE = rootScope();
const DEFAULT_RUN: RunContext = Object.freeze({
  creation: createVariables(),
  recording: null,
  interpreter: null,
});
const ROOT_ENV: Env = Object.freeze({ scope: ROOT_SCOPE, nameScope: "", run: DEFAULT_RUN });

/**
 * Runs a program on a store (the empty store by default).
 *
 * @param program the program
 * @param store the store to start from; it is not modified
 * @param options who may create variables
 * @returns the value and new store, or the `ScopeError` that stopped the run
 *
 * @example
 * ```ts
 * import { emptyStore, getVariable, runScoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const start = emptyStore();
 * const result = runScoped(variableScope("foo", variableScope("bar", getVariable("v", { shape: [1] }))), start);
 * assert.equal(result._tag, "Right");
 * if (result._tag === "Right") assert.equal(result.right.value.name, "foo/bar/v:0");
 * assert.equal(start.variables.size, 0);
 * ```
 *
 * @category running
 */
export function runScoped<A>(
  program: Program<A>,
  store: Store = emptyStore(),
  options: RunOptions = {},
): Either<ScopeError, RunResult<A>> {
  if (!isProgram(program)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid program: expected a Program, got ${describeValue(program)}`,
        { argument: "program" },
      ),
    );
  }
  if (!isStore(store)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid store: expected a Store, got ${describeValue(store)}`,
        { argument: "store" },
      ),
    );
  }
  const creation = runCreation(options);
  if (E.isLeft(creation)) return creation;
  const env = creation.right === DEFAULT_RUN.creation
    ? ROOT_ENV
    : { scope: ROOT_SCOPE, nameScope: "", run: { ...DEFAULT_RUN, creation: creation.right } };
  // One guard for the whole run (none per primitive): whatever user code
  // throws, and a stack overflow from deep nesting, becomes a typed error.
  try {
    const r = program.run(env, startState(store));
    return E.isLeft(r) ? r : E.right({ value: r.right.value, store: r.right.state.store });
  } catch (cause) {
    return E.left(thrownError(cause));
  }
}

// The typed error for an exception that escaped a program's run: a stack
// overflow is `NestingTooDeep`, anything else `UserCodeFailed`; both keep
// what was thrown as `cause`.
function thrownError(cause: unknown): ScopeError {
  if (isStackOverflow(cause)) {
    return scopeError(
      "NestingTooDeep",
      "The program nests too deeply for the JavaScript stack (thousands of nested scopes or " +
        "combinators); flatten it, for example loop inside one scoped body",
      { cause },
    );
  }
  let why: string;
  try {
    why = cause instanceof Error ? `${cause.name}: ${cause.message}` : describeValue(cause);
  } catch {
    why = describeValue(cause);
  }
  return scopeError(
    "UserCodeFailed",
    `User code in the program (a scoped body, custom getter, template function, map/flatMap ` +
      `function or partitioner) threw: ${why}`,
    { cause },
  );
}

function isStackOverflow(e: unknown): boolean {
  try {
    return e instanceof RangeError && /call stack/i.test(e.message);
  } catch {
    return false;
  }
}

function runCreation(options: unknown): Either<ScopeError, CreationPolicy> {
  if (options === undefined || options === null) return E.right(DEFAULT_RUN.creation);
  const keys = checkOptionKeys(options, RUN_OPTION_KEYS, "runScoped");
  if (E.isLeft(keys)) return keys;
  const creation = Object.hasOwn(options as object, "creation")
    ? (options as RunOptions).creation
    : undefined;
  if (creation === undefined) return E.right(DEFAULT_RUN.creation);
  const tag = typeof creation === "object" && creation !== null ? creation._tag : undefined;
  if (tag === "CreateVariables") return E.right(DEFAULT_RUN.creation);
  if (tag === "ReuseOnly" && isStore((creation as { source?: unknown }).source)) {
    return E.right(creation);
  }
  if (tag === "OwnedByObject") return E.right(ownedByObject());
  return E.left(
    scopeError(
      "InvalidArgument",
      `Invalid creation: expected createVariables(), reuseOnly(store) or ownedByObject(), got ${
        describeValue(creation)
      }`,
      { argument: "creation" },
    ),
  );
}

const RUN_OPTION_KEYS: ReadonlySet<string> = new Set(["creation"]);

/**
 * The state a run starts from on `store`: root scope, fresh default-name
 * counters and op names (L1). For interpreters, which keep one per store.
 *
 * @param store the store
 * @returns the start state
 * @throws {ScopeError} InvalidArgument when `store` is not a store
 *
 * @example
 * ```ts
 * import { emptyStore, startState } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(startState(emptyStore()).current, null);
 * ```
 *
 * @category interpreters
 */
export function startState(store: Store): RunState {
  requireStore(store);
  return Object.freeze({
    store,
    counts: emptyScopeCounts(),
    names: emptyNameTable(),
    current: null,
    startVariables: store.variables,
  });
}

/**
 * Runs a program from a start state with an interpreter's run context (its
 * creation policy, recording and own data). For interpreters: the
 * arguments are trusted, and a replay that diverges throws
 * `ReplayDiverged`.
 *
 * @param program the program
 * @param start the state to start from (see {@linkcode startState})
 * @param run the run context
 * @returns the value and the store after, or the error
 *
 * @example
 * ```ts
 * import { createVariables, emptyStore, getVariable, Recording, runWith, startState } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const recording = new Recording();
 * const run = { creation: createVariables(), recording, interpreter: null };
 * const r = runWith(getVariable("v", { shape: [1] }), startState(emptyStore()), run);
 * assert.equal(r._tag === "Right" && r.right.value.name, "v:0");
 * assert.equal(recording.size, 1);
 * ```
 *
 * @category interpreters
 */
export function runWith<A>(
  program: Program<A>,
  start: RunState,
  run: RunContext,
): Either<ScopeError, RunResult<A>> {
  const bad = !isProgram(program)
    ? ["program", "a Program", program]
    : typeof start !== "object" || start === null || !isStore(start.store)
    ? ["start", "a start state (startState(store))", start]
    : typeof run !== "object" || run === null || typeof run.creation !== "object"
    ? ["run", "a RunContext", run]
    : null;
  if (bad !== null) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid ${bad[0]}: expected ${bad[1]}, got ${describeValue(bad[2])}`,
        {
          argument: bad[0],
        },
      ),
    );
  }
  return runFrom(program, start, run);
}

/**
 * {@linkcode runWith} without its argument checks, for the tensor
 * interpreter's hot path (its arguments are its own).
 *
 * @internal
 */
export function runFrom<A>(
  program: Program<A>,
  start: RunState,
  run: RunContext,
): Either<ScopeError, RunResult<A>> {
  try {
    const r = program.run({ scope: ROOT_SCOPE, nameScope: "", run }, start);
    return E.isLeft(r) ? r : E.right({ value: r.right.value, store: r.right.state.store });
  } catch (cause) {
    // Too deep a program is a NestingTooDeep error here too (not tensor code
    // failing); anything else (a replay's divergence, tensor code) is the
    // interpreter's to report, with its cause.
    if (isStackOverflow(cause)) return E.left(thrownError(cause));
    throw cause;
  }
}

/**
 * Runs a program and throws its `ScopeError` on failure (the imperative
 * edge).
 *
 * @param program the program
 * @param store the store to start from; it is not modified
 * @param options who may create variables
 * @returns the value and the new store
 * @throws {ScopeError} when the program fails
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, ScopeError, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => runScopedOrThrow(variableScope("foo", { reuse: true }, getVariable("v", { shape: [1] }))),
 *   (e: unknown) => e instanceof ScopeError && e.tag === "VariableMissing",
 * );
 * ```
 *
 * @category running
 */
export function runScopedOrThrow<A>(
  program: Program<A>,
  store: Store = emptyStore(),
  options: RunOptions = {},
): RunResult<A> {
  const r = runScoped(program, store, options);
  if (E.isLeft(r)) throw r.left;
  return r.right;
}
