/**
 * Typed errors of the pure core. Every failure inside a {@linkcode Program}
 * is a {@linkcode ScopeError} value with a stable {@linkcode ScopeErrorTag};
 * runners return it in an `Either`, and only the `*OrThrow` edges throw it.
 *
 * @module
 */

/**
 * The stable tags of {@linkcode ScopeError}. Code matches on these, never on
 * message text.
 *
 * @example Matching on a tag
 * ```ts
 * import { getVariable, runScoped, type ScopeErrorTag } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const result = runScoped(getVariable("v", { shape: [-1] }));
 * const tag: ScopeErrorTag | undefined = result._tag === "Left" ? result.left.tag : undefined;
 * assert.equal(tag, "InvalidArgument");
 * ```
 *
 * @category errors
 */
export type ScopeErrorTag =
  /** A variable exists and the scope does not reuse (TF1 I1). */
  | "VariableExists"
  /** A variable is missing and the scope reuses (TF1 I2). */
  | "VariableMissing"
  /** Requested and stored shapes are incompatible (TF1 D2). */
  | "ShapeMismatch"
  /** Requested and stored dtypes differ (TF1 D3). */
  | "DTypeMismatch"
  /** A partitioned variable exists with other partitions (TF1 G8). */
  | "PartitionMismatch"
  /** A partitioned and an unpartitioned variable clash (TF1 G10). */
  | "PartitionKindMismatch"
  /** A partitioner broke its contract (TF1 G2). */
  | "PartitionerError"
  /** An initializer cannot create the variable (TF1 D5–D7, D12, E8). */
  | "InvalidInitializer"
  /** A `reuse` value or use is not allowed (TF1 C1, C7). */
  | "InvalidReuse"
  /** A name is not a valid TF1 scope, op or variable name (TF1 A17). */
  | "InvalidName"
  /** An argument has the wrong type or value (TF1 I4–I6, untyped callers). */
  | "InvalidArgument"
  /** A custom getter or partitioner is not a function (TF1 F2, G2). */
  | "NotCallable"
  /** A template was misused (TF1 M1, M6). */
  | "TemplateError"
  /** The run's creation policy refused to create a variable (an apply run, `reuseOnly`). */
  | "CreationRefused"
  /** A partitioner inside an object that owns its variables (TF1 Q7, `ownedByObject`). */
  | "PartitionerUnsupported"
  /** A scope or reuse argument given to a keras-style layer or RNN cell (TF1 P4). */
  | "KerasStyle"
  /**
   * Objects that own their variables (`varscope/objects`) misused: a method
   * decorated on a class that is not a Module or Layer, `runTf1` or
   * `getOrCreateLayer` outside a decorated call, an async method or
   * construction callback.
   */
  | "ObjectError"
  /** A tensor backend is unknown, unavailable or not ready (interpreter). */
  | "BackendError"
  /** A variable's dtype has no TensorFlow.js equivalent (interpreter). */
  | "UnsupportedDType"
  /** Parameters do not match the store or the program (interpreter). */
  | "InvalidParams"
  /** A regularizer function misbehaved (interpreter; constraints give InvalidArgument). */
  | "InvalidRegularizer"
  /** Tensor code inside a program threw (interpreter); `cause` holds it. */
  | "ComputeError"
  /** A pass returned something the caller cannot own (a Map, a class instance, a Promise). */
  | "InvalidOutput"
  /**
   * A size is beyond what can be allocated: more elements than the
   * element-count cap (`DEFAULT_MAX_ELEMENTS` unless configured), a rank
   * above `MAX_RANK`, or more shards than `MAX_SHARDS`.
   */
  | "TooLarge"
  /** Programs nest deeper than the JavaScript stack allows (`runScoped`). */
  | "NestingTooDeep"
  /**
   * User code run by a program (a `scoped` body, a custom getter, a template
   * function, a `map`/`flatMap` function) threw; `cause` holds what it threw.
   */
  | "UserCodeFailed";

/**
 * The one error type of varscope's core: an `Error` with a stable `tag`, the
 * facts TF1 reports (full variable name, both shapes or dtypes, what to set)
 * and an optional `details` record that code can read.
 *
 * TF1 parity: carries the same facts as TF1's `ValueError`/`TypeError`
 * messages in varscope's own words (decision 7).
 *
 * @example Reading the tag of a failed run
 * ```ts
 * import { getVariable, runScoped, scoped, ScopeError } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const twice = scoped(function* () {
 *   yield* getVariable("v", { shape: [1] });
 *   yield* getVariable("v", { shape: [1] });
 * });
 * const result = runScoped(twice);
 * assert.equal(result._tag, "Left");
 * if (result._tag === "Left") {
 *   assert.ok(result.left instanceof ScopeError);
 *   assert.equal(result.left.tag, "VariableExists");
 *   assert.match(result.left.message, /"v": it already exists/);
 * }
 * ```
 *
 * @category errors
 */
export class ScopeError extends Error {
  /** The stable tag naming the kind of failure. */
  readonly tag: ScopeErrorTag;
  /** Structured facts about the failure (names, shapes, dtypes). */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Makes an error value; the core returns it, it does not throw it.
   *
   * @param tag the stable kind of failure
   * @param message a sentence naming what failed and why
   * @param details structured facts for code that inspects the error
   */
  constructor(
    tag: ScopeErrorTag,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    // A `cause` among the details becomes the standard `Error.cause`;
    // untyped callers' odd arguments must not make the error itself throw.
    super(typeof message === "string" ? message : describeValue(message), causeOf(details));
    this.name = "ScopeError";
    this.tag = tag;
    this.details = details;
  }
}

function causeOf(details: unknown): { cause: unknown } | undefined {
  try {
    return typeof details === "object" && details !== null && Object.hasOwn(details, "cause")
      ? { cause: (details as { cause?: unknown }).cause }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes a {@linkcode ScopeError} value.
 *
 * @param tag the stable kind of failure
 * @param message the human-readable sentence
 * @param details structured facts
 * @returns the error value
 *
 * @example
 * ```ts
 * import { scopeError } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const e = scopeError("InvalidName", 'Invalid name "_x"', { name: "_x" });
 * assert.equal(e.tag, "InvalidName");
 * assert.equal(e.details.name, "_x");
 * ```
 *
 * @category errors
 */
export function scopeError(
  tag: ScopeErrorTag,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
): ScopeError {
  return new ScopeError(tag, message, details);
}

/**
 * Describes an untyped JavaScript value for error messages, without
 * throwing on exotic inputs (symbols, proxies, cycles).
 *
 * @param value any value from a caller
 * @returns a short, printable description
 *
 * @example
 * ```ts
 * import { describeValue } from "./errors.ts";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(describeValue("a"), '"a"');
 * assert.equal(describeValue(1.5), "1.5");
 * assert.equal(describeValue(Symbol("s")), "Symbol(s)");
 * ```
 *
 * @category errors
 */
export function describeValue(value: unknown): string {
  try {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
    if (typeof value === "symbol" || typeof value === "bigint") return String(value);
    if (Array.isArray(value)) {
      const inner = value.slice(0, 8).map(describeValue).join(", ");
      return `[${inner}${value.length > 8 ? ", …" : ""}]`;
    }
    if (value !== null && typeof value === "object") {
      const tag = (value as { _tag?: unknown })._tag;
      if (typeof tag === "string") return `<${tag}>`;
      return `object with keys ${JSON.stringify(Object.keys(value).slice(0, 6))}`;
    }
    return String(value);
  } catch {
    return "<unprintable value>";
  }
}
