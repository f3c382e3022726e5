/**
 * The reuse flag of variable scopes (TF1 C1–C4).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";

/**
 * TF1 `tf.compat.v1.AUTO_REUSE`: get a variable if it exists, create it
 * otherwise.
 *
 * @example
 * ```ts
 * import { AUTO_REUSE, getVariable, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const foo = variableScope("foo", { reuse: AUTO_REUSE }, getVariable("v", { shape: [1] }));
 * const { value: [v1, v2] } = runScopedOrThrow(scoped(function* () {
 *   return [yield* foo, yield* foo] as const;
 * }));
 * assert.equal(v1, v2);
 * ```
 *
 * @category scopes
 */
export const AUTO_REUSE = "AUTO_REUSE" as const;

/** The type of {@linkcode AUTO_REUSE}. @category scopes */
export type AutoReuse = typeof AUTO_REUSE;

/**
 * The reuse mode of an opened scope: `false` (create; an existing name is
 * an error), `true` (reuse; a missing name is an error) or `AUTO_REUSE`.
 *
 * @category scopes
 */
export type ScopeReuse = boolean | AutoReuse;

/**
 * What `variableScope` accepts as `reuse`: `null`/`false`/omitted inherit
 * (TF1 C1: since TF 1.1 `False` and `None` are the same), `true` and
 * `AUTO_REUSE` set it.
 *
 * @category scopes
 */
export type ReuseArgument = ScopeReuse | null | undefined;

/**
 * Checks a `reuse` argument (TF1 C1) and normalises `false` to `null`.
 *
 * @param value what the caller passed
 * @returns `true`, `AUTO_REUSE` or `null` (inherit), or an `InvalidReuse` error
 *
 * @example
 * ```ts
 * import { parseReuse } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(parseReuse(false), { _tag: "Right", right: null });
 * assert.equal(parseReuse(1)._tag, "Left");
 * ```
 *
 * @category scopes
 */
export function parseReuse(value: unknown): Either<ScopeError, true | AutoReuse | null> {
  if (value === undefined || value === null || value === false) return E.right(null);
  if (value === true || value === AUTO_REUSE) return E.right(value);
  return E.left(
    scopeError(
      "InvalidReuse",
      `Invalid reuse: ${describeValue(value)}; reuse must be true, false, null or AUTO_REUSE`,
      { value },
    ),
  );
}

/**
 * Whether a reuse mode counts as "on" (Python truthiness in TF1: `True` and
 * `AUTO_REUSE`).
 *
 * @param reuse a reuse mode or argument
 * @returns true for `true` and `AUTO_REUSE`
 *
 * @example
 * ```ts
 * import { AUTO_REUSE } from "varscope";
 * import { isReuseOn } from "./reuse.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isReuseOn(AUTO_REUSE), true);
 * assert.equal(isReuseOn(null), false);
 * ```
 *
 * @category scopes
 */
export function isReuseOn(reuse: ReuseArgument): reuse is true | AutoReuse {
  return reuse === true || reuse === AUTO_REUSE;
}

/**
 * TF1's reuse table (C4), the one place it is written: what `getVariable`
 * does with a name, given the scope's reuse and whether the name exists.
 *
 * | reuse      | exists  | missing  |
 * | ---------- | ------- | -------- |
 * | false      | exists  | create   |
 * | true       | take    | missing  |
 * | AUTO_REUSE | take    | create   |
 *
 * "exists" is `VariableExists`, "missing" is `VariableMissing`.
 *
 * @internal
 */
export type ReuseDecision = "take" | "create" | "exists" | "missing";

/** @internal The reuse table above. */
export function decideReuse(reuse: ScopeReuse, found: boolean): ReuseDecision {
  if (found) return reuse === false ? "exists" : "take";
  return reuse === true ? "missing" : "create";
}
