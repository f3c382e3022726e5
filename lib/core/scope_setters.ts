/**
 * Programs that read or change the current variable scope in place, as TF1's
 * `get_variable_scope()`, `scope.reuse_variables()` and `scope.set_*` do
 * (C6, E7). The change lasts for the rest of the enclosing scope body.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import { type InitializerLike, normalizeInitializer } from "../initializers/value.ts";
import type { Partitioner } from "../partitioners/partitioner.ts";
import {
  normalizeRegularizer,
  type Regularizer,
  type RegularizerFunction,
} from "../regularizers/regularizer.ts";
import { invalidArgument as invalid } from "./_options.ts";
import type { CustomGetter } from "./custom_getter.ts";
import { type DType, parseDType } from "./dtype.ts";
import type { Either } from "./either.ts";
import type { ScopeError } from "./errors.ts";
import { makeProgram, type Program } from "./program.ts";
import type { VariableScope } from "./scope.ts";
import type { CachingDevice } from "./variable.ts";

/**
 * TF1 `tf.compat.v1.get_variable_scope()`: the current scope, with any
 * `reuseVariables()` or `set*` changes made so far.
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariableScope, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const scope = runScopedOrThrow(variableScope("a", variableScope("b", getVariableScope()))).value;
 * assert.equal(scope.name, "a/b");
 * assert.equal(scope.originalNameScope, "a/b/");
 * ```
 *
 * @category scopes
 */
export function getVariableScope(): Program<VariableScope> {
  return makeProgram((env, state) => E.right({ value: state.current ?? env.scope, state }));
}

function updateCurrent(
  f: (scope: VariableScope) => Either<ScopeError, VariableScope>,
): Program<void> {
  return makeProgram((env, state) => {
    const next = f(state.current ?? env.scope);
    if (E.isLeft(next)) return next;
    return E.right({ value: undefined, state: { ...state, current: Object.freeze(next.right) } });
  });
}

/**
 * TF1 `scope.reuse_variables()` (C6): the rest of the enclosing scope body
 * reuses, and scopes opened afterwards inherit it. There is no way back.
 *
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariable, reuseVariables, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: [v, v1] } = runScopedOrThrow(variableScope("foo", scoped(function* () {
 *   const v = yield* getVariable("v", { shape: [1] });
 *   yield* reuseVariables();
 *   const v1 = yield* getVariable("v", { shape: [1] });
 *   return [v, v1];
 * })));
 * assert.equal(v1, v);
 * ```
 *
 * @category scopes
 */
export function reuseVariables(): Program<void> {
  return updateCurrent((s) => E.right({ ...s, reuse: true }));
}

/**
 * TF1 `scope.set_initializer(init)` on the current scope (E7).
 *
 * @param initializer the new default initializer
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariable, onesInitializer, runScopedOrThrow, scoped, setInitializer, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(variableScope("s", scoped(function* () {
 *   yield* setInitializer(onesInitializer());
 *   return yield* getVariable("v", { shape: [1] });
 * }))).value;
 * assert.deepEqual(v._tag === "Variable" && v.initializer, { _tag: "Ones" });
 * ```
 *
 * @category scopes
 */
export function setInitializer(initializer: InitializerLike | null): Program<void> {
  return updateCurrent((s) =>
    pipe(
      normalizeInitializer(initializer, "initializer"),
      E.map((init) => ({ ...s, initializer: init })),
    )
  );
}

/**
 * TF1 `scope.set_regularizer(r)` on the current scope (E7).
 *
 * @param regularizer the new default regularizer
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariableScope, l1Regularizer, runScopedOrThrow, scoped, setRegularizer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const s = runScopedOrThrow(scoped(function* () {
 *   yield* setRegularizer(l1Regularizer(1));
 *   return yield* getVariableScope();
 * })).value;
 * assert.deepEqual(s.regularizer, { _tag: "L1", scale: 1 });
 * ```
 *
 * @category scopes
 */
