/**
 * `makeTemplate` (TF1 `tf.compat.v1.make_template`, M1–M11): wraps a
 * function so that its first call creates variables in a scope of its own
 * and every later call reuses them, wherever it is called from.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { readRecord, throwInvalid } from "./_guard.ts";
import { globalVariables, GraphKeys, localVariables, trainableVariables } from "./collections.ts";
import type { CustomGetter } from "./custom_getter.ts";
import { describeValue, scopeError } from "./errors.ts";
import { makeProgram, type Program } from "./program.ts";
import { uniqueScopeName } from "./scope_counts.ts";
import type { VariableScope } from "./scope.ts";
import { requireStore, type Store, type TemplateState } from "./store.ts";
import type { Variable } from "./variable.ts";
import { getVariableScope } from "./scope_setters.ts";
import { variableScope } from "./variable_scope.ts";

/**
 * A template: call it to get a program that runs the wrapped function in
 * the template's scope (creating on the first successful call, reusing
 * after).
 *
 * @category scopes
 */
export interface Template<Args extends readonly unknown[], A> {
  /** Discriminant. */
  readonly _tag: "Template";
  /** Id of the template's state in the store. */
  readonly id: number;
  /** The name given to makeTemplate. */
  readonly name: string;
  /** The program of one call. */
  readonly call: (...args: Args) => Program<A>;
}

/** Options of {@linkcode makeTemplate}. @category scopes */
export interface MakeTemplateOptions {
  /** Capture the scope now rather than on the first call (M4). */
  readonly createScopeNow?: boolean;
  /** Use this scope name verbatim, not uniquified (M5). */
  readonly uniqueName?: string | null;
  /** Custom getter of the template's scope, applied on every call (M9). */
  readonly customGetter?: CustomGetter | null;
}

function trainableCount(store: Store): number {
  return store.collections.count(GraphKeys.TRAINABLE_VARIABLES);
}

function setTemplate(store: Store, id: number, state: TemplateState): Store {
  return Object.freeze({ ...store, templates: store.templates.set(id, Object.freeze(state)) });
}

/**
 * TF1 `make_template(name_, func_, create_scope_now_, unique_name_,
 * custom_getter_)`. Returns a program because a template gets an id in the
 * store (and, with `createScopeNow`, its scope from where it is made).
 *
 * @param name the default name of the template's scope (uniquified, M3)
 * @param fn the function; bind extra arguments with a closure (M1 kwargs)
 * @param options createScopeNow, uniqueName, customGetter
 * @returns the program yielding the template
 *
 * @example Variables are created once and reused by later calls
 * ```ts
 * import { getVariable, makeTemplate, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(scoped(function* () {
 *   const t = yield* makeTemplate("s1", () => getVariable("dummy", { shape: [1] }));
 *   const a = yield* t.call();
 *   const b = yield* variableScope("elsewhere", t.call());
 *   return [a.name, a === b];
 * }));
 * assert.deepEqual(value, ["s1/dummy:0", true]);
 * ```
 *
 * @category scopes
 */
