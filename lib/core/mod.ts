/**
 * The pure core of varscope: TF1 variable scoping as immutable values
 * threaded through {@linkcode Program}. It imports no tensor library.
 *
 * ```ts
 * import { AUTO_REUSE, getVariable, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const layer = variableScope("dense", { reuse: AUTO_REUSE }, scoped(function* () {
 *   const w = yield* getVariable("kernel", { shape: [3, 2] });
 *   const b = yield* getVariable("bias", { shape: [2] });
 *   return [w.name, b.name];
 * }));
 * const { value } = runScopedOrThrow(scoped(function* () {
 *   yield* layer;
 *   return yield* layer;
 * }));
 * assert.deepEqual(value, ["dense/kernel:0", "dense/bias:0"]);
 * ```
 *
 * @module
 */
export * from "./either.ts";
export * from "./errors.ts";
export * from "./dtype.ts";
export * from "./shape.ts";
export * from "./name.ts";
export * from "./reuse.ts";
export * from "./variable.ts";
export * from "./scope.ts";
export * from "./scope_counts.ts";
export * from "./name_table.ts";
export * from "./persistent_map.ts";
export * from "./persistent_multi_list.ts";
export * from "./name_map.ts";
export * from "./store.ts";
export * from "./program.ts";
export * from "./run.ts";
export * from "./trace.ts";
export * from "./custom_getter.ts";
export * from "./collections.ts";
export {
  getLocalVariable,
  getVariable,
  type GetVariableOptions,
  trueGetter,
} from "./get_variable.ts";
export { type Body, getNameScope, nameScope, opName } from "./name_scope.ts";
export * from "./variable_scope.ts";
export * from "./scope_setters.ts";
export * from "./template.ts";
export * from "./variable_table.ts";
