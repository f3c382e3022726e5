/**
 * The one guarded way to read records and arguments from untyped callers:
 * own properties only (a polluted `Object.prototype` is never read), and a
 * getter or proxy trap that throws becomes a typed `InvalidArgument` error
 * with the original as `cause`.
 *
 * @module
 */
import { describeValue, type ScopeError, scopeError } from "./errors.ts";

/** What a read of an untyped record gives: the snapshot, or the typed error. */
export type Read =
  | { readonly ok: true; readonly record: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly error: ScopeError };

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

/**
 * Snapshots an options record: null/undefined is empty, anything but a plain
 * object is an error; with `known`, an own key outside it is an error. The
 * snapshot has no prototype, so an absent option reads as undefined even
 * when `Object.prototype` was polluted.
 */
export function readRecord(
  options: unknown,
  what: string,
  known: ReadonlySet<string> | null,
  argument = `${what} options`,
): Read {
  if (options === undefined || options === null) return { ok: true, record: EMPTY };
  try {
    if (typeof options !== "object" || Array.isArray(options)) {
      return {
        ok: false,
        error: scopeError(
          "InvalidArgument",
          `Invalid ${argument}: expected an object, got ${describeValue(options)}`,
          { argument, value: options },
        ),
      };
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(options)) {
      if (known !== null && !known.has(key)) {
        return {
          ok: false,
          error: scopeError(
            "InvalidArgument",
            `Invalid ${what} option "${key}": unknown option; known options are ${
              [...known].join(", ")
            }`,
            { argument: key },
          ),
        };
      }
      out[key] = (options as Record<string, unknown>)[key];
    }
    return { ok: true, record: out };
  } catch (cause) {
    return { ok: false, error: readFailed(argument, cause) };
  }
}

/**
 * {@linkcode readRecord} for functions that return a value directly (the
 * descriptor factories): throws the typed error. Unknown keys are ignored.
 */
export function ownOptions(options: unknown, what: string): Readonly<Record<string, unknown>> {
  const read = readRecord(options, what, null);
  if (!read.ok) throw read.error;
  return read.record;
}

/** The error for a record whose reading threw (a getter or proxy trap). */
export function readFailed(argument: string, cause: unknown): ScopeError {
  let why: string;
  try {
    why = cause instanceof Error ? cause.message : describeValue(cause);
  } catch {
    why = "<unprintable>";
  }
  return scopeError(
    "InvalidArgument",
    `Invalid ${argument}: reading it threw (a getter or proxy trap): ${why}`,
    { argument, cause },
  );
}

/**
 * Throws a typed `InvalidArgument` error naming the argument (for exported
 * functions that return values rather than `Either`s).
 */
export function throwInvalid(argument: string, why: string, value: unknown): never {
  const name = label(argument, "argument");
  throw scopeError("InvalidArgument", `Invalid ${name}: ${why}, got ${describeValue(value)}`, {
    argument: name,
    value,
  });
}

/**
 * A label (an argument name, a "what") from an untyped caller as a string
 * safe to put in a message: a non-string becomes `fallback`.
 */
export function label(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

/** A function's name for labels, or `fallback` (never throws). */
export function functionName(fn: unknown, fallback: string): string {
  try {
    const name = typeof fn === "function" ? fn.name : "";
    return typeof name === "string" && name !== "" ? name : fallback;
  } catch {
    return fallback;
  }
}

/**
 * A descriptor from an untyped caller as the library keeps it: the value
 * itself when already frozen (factory-made), else a frozen plain copy of its
 * own properties, so validating it and keeping it see the same fields.
 */
export function frozenDescriptor(raw: object, what: string): Read {
  try {
    if (Object.isFrozen(raw)) return { ok: true, record: raw as Record<string, unknown> };
  } catch (cause) {
    return { ok: false, error: readFailed(what, cause) };
  }
  const read = readRecord(raw, what, null, what);
  return read.ok ? { ok: true, record: Object.freeze({ ...read.record }) } : read;
}
