/**
 * `Program<A>`: a scoped computation that reads the current scope (Reader),
 * threads the store and per-run counters (State) and may fail with a typed
 * {@linkcode ScopeError} (Either). Programs are values: nothing runs until
 * `runScoped` interprets them, and running never changes its inputs.
 *
 * @module
 */
import type {} from "fp-ts/HKT";
import type { Applicative1 } from "fp-ts/lib/Applicative.js";
import { bind as bind_, type Chain1 } from "fp-ts/lib/Chain.js";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import type { Functor1 } from "fp-ts/lib/Functor.js";
import { bindTo as bindTo_ } from "fp-ts/lib/Functor.js";
import type { Monad1 } from "fp-ts/lib/Monad.js";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import type { NameTable } from "./name_table.ts";
import type { ScopeCounts } from "./scope_counts.ts";
import type { VariableScope } from "./scope.ts";
import type { Store } from "./store.ts";
import type { CreationPolicy } from "./creation_policy.ts";
import type { Recording } from "./recording.ts";
import { ProgramBase, ProgramImpl } from "./_program_base.ts";

/**
 * What a program reads (the Reader part): the scope it runs in, as opened,
 * the current name scope ("" or ending in "/"), and the run's settings.
 *
 * @category models
 */
export interface Env {
  /** The variable scope as it was opened. */
  readonly scope: VariableScope;
  /** The current name scope, "" at the root, otherwise ending in "/". */
  readonly nameScope: string;
  /** What holds for the whole run: one object, shared by every scope. */
  readonly run: RunContext;
}

/**
 * What holds for a whole run: who may create variables, the interpreter's
 * recording (if any) and what the interpreter gives its own primitives.
 *
 * @category models
 */
export interface RunContext {
  /** Who may create variables (see `createVariables`, `reuseOnly`). */
  readonly creation: CreationPolicy;
  /**
   * The interpreter's recording or replay of this run, or null. Only the
   * record/replay driver reads it.
   */
  readonly recording: Recording | null;
  /**
   * Opaque data an interpreter passes to its own primitives (how to read a
   * variable's tensor, where writes go); the core never looks inside.
   */
  readonly interpreter: unknown;
}

/**
 * What a program threads (the State part). `store` persists across runs;
 * the rest is per run, like TF1's per-thread scope state (L1).
 *
 * @category models
 */
export interface RunState {
  /** The variable store. */
  readonly store: Store;
  /** Default-name counters (B1–B6), per run. */
  readonly counts: ScopeCounts;
  /** Op names in use (A13), per run. */
  readonly names: NameTable;
  /**
   * The current scope as changed in place by `reuseVariables()` or the
   * `set*` programs since it was opened, or null when unchanged (E7, C6).
   */
  readonly current: VariableScope | null;
  /**
   * The store's variables when the run started: op names are per run, so
   * only variables created since then take op names (A13, decision 2).
   */
  readonly startVariables: Store["variables"];
}

/**
 * One successful step: a value and the state after it.
 *
 * @category models
 */
export interface Step<A> {
  /** The value yielded. */
  readonly value: A;
  /** The state after the step. */
  readonly state: RunState;
}

/**
 * A scoped program yielding `A`. Compose with {@linkcode map},
 * {@linkcode flatMap}, `pipe`, fp-ts's `Do`/`bind`, or with generator
 * do-notation in {@linkcode scoped} (`yield* p`).
 *
 * @category models
 */
export interface Program<A> {
  /** Discriminant. */
  readonly _tag: "Program";
  /**
   * Runs one step; the interpreter's entry point. Call it as a method
   * (`program.run(env, state)`): built-in programs keep their arguments on
   * the program object.
   */
  run(env: Env, state: RunState): Either<ScopeError, Step<A>>;
  /** Makes `yield* program` work inside {@linkcode scoped}. */
  [Symbol.iterator](): Iterator<Program<A>, A, unknown>;
}

/**
 * Makes a program from its step function (for interpreters and extensions).
 *
 * @param run the step function
 * @returns the program
 *
 * @example
 * ```ts
 * import { makeProgram, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const depth = makeProgram((env, state) => ({ _tag: "Right", right: { value: env.scope.name, state } }));
 * assert.equal(runScopedOrThrow(depth).value, "");
 * ```
 *
 * @category constructors
 */
