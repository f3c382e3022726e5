/**
 * The `VariableScope` value (TF1 E1): a scope's name, reuse mode and the
 * defaults its variables inherit.
 *
 * @module
 */
import { frozenDescriptor } from "./_guard.ts";
import type { Constraint } from "../constraints/constraint.ts";
import type { Initializer } from "../initializers/initializer.ts";
import type { Partitioner } from "../partitioners/partitioner.ts";
import type { Regularizer } from "../regularizers/regularizer.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { isInitializer } from "../initializers/initializer.ts";
import type { CustomGetter } from "./custom_getter.ts";
import { type DType, DTYPES } from "./dtype.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { AUTO_REUSE, type ScopeReuse } from "./reuse.ts";
import type { CachingDevice } from "./variable.ts";

/**
 * An opened variable scope, as TF1's `VariableScope` object (E1). Values are
 * immutable: what TF1 changes in place (`reuse_variables()`, `set_*`)
 * varscope applies to the current scope of the running program; capture it
 * again with `getVariableScope()` to see the change.
 *
 * @category scopes
 */
export interface VariableScope {
  /** Discriminant. */
  readonly _tag: "VariableScope";
  /** Full scope name without a trailing slash; "" at the root (A16). */
  readonly name: string;
  /** The name scope opened with it, ending in "/" (or "") (A9). */
  readonly originalNameScope: string;
  /** Reuse mode: false, true or AUTO_REUSE (C2). */
  readonly reuse: ScopeReuse;
  /** Default initializer of its variables. */
  readonly initializer: Initializer | null;
  /** Default regularizer. */
  readonly regularizer: Regularizer | null;
  /** Default caching device. */
  readonly cachingDevice: CachingDevice | null;
  /** Default partitioner. */
  readonly partitioner: Partitioner | null;
  /** The (composed) custom getter. */
  readonly customGetter: CustomGetter | null;
  /** Default dtype (float32 at the root). */
  readonly dtype: DType;
  /** TF1 use_resource (no effect, decision 5). */
  readonly useResource: boolean | null;
  /** Constraint; not inherited by sub-scopes (E3). */
  readonly constraint: Constraint | null;
}

const ROOT: VariableScope = Object.freeze({
  _tag: "VariableScope",
  name: "",
  originalNameScope: "",
  reuse: false,
  initializer: null,
  regularizer: null,
  cachingDevice: null,
  partitioner: null,
  customGetter: null,
  dtype: "float32",
  useResource: null,
  constraint: null,
});

/**
 * The root variable scope: name "", reuse false, dtype float32 (C2, A16).
 *
 * @returns the root scope
 *
 * @example
 * ```ts
 * import { rootScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(rootScope().name, "");
 * assert.equal(rootScope().reuse, false);
 * ```
 *
 * @category scopes
 */
export function rootScope(): VariableScope {
  return ROOT;
}

/**
 * Whether a value is a {@linkcode VariableScope}.
 *
 * @param value any value
 * @returns true for scope values
 *
 * @example
 * ```ts
 * import { isVariableScope, rootScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isVariableScope(rootScope()), true);
 * assert.equal(isVariableScope("foo"), false);
 * ```
 *
 * @category scopes
 */
export function isVariableScope(value: unknown): value is VariableScope {
  return E.isRight(validateVariableScope(value));
}

const isObjectOrNull = (x: unknown): boolean =>
  x === null || (typeof x === "object" && x !== undefined);

/**
 * Checks that a value is a well-formed {@linkcode VariableScope}, as a
 * captured scope handed back by an untyped caller must be. Custom getters
 * and partitioners are checked where TF1 checks them (when used).
 *
 * @param value any value
 * @returns the scope, or an `InvalidArgument` error naming the bad field
 *
 * @example
 * ```ts
 * import { rootScope } from "varscope";
 * import { validateVariableScope } from "./scope.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(validateVariableScope(rootScope())._tag, "Right");
 * assert.equal(validateVariableScope({ ...rootScope(), reuse: 5 })._tag, "Left");
 * ```
 *
 * @category scopes
 */
export function validateVariableScope(value: unknown): Either<ScopeError, VariableScope> {
  const bad = (field: string, why: string): Either<ScopeError, never> =>
    E.left(
      scopeError(
        "InvalidArgument",
        `Invalid nameOrScope: not a valid VariableScope, field "${field}" ${why}`,
        {
          argument: "nameOrScope",
          field,
        },
      ),
    );
  // Checked and kept as one frozen copy of the own properties (the value
  // itself when already frozen): a getter or proxy cannot answer the checks
  // one way and the scope another.
  const copy = typeof value === "object" && value !== null && !Array.isArray(value)
    ? frozenDescriptor(value, "nameOrScope")
    : null;
  if (copy !== null && !copy.ok) return E.left(copy.error);
  const record = copy?.record;
  if (record === undefined || record._tag !== "VariableScope") {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid nameOrScope: expected a string, a VariableScope or null (TF1 I5), got ${
          describeValue(value)
        }`,
        { argument: "nameOrScope" },
      ),
    );
  }
  const v = record;
  if (typeof v.name !== "string") return bad("name", "must be a string");
  if (typeof v.originalNameScope !== "string") return bad("originalNameScope", "must be a string");
  if (v.reuse !== true && v.reuse !== false && v.reuse !== AUTO_REUSE) {
    return bad("reuse", "must be true, false or AUTO_REUSE");
  }
  if (!DTYPES.includes(v.dtype as DType)) return bad("dtype", "must be a dtype");
  if (v.initializer !== null && !isInitializer(v.initializer)) {
    return bad("initializer", "must be null or an initializer");
  }
  if (!isObjectOrNull(v.regularizer)) return bad("regularizer", "must be null or a regularizer");
  if (!isObjectOrNull(v.constraint)) return bad("constraint", "must be null or a constraint");
  if (
    v.cachingDevice !== null && typeof v.cachingDevice !== "string" &&
    typeof v.cachingDevice !== "function"
  ) {
    return bad("cachingDevice", "must be null, a string or a function");
  }
  if (v.useResource !== null && typeof v.useResource !== "boolean") {
    return bad("useResource", "must be null or a boolean");
  }
  if (!("partitioner" in v) || !("customGetter" in v)) {
    return bad("partitioner", "and customGetter must be present");
  }
  return E.right(v as unknown as VariableScope);
}
