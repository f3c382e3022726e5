/**
 * The one schema of TF1's `get_variable` argument record: one row per field
 * of {@linkcode GetterArgs}, saying whether `getVariable` takes it as an
 * option, whether `variableScope` takes it as a default that `getVariable`
 * falls back to (E5), and how each form is checked. The option key sets, the
 * scope defaults, the check of a custom getter's (possibly edited)
 * arguments and the edit detection all come from this table; a field added
 * to `GetterArgs` without a row here fails to type-check.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { normalizeConstraint } from "../constraints/constraint.ts";
import { normalizeInitializer } from "../initializers/value.ts";
import { normalizeRegularizer } from "../regularizers/regularizer.ts";
import type { GetterArgs } from "./custom_getter.ts";
import { parseDType } from "./dtype.ts";
import type { Either } from "./either.ts";
import type { ScopeError } from "./errors.ts";
import { validateRelativeName } from "./name.ts";
import { AUTO_REUSE } from "./reuse.ts";
import {
  invalidArgument,
  optionalBoolean,
  optionalCachingDevice,
  optionalCollections,
  optionalShape,
  parseAggregation,
  parseSynchronization,
} from "./_options.ts";

type Check = (value: unknown) => Either<ScopeError, unknown>;

/** How one field of the argument record is taken and checked. */
export interface FieldRule {
  /** Whether `getVariable` takes the field as an option of the same name. */
  readonly isOption: boolean;
  /**
   * Whether `variableScope` takes it as a default that a `getVariable`
   * option of null falls back to (TF1 E5; `constraint` is the scope's own,
   * not inherited from its parent, E3).
   */
  readonly isScopeDefault: boolean;
  /**
   * Checks the option form (`getVariable`'s or `variableScope`'s): null or
   * undefined mean "not given" and give null (or undefined for `shape`).
   */
  readonly parseOption: Check;
  /** Checks the complete form a custom getter passes to `next`. */
  readonly parseArg: Check;
}

const boolean = (argument: string): Check => (v) =>
  typeof v === "boolean" ? E.right(v) : invalidArgument(argument, "expected a boolean", v);
const orNull: Check = (v) => E.right(v ?? null);

/** The schema: one row per field of `GetterArgs`, in TF1's argument order. */
export const GETTER_ARG_SCHEMA = {
  name: {
    isOption: false,
    isScopeDefault: false,
    parseOption: (v) => validateRelativeName("variable name", v, false),
    parseArg: (v) => validateRelativeName("variable name", v, true),
  },
  shape: {
    isOption: true,
    isScopeDefault: false,
    parseOption: optionalShape,
    parseArg: optionalShape,
  },
  dtype: {
    isOption: true,
    isScopeDefault: true,
    parseOption: (v) => v === undefined || v === null ? E.right(null) : parseDType(v, "dtype"),
    // A getter's arguments are complete: the dtype must be there.
    parseArg: (v) => parseDType(v, "dtype"),
  },
  initializer: {
    isOption: true,
    isScopeDefault: true,
    parseOption: (v) => normalizeInitializer(v, "initializer"),
    parseArg: (v) => normalizeInitializer(v, "initializer"),
  },
  regularizer: {
    isOption: true,
    isScopeDefault: true,
    parseOption: (v) => normalizeRegularizer(v, "regularizer"),
    parseArg: (v) => normalizeRegularizer(v, "regularizer"),
  },
  reuse: {
    // variableScope's reuse has its own rule (C2, C3; see `parseReuse`).
    isOption: false,
    isScopeDefault: false,
    parseOption: orNull,
    parseArg: (v) =>
      v === true || v === false || v === AUTO_REUSE
        ? E.right(v)
        : invalidArgument("reuse", "expected true, false or AUTO_REUSE", v),
  },
  trainable: {
    isOption: true,
    isScopeDefault: false,
    parseOption: (v) => optionalBoolean(v, "trainable"),
    parseArg: boolean("trainable"),
  },
  collections: {
    isOption: true,
    isScopeDefault: false,
    parseOption: optionalCollections,
    parseArg: optionalCollections,
  },
  cachingDevice: {
    isOption: true,
    isScopeDefault: true,
    parseOption: optionalCachingDevice,
    parseArg: optionalCachingDevice,
  },
  partitioner: { isOption: true, isScopeDefault: true, parseOption: orNull, parseArg: orNull },
  validateShape: {
    isOption: true,
    isScopeDefault: false,
    parseOption: (v) => optionalBoolean(v, "validateShape"),
    parseArg: boolean("validateShape"),
  },
  useResource: {
    isOption: true,
    isScopeDefault: true,
    parseOption: (v) => optionalBoolean(v, "useResource"),
    // Complete arguments: null is a valid useResource, a missing one is not.
    parseArg: (v) =>
      v === undefined
        ? invalidArgument("useResource", "expected a boolean or null", v)
        : optionalBoolean(v, "useResource"),
  },
  constraint: {
    isOption: true,
    isScopeDefault: true,
    parseOption: (v) => normalizeConstraint(v, "constraint"),
    parseArg: (v) => normalizeConstraint(v, "constraint"),
  },
  synchronization: {
    isOption: true,
    isScopeDefault: false,
    parseOption: (v) => parseSynchronization(v ?? "auto"),
    parseArg: parseSynchronization,
  },
  aggregation: {
    isOption: true,
    isScopeDefault: false,
    parseOption: (v) => parseAggregation(v ?? "none"),
    parseArg: parseAggregation,
  },
} as const satisfies { readonly [K in keyof GetterArgs]-?: FieldRule };