export function makeProgram<A>(
  run: (env: Env, state: RunState) => Either<ScopeError, Step<A>>,
): Program<A> {
  return new ProgramImpl(run);
}

/**
 * A program that yields `a` and changes nothing.
 *
 * @param a the value
 * @returns the program
 *
 * @example
 * ```ts
 * import { of, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(of(42)).value, 42);
 * ```
 *
 * @category constructors
 */
export function of<A>(a: A): Program<A> {
  return new OfProgram(a);
}

/**
 * A program that fails with `error`.
 *
 * @param error the error value
 * @returns the program
 *
 * @example
 * ```ts
 * import { fail, runScoped, scopeError } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const r = runScoped(fail(scopeError("InvalidArgument", "no")));
 * assert.equal(r._tag === "Left" && r.left.tag, "InvalidArgument");
 * ```
 *
 * @category constructors
 */
export function fail<A = never>(error: ScopeError): Program<A> {
  return new ProgramImpl(() => E.left(error));
}

/**
 * Lifts an `Either` into a program.
 *
 * @param either the either
 * @returns a program that fails with its left or yields its right
 *
 * @example
 * ```ts
 * import { fromEither, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(fromEither({ _tag: "Right", right: 1 })).value, 1);
 * ```
 *
 * @category constructors
 */
export function fromEither<A>(either: Either<ScopeError, A>): Program<A> {
  let tag: unknown;
  try {
    tag = typeof either === "object" && either !== null ? either._tag : undefined;
  } catch {
    tag = undefined;
  }
  if (tag !== "Left" && tag !== "Right") {
    return fail(
      scopeError(
        "InvalidArgument",
        `Invalid either: expected an fp-ts Either, got ${describeValue(either)}`,
        { argument: "either", value: either },
      ),
    );
  }
  return E.isLeft(either) ? fail(either.left) : of(either.right);
}

/**
 * Maps the value of a program (data-last, for `pipe`).
 *
 * @param f the function
 * @returns a function from program to program
 *
 * @example
 * ```ts
 * import { map, of, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(pipe(of(2), map((n) => n * 3))).value, 6);
 * ```
 *
 * @category combinators
 */
export function map<A, B>(f: (a: A) => B): (fa: Program<A>) => Program<B> {
  return (fa) =>
    new ProgramImpl((env, state) => {
      const r = fa.run(env, state);
      return E.isLeft(r) ? r : E.right({ value: f(r.right.value), state: r.right.state });
    });
}

/**
 * Sequences two programs, the second chosen from the first's value
 * (data-last, for `pipe`; fp-ts's `chain`).
 *
 * @param f chooses the next program
 * @returns a function from program to program
 *
 * @example
 * ```ts
 * import { flatMap, getVariable, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * const p = pipe(getVariable("a", { shape: [1] }), flatMap((a) => getVariable("b", { shape: a.shape })));
 * assert.equal(runScopedOrThrow(p).value.name, "b:0");
 * ```
 *
 * @category combinators
 */
export function flatMap<A, B>(f: (a: A) => Program<B>): (fa: Program<A>) => Program<B> {
  return (fa) =>
    new ProgramImpl((env, state) => {
      const r = fa.run(env, state);
      return E.isLeft(r) ? r : f(r.right.value).run(env, r.right.state);
    });
}

/**
 * Runs a second program for its effect and keeps the first value.
 *
 * @param f chooses the program to run after
 * @returns a function from program to program
 *
 * @example
 * ```ts
 * import { getVariable, listVariables, of, runScopedOrThrow, tap } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * const { value, store } = runScopedOrThrow(pipe(of(1), tap(() => getVariable("v", { shape: [] }))));
 * assert.equal(value, 1);
 * assert.equal(listVariables(store).length, 1);
 * ```
 *
 * @category combinators
 */
export function tap<A, B>(f: (a: A) => Program<B>): (fa: Program<A>) => Program<A> {
  return flatMap((a: A) => map(() => a)(f(a)));
}

