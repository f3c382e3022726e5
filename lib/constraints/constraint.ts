/**
 * Constraints as data: projections applied to a variable after each
 * optimizer update (TF1 `constraint`). Not inherited by sub-scopes (TF1 E3).
 *
 * @module
 */
import { frozenDescriptor, label, ownOptions } from "../core/_guard.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";

/**
 * A user projection from the updated value to the constrained value; it runs
 * in the interpreter, never in the pure core.
 *
 * @category models
 */
export type ConstraintFunction = (value: unknown) => unknown;

/**
 * Constraint descriptors, following the Keras constraints TF1 code uses.
 *
 * @category models
 */
export type Constraint =
  | { readonly _tag: "NonNeg" }
  | { readonly _tag: "MaxNorm"; readonly maxValue: number; readonly axis: number }
  | { readonly _tag: "UnitNorm"; readonly axis: number }
  | {
    readonly _tag: "MinMaxNorm";
    readonly minValue: number;
    readonly maxValue: number;
    readonly rate: number;
    readonly axis: number;
  }
  | { readonly _tag: "Fn"; readonly fn: ConstraintFunction };

/**
 * Keeps weights non-negative.
 *
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { nonNegConstraint } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(nonNegConstraint(), { _tag: "NonNeg" });
 * ```
 *
 * @category models
 */
export function nonNegConstraint(): Constraint {
  return Object.freeze({ _tag: "NonNeg" });
}

/**
 * Rescales slices along `axis` whose L2 norm exceeds `maxValue`.
 *
 * @param options maxValue (default 2) and axis (default 0)
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { maxNormConstraint } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(maxNormConstraint({ maxValue: 3 }), { _tag: "MaxNorm", maxValue: 3, axis: 0 });
 * ```
 *
 * @category models
 */
export function maxNormConstraint(
  options: { readonly maxValue?: number; readonly axis?: number } = {},
): Constraint {
  const o = ownOptions(options, "maxNormConstraint") as typeof options;
  return Object.freeze({ _tag: "MaxNorm", maxValue: o.maxValue ?? 2, axis: o.axis ?? 0 });
}

/**
 * Rescales slices along `axis` to unit L2 norm.
 *
 * @param options axis (default 0)
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { unitNormConstraint } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(unitNormConstraint(), { _tag: "UnitNorm", axis: 0 });
 * ```
 *
 * @category models
 */
export function unitNormConstraint(options: { readonly axis?: number } = {}): Constraint {
  const o = ownOptions(options, "unitNormConstraint") as typeof options;
  return Object.freeze({ _tag: "UnitNorm", axis: o.axis ?? 0 });
}

/**
 * Keeps slice norms between `minValue` and `maxValue`, moving them by
 * `rate`.
 *
 * @param options minValue (0), maxValue (1), rate (1), axis (0)
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { minMaxNormConstraint } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(minMaxNormConstraint({ maxValue: 2 })._tag, "MinMaxNorm");
 * ```
 *
 * @category models
 */
export function minMaxNormConstraint(
  options: {
    readonly minValue?: number;
    readonly maxValue?: number;
    readonly rate?: number;
    readonly axis?: number;
  } = {},
): Constraint {
  const o = ownOptions(options, "minMaxNormConstraint") as typeof options;
  return Object.freeze({
    _tag: "MinMaxNorm",
    minValue: o.minValue ?? 0,
    maxValue: o.maxValue ?? 1,
    rate: o.rate ?? 1,
    axis: o.axis ?? 0,
  });
}

/**
 * Converts a `constraint` argument from an untyped caller: a descriptor is
 * checked, a function becomes an `Fn` constraint.
 *
 * @param raw what the caller passed (undefined or null: none)
 * @param argument the argument's name, for errors
 * @returns the descriptor or null, or an `InvalidArgument` error
 *
 * @example
 * ```ts
 * import { normalizeConstraint } from "./constraint.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(normalizeConstraint("nonneg", "constraint")._tag, "Left");
 * assert.equal(normalizeConstraint((x: unknown) => x, "constraint")._tag, "Right");
 * ```
 *
 * @category models
 */
export function normalizeConstraint(
  raw: unknown,
  argument: string,
): Either<ScopeError, Constraint | null> {
  argument = label(argument, "constraint");
  if (raw === undefined || raw === null) return E.right(null);
  if (typeof raw === "function") {
    return E.right(Object.freeze({ _tag: "Fn", fn: raw as ConstraintFunction }));
  }
  const bad = (why: string): Either<ScopeError, Constraint | null> =>
    E.left(
      scopeError("InvalidArgument", `Invalid ${argument}: ${why}, got ${describeValue(raw)}`, {
        argument,
        value: raw,
      }),
    );
  if (typeof raw !== "object") return bad("expected a constraint descriptor or function");
  const copy = frozenDescriptor(raw, argument);
  if (!copy.ok) return E.left(copy.error);
  raw = copy.record; // validate and keep the same frozen copy
  const c = copy.record;
  const num = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x);
  const axis = (x: unknown): boolean => typeof x === "number" && Number.isInteger(x);
  switch (c._tag) {
    case "NonNeg":
      return E.right(raw as Constraint);
    case "MaxNorm":
      return num(c.maxValue) && axis(c.axis)
        ? E.right(raw as Constraint)
        : bad("MaxNorm needs a number maxValue and integer axis");
    case "UnitNorm":
      return axis(c.axis) ? E.right(raw as Constraint) : bad("UnitNorm needs an integer axis");
    case "MinMaxNorm":
      return num(c.minValue) && num(c.maxValue) && num(c.rate) && axis(c.axis)
        ? E.right(raw as Constraint)
        : bad("MinMaxNorm needs numbers minValue, maxValue, rate and an integer axis");
    case "Fn":
      return typeof c.fn === "function"
        ? E.right(raw as Constraint)
        : bad("an Fn constraint needs a function fn");
    default:
      return bad("expected a constraint descriptor or function");
  }
}
