/**
 * Checks shared by the options of `getVariable` and `variableScope`: input
 * from untyped callers becomes a typed error that names the argument.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { parseShape, type Shape } from "./shape.ts";
import type { Either } from "./either.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { label, readRecord } from "./_guard.ts";
import type { Aggregation, CachingDevice, Synchronization } from "./variable.ts";

/** An `InvalidArgument` error naming the argument and the value. */
export function invalidArgument(
  argument: string,
  why: string,
  value: unknown,
): Either<ScopeError, never> {
  argument = label(argument, "argument");
  return E.left(
    scopeError("InvalidArgument", `Invalid ${argument}: ${why}, got ${describeValue(value)}`, {
      argument,
      value,
    }),
  );
}

/**
 * Checks that an untyped options object holds only known keys and returns
 * a snapshot of its own properties (see `_guard.ts`: a polluted prototype
 * is never read, a throwing getter or proxy is a typed error).
 */
export function checkOptionKeys(
  options: unknown,
  known: ReadonlySet<string>,
  what: string,
): Either<ScopeError, Record<string, unknown>> {
  const read = readRecord(options, what, known);
  return read.ok ? E.right(read.record as Record<string, unknown>) : E.left(read.error);
}

/** A boolean, or null when omitted. */
export function optionalBoolean(
  value: unknown,
  argument: string,
): Either<ScopeError, boolean | null> {
  if (value === undefined || value === null) return E.right(null);
  return typeof value === "boolean"
    ? E.right(value)
    : invalidArgument(argument, "expected a boolean", value);
}

/** A caching device (string or function), or null when omitted. */
export function optionalCachingDevice(value: unknown): Either<ScopeError, CachingDevice | null> {
  if (value === undefined || value === null) return E.right(null);
  return typeof value === "string" || typeof value === "function"
    ? E.right(value as CachingDevice)
    : invalidArgument("cachingDevice", "expected a device string or a function", value);
}

// More collection keys than any real variable has; bounds the check's work.
const MAX_COLLECTION_KEYS = 1 << 16;

/** Collection keys, or null when omitted. */
export function optionalCollections(value: unknown): Either<ScopeError, readonly string[] | null> {
  if (value === undefined || value === null) return E.right(null);
  // A copy, frozen: the caller's array may change later, and getter
  // arguments must not expose a list that edits would reach.
  if (Array.isArray(value) && value.length <= MAX_COLLECTION_KEYS) {
    const keys = value.slice();
    if (keys.every((k) => typeof k === "string")) return E.right(Object.freeze(keys));
  }
  return invalidArgument("collections", "expected an array of collection keys", value);
}

/** A shape, or undefined (unknown rank) when omitted. */
export function optionalShape(value: unknown): Either<ScopeError, Shape | undefined> {
  return value === undefined || value === null ? E.right(undefined) : parseShape(value, "shape");
}

const SYNCHRONIZATIONS: ReadonlySet<unknown> = new Set(["auto", "none", "on_write", "on_read"]);
const AGGREGATIONS: ReadonlySet<unknown> = new Set(["none", "sum", "mean", "only_first_replica"]);

/** A `tf.VariableSynchronization` value. */
export function parseSynchronization(value: unknown): Either<ScopeError, Synchronization> {
  return SYNCHRONIZATIONS.has(value)
    ? E.right(value as Synchronization)
    : invalidArgument("synchronization", "expected auto, none, on_write or on_read", value);
}

/** A `tf.VariableAggregation` value. */
export function parseAggregation(value: unknown): Either<ScopeError, Aggregation> {
  return AGGREGATIONS.has(value)
    ? E.right(value as Aggregation)
    : invalidArgument("aggregation", "expected none, sum, mean or only_first_replica", value);
}
