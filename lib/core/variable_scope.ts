/**
 * `variableScope` (TF1 `tf.compat.v1.variable_scope`) and the programs that
 * read or change the current scope (`getVariableScope`, `reuseVariables`,
 * the `set*` family).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import type { Constraint, ConstraintFunction } from "../constraints/constraint.ts";
import type { Initializer } from "../initializers/initializer.ts";
import type { InitializerLike } from "../initializers/value.ts";
import type { Partitioner } from "../partitioners/partitioner.ts";
import type { Regularizer, RegularizerFunction } from "../regularizers/regularizer.ts";
import { composeCustomGetters, type CustomGetter } from "./custom_getter.ts";
import type { DType } from "./dtype.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { checkOptionKeys, invalidArgument as invalid } from "./_options.ts";
import {
  type DefaultKey,
  parseDefaults,
  type SameKeys,
  VARIABLE_SCOPE_OPTION_KEYS,
} from "./_arg_schema.ts";
import { joinName, validateRelativeName } from "./name.ts";
import { type Body, enterNameScope, isBody, resolveBody } from "./name_scope.ts";
import { type Env, fail, type Program, type RunState, type Step } from "./program.ts";
import { isReuseOn, parseReuse, type ReuseArgument } from "./reuse.ts";
import { closeSubscopes, openScope, openUniqueScope, type ScopeCounts } from "./scope_counts.ts";
import { validateVariableScope, type VariableScope } from "./scope.ts";
import type { CachingDevice } from "./variable.ts";
import { RecordedProgram } from "./_recorded.ts";

/**
 * The options a replay compares: those that decide names and reuse and are
 * plain values. Functions (custom getters) are often made afresh per call,
 * so comparing them would stop every replay; they run only while recording.
 */
function scopeGuard(options: unknown): readonly unknown[] | undefined {
  if (typeof options !== "object" || options === null) return undefined;
  const o = options as Record<string, unknown>;
  return [o.reuse, o.defaultName, o.auxiliaryNameScope, o.dtype, o.useResource];
}

/** What `variableScope` decides when it opens: enough to run its body again. */
interface OpenedScope {
  readonly scope: VariableScope;
  readonly nameScope: string;
  /** The state the body starts from. */
  readonly inner: RunState;
  /** The default-name counters on leaving (B5, B6). */
  readonly exit: (counts: ScopeCounts) => ScopeCounts;
  /**
   * The state on leaving, noted by the recorded run (the recording's own
   * data): a replay hands it back instead of closing the scope again, as
   * it hands back every recorded step's state.
   */
  exitState: RunState | null;
}

/**
 * Options of {@linkcode variableScope}, TF1's arguments camelCased. Omitted
 * or null fields are inherited (E2), except `constraint` (E3) and
 * `auxiliaryNameScope` (A12).
 *
 * @category scopes
 */
export interface VariableScopeOptions {
  /** Name to uniquify when `nameOrScope` is null (B1). */
  readonly defaultName?: string | null;
  /** true, AUTO_REUSE, or false/null to inherit (C1, C2). */
  readonly reuse?: ReuseArgument;
  /** Default initializer for variables in the scope. */
  readonly initializer?: InitializerLike | null;
  /** Default regularizer. */
  readonly regularizer?: Regularizer | RegularizerFunction | null;
  /** Default caching device ("" turns an inherited one off, E6). */
  readonly cachingDevice?: CachingDevice | null;
  /** Default partitioner. */
  readonly partitioner?: Partitioner | null;
  /** Custom getter, composed with the inherited one (F3). */
  readonly customGetter?: CustomGetter | null;
  /** Default dtype. */
  readonly dtype?: DType | null;
  /** TF1 use_resource (no effect). */
  readonly useResource?: boolean | null;
  /** Constraint of variables created directly in this scope (not inherited). */
  readonly constraint?: Constraint | ConstraintFunction | null;
  /** Whether to open a name scope with the variable scope (default true). */
  readonly auxiliaryNameScope?: boolean;
}

