/**
 * Name scopes and op names (TF1 A4–A13, decision 6). tfjs tensors carry no
 * names, so varscope computes the names TF1 would give ops and exposes them
 * as data: the current name scope, `opName`, regularization-loss names.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { pipe } from "fp-ts/lib/function.js";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { validateRelativeName } from "./name.ts";
import { type NameTable, uniqueName } from "./name_table.ts";
import {
  type Env,
  isProgram,
  makeProgram,
  type Program,
  type RunState,
  type Step,
} from "./program.ts";
import type { Store } from "./store.ts";
import { RecordedProgram } from "./_recorded.ts";

/**
 * Whether a (lower-cased) name is taken by a variable's op: TF1 names a
 * variable's op after its full name, so `foo/v` is in use once variable
 * `foo/v` exists. Only variables whose name is its own key are found here;
 * `markVariableOp` records the others in the table when they are created.
 *
 * @internal
 */
export function variableOpTaken(
  store: Store,
  startVariables: Store["variables"],
): (name: string) => boolean {
  return (name) => store.variables.has(name) && !startVariables.has(name);
}

/**
 * Opens a name scope as TF1's `Graph.name_scope` does: "" or null resets to
 * the root, a name ending in "/" re-enters that exact scope, any other name
 * is made unique relative to the current name scope.
 *
 * @internal
 */
export function enterNameScope(
  current: string,
  names: NameTable,
  name: string | null,
  store: Store,
  startVariables: Store["variables"],
): Either<ScopeError, readonly [string, NameTable]> {
  if (name === null || name === "") return E.right(["", names]);
  const atRoot = current === "";
  if (name.endsWith("/")) {
    const checked = validateRelativeName("name scope", name.slice(0, -1), atRoot);
    return pipe(checked, E.map(() => [name, names] as const));
  }
  const checked = validateRelativeName("name scope", name, atRoot);
  if (E.isLeft(checked)) return checked;
  const [unique, next] = uniqueName(names, current + name, variableOpTaken(store, startVariables));
  return E.right([`${unique}/`, next]);
}

/** A program body, or a function of what the scope yields. @category scopes */
export type Body<S, A> = Program<A> | ((scope: S) => Program<A>);

/** @internal Resolves a body given the value the scope yields; untyped callers may return anything. */
export function resolveBody<S, A>(body: Body<S, A>, scope: S): Either<ScopeError, Program<A>> {
  const program: unknown = typeof body === "function" ? body(scope) : body;
  return isProgram(program) ? E.right(program as Program<A>) : E.left(
    scopeError(
      "InvalidArgument",
      `Invalid body: the body function must return a Program, got ${describeValue(program)}`,
      {
        argument: "body",
        value: program,
      },
    ),
  );
}

/** @internal Whether a value is a usable scope body. */
export function isBody(body: unknown): boolean {
  return typeof body === "function" || isProgram(body);
}

/**
 * TF1 `tf.name_scope(name)`: runs `body` inside a name scope. Affects op
 * names only, never variable names (A2). The body may be a function of the
 * opened scope's name ("outer/inner/").
 *
 * @param name the scope's name; null or "" resets to the root; a name ending in "/" is absolute
 * @param body the program, or a function of the scope's name
 * @returns the program
 *
 * @example Name scopes are uniquified, variable names are not affected
 * ```ts
 * import { getVariable, nameScope, opName, runScopedOrThrow, scoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(scoped(function* () {
 *   const a = yield* nameScope("ns", opName("c"));
 *   const b = yield* nameScope("ns", opName("c"));
 *   const v = yield* nameScope("ns", getVariable("v", { shape: [1] }));
 *   return [a, b, v.name];
 * }));
 * assert.deepEqual(value, ["ns/c:0", "ns_1/c:0", "v:0"]);
 * ```
 *
 * @category scopes
 */
export function nameScope<A>(name: string | null, body: Body<string, A>): Program<A> {
  return new NameScopeProgram(name, body);
}

/** What `nameScope` decides when it opens. */
interface OpenedNameScope {
  readonly nameScope: string;
}

/** The program `nameScope` returns: opening is recorded, the body always runs. */
class NameScopeProgram<A> extends RecordedProgram<OpenedNameScope, A> {
  constructor(readonly name: string | null, readonly body: Body<string, A>) {
    super();
  }
  get key(): unknown {
    return this.name;
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<OpenedNameScope>> {
    const { name, body } = this;
    if (name !== null && typeof name !== "string") {
      return E.left(
        scopeError("InvalidArgument", "Invalid name scope: expected a string or null", { name }),
      );
    }
    if (!isBody(body)) {
      return E.left(
        scopeError("InvalidArgument", "Invalid body: expected a Program or a function", {}),
      );
    }
    const entered = enterNameScope(
      env.nameScope,
      state.names,
      name,
      state.store,
      state.startVariables,
    );
    if (E.isLeft(entered)) return entered;
    const [ns, names] = entered.right;
    return E.right({ value: { nameScope: ns }, state: { ...state, names } });
  }
  override resume(
    opened: OpenedNameScope,
    env: Env,
    _before: RunState,
    after: RunState,
  ): Either<ScopeError, Step<A>> {
    const program = resolveBody(this.body, opened.nameScope);
    if (E.isLeft(program)) return program;
    return program.right.run(
      { scope: env.scope, nameScope: opened.nameScope, run: env.run },
      after,
    );
  }
}

/**
 * TF1 `tf.get_name_scope()`: the current name scope without its trailing
 * slash ("" at the root).
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { getNameScope, nameScope, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(runScopedOrThrow(nameScope("s1", variableScope("tower", getNameScope()))).value, "s1/tower");
 * ```
 *
 * @category scopes
 */
export function getNameScope(): Program<string> {
  return makeProgram((env, state) => E.right({ value: env.nameScope.replace(/\/$/, ""), state }));
}

/**
 * The name TF1 would give an op (and its first output) created here, e.g.
 * `tf.constant(..., name="c")` → "foo/c:0"; marks the name used, so the
 * next op of the same name gets "c_1" (A13).
 *
 * @param name the op's base name
 * @returns the program yielding the tensor name ("…:0")
 *
 * @example
 * ```ts
 * import { opName, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(variableScope("foo", scoped(function* () {
 *   return [yield* opName("c"), yield* opName("c")];
 * })));
 * assert.deepEqual(value, ["foo/c:0", "foo/c_1:0"]);
 * ```
 *
 * @category scopes
 */
export function opName(name: string): Program<string> {
  return new OpNameProgram(name);
}

/** The program `opName` returns: recorded, so a replay builds no name. */
class OpNameProgram extends RecordedProgram<string, string> {
  constructor(readonly name: string) {
    super();
  }
  get key(): unknown {
    return this.name;
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<string>> {
    const name = this.name;
    const checked = validateRelativeName("op name", name, env.nameScope === "");
    if (E.isLeft(checked)) return checked;
    const [unique, names] = uniqueName(
      state.names,
      env.nameScope + name,
      variableOpTaken(state.store, state.startVariables),
    );
    return E.right({ value: `${unique}:0`, state: { ...state, names } });
  }
}
