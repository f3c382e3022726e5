/**
 * Regularizers as data. A regularizer in effect when a variable is created
 * adds one loss entry to the `regularization_losses` collection (TF1 H7,
 * C10, G7); the interpreter computes its value.
 *
 * @module
 */
import { frozenDescriptor, functionName, label, ownOptions, throwInvalid } from "../core/_guard.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";

/**
 * A user function from a variable's value to a loss (or null for none); it
 * runs in the interpreter, never in the pure core.
 *
 * @category regularizers
 */
export type RegularizerFunction = (value: unknown) => unknown;

/**
 * Regularizer descriptors. `L1`, `L2` and `L1L2` follow TF1
 * `tf.contrib.layers.l1_regularizer`/`l2_regularizer`/`l1_l2_regularizer`
 * (`l2` is `scale * sum(w²) / 2`); `None` is TF1 `no_regularizer`, which
 * disables an inherited regularizer (E6).
 *
 * @category regularizers
 */
export type Regularizer =
  | { readonly _tag: "L1"; readonly scale: number }
  | { readonly _tag: "L2"; readonly scale: number }
  | { readonly _tag: "L1L2"; readonly scaleL1: number; readonly scaleL2: number }
  | { readonly _tag: "None" }
  | { readonly _tag: "Fn"; readonly fn: RegularizerFunction; readonly name: string };

/**
 * TF1 `l1_regularizer(scale)`: `scale * sum(|w|)`.
 *
 * @param scale the factor (>= 0)
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { l1Regularizer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(l1Regularizer(0.1), { _tag: "L1", scale: 0.1 });
 * ```
 *
 * @category regularizers
 */
export function l1Regularizer(scale: number): Regularizer {
  return Object.freeze({ _tag: "L1", scale });
}

/**
 * TF1 `l2_regularizer(scale)`: `scale * sum(w²) / 2`.
 *
 * @param scale the factor (>= 0)
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { l2Regularizer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(l2Regularizer(0.01), { _tag: "L2", scale: 0.01 });
 * ```
 *
 * @category regularizers
 */
export function l2Regularizer(scale: number): Regularizer {
  return Object.freeze({ _tag: "L2", scale });
}

/**
 * TF1 `l1_l2_regularizer(scale_l1, scale_l2)`: the sum of both.
 *
 * @param scaleL1 the L1 factor
 * @param scaleL2 the L2 factor
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { l1L2Regularizer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(l1L2Regularizer(1, 2), { _tag: "L1L2", scaleL1: 1, scaleL2: 2 });
 * ```
 *
 * @category regularizers
 */
export function l1L2Regularizer(scaleL1: number, scaleL2: number): Regularizer {
  return Object.freeze({ _tag: "L1L2", scaleL1, scaleL2 });
}

const NONE: Regularizer = Object.freeze({ _tag: "None" });

/**
 * TF1 `no_regularizer`: overrides an inherited scope regularizer, adds no
 * loss (E6).
 *
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { noRegularizer } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(noRegularizer(), { _tag: "None" });
 * ```
 *
 * @category regularizers
 */
export function noRegularizer(): Regularizer {
  return NONE;
}

/**
 * A plain-function regularizer, run by the interpreter on the variable's
 * value; `name` is the op name of its loss (TF1 H7).
 *
 * @param fn computes the loss from the variable's value
 * @param options `name` of the loss op (default: the function's name or "regularizer")
 * @returns the descriptor
 *
 * @example
 * ```ts
 * import { regularizerFn } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const r = regularizerFn((w) => w, { name: "identity_loss" });
 * assert.equal(r._tag === "Fn" && r.name, "identity_loss");
 * ```
 *
 * @category regularizers
 */
export function regularizerFn(
  fn: RegularizerFunction,
  options: { readonly name?: string } = {},
): Regularizer {
  const name = ownOptions(options, "regularizerFn").name;
  return Object.freeze({
    _tag: "Fn",
    fn,
    name: (name ?? functionName(fn, "regularizer")) as string,
  });
}

/**
 * The op name TF1 gives a regularizer's loss under
 * `<variable>/Regularizer/` (H7), e.g. "l2_regularizer".
 *
 * @param r the regularizer
 * @returns the base op name of its loss
 *
 * @example
 * ```ts
 * import { l2Regularizer } from "varscope";
 * import { regularizerOpName } from "./regularizer.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(regularizerOpName(l2Regularizer(1)), "l2_regularizer");
 * ```
 *
 * @category regularizers
 */