export function setRegularizer(
  regularizer: Regularizer | RegularizerFunction | null,
): Program<void> {
  return updateCurrent((s) =>
    pipe(normalizeRegularizer(regularizer, "regularizer"), E.map((r) => ({ ...s, regularizer: r })))
  );
}

/**
 * TF1 `scope.set_dtype(dtype)` on the current scope (E7).
 *
 * @param dtype the new default dtype
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, scoped, setDType } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(scoped(function* () {
 *   yield* setDType("int32");
 *   return yield* getVariable("n", { shape: [] });
 * })).value;
 * assert.equal(v.dtype, "int32");
 * ```
 *
 * @category scopes
 */
export function setDType(dtype: DType): Program<void> {
  return updateCurrent((s) => pipe(parseDType(dtype, "dtype"), E.map((d) => ({ ...s, dtype: d }))));
}

/**
 * TF1 `scope.set_caching_device(device)` on the current scope (E7).
 *
 * @param cachingDevice the new default caching device
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariableScope, runScopedOrThrow, scoped, setCachingDevice } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const s = runScopedOrThrow(scoped(function* () {
 *   yield* setCachingDevice("/cpu:0");
 *   return yield* getVariableScope();
 * })).value;
 * assert.equal(s.cachingDevice, "/cpu:0");
 * ```
 *
 * @category scopes
 */
export function setCachingDevice(cachingDevice: CachingDevice | null): Program<void> {
  return updateCurrent((s) =>
    cachingDevice === null || typeof cachingDevice === "string" ||
      typeof cachingDevice === "function"
      ? E.right({ ...s, cachingDevice })
      : invalid("cachingDevice", "expected a device string or a function", cachingDevice)
  );
}

/**
 * TF1 `scope.set_partitioner(p)` on the current scope (E7).
 *
 * @param partitioner the new default partitioner
 * @returns the program
 *
 * @example
 * ```ts
 * import { fixedSizePartitioner, getVariable, runScopedOrThrow, scoped, setPartitioner } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(scoped(function* () {
 *   yield* setPartitioner(fixedSizePartitioner(2));
 *   return yield* getVariable("e", { shape: [4] });
 * })).value;
 * assert.equal(v._tag, "PartitionedVariable");
 * ```
 *
 * @category scopes
 */
export function setPartitioner(partitioner: Partitioner | null): Program<void> {
  return updateCurrent((s) => E.right({ ...s, partitioner }));
}

/**
 * TF1 `scope.set_custom_getter(g)` on the current scope (E7); replaces the
 * getter, no composition.
 *
 * @param customGetter the new custom getter
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariable, runScopedOrThrow, scoped, setCustomGetter } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const v = runScopedOrThrow(scoped(function* () {
 *   yield* setCustomGetter((next, args) => next({ ...args, name: args.name + "_x" }));
 *   return yield* getVariable("v", { shape: [] });
 * })).value;
 * assert.equal(v.name, "v_x:0");
 * ```
 *
 * @category scopes
 */
export function setCustomGetter(customGetter: CustomGetter | null): Program<void> {
  return updateCurrent((s) => E.right({ ...s, customGetter }));
}

/**
 * TF1 `scope.set_use_resource(flag)` on the current scope (E7; no effect on
 * variables, decision 5).
 *
 * @param useResource the flag
 * @returns the program
 *
 * @example
 * ```ts
 * import { getVariableScope, runScopedOrThrow, scoped, setUseResource } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const s = runScopedOrThrow(scoped(function* () {
 *   yield* setUseResource(true);
 *   return yield* getVariableScope();
 * })).value;
 * assert.equal(s.useResource, true);
 * ```
 *
 * @category scopes
 */
export function setUseResource(useResource: boolean): Program<void> {
  return updateCurrent((s) =>
    typeof useResource === "boolean"
      ? E.right({ ...s, useResource })
      : invalid("useResource", "expected a boolean", useResource)
  );
}
