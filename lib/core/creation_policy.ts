/**
 * Who may create variables in a run. The policy is carried by the run (the
 * Reader part), never by the store: the same store can be extended by one
 * run and only read by another.
 *
 * - `createVariables()`: TF1's graph mode; `getVariable` creates what is
 *   missing (the default of `runScoped`; an interpreter's `init`).
 * - `reuseOnly(source)`: an apply run. The run starts on an empty store
 *   and "creating" a variable takes the one `source` holds under that name,
 *   with the same shape and dtype checks as sharing; any other name is
 *   `CreationRefused`. The run so meets exactly the sharing rules (reuse,
 *   `VariableExists`) the creating run met and hands back the very
 *   variables it made.
 *
 * @module
 */
import { requireStore, type Store } from "./store.ts";

/**
 * Creation allowed (TF1 graph mode).
 *
 * @category running
 */
export interface CreateVariables {
  /** Discriminant. */
  readonly _tag: "CreateVariables";
}

/**
 * Creation takes the variable `source` made; nothing else may be created.
 *
 * @category running
 */
export interface ReuseOnly {
  /** Discriminant. */
  readonly _tag: "ReuseOnly";
  /** The store whose variables "creating" takes. */
  readonly source: Store;
}

/**
 * Who may create variables in a run.
 *
 * @category running
 */
export type CreationPolicy = CreateVariables | ReuseOnly;

const CREATE: CreateVariables = Object.freeze({ _tag: "CreateVariables" });

/**
 * The policy that lets `getVariable` create what is missing.
 *
 * @returns the policy
 *
 * @example
 * ```ts
 * import { createVariables, getVariable, runScoped } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const r = runScoped(getVariable("v", { shape: [1] }), undefined, { creation: createVariables() });
 * assert.equal(r._tag, "Right");
 * ```
 *
 * @category running
 */
export function createVariables(): CreateVariables {
  return CREATE;
}

/**
 * The policy of an apply run: creating takes the variable `source` made
 * under that name; any other name is `CreationRefused`.
 *
 * @param source the store that made the variables
 * @returns the policy
 *
 * @example
 * ```ts
 * import { getVariable, reuseOnly, runScoped, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = variableScope("foo", getVariable("v", { shape: [1] }));
 * const made = runScopedOrThrow(p);
 * const again = runScopedOrThrow(p, undefined, { creation: reuseOnly(made.store) });
 * assert.equal(again.value, made.value);
 * const other = runScoped(getVariable("w", { shape: [1] }), undefined, { creation: reuseOnly(made.store) });
 * assert.equal(other._tag === "Left" && other.left.tag, "CreationRefused");
 * ```
 *
 * @category running
 */
export function reuseOnly(source: Store): ReuseOnly {
  requireStore(source, "source");
  return Object.freeze({ _tag: "ReuseOnly", source });
}
