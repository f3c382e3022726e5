/**
 * Custom getters (TF1 F1–F7): functions that stand between `getVariable`
 * and the store. Each gets the next getter and the arguments, and may call
 * it any number of times with changed arguments.
 *
 * @module
 */
import type { Constraint } from "../constraints/constraint.ts";
import type { Initializer } from "../initializers/initializer.ts";
import type { Partitioner } from "../partitioners/partitioner.ts";
import type { Regularizer } from "../regularizers/regularizer.ts";
import type { DType } from "./dtype.ts";
import type { Program } from "./program.ts";
import type { ScopeReuse } from "./reuse.ts";
import type { Shape } from "./shape.ts";
import type { Aggregation, CachingDevice, Synchronization, VariableLike } from "./variable.ts";
import { splitName } from "./name_map.ts";
import { GETTER_ARG_KEYS } from "./_arg_schema.ts";

/**
 * The arguments a getter receives (TF1 F1), with scope defaults already
 * applied. `name` is the FULL name.
 *
 * @category scopes
 */
export interface GetterArgs {
  /** Full variable name, e.g. "scope/v". */
  readonly name: string;
  /** Requested shape; undefined for unknown rank. */
  readonly shape: Shape | undefined;
  /** Requested dtype (scope default applied). */
  readonly dtype: DType;
  /** Initializer, or null for the default. */
  readonly initializer: Initializer | null;
  /** Regularizer, or null. */
  readonly regularizer: Regularizer | null;
  /** The effective reuse (C11). */
  readonly reuse: ScopeReuse;
  /** Whether the variable is trainable. */
  readonly trainable: boolean;
  /** Collections to add a new variable to, or null for the default. */
  readonly collections: readonly string[] | null;
  /** Caching device, or null. */
  readonly cachingDevice: CachingDevice | null;
  /** Partitioner, or null. */
  readonly partitioner: Partitioner | null;
  /** TF1 validate_shape. */
  readonly validateShape: boolean;
  /** TF1 use_resource (no effect). */
  readonly useResource: boolean | null;
  /** Constraint, or null (always passed; JS cannot inspect parameter names). */
  readonly constraint: Constraint | null;
  /** Synchronization. */
  readonly synchronization: Synchronization;
  /** Aggregation. */
  readonly aggregation: Aggregation;
}

/**
 * A getter: from arguments to a program that gets or creates a variable.
 *
 * @category scopes
 */
export type Getter = (args: GetterArgs) => Program<VariableLike>;

/**
 * A custom getter (TF1 F1): receives the next getter and the arguments; its
 * result is what `getVariable` returns.
 *
 * @category scopes
 */
export type CustomGetter = (next: Getter, args: GetterArgs) => Program<VariableLike>;

/**
 * Composes a scope's new getter with the one it inherits (TF1 F3): the new
 * (inner) getter runs first and its `next` calls the old one.
 *
 * @param inner the getter given to the new scope
 * @param outer the inherited getter, or null
 * @returns the composed getter
 *
 * @example
 * ```ts
 * import { composeCustomGetters, type CustomGetter } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const rename = (suffix: string): CustomGetter => (next, args) => next({ ...args, name: args.name + suffix });
 * const composed = composeCustomGetters(rename("/inner"), rename("/outer"));
 * let seen = "";
 * composed((args) => { seen = args.name; return null as never; }, { name: "v" } as never);
 * assert.equal(seen, "v/inner/outer");
 * ```
 *
 * @category scopes
 */
export function composeCustomGetters(
  inner: CustomGetter,
  outer: CustomGetter | null,
): CustomGetter {
  if (outer === null) return inner;
  return (next, args) => inner((a) => outer(next, a), args);
}

// Args objects built here are already checked; anything else (a custom
// getter's edit, even a spread copy) is checked again before it reaches the
// store. An instance check is far cheaper than a WeakSet on the hot path.
/** @internal */
export class CheckedArgs implements GetterArgs {
  readonly name: string;
  readonly shape: Shape | undefined;
  readonly dtype: DType;
  readonly initializer: GetterArgs["initializer"];
  readonly regularizer: GetterArgs["regularizer"];
  readonly reuse: GetterArgs["reuse"];
  readonly trainable: boolean;
  readonly collections: readonly string[] | null;
  readonly cachingDevice: CachingDevice | null;
  readonly partitioner: Partitioner | null;
  readonly validateShape: boolean;
  readonly useResource: boolean | null;
  readonly constraint: GetterArgs["constraint"];
  readonly synchronization: Synchronization;
  readonly aggregation: Aggregation;
  readonly #prefix: string | undefined;
  readonly #leaf: string | undefined;
  // The checked values, out of reach of user code: a custom getter that edits
  // its arguments in place (`args.name = …`, TF1's `kwargs["name"] = …`) is
  // detected by comparing, and the edited arguments are checked again.
  readonly #checked: GetterArgs;
  constructor(a: GetterArgs, parts?: readonly [string, string]) {
    this.#checked = a;
    this.#prefix = parts?.[0];
    this.#leaf = parts?.[1];
    this.name = a.name;
    this.shape = a.shape;
    this.dtype = a.dtype;
    this.initializer = a.initializer;
    this.regularizer = a.regularizer;
    this.reuse = a.reuse;
    this.trainable = a.trainable;
    this.collections = a.collections;
    this.cachingDevice = a.cachingDevice;
    this.partitioner = a.partitioner;
    this.validateShape = a.validateShape;
    this.useResource = a.useResource;
    this.constraint = a.constraint;
    this.synchronization = a.synchronization;
    this.aggregation = a.aggregation;
  }

  /**
   * Whether every field still holds the value that was checked (no custom
   * getter edited these arguments in place).
   */
  unedited(): boolean {
    const c = this.#checked as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of GETTER_ARG_KEYS) if (self[key] !== c[key]) return false;
    return true;
  }

  /** The name split as the store keys it (prefix, leaf), known or computed. */
  nameParts(): readonly [string, string] {
    return this.#prefix === undefined || this.#leaf === undefined
      ? splitName(this.name)
      : [this.#prefix, this.#leaf];
  }
}
