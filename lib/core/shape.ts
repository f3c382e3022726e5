/**
 * Shapes: known dimensions are non-negative integers, unknown ones `null`;
 * an omitted shape (`undefined`) has unknown rank (TF1 D1).
 *
 * @module
 */
import { label, readFailed } from "./_guard.ts";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, ScopeError, scopeError } from "./errors.ts";

/**
 * A shape whose rank is known. `null` marks an unknown dimension.
 *
 * @category models
 */
export type Shape = readonly (number | null)[];

/**
 * A shape with every dimension known.
 *
 * @category models
 */
export type FullShape = readonly number[];

/**
 * Parses a shape from an untyped caller: an array of non-negative integers,
 * with `null` for an unknown dimension. Negative, fractional and non-number
 * dimensions are rejected with an error that names the dimension.
 *
 * @param value what the caller passed
 * @param argument the argument's name, for the error message
 * @returns the shape, or an `InvalidArgument` error that names the bad dimension
 *
 * @example
 * ```ts
 * import { parseShape } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(parseShape([2, null], "shape"), { _tag: "Right", right: [2, null] });
 * assert.equal(parseShape([2.5], "shape")._tag, "Left");
 * ```
 *
 * @category models
 */
export function parseShape(
  value: unknown,
  argument: string,
): Either<ScopeError, Shape> {
  argument = label(argument, "shape");
  if (!Array.isArray(value)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid ${argument}: expected an array of dimensions, got ${describeValue(value)}`,
        { argument, value },
      ),
    );
  }
  // Checked before looking at the dimensions: a huge (sparse) array must
  // not cost a loop over its length. The dimensions are read once, from a
  // copy (a proxy's traps may throw or answer differently each time).
  let copy: unknown[];
  try {
    copy = value.length > MAX_RANK ? value : Array.prototype.slice.call(value);
  } catch (cause) {
    return E.left(readFailed(argument, cause));
  }
  if (copy.length > MAX_RANK) {
    return E.left(
      scopeError(
        "TooLarge",
        `Invalid ${argument}: rank ${copy.length} is more than MAX_RANK (${MAX_RANK})`,
        { argument, rank: copy.length, cap: MAX_RANK },
      ),
    );
  }
  for (let i = 0; i < copy.length; i++) {
    const d: unknown = copy[i];
    if (d === null) continue;
    if (
      typeof d !== "number" || !Number.isInteger(d) || d < 0 ||
      d > Number.MAX_SAFE_INTEGER
    ) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid ${argument}: dimension ${i} is ${
            describeValue(d)
          }; dimensions must be non-negative integers or null (unknown)`,
          { argument, value, index: i },
        ),
      );
    }
  }
  return E.right(Object.freeze(copy) as Shape);
}

/**
 * Whether every dimension is known.
 *
 * @param shape a shape
 * @returns true when no dimension is `null`
 *
 * @example
 * ```ts
 * import { isFullyDefined } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isFullyDefined([1, 2]), true);
 * assert.equal(isFullyDefined([1, null]), false);
 * ```
 *
 * @category models
 */
export function isFullyDefined(shape: Shape): shape is FullShape {
  try {
    if (!Array.isArray(shape) || shape.length > MAX_RANK) notAShape("shape", shape);
    for (let i = 0; i < shape.length; i++) if (shape[i] === null) return false;
    return true;
  } catch (cause) {
    throw asTyped("shape", cause);
  }
}

/**
 * TF1 shape compatibility (D1): an unknown-rank request (`undefined`) is
 * compatible with anything; otherwise ranks must match and each pair of
 * dimensions must be equal or one of them unknown.
 *
 * @param requested the shape asked for, or undefined for unknown rank
 * @param found the stored shape
 * @returns whether the two shapes are compatible
 *
 * @example
 * ```ts
 * import { shapesCompatible } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(shapesCompatible(undefined, [3]), true);
 * assert.equal(shapesCompatible([null], [3]), true);
 * assert.equal(shapesCompatible([2], [3]), false);
 * ```
 *
 * @category models
 */
export function shapesCompatible(
  requested: Shape | undefined,
  found: Shape,
): boolean {
  if (requested === undefined) return true;
  try {
    if (!Array.isArray(requested)) notAShape("requested", requested);
    if (!Array.isArray(found)) notAShape("found", found);
    if (requested.length !== found.length) return false;
    for (let i = 0; i < requested.length; i++) {
      const a = requested[i], b = found[i];
      if (a !== null && b !== null && a !== b) return false;
    }
    return true;
  } catch (cause) {
    throw asTyped("shape", cause);
  }
}

