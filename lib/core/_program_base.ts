/**
 * The classes behind every {@linkcode Program}. Hot primitives (`of`,
 * `scoped`, `getVariable`, `variableScope`, the interpreter's `variable`)
 * subclass {@linkcode ProgramBase} and keep their arguments in fields: one
 * object per program instead of a closure, its context and a wrapper, which
 * is most of what building a forward pass's programs used to allocate.
 *
 * `run` is a method: call it as `program.run(env, state)`.
 *
 * @module
 */
import type { Either } from "./either.ts";
import type { ScopeError } from "./errors.ts";
import type { Env, Program, RunState, Step } from "./program.ts";

/** What every program class shares: the tag and `yield*` support. */
export abstract class ProgramBase<A> implements Program<A> {
  /** Discriminant. */
  readonly _tag = "Program" as const;
  /** Runs one step. */
  abstract run(env: Env, state: RunState): Either<ScopeError, Step<A>>;
  /** Makes `yield* program` work inside `scoped`. */
  [Symbol.iterator](): Iterator<Program<A>, A, unknown> {
    return new SingleShot(this);
  }
}

/** A program from a step function (`makeProgram` and the combinators). */
export class ProgramImpl<A> extends ProgramBase<A> {
  readonly #step: (env: Env, state: RunState) => Either<ScopeError, Step<A>>;
  constructor(step: (env: Env, state: RunState) => Either<ScopeError, Step<A>>) {
    super();
    this.#step = step;
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<A>> {
    return this.#step(env, state);
  }
}

/**
 * The iterator `yield* program` asks for: it yields the program once and
 * returns what the driver sends back. It is its own result object: `yield*`
 * reads `done` and `value` before it calls `next` again, so one object
 * serves both results (two fewer allocations per `yield*`).
 */
class SingleShot<A> implements Iterator<Program<A>, A, unknown> {
  done = false;
  value: unknown;
  #started = false;
  constructor(program: Program<A>) {
    this.value = program;
  }
  next(sent?: unknown): IteratorResult<Program<A>, A> {
    if (this.#started) {
      this.done = true;
      this.value = sent;
    } else {
      this.#started = true;
    }
    return this as IteratorResult<Program<A>, A>;
  }
}