export function makeTemplate<Args extends readonly unknown[], A>(
  name: string,
  fn: (...args: Args) => Program<A>,
  options: MakeTemplateOptions = {},
): Program<Template<Args, A>> {
  return makeProgram((env, state) => {
    // Not recorded: a template keeps its state in the store, and a replay
    // hands back the recorded state after every recorded step.
    if (typeof name !== "string" || name === "") {
      return E.left(
        scopeError(
          "TemplateError",
          `Invalid template name ${describeValue(name)}: name cannot be empty or null`,
          {
            argument: "name",
          },
        ),
      );
    }
    if (typeof fn !== "function") {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid template function: expected a function, got ${describeValue(fn)}`,
          {
            argument: "fn",
          },
        ),
      );
    }
    // Own properties only, through the one guard (no prototype pollution).
    const read = readRecord(options, "makeTemplate", null);
    if (!read.ok) return E.left(read.error);
    const o = read.record;
    const createScopeNow = o.createScopeNow ?? false;
    const uniqueName = o.uniqueName ?? null;
    const customGetter = (o.customGetter ?? null) as CustomGetter | null;
    if (typeof createScopeNow !== "boolean") {
      return E.left(
        scopeError("InvalidArgument", "Invalid createScopeNow: expected a boolean", {
          argument: "createScopeNow",
        }),
      );
    }
    if (uniqueName !== null && typeof uniqueName !== "string") {
      return E.left(
        scopeError("InvalidArgument", "Invalid uniqueName: expected a string", {
          argument: "uniqueName",
        }),
      );
    }
    const id = state.store.nextTemplateId;
    let store: Store = Object.freeze({ ...state.store, nextTemplateId: id + 1 });
    let templateState: TemplateState = { scope: null, created: false };
    let s = { ...state, store };
    if (createScopeNow) {
      // TF1 M4: the scope is made unique and captured here, with no name scope.
      const scopeName = uniqueName ??
        uniqueScopeName(s.counts, (s.current ?? env.scope).name, name);
      const opened = variableScope(
        scopeName,
        { auxiliaryNameScope: false, customGetter },
        getVariableScope(),
      ).run(env, s);
      if (E.isLeft(opened)) return opened;
      s = opened.right.state;
      templateState = { scope: opened.right.value, created: false };
    }
    store = setTemplate(s.store, id, templateState);
    const template: Template<Args, A> = Object.freeze({
      _tag: "Template",
      id,
      name,
      call: (...args: Args) => callTemplate(id, name, uniqueName, customGetter, () => fn(...args)),
    });
    return E.right({ value: template, state: { ...s, store } });
  });
}

function callTemplate<A>(
  id: number,
  name: string,
  uniqueName: string | null,
  customGetter: CustomGetter | null,
  body: () => Program<A>,
): Program<A> {
  return makeProgram((env, state) => {
    const ts = state.store.templates.get(id);
    if (ts === undefined) {
      return E.left(
        scopeError("TemplateError", `Cannot call template "${name}": it is not in this store`, {
          id,
          name,
        }),
      );
    }
    if (ts.scope !== null && ts.created) {
      // TF1 M2, M6: later calls re-enter the captured scope with reuse and
      // must not add trainable variables.
      const before = trainableCount(state.store);
      const r = variableScope(ts.scope, { reuse: true }, () => body()).run(env, state);
      if (E.isLeft(r)) return r;
      const added = trainableCount(r.right.state.store) - before;
      if (added > 0) {
        return E.left(
          scopeError(
            "TemplateError",
            `Trainable variable created when calling template "${name}" after the first time (${added} new)`,
            { name, added },
          ),
        );
      }
      return r;
    }
    const captured = ts.scope;
    const opened = captured !== null
      ? variableScope(captured, (vs) => withScope(vs, body()))
      : variableScope(uniqueName, { defaultName: name, customGetter }, (vs) =>
        withScope(vs, body()));
    const r = opened.run(env, state);
    if (E.isLeft(r)) return r;
    const [value, vs] = r.right.value;
    const store = setTemplate(r.right.state.store, id, { scope: captured ?? vs, created: true });
    return E.right({ value, state: { ...r.right.state, store } });
  });
}

function withScope<A>(vs: VariableScope, p: Program<A>): Program<readonly [A, VariableScope]> {
  return makeProgram((env, state) => {
    const r = p.run(env, state);
    return E.isLeft(r) ? r : E.right({ value: [r.right.value, vs] as const, state: r.right.state });
  });
}

/**
 * The scope a template created (TF1 `template.variable_scope`), or null
 * before its scope exists (M4).
 *
 * @param store the store
 * @param template the template
 * @returns the scope or null
 *
 * @example
 * ```ts
 * import { getVariable, makeTemplate, runScopedOrThrow, templateVariableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: t, store } = runScopedOrThrow(makeTemplate("t", () => getVariable("v", { shape: [] })));
 * assert.equal(templateVariableScope(store, t), null);
 * const after = runScopedOrThrow(t.call(), store).store;
 * assert.equal(templateVariableScope(after, t)?.name, "t");
 * ```
 *
 * @category scopes
 */
export function templateVariableScope(
  store: Store,
  template: Template<readonly unknown[], unknown>,
): VariableScope | null {
  requireStore(store);
  let id: unknown;
  try {
    id = typeof template === "object" && template !== null ? template.id : undefined;
  } catch {
    id = undefined;
  }
  if (typeof id !== "number") throwInvalid("template", "expected a Template", template);
  return store.templates.get(id)?.scope ?? null;
}

/**
 * TF1 `template.variable_scope_name`: the scope name with a trailing "/"
 * (so it does not match "foo_…"), or null before the scope exists (M10).
 *
 * @param store the store
 * @param template the template
 * @returns the prefix or null
 *
 * @example
 * ```ts
 * import { getVariable, makeTemplate, runScopedOrThrow, templateVariableScopeName } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: t, store } = runScopedOrThrow(makeTemplate("t", () => getVariable("v", { shape: [] }), { createScopeNow: true }));
 * assert.equal(templateVariableScopeName(store, t), "t/");
 * ```
 *
 * @category scopes
 */
export function templateVariableScopeName(
  store: Store,
  template: Template<readonly unknown[], unknown>,
): string | null {
  const scope = templateVariableScope(store, template);
  if (scope === null) return null;
  return scope.name.endsWith("/") ? scope.name : `${scope.name}/`;
}

function templateVariables(
  store: Store,
  template: Template<readonly unknown[], unknown>,
  pick: (store: Store, scope?: string) => readonly Variable[],
): readonly Variable[] {
  const prefix = templateVariableScopeName(store, template); // checks both arguments
  const ts = store.templates.get(template.id);
  if (ts === undefined || !ts.created || prefix === null) return [];
  // Scope names are matched literally here: escape regular-expression characters.
  return pick(store, prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

/**
 * TF1 `template.trainable_variables` (M10): [] before the first call.
 *
 * @param store the store
 * @param template the template
 * @returns the template's trainable variables
 *
 * @example
 * ```ts
 * import { getVariable, makeTemplate, runScopedOrThrow, scoped, templateTrainableVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: t, store } = runScopedOrThrow(scoped(function* () {
 *   const t = yield* makeTemplate("t", () => getVariable("v", { shape: [] }));
 *   yield* t.call();
 *   return t;
 * }));
 * assert.deepEqual(templateTrainableVariables(store, t).map((v) => v.name), ["t/v:0"]);
 * ```
 *
 * @category scopes
 */
export function templateTrainableVariables(
  store: Store,
  template: Template<readonly unknown[], unknown>,
): readonly Variable[] {
  return templateVariables(store, template, trainableVariables);
}

/**
 * TF1 `template.global_variables` (M10).
 *
 * @param store the store
 * @param template the template
 * @returns the template's global variables
 *
 * @example
 * ```ts
 * import { emptyStore, getVariable, makeTemplate, runScopedOrThrow, templateGlobalVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: t, store } = runScopedOrThrow(makeTemplate("t", () => getVariable("v", { shape: [] })));
 * assert.deepEqual(templateGlobalVariables(store, t), []);
 * ```
 *
 * @category scopes
 */
export function templateGlobalVariables(
  store: Store,
  template: Template<readonly unknown[], unknown>,
): readonly Variable[] {
  return templateVariables(store, template, globalVariables);
}

/**
 * TF1 `template.local_variables` (M10).
 *
 * @param store the store
 * @param template the template
 * @returns the template's local variables
 *
 * @example
 * ```ts
 * import { getLocalVariable, makeTemplate, runScopedOrThrow, scoped, templateLocalVariables } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: t, store } = runScopedOrThrow(scoped(function* () {
 *   const t = yield* makeTemplate("t", () => getLocalVariable("l", { shape: [] }));
 *   yield* t.call();
 *   return t;
 * }));
 * assert.deepEqual(templateLocalVariables(store, t).map((v) => v.name), ["t/l:0"]);
 * ```
 *
 * @category scopes
 */
export function templateLocalVariables(
  store: Store,
  template: Template<readonly unknown[], unknown>,
): readonly Variable[] {
  return templateVariables(store, template, localVariables);
}