/** The fields, in schema order. */
export const GETTER_ARG_KEYS: readonly (keyof GetterArgs)[] = Object.freeze(
  Object.keys(GETTER_ARG_SCHEMA) as (keyof GetterArgs)[],
);

/** The fields that are scope defaults (E5). */
export type DefaultKey = {
  [K in keyof typeof GETTER_ARG_SCHEMA]: (typeof GETTER_ARG_SCHEMA)[K]["isScopeDefault"] extends
    true ? K
    : never;
}[keyof typeof GETTER_ARG_SCHEMA];

/** The scope-default fields, in schema order. */
export const DEFAULT_KEYS: readonly DefaultKey[] = Object.freeze(
  GETTER_ARG_KEYS.filter((k) => GETTER_ARG_SCHEMA[k].isScopeDefault) as DefaultKey[],
);

/**
 * The option keys of `getVariable` (the schema's options plus
 * `customGetter`, which replaces the scope's getter, F5).
 */
export const GET_VARIABLE_OPTION_KEYS: ReadonlySet<string> = new Set([
  ...GETTER_ARG_KEYS.filter((k) => GETTER_ARG_SCHEMA[k].isOption),
  "customGetter",
]);

/**
 * The option keys of `variableScope`: the schema's scope defaults plus the
 * scope's own (`defaultName`, `reuse`, `customGetter`, `auxiliaryNameScope`).
 */
export const VARIABLE_SCOPE_OPTION_KEYS: ReadonlySet<string> = new Set([
  "defaultName",
  "reuse",
  ...DEFAULT_KEYS,
  "customGetter",
  "auxiliaryNameScope",
]);

/**
 * Checks a custom getter's complete arguments field by field, in schema
 * order; the first failure is returned.
 */
export function checkGetterArgs(
  a: Readonly<Record<string, unknown>>,
): Either<ScopeError, GetterArgs> {
  const out: Record<string, unknown> = {};
  for (const key of GETTER_ARG_KEYS) {
    const r = GETTER_ARG_SCHEMA[key].parseArg(a[key]);
    if (E.isLeft(r)) return r;
    out[key] = r.right;
  }
  return E.right(out as unknown as GetterArgs);
}

/** The defaults a scope passes on and a getVariable call may override (TF1 E2, E5). */
export type Defaults = { readonly [K in DefaultKey]: GetterArgs[K] | null };

/** Checks the scope-default options both `getVariable` and `variableScope` take. */
export function parseDefaults(o: Readonly<Record<string, unknown>>): Either<ScopeError, Defaults> {
  const out: Record<string, unknown> = {};
  for (const key of DEFAULT_KEYS) {
    const r = GETTER_ARG_SCHEMA[key].parseOption(o[key]);
    if (E.isLeft(r)) return r;
    out[key] = r.right;
  }
  return E.right(out as Defaults);
}

/**
 * Checks one `getVariable` option by its schema row (null/undefined: not
 * given).
 */
export function parseOption<K extends keyof GetterArgs>(
  key: K,
  value: unknown,
): Either<ScopeError, ParsedOption<K>> {
  return GETTER_ARG_SCHEMA[key].parseOption(value) as Either<ScopeError, ParsedOption<K>>;
}

/**
 * What an option's check gives: the field's type, or null when not given
 * (`shape`: undefined, unknown rank; synchronization and aggregation have
 * TF1's defaults, "auto" and "none").
 */
export type ParsedOption<K extends keyof GetterArgs> = K extends "shape" ? GetterArgs[K]
  : K extends "synchronization" | "aggregation" ? GetterArgs[K]
  : GetterArgs[K] | null;

/** The `getVariable` options the schema names. */
export type OptionKey = {
  [K in keyof typeof GETTER_ARG_SCHEMA]: (typeof GETTER_ARG_SCHEMA)[K]["isOption"] extends true ? K
    : never;
}[keyof typeof GETTER_ARG_SCHEMA];

/** `true` exactly when the two key sets are the same (compile-time checks). */
export type SameKeys<A, B> = [Exclude<keyof A, B>, Exclude<B, keyof A>] extends [never, never]
  ? true
  : false;