// The option keys come from the one argument schema (`_arg_schema.ts`);
// this checks that the documented options name the same fields.
const _optionsMatchSchema: SameKeys<
  VariableScopeOptions,
  DefaultKey | "defaultName" | "reuse" | "customGetter" | "auxiliaryNameScope"
> = true;
const OPTION_KEYS = VARIABLE_SCOPE_OPTION_KEYS;

interface Overrides {
  readonly reuse: true | "AUTO_REUSE" | null;
  readonly initializer: Initializer | null;
  readonly regularizer: Regularizer | null;
  readonly cachingDevice: CachingDevice | null;
  readonly partitioner: Partitioner | null;
  readonly customGetter: CustomGetter | null;
  readonly dtype: DType | null;
  readonly useResource: boolean | null;
  readonly constraint: Constraint | null;
  readonly auxiliaryNameScope: boolean;
  readonly defaultName: string | null;
}

function parseOptions(options: unknown): Either<ScopeError, Overrides> {
  const opts = checkOptionKeys(options, OPTION_KEYS, "variableScope");
  if (E.isLeft(opts)) return opts;
  const o = opts.right;
  const reuse = parseReuse(o.reuse);
  if (E.isLeft(reuse)) return reuse;
  const defaults = parseDefaults(o);
  if (E.isLeft(defaults)) return defaults;
  // TF1 I6: only a bool is accepted (None too is a TypeError).
  const aux = o.auxiliaryNameScope === undefined ? true : o.auxiliaryNameScope;
  if (typeof aux !== "boolean") {
    return invalid("auxiliaryNameScope", "expected a boolean (TF1 I6)", aux);
  }
  const defaultName = o.defaultName ?? null;
  if (defaultName !== null && typeof defaultName !== "string") {
    return invalid("defaultName", "expected a string", defaultName);
  }
  return E.right({
    ...defaults.right,
    reuse: reuse.right,
    customGetter: (o.customGetter ?? null) as CustomGetter | null,
    auxiliaryNameScope: aux,
    defaultName,
  });
}

function composeGetter(
  inner: CustomGetter | null,
  outer: CustomGetter | null,
): CustomGetter | null {
  if (inner === null) return outer;
  // A non-function inner getter is kept as is and getVariable reports it; a
  // non-function outer one is reported when the inner getter calls it (TF1 F2).
  if (typeof inner !== "function") return inner;
  if (outer !== null && typeof outer !== "function") {
    return composeCustomGetters(inner, (_next, args) =>
      fail(
        scopeError(
          "NotCallable",
          `Cannot get variable "${args.name}": the custom getter is not a function, got ${
            describeValue(outer)
          }`,
          { name: args.name, value: outer },
        ),
      ));
  }
  return composeCustomGetters(inner, outer);
}

// A new scope copies `base` (the parent, or a captured scope) and applies the
// non-null arguments (E2, E4); constraint is never inherited (E3).
function deriveScope(
  base: VariableScope,
  name: string,
  reuse: VariableScope["reuse"],
  originalNameScope: string,
  o: Overrides,
): VariableScope {
  return Object.freeze({
    _tag: "VariableScope",
    name,
    originalNameScope,
    reuse,
    initializer: o.initializer ?? base.initializer,
    regularizer: o.regularizer ?? base.regularizer,
    cachingDevice: o.cachingDevice ?? base.cachingDevice,
    partitioner: o.partitioner ?? base.partitioner,
    customGetter: composeGetter(o.customGetter, base.customGetter),
    dtype: o.dtype ?? base.dtype,
    useResource: o.useResource ?? base.useResource,
    constraint: o.constraint,
  });
}

