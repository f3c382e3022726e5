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
 * - `ownedByObject()`: a run against the private store of an object that
 *   owns its variables (`trackTf1StyleVariables`, spec Q2, Q7): creation is
 *   allowed, a scope's reuse `false`/inherit acts as `AUTO_REUSE` (never
 *   `VariableExists`), and a partitioner is `PartitionerUnsupported`.
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
export type CreationPolicy = CreateVariables | ReuseOnly | OwnedByObject;

/**
 * Creation into an object's own store (TF1 `track_tf1_style_variables`):
 * reuse acts as `AUTO_REUSE` unless it is `true`; partitioners are refused.
 *
 * @category running
 */
export interface OwnedByObject {
  /** Discriminant. */
  readonly _tag: "OwnedByObject";
}

const OWNED: OwnedByObject = Object.freeze({ _tag: "OwnedByObject" });

/**
 * The policy of a run against an object's own store (spec Q2, Q7): as
 * `createVariables()`, but an existing name is taken instead of being
 * `VariableExists` (TF2's shim behaves "as if reuse is always AUTO_REUSE"),
 * and a partitioner is `PartitionerUnsupported`.
 *
 * @returns the policy
 *
 * @example
 * ```ts
 * import { emptyStore, getVariable, ownedByObject, runWith, scoped, startState } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const twice = scoped(function* () {
 *   return [yield* getVariable("v", { shape: [1] }), yield* getVariable("v", { shape: [1] })];
 * });
 * const run = { creation: ownedByObject(), recording: null, interpreter: null };
 * const r = runWith(twice, startState(emptyStore()), run);
 * assert.ok(r._tag === "Right" && r.right.value[0] === r.right.value[1]);
 * ```
 *
 * @category running
 */
export function ownedByObject(): OwnedByObject {
  return OWNED;
}

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
