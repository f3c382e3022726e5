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
import { type Env, isProgram, type Program, type RunState } from "./program.ts";
import { emptyScopeCounts } from "./scope_counts.ts";
import { rootScope } from "./scope.ts";
import { emptyStore, isStore, type Store } from "./store.ts";
import type { Trace } from "./trace.ts";

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

const ROOT_ENV: Env = Object.freeze({
  scope: rootScope(),
  nameScope: "",
  trace: null,
  context: null,
});

/**
 * Runs a program on a store (the empty store by default).
 *
 * @param program the program
 * @param store the store to start from; it is not modified
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
): Either<ScopeError, RunResult<A>> {
  if (!isProgram(program)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid program: expected a Program, got ${describeValue(program)}`,
        {
          argument: "program",
        },
      ),
    );
  }
  if (!isStore(store)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid store: expected a Store, got ${describeValue(store)}`,
        {
          argument: "store",
        },
      ),
    );
  }
  return runInEnv(program, store, ROOT_ENV);
}

function runInEnv<A>(
  program: Program<A>,
  store: Store,
  env: Env,
): Either<ScopeError, RunResult<A>> {
  const state: RunState = {
    store,
    counts: emptyScopeCounts(),
    names: emptyNameTable(),
    current: null,
    startVariables: store.variables,
  };
  // One guard for the whole run (none per primitive): whatever user code
  // throws, and a stack overflow from deep nesting, becomes a typed error.
  try {
    const r = program.run(env, state);
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

/**
 * Runs a program as {@linkcode runScoped} does, with an interpreter's trace
 * (see `newTrace`) and context. For interpreters; the arguments are
 * trusted (no checks).
 *
 * @param program the program
 * @param store the store to run against
 * @param trace a trace to record into or replay from, or null
 * @param context what the interpreter's own primitives read from `env.context`
 * @returns the value and the store after, or the error
 *
 * @example
 * ```ts
 * import { emptyStore, getVariable, newTrace, runTraced } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const trace = newTrace();
 * const r = runTraced(getVariable("v", { shape: [1] }), emptyStore(), trace, null);
 * assert.equal(r._tag === "Right" && r.right.value.name, "v:0");
 * assert.deepEqual(trace.keys, ["v"]);
 * ```
 *
 * @category interpreters
 */
export function runTraced<A>(
  program: Program<A>,
  store: Store,
  trace: Trace | null,
  context: unknown,
): Either<ScopeError, RunResult<A>> {
  if (!isProgram(program) || !isStore(store)) return runScoped(program, store); // its typed error
  // An interpreter runs against the same store again and again; the start
  // state is immutable, so one per store serves every run.
  let state = startStates.get(store);
  if (state === undefined) {
    state = Object.freeze({
      store,
      counts: emptyScopeCounts(),
      names: emptyNameTable(),
      current: null,
      startVariables: store.variables,
    });
    startStates.set(store, state);
  }
  try {
    const r = program.run({ scope: ROOT_ENV.scope, nameScope: "", trace, context }, state);
    return E.isLeft(r) ? r : E.right({ value: r.right.value, store: r.right.state.store });
  } catch (cause) {
    // Too deep a program is a NestingTooDeep error here too (not tensor code
    // failing); anything else is the interpreter's to report, with its cause.
    if (isStackOverflow(cause)) return E.left(thrownError(cause));
    throw cause;
  }
}

const startStates = new WeakMap<Store, RunState>();

/**
 * Runs a program and throws its `ScopeError` on failure (the imperative
 * edge).
 *
 * @param program the program
 * @param store the store to start from; it is not modified
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
): RunResult<A> {
  const r = runScoped(program, store);
  if (E.isLeft(r)) throw r.left;
  return r.right;
}