/**
 * Prints a shape for messages: `[2, 3]`, `[?, 3]`, or `<unknown>` for an
 * unknown rank.
 *
 * @param shape a shape, or undefined for unknown rank
 * @returns the printable form
 *
 * @example
 * ```ts
 * import { formatShape } from "./shape.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(formatShape([null, 3]), "[?, 3]");
 * assert.equal(formatShape(undefined), "<unknown>");
 * ```
 *
 * @category models
 */
export function formatShape(shape: Shape | undefined): string {
  if (shape === undefined) return "<unknown>";
  // Used in error messages: describe anything, never throw.
  try {
    if (!Array.isArray(shape) || shape.length > MAX_RANK) return describeValue(shape);
    return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
  } catch {
    return describeValue(shape);
  }
}

/**
 * Number of elements of a fully defined shape (1 for a scalar).
 *
 * @param shape a fully defined shape
 * @returns the product of its dimensions
 *
 * @example
 * ```ts
 * import { numElements } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(numElements([2, 3]), 6);
 * assert.equal(numElements([]), 1);
 * ```
 *
 * @category models
 */
export function numElements(shape: FullShape): number {
  try {
    if (!Array.isArray(shape) || shape.length > MAX_RANK) notAShape("shape", shape);
    let n = 1;
    for (let i = 0; i < shape.length; i++) n *= shape[i]!;
    return n;
  } catch (cause) {
    throw asTyped("shape", cause);
  }
}

// A ScopeError passes through; anything else a proxy or getter threw
// becomes the typed error naming the argument.
function asTyped(argument: string, cause: unknown): ScopeError {
  return cause instanceof ScopeError ? cause : readFailed(argument, cause);
}

function notAShape(argument: string, value: unknown): never {
  throw scopeError(
    "InvalidArgument",
    `Invalid ${argument}: expected an array of at most ${MAX_RANK} dimensions, got ${
      describeValue(value)
    }`,
    { argument, value },
  );
}

/**
 * The largest rank a shape may have (TensorFlow's limit, 254). A longer
 * shape is a `TooLarge` error.
 *
 * @example
 * ```ts
 * import { MAX_RANK, parseShape } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const r = parseShape(new Array(MAX_RANK + 1).fill(1), "shape");
 * assert.equal(r._tag === "Left" && r.left.tag, "TooLarge");
 * ```
 *
 * @category models
 */
export const MAX_RANK = 254;

/**
 * The default cap on the elements of one materialized value (2^31 - 1, the
 * most TensorFlow.js indexes): `materialize` and `initialTensor` refuse a
 * larger variable with a `TooLarge` error before allocating anything. Pass
 * `maxElements` to change it.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_ELEMENTS } from "varscope";
 * import { checkElementCount } from "./shape.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_ELEMENTS, 2 ** 31 - 1);
 * assert.equal(checkElementCount([1e9, 1e9])?.tag, "TooLarge");
 * assert.equal(checkElementCount([2, 3]), null);
 * ```
 *
 * @category models
 */
export const DEFAULT_MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Checks a shape's element count against a cap, without allocating.
 *
 * @param shape a fully defined shape
 * @param maxElements the cap (default {@linkcode DEFAULT_MAX_ELEMENTS})
 * @param name the variable's name, for the message
 * @returns null when within the cap, else the `TooLarge` (or
 *   `InvalidArgument`, for a bad cap) error naming the shape and the cap
 *
 * @example
 * ```ts
 * import { checkElementCount } from "./shape.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.match(checkElementCount([10, 10], 50)?.message ?? "", /\[10, 10\].*100 elements.*50/);
 * ```
 *
 * @category models
 */
export function checkElementCount(
  shape: FullShape,
  maxElements: number = DEFAULT_MAX_ELEMENTS,
  name?: string,
): ScopeError | null {
  if (typeof maxElements !== "number" || !(maxElements >= 0) || Number.isNaN(maxElements)) {
    return scopeError(
      "InvalidArgument",
      `Invalid maxElements: expected a number >= 0, got ${describeValue(maxElements)}`,
      { argument: "maxElements", value: maxElements },
    );
  }
  let n: number;
  try {
    n = numElements(shape);
  } catch (cause) {
    return asTyped("shape", cause);
  }
  if (n <= maxElements) return null;
  const what = name === undefined ? "A value" : `Variable "${name}"`;
  return scopeError(
    "TooLarge",
    `${what} of shape ${
      formatShape(shape)
    } has ${n} elements, more than the cap of ${maxElements} (maxElements)`,
    { name, shape, elements: n, cap: maxElements },
  );
}