/**
 * Recovers from a failure. The handler runs from the state as it was before
 * the failed program (a failed program leaves no half-made changes).
 *
 * @param handler chooses a program from the error
 * @returns a function from program to program
 *
 * @example
 * ```ts
 * import { catchError, getVariable, map, of, runScopedOrThrow, scoped } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * const p = scoped(function* () {
 *   yield* getVariable("v", { shape: [1] });
 *   return yield* pipe(
 *     getVariable("v", { shape: [1] }),
 *     map((v) => v.name),
 *     catchError((e) => of(e.tag)),
 *   );
 * });
 * assert.equal(runScopedOrThrow(p).value, "VariableExists");
 * ```
 *
 * @category combinators
 */
export function catchError<A, B = A>(
  handler: (error: ScopeError) => Program<B>,
): (fa: Program<A>) => Program<A | B> {
  return (fa) =>
    new ProgramImpl<A | B>((env, state) => {
      const recording = env.run.recording;
      const mark = recording === null ? 0 : recording.mark();
      const r = fa.run(env, state);
      if (E.isRight(r)) return r;
      // The failed branch is not part of the run: drop what it recorded.
      recording?.rollback(mark);
      return handler(r.left).run(env, state);
    });
}

/**
 * Applies a program of functions to a program of values, in order.
 *
 * @param fa the program of values
 * @returns a function from a program of functions
 *
 * @example
 * ```ts
 * import { ap, of, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(pipe(of((n: number) => n + 1), ap(of(1)))).value, 2);
 * ```
 *
 * @category combinators
 */
export function ap<A>(fa: Program<A>): <B>(fab: Program<(a: A) => B>) => Program<B> {
  return <B>(fab: Program<(a: A) => B>) => flatMap((f: (a: A) => B) => map(f)(fa))(fab);
}

/**
 * Runs programs left to right and collects their values.
 *
 * @param programs the programs
 * @returns a program of all values
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, sequenceArray } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(sequenceArray([getVariable("a", { shape: [] }), getVariable("b", { shape: [] })]));
 * assert.deepEqual(value.map((v) => v.name), ["a:0", "b:0"]);
 * ```
 *
 * @category combinators
 */
export function sequenceArray<A>(programs: ReadonlyArray<Program<A>>): Program<readonly A[]> {
  return new ProgramImpl((env, state) => {
    const out: A[] = [];
    let s = state;
    for (const p of programs) {
      const r = p.run(env, s);
      if (E.isLeft(r)) return r;
      out.push(r.right.value);
      s = r.right.state;
    }
    return E.right({ value: out, state: s });
  });
}

/**
 * Maps each element to a program and runs them left to right.
 *
 * @param f the program for one element (with its index)
 * @returns a function from array to program of results
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, traverseArray } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = traverseArray((n: string) => getVariable(n, { shape: [] }))(["x", "y"]);
 * assert.deepEqual(runScopedOrThrow(p).value.map((v) => v.name), ["x:0", "y:0"]);
 * ```
 *
 * @category combinators
 */
export function traverseArray<A, B>(
  f: (a: A, index: number) => Program<B>,
): (as: ReadonlyArray<A>) => Program<readonly B[]> {
  return (as) => sequenceArray(as.map(f));
}

/**
 * The type of a {@linkcode scoped} generator yielding `A`, for code that
 * spells out return types: `scoped(function* (): ProgramGenerator<number> { … })`.
 *
 * @example
 * ```ts
 * import { getVariable, type ProgramGenerator, runScopedOrThrow, scoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const rank = scoped(function* (): ProgramGenerator<number> {
 *   const v = yield* getVariable("v", { shape: [2, 3] });
 *   return v.shape.length;
 * });
 * assert.equal(runScopedOrThrow(rank).value, 2);
 * ```
 *
 * @category models
 */
export type ProgramGenerator<A> = Generator<Program<unknown>, A, unknown>;