/**
 * TF1 `tf.compat.v1.variable_scope(name_or_scope, …)`: runs `body` in a
 * variable scope.
 *
 * - a string opens `<parent>/<name>` and a name scope `<name>` made unique
 *   (A4, A5);
 * - a captured {@linkcode VariableScope} re-enters exactly that scope, with
 *   its own reuse and defaults (A7, C3, E4);
 * - null uses `options.defaultName`, made unique among the parent's
 *   sub-scopes (B1–B9).
 *
 * The body is a program or a function of the opened scope (TF1's `as vs`).
 *
 * @param nameOrScope a name, a captured scope, or null
 * @param optionsOrBody the options, or the body when there are none
 * @param maybeBody the body when options are given
 * @returns the program
 *
 * @example Reusing with a captured scope (default-name counters restart)
 * ```ts
 * import { getVariable, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const names = runScopedOrThrow(scoped(function* () {
 *   const vs = yield* variableScope("foo", (vs) => scoped(function* () {
 *     yield* variableScope(null, { defaultName: "bar" }, getVariable("a", { shape: [1] }));
 *     yield* variableScope(null, { defaultName: "bar" }, getVariable("b", { shape: [1] }));
 *     return vs;
 *   }));
 *   const c = yield* variableScope(vs, variableScope(null, { defaultName: "bar" }, getVariable("c", { shape: [1] })));
 *   return c.name;
 * })).value;
 * assert.equal(names, "foo/bar/c:0");
 * ```
 *
 * @category scopes
 */
export function variableScope<A>(
  nameOrScope: string | VariableScope | null,
  optionsOrBody: VariableScopeOptions | Body<VariableScope, A>,
  maybeBody?: Body<VariableScope, A>,
): Program<A> {
  const hasOptions = maybeBody !== undefined;
  const options: unknown = hasOptions ? optionsOrBody : undefined;
  const body = (hasOptions ? maybeBody : optionsOrBody) as Body<VariableScope, A>;
  return new VariableScopeProgram(nameOrScope, options, body);
}

