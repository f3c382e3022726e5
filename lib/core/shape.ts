/**
 * Shapes: known dimensions are non-negative integers, unknown ones `null`;
 * an omitted shape (`undefined`) has unknown rank (TF1 D1).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";

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
  if (!Array.isArray(value)) {
    return E.left(
      scopeError(
        "InvalidArgument",
        `Invalid ${argument}: expected an array of dimensions, got ${describeValue(value)}`,
        { argument, value },
      ),
    );
  }
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
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
  return E.right(Object.freeze(value.slice()) as Shape);
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
  for (const d of shape) if (d === null) return false;
  return true;
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
  if (requested.length !== found.length) return false;
  for (let i = 0; i < requested.length; i++) {
    const a = requested[i], b = found[i];
    if (a !== null && b !== null && a !== b) return false;
  }
  return true;
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
  return `[${shape.map((d) => (d === null ? "?" : String(d))).join(", ")}]`;
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
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