/**
 * Generator do-notation: inside the generator, `yield* p` runs program `p`
 * and gives its value. A fresh generator is made each time the program
 * runs, so a `scoped` program can run any number of times. Extra arguments
 * are passed to `body`.
 *
 * Speed: V8 makes the first generator of each new generator-function
 * closure slowly (about 2–4 µs, building the closure's prototype). On hot
 * paths, such as a layer applied on every forward pass, define the
 * generator function once, at module level, and pass what it needs as
 * arguments: `scoped(denseBody, x, units)` (see the compiled passes guide).
 *
 * @param body a generator function
 * @param args arguments for `body`
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = variableScope("foo", scoped(function* () {
 *   const a = yield* getVariable("a", { shape: [2] });
 *   const b = yield* getVariable("b", { shape: a.shape });
 *   return [a.name, b.name];
 * }));
 * assert.deepEqual(runScopedOrThrow(p).value, ["foo/a:0", "foo/b:0"]);
 * ```
 *
 * @example A module-level body with arguments (fast on hot paths)
 * ```ts
 * import { getVariable, type Program, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * function* layerBody(units: number) {
 *   const w = yield* getVariable("w", { shape: [units] });
 *   return w.name;
 * }
 * const layer = (units: number): Program<string> => variableScope("layer", scoped(layerBody, units));
 * assert.equal(runScopedOrThrow(layer(3)).value, "layer/w:0");
 * ```
 *
 * @category combinators
 */
export function scoped<A, Args extends readonly unknown[] = []>(
  // deno-lint-ignore no-explicit-any
  body: (...args: Args) => Generator<Program<any>, A, any>,
  ...args: Args
): Program<A> {
  return new ScopedProgram(body, args);
}

class OfProgram<A> extends ProgramBase<A> {
  constructor(readonly a: A) {
    super();
  }
  run(_env: Env, state: RunState): Either<ScopeError, Step<A>> {
    return E.right({ value: this.a, state });
  }
}

class ScopedProgram<A, Args extends readonly unknown[]> extends ProgramBase<A> {
  constructor(
    // deno-lint-ignore no-explicit-any
    readonly body: (...args: Args) => Generator<Program<any>, A, any>,
    readonly args: Args,
  ) {
    super();
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<A>> {
    const body = this.body;
    const it: unknown = typeof body === "function" ? body(...this.args) : undefined;
    if (
      typeof it !== "object" || it === null || typeof (it as Iterator<unknown>).next !== "function"
    ) {
      return E.left(
        scopeError(
          "InvalidArgument",
          "Invalid scoped body: expected a generator function (function* () { … })",
          {
            argument: "body",
          },
        ),
      );
    }
    return drive(it as Generator<Program<unknown>, A, unknown>, env, state);
  }
}

function drive<A>(
  it: Generator<Program<unknown>, A, unknown>,
  env: Env,
  state: RunState,
): Either<ScopeError, Step<A>> {
  let s = state;
  let sent: unknown = undefined;
  for (;;) {
    const next = it.next(sent);
    if (next.done) return E.right({ value: next.value, state: s });
    const yielded: unknown = next.value;
    if (!isProgram(yielded)) {
      it.return?.(undefined as A);
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid scoped body: it yielded ${
            describeValue(yielded)
          }; use \`yield* program\` to run a program`,
          { argument: "body", value: yielded },
        ),
      );
    }
    const r = yielded.run(env, s);
    if (E.isLeft(r)) {
      it.return?.(undefined as A);
      return r;
    }
    s = r.right.state;
    sent = r.right.value;
  }
}

/**
 * Whether a value is a program (for checks on input from untyped callers).
 *
 * @param value any value
 * @returns true for programs
 *
 * @example
 * ```ts
 * import { isProgram, of } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isProgram(of(1)), true);
 * assert.equal(isProgram(() => 1), false);
 * ```
 *
 * @category models
 */
export function isProgram(value: unknown): value is Program<unknown> {
  if (typeof value !== "object" || value === null) return false;
  try {
    return value instanceof ProgramBase ||
      ((value as { _tag?: unknown })._tag === "Program" &&
        typeof (value as { run?: unknown }).run === "function");
  } catch {
    return false; // a proxy or getter that throws is no program
  }
}

/**
 * A program that yields its environment (the Reader's `ask`).
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { ask, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(variableScope("s", ask())).value.nameScope, "s/");
 * ```
 *
 * @category combinators
 */
export function ask(): Program<Env> {
  return new ProgramImpl((env, state) => E.right({ value: env, state }));
}

/**
 * A program that yields the current state (the State's `get`).
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { getState, runScopedOrThrow } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(getState()).value.current, null);
 * ```
 *
 * @category combinators
 */
export function getState(): Program<RunState> {
  return new ProgramImpl((_env, state) => E.right({ value: state, state }));
}