/** The program `variableScope` returns: opening is recorded, the body always runs. */
class VariableScopeProgram<A> extends RecordedProgram<OpenedScope, A> {
  constructor(
    readonly nameOrScope: string | VariableScope | null,
    readonly options: unknown,
    readonly body: Body<VariableScope, A>,
  ) {
    super();
  }
  get key(): unknown {
    return this.nameOrScope;
  }
  override guard(): unknown {
    return scopeGuard(this.options);
  }
  override matches(recorded: unknown): boolean {
    const o = this.options;
    if (typeof o !== "object" || o === null) return recorded === undefined;
    const r = recorded as readonly unknown[] | undefined;
    const g = o as Record<string, unknown>;
    return r !== undefined && r[0] === g.reuse && r[1] === g.defaultName &&
      r[2] === g.auxiliaryNameScope && r[3] === g.dtype && r[4] === g.useResource;
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<OpenedScope>> {
    return openVariableScope(this.nameOrScope, this.options, this.body, env, state);
  }
  override resume(
    opened: OpenedScope,
    env: Env,
    before: RunState,
  ): Either<ScopeError, Step<A>> {
    const { scope, nameScope } = opened;
    const program = resolveBody(this.body, scope);
    if (E.isLeft(program)) return program;
    const run = env.run;
    const r = program.right.run({ scope, nameScope, run }, opened.inner);
    if (E.isLeft(r)) return r;
    const recording = run.recording;
    if (recording !== null && recording.replaying && opened.exitState !== null) {
      return E.right({ value: r.right.value, state: opened.exitState });
    }
    const after = r.right.state;
    const exitState: RunState = {
      ...after,
      counts: opened.exit(after.counts),
      current: before.current,
    };
    if (recording !== null && !recording.replaying) opened.exitState = exitState;
    return E.right({ value: r.right.value, state: exitState });
  }
}

function openVariableScope<A>(
  nameOrScope: string | VariableScope | null,
  options: unknown,
  body: Body<VariableScope, A>,
  env: Env,
  state: RunState,
): Either<ScopeError, Step<OpenedScope>> {
  const parsed = parseOptions(options);
  if (E.isLeft(parsed)) return parsed;
  const o = parsed.right;
  if (!isBody(body)) {
    return invalid("body", "expected a Program or a function of the scope", body);
  }
  const parent = state.current ?? env.scope;
  let nameScope = env.nameScope;
  let names = state.names;
  let counts: ScopeCounts;
  let scope: VariableScope;
  let exit: (c: ScopeCounts) => ScopeCounts;
  const openAux = (name: string): Either<ScopeError, string> => {
    if (!o.auxiliaryNameScope) return E.right(env.nameScope);
    const entered = enterNameScope(
      env.nameScope,
      names,
      name,
      state.store,
      state.startVariables,
    );
    if (E.isLeft(entered)) return entered;
    names = entered.right[1];
    return E.right(entered.right[0]);
  };
  if (typeof nameOrScope === "string") {
    const checked = validateRelativeName("scope name", nameOrScope, false);
    if (E.isLeft(checked)) return checked;
    const ns = openAux(nameOrScope);
    if (E.isLeft(ns)) return ns;
    nameScope = ns.right;
    const fullName = joinName(parent.name, nameOrScope);
    // TF1 C2: `reuse or parent.reuse`; a child cannot turn inherited reuse off.
    scope = deriveScope(parent, fullName, o.reuse ?? parent.reuse, nameScope, o);
    counts = openScope(state.counts, fullName);
    exit = (c) => closeSubscopes(c, fullName);
  } else if (typeof nameOrScope === "object" && nameOrScope !== null) {
    const valid = validateVariableScope(nameOrScope);
    if (E.isLeft(valid)) return valid;
    const captured = valid.right;
    const last = captured.name.split("/").pop()!;
    // TF1 A8: jumping into the root opens no name scope.
    if (last !== "") {
      const ns = openAux(last);
      if (E.isLeft(ns)) return ns;
      nameScope = ns.right;
    }
    // TF1 C3: the captured scope's own reuse, unless true/AUTO_REUSE is passed.
    scope = deriveScope(
      captured,
      captured.name,
      isReuseOn(o.reuse) ? o.reuse : captured.reuse,
      captured.originalNameScope,
      o,
    );
    const snapshot = openScope(state.counts, captured.name);
    counts = snapshot;
    // TF1 B6: leaving a jump restores the counts as they were on entry.
    exit = () => snapshot;
  } else if (nameOrScope === null || nameOrScope === undefined) {
    if (o.defaultName === null) {
      return E.left(
        scopeError(
          "InvalidArgument",
          "Invalid variableScope: defaultName is required when nameOrScope is null",
          {
            argument: "defaultName",
          },
        ),
      );
    }
    if (isReuseOn(o.reuse)) {
      return E.left(
        scopeError(
          "InvalidReuse",
          "Invalid reuse: reuse=true cannot be used without a nameOrScope (a default-name scope)",
          {
            value: o.reuse,
          },
        ),
      );
    }
    const checked = validateRelativeName("default name", o.defaultName, false);
    if (E.isLeft(checked)) return checked;
    // TF1 B8: the name scope uses the default name, uniquified on its own.
    const ns = openAux(o.defaultName);
    if (E.isLeft(ns)) return ns;
    nameScope = ns.right;
    const [unique, opened] = openUniqueScope(state.counts, parent.name, o.defaultName);
    const fullName = joinName(parent.name, unique);
    scope = deriveScope(parent, fullName, parent.reuse, nameScope, o);
    counts = opened;
    exit = (c) => closeSubscopes(c, fullName);
  } else {
    return invalid(
      "nameOrScope",
      "expected a string, a VariableScope or null (TF1 I5)",
      nameOrScope,
    );
  }
  const inner: RunState = { ...state, counts, names, current: null };
  return E.right({ value: { scope, nameScope, inner, exit, exitState: null }, state: inner });
}
