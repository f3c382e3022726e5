/**
 * Name validation (TF1 A17 and TF's op-name rules). Variable full names,
 * scope names and op names must be valid TF op names so that they survive
 * the trip into checkpoints.
 *
 * @module
 */
import { label, throwInvalid } from "./_guard.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";

// TF's `_VALID_OP_NAME_REGEX` and `_VALID_SCOPE_NAME_REGEX`.
const OP_NAME = /^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$/;
const SCOPE_NAME = /^[A-Za-z0-9_.\-/>]*$/;

function invalid(what: string, value: unknown, why: string): Either<ScopeError, never> {
  return E.left(
    scopeError("InvalidName", `Invalid ${what} ${describeValue(value)}: ${why}`, {
      what,
      name: value,
    }),
  );
}

function checkComponents(what: string, name: string): Either<ScopeError, string> {
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) {
    return invalid(
      what,
      name,
      'it has an empty path component (a leading, trailing or double "/")',
    );
  }
  return E.right(name);
}

/**
 * Checks a name relative to a scope (a `getVariable` name or a
 * `variableScope` name): a non-empty string of TF name characters, `/`
 * separating non-empty components. At the root it must also start with a
 * letter, digit or "." (A17).
 *
 * @param what what the name names, for the message ("variable name", "scope name")
 * @param name the name
 * @param atRoot whether it will stand at the start of a full name
 * @returns the name, or an `InvalidName` error
 *
 * @example
 * ```ts
 * import { validateRelativeName } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(validateRelativeName("scope name", "_", true)._tag, "Left");
 * assert.equal(validateRelativeName("scope name", "_", false)._tag, "Right");
 * assert.equal(validateRelativeName("variable name", "a//b", false)._tag, "Left");
 * ```
 *
 * @category scopes
 */
export function validateRelativeName(
  what: string,
  name: unknown,
  atRoot: boolean,
): Either<ScopeError, string> {
  what = label(what, "name");
  if (typeof name !== "string") return invalid(what, name, "expected a string");
  if (name.length === 0) return invalid(what, name, "it is empty");
  if (atRoot ? !OP_NAME.test(name) : !SCOPE_NAME.test(name)) {
    return invalid(
      what,
      name,
      atRoot
        ? 'a name at the root must start with a letter, digit or "." and contain only letters, digits and _ . - / >'
        : "a name may contain only letters, digits and _ . - / >",
    );
  }
  return checkComponents(what, name);
}

/**
 * Joins a scope name and a relative name (TF1 A1): `scope/name`, or just
 * `name` at the root.
 *
 * @param scope the scope's full name ("" at the root)
 * @param name the relative name
 * @returns the full name
 *
 * @example
 * ```ts
 * import { joinName } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(joinName("foo/bar", "v"), "foo/bar/v");
 * assert.equal(joinName("", "v"), "v");
 * ```
 *
 * @category scopes
 */
export function joinName(scope: string, name: string): string {
  if (typeof scope !== "string") throwInvalid("scope", "expected a string", scope);
  if (typeof name !== "string") throwInvalid("name", "expected a string", name);
  return scope === "" ? name : `${scope}/${name}`;
}