export function regularizerOpName(r: Regularizer): string {
  switch (tagOf(r)) {
    case "L1":
      return "l1_regularizer";
    case "L2":
      return "l2_regularizer";
    case "L1L2":
      return "l1_l2_regularizer";
    case "None":
      return "no_regularizer";
    case "Fn":
      return (r as Extract<Regularizer, { _tag: "Fn" }>).name;
  }
  return throwInvalid("regularizer", "expected a regularizer descriptor", r);
}

function tagOf(r: unknown): unknown {
  try {
    return typeof r === "object" && r !== null ? (r as { _tag?: unknown })._tag : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a regularizer adds a loss when a variable is created. TF1's
 * `tf.contrib.layers` regularizers return None at scale 0 ("0.0 disables
 * the regularizer"), and `no_regularizer` always does; neither adds a loss
 * (H7, E6).
 *
 * @param r the regularizer
 * @returns false for `None` and all-zero scales
 *
 * @example
 * ```ts
 * import { l1L2Regularizer, l2Regularizer, noRegularizer } from "varscope";
 * import { addsLoss } from "./regularizer.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(addsLoss(l2Regularizer(0.1)), true);
 * assert.equal(addsLoss(l2Regularizer(0)), false);
 * assert.equal(addsLoss(l1L2Regularizer(0, 0)), false);
 * assert.equal(addsLoss(noRegularizer()), false);
 * ```
 *
 * @category regularizers
 */
export function addsLoss(r: Regularizer): boolean {
  if (tagOf(r) === undefined) throwInvalid("regularizer", "expected a regularizer descriptor", r);
  switch (r._tag) {
    case "None":
      return false;
    case "L1":
    case "L2":
      return r.scale !== 0;
    case "L1L2":
      return r.scaleL1 !== 0 || r.scaleL2 !== 0;
    case "Fn":
      return true;
  }
  return throwInvalid("regularizer", "expected a regularizer descriptor", r);
}

/**
 * Converts a `regularizer` argument from an untyped caller: a descriptor is
 * checked, a function becomes an `Fn` regularizer.
 *
 * @param raw what the caller passed (undefined or null: none)
 * @param argument the argument's name, for errors
 * @returns the descriptor or null, or an `InvalidArgument` error
 *
 * @example
 * ```ts
 * import { normalizeRegularizer } from "./regularizer.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(normalizeRegularizer({ _tag: "L2", scale: -1 }, "regularizer")._tag, "Left");
 * assert.equal(normalizeRegularizer((w: unknown) => w, "regularizer")._tag, "Right");
 * ```
 *
 * @category regularizers
 */
export function normalizeRegularizer(
  raw: unknown,
  argument: string,
): Either<ScopeError, Regularizer | null> {
  argument = label(argument, "regularizer");
  if (raw === undefined || raw === null) return E.right(null);
  if (typeof raw === "function") return E.right(regularizerFn(raw as RegularizerFunction));
  const bad = (why: string): Either<ScopeError, Regularizer | null> =>
    E.left(
      scopeError("InvalidArgument", `Invalid ${argument}: ${why}, got ${describeValue(raw)}`, {
        argument,
        value: raw,
      }),
    );
  if (typeof raw !== "object") return bad("expected a regularizer descriptor or function");
  const copy = frozenDescriptor(raw, argument);
  if (!copy.ok) return E.left(copy.error);
  raw = copy.record; // validate and keep the same frozen copy
  const r = copy.record;
  const scaleOk = (x: unknown): boolean => typeof x === "number" && Number.isFinite(x) && x >= 0;
  switch (r._tag) {
    case "L1":
    case "L2":
      return scaleOk(r.scale)
        ? E.right(raw as Regularizer)
        : bad("scale must be a finite number >= 0");
    case "L1L2":
      return scaleOk(r.scaleL1) && scaleOk(r.scaleL2)
        ? E.right(raw as Regularizer)
        : bad("scales must be finite numbers >= 0");
    case "None":
      return E.right(raw as Regularizer);
    case "Fn":
      return typeof r.fn === "function" && typeof r.name === "string"
        ? E.right(raw as Regularizer)
        : bad("an Fn regularizer needs a function fn and a string name");
    default:
      return bad("expected a regularizer descriptor or function");
  }
}