/**
 * A program that yields the current store.
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { getStore, getVariable, listVariables, runScopedOrThrow, scoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = scoped(function* () {
 *   yield* getVariable("v", { shape: [] });
 *   return listVariables(yield* getStore()).length;
 * });
 * assert.equal(runScopedOrThrow(p).value, 1);
 * ```
 *
 * @category combinators
 */
export function getStore(): Program<Store> {
  return new ProgramImpl((_env, state) => E.right({ value: state.store, state }));
}

/** The fp-ts URI of {@linkcode Program}. @category models */
export const URI = "varscope/Program" as const;
/** The fp-ts URI type of {@linkcode Program}. @category models */
export type URI = typeof URI;

declare module "fp-ts/HKT" {
  interface URItoKind<A> {
    readonly "varscope/Program": Program<A>;
  }
}

/**
 * The type of {@linkcode Monad}: fp-ts's `Monad1` for {@linkcode Program},
 * spelled out so the public API names no package-private type.
 *
 * @category models
 */
export interface ProgramMonad {
  /** The fp-ts URI. */
  readonly URI: URI;
  /** Functor map. */
  readonly map: <A, B>(fa: Program<A>, f: (a: A) => B) => Program<B>;
  /** Pointed of. */
  readonly of: <A>(a: A) => Program<A>;
  /** Apply ap. */
  readonly ap: <A, B>(fab: Program<(a: A) => B>, fa: Program<A>) => Program<B>;
  /** Chain chain. */
  readonly chain: <A, B>(fa: Program<A>, f: (a: A) => Program<B>) => Program<B>;
}

/**
 * The fp-ts `Monad` instance of {@linkcode Program}, so fp-ts's generic
 * helpers (`sequenceT`, `Do`/`bind`, …) work with programs.
 *
 * @example
 * ```ts
 * import { Monad, of, runScopedOrThrow } from "varscope";
 * import { sequenceT } from "fp-ts/lib/Apply.js";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(runScopedOrThrow(sequenceT(Monad)(of(1), of("a"))).value, [1, "a"]);
 * ```
 *
 * @category models
 */
export const Monad: ProgramMonad = {
  URI,
  map: (fa, f) => map(f)(fa),
  of,
  ap: (fab, fa) => ap(fa)(fab),
  chain: (fa, f) => flatMap(f)(fa),
};

// The instance is checked against fp-ts's type classes here.
const Checked: Monad1<URI> = Monad;
const Functor: Functor1<URI> = Checked;
const Chain: Chain1<URI> = Checked;
const Applicative: Applicative1<URI> = Checked;

/**
 * fp-ts do-notation start: a program of the empty record.
 *
 * @example
 * ```ts
 * import { bind, Do, getVariable, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * const p = pipe(Do, bind("a", () => getVariable("a", { shape: [] })));
 * assert.equal(runScopedOrThrow(p).value.a.name, "a:0");
 * ```
 *
 * @category combinators
 */
// deno-lint-ignore ban-types -- fp-ts's do-notation starts from `{}`
export const Do: Program<{}> = Applicative.of({});

/**
 * fp-ts do-notation: binds the value of a program to a field.
 *
 * @example
 * ```ts
 * import { bind, Do, of, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * const p = pipe(Do, bind("x", () => of(1)), bind("y", ({ x }) => of(x + 1)));
 * assert.deepEqual(runScopedOrThrow(p).value, { x: 1, y: 2 });
 * ```
 *
 * @category combinators
 */
export const bind: <N extends string, A, B>(
  name: Exclude<N, keyof A>,
  f: (a: A) => Program<B>,
) => (ma: Program<A>) => Program<{ readonly [K in keyof A | N]: K extends keyof A ? A[K] : B }> =
  bind_(Chain);

/**
 * fp-ts do-notation: starts a record from a program's value.
 *
 * @example
 * ```ts
 * import { bindTo, of, runScopedOrThrow } from "varscope";
 * import { pipe } from "fp-ts/lib/function.js";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(runScopedOrThrow(pipe(of(1), bindTo("one"))).value, { one: 1 });
 * ```
 *
 * @category combinators
 */
export const bindTo: <N extends string>(
  name: N,
) => <A>(fa: Program<A>) => Program<{ readonly [K in N]: A }> = bindTo_(Functor);
