/**
 * Reading what a caller passed: a getter, a proxy trap or an iterator that
 * throws while this entry point inspects its arguments becomes a typed
 * `InvalidArgument` error naming the argument, with the thrown value as
 * `cause`, instead of escaping raw.
 *
 * @module
 */
import { describeValue } from "../core/errors.ts";
import { CheckpointError } from "./checkpoint_error.ts";

/** @internal `e` as text, even when its own `toString` throws. */
export function errorText(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : describeValue(e);
  } catch {
    return "<unprintable error>";
  }
}

/** @internal An `InvalidArgument` error about argument `what`. */
export function invalidArgument(what: string, why: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    "InvalidArgument",
    `Invalid ${what}: ${why}`,
    cause === undefined ? {} : { cause },
  );
}

/**
 * @internal Runs `read`, which reads argument `what`; a CheckpointError
 * passes through, anything else it throws becomes `InvalidArgument`.
 */
export function readArgument<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw invalidArgument(what, `reading it threw ${errorText(e)}`, e);
  }
}

/** @internal Checks that argument `what` is a string (non-empty unless `allowEmpty`). */
export function checkString(x: unknown, what: string, allowEmpty = false): string {
  if (typeof x !== "string" || (!allowEmpty && x.length === 0)) {
    throw invalidArgument(
      what,
      `expected a ${allowEmpty ? "" : "non-empty "}string, got ${describeValue(x)}`,
    );
  }
  return x;
}

/** @internal Checks that argument `what` is an object (not null, not a function). */
export function checkObject(x: unknown, what: string): object {
  if (typeof x !== "object" || x === null) {
    throw invalidArgument(what, `expected an object, got ${describeValue(x)}`);
  }
  return x;
}

/**
 * @internal Argument `what` as an iterable whose iterator is taken now:
 * a value without `[Symbol.iterator]`, or one whose lookup throws, is an
 * `InvalidArgument`. The values are still consumed lazily, and an error
 * the caller's own iterator throws while producing them propagates as is.
 */
export function checkIterable<T>(x: unknown, what: string): Iterable<T> {
  const iterator = readArgument(what, () => {
    if (typeof x !== "object" || x === null) return undefined;
    const f = (x as { [Symbol.iterator]?: unknown })[Symbol.iterator];
    return typeof f === "function" ? (f.call(x) as Iterator<T>) : undefined;
  });
  if (typeof iterator !== "object" || iterator === null) {
    throw invalidArgument(what, `expected an iterable, got ${describeValue(x)}`);
  }
  let taken = false;
  return {
    [Symbol.iterator](): Iterator<T> {
      if (taken) throw invalidArgument(what, "iterated twice");
      taken = true;
      return iterator;
    },
  };
}

/**
 * @internal The own and inherited properties `keys` of options argument
 * `what` (undefined for `undefined`), read once.
 */
export function readOptions<K extends string>(
  x: unknown,
  keys: readonly K[],
  what: string,
): Partial<Record<K, unknown>> {
  if (x === undefined) return {};
  const o = checkObject(x, what) as Record<string, unknown>;
  return readArgument(what, () => {
    const out: Partial<Record<K, unknown>> = {};
    for (const k of keys) out[k] = o[k];
    return out;
  });
}
