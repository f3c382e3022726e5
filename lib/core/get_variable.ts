/**
 * `getVariable` and `getLocalVariable` (TF1 `tf.compat.v1.get_variable`,
 * `get_local_variable`): resolve scope defaults (E5), run the custom getter
 * chain (F1–F7) and the store-level getter.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "./either.ts";
import type { Constraint, ConstraintFunction } from "../constraints/constraint.ts";
import type { InitializerLike } from "../initializers/value.ts";
import type { Partitioner } from "../partitioners/partitioner.ts";
import type { Regularizer, RegularizerFunction } from "../regularizers/regularizer.ts";
import { checkOptionKeys, invalidArgument } from "./_options.ts";
import {
  checkGetterArgs,
  GET_VARIABLE_OPTION_KEYS,
  type OptionKey,
  parseDefaults,
  parseOption,
  type SameKeys,
} from "./_arg_schema.ts";
import { GraphKeys } from "./collections.ts";
import { readRecord } from "./_guard.ts";
import { CheckedArgs, type CustomGetter, type GetterArgs } from "./custom_getter.ts";
import type { DType } from "./dtype.ts";
import { describeValue, type ScopeError, scopeError } from "./errors.ts";
import { joinName, validateRelativeName } from "./name.ts";
import { splitName } from "./name_map.ts";
import { type Env, fail, isProgram, type Program, type RunState, type Step } from "./program.ts";
import { RecordedProgram } from "./_recorded.ts";
import { matchesShapeDType, shapeDTypeGuard } from "./_same_guard_element.ts";
import type { Shape } from "./shape.ts";
import { reusedVariable, runTrueGetter } from "./true_getter.ts";
import {
  type Aggregation,
  type CachingDevice,
  isPartitionedVariable,
  isVariable,
  type Synchronization,
  type VariableLike,
} from "./variable.ts";

/**
 * Options of {@linkcode getVariable}, TF1's arguments camelCased. `null` or
 * omitted means "use the scope's default" (E5).
 *
 * @category variables
 */
export interface GetVariableOptions {
  /** Shape; omit for unknown rank (then the initializer must supply it). */
  readonly shape?: Shape | null;
  /** dtype; defaults to the scope's (float32 at the root). */
  readonly dtype?: DType | null;
  /** Initializer descriptor, constructor, function or constant value. */
  readonly initializer?: InitializerLike | null;
  /** Regularizer; adds a loss on creation (H7). */
  readonly regularizer?: Regularizer | RegularizerFunction | null;
  /** Trainable; default true unless synchronization is "on_read" (E10). */
  readonly trainable?: boolean | null;
  /** Collections for a new variable; default ["variables"] (H2). */
  readonly collections?: readonly string[] | null;
  /** Caching device (recorded only, decision 5). */
  readonly cachingDevice?: CachingDevice | null;
  /** Partitioner; a non-scalar variable becomes partitioned (G1). */
  readonly partitioner?: Partitioner | null;
  /** TF1 validate_shape (default true). */
  readonly validateShape?: boolean;
  /** TF1 use_resource (accepted, no effect; decision 5). */
  readonly useResource?: boolean | null;
  /** Replaces the scope's custom getter for this call (F5). */
  readonly customGetter?: CustomGetter | null;
  /** Constraint applied after optimizer updates. */
  readonly constraint?: Constraint | ConstraintFunction | null;
  /** Distribution synchronization (default "auto"). */
  readonly synchronization?: Synchronization;
  /** Distribution aggregation (default "none"). */
  readonly aggregation?: Aggregation;
}

// The option keys come from the one argument schema (`_arg_schema.ts`);
// this checks that the documented options name the same fields.
const _optionsMatchSchema: SameKeys<GetVariableOptions, OptionKey | "customGetter"> = true;
const OPTION_KEYS = GET_VARIABLE_OPTION_KEYS;

/**
 * Checks getter arguments that a custom getter may have changed.
 *
 * @internal
 */
export function normalizeGetterArgs(raw: unknown): Either<ScopeError, GetterArgs> {
  // Arguments built by getVariable and left as they were need no second
  // check; edited ones (in place, or a spread copy) are checked like the
  // originals, so an edit is honoured and can never bypass a check.
  if (raw instanceof CheckedArgs && raw.unedited()) return E.right(raw);
  if (typeof raw !== "object" || raw === null) {
    return invalidArgument("getter arguments", "expected an object", raw);
  }
  const read = readRecord(raw, "getter arguments", null);
  if (!read.ok) return E.left(read.error);
  const checked = checkGetterArgs(read.record);
  return E.isLeft(checked) ? checked : E.right(new CheckedArgs(checked.right));
}

/**
 * The innermost getter: gets or creates the variable named `args.name` in
 * the store, as TF1's `_true_getter`. It is the `next` that custom getters
 * receive, and it checks whatever arguments they pass.
 *
 * @param args the getter arguments (`name` is the full name)
 * @returns the program
 *
 * @example
 * ```ts
 * import { type CustomGetter, getVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const renamed: CustomGetter = (next, args) => next({ ...args, name: `${args.name}/0` });
 * const { value } = runScopedOrThrow(
 *   variableScope("scope", { customGetter: renamed }, getVariable("v", { shape: [1] })),
 * );
 * assert.equal(value.name, "scope/v/0:0");
 * ```
 *
 * @category variables
 */
export function trueGetter(args: GetterArgs): Program<VariableLike> {
  return new TrueGetterProgram(args);
}

/** The program `trueGetter` returns: recorded, so a replay skips the store. */
class TrueGetterProgram extends RecordedProgram<VariableLike, VariableLike> {
  constructor(readonly args: GetterArgs) {
    super();
  }
  get key(): unknown {
    return (this.args as { name?: unknown } | null)?.name;
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<VariableLike>> {
    const checked = normalizeGetterArgs(this.args);
    return E.isLeft(checked) ? checked : runTrueGetter(checked.right, state, env.run.creation);
  }
}

/**
 * TF1 `tf.compat.v1.get_variable`: gets the variable `<scope>/<name>` or
 * creates it, following the current scope's reuse mode (C4), defaults (E5)
 * and custom getter (F1). A reused variable is the identical value the
 * store holds.
 *
 * @param name the variable's name relative to the current variable scope
 * @param options shape, dtype, initializer and the other TF1 arguments
 * @returns the program yielding the variable (or partitioned variable)
 *
 * @example Names come from variable scopes only
 * ```ts
 * import { getVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const p = variableScope("foo", variableScope("bar", getVariable("v", { shape: [1] })));
 * assert.equal(runScopedOrThrow(p).value.name, "foo/bar/v:0");
 * ```
 *
 * @example Sharing needs reuse
 * ```ts
 * import { getVariable, runScoped, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value: [v, v1] } = runScopedOrThrow(scoped(function* () {
 *   const v = yield* variableScope("foo", getVariable("v", { shape: [1] }));
 *   const v1 = yield* variableScope("foo", { reuse: true }, getVariable("v", { shape: [1] }));
 *   return [v, v1];
 * }));
 * assert.equal(v1, v);
 * const twice = variableScope("foo", scoped(function* () {
 *   yield* getVariable("v", { shape: [1] });
 *   yield* getVariable("v", { shape: [1] });
 * }));
 * const r = runScoped(twice);
 * assert.equal(r._tag === "Left" && r.left.tag, "VariableExists");
 * ```
 *
 * @category variables
 */
export function getVariable(name: string, options: GetVariableOptions = {}): Program<VariableLike> {
  return new GetVariableProgram(name, options);
}

/** The program `getVariable` returns; its fields cache what does not change between runs. */
class GetVariableProgram extends RecordedProgram<VariableLike, VariableLike> {
  // Everything that does not depend on the scope is checked once, on the
  // first run, so running the program again only merges scope defaults, and
  // building it (once per call of a model function) costs one object; a
  // replay never prepares at all.
  #prepared: Either<ScopeError, PreparedOptions> | undefined = undefined;
  // At the root the name starts the full name, so TF1's stricter first
  // character applies there (A17); the answer depends on the name only.
  #atRoot: Either<ScopeError, unknown> | undefined = undefined;
  // The full name of the last scope this program ran in: a program usually
  // runs in the same scope again, and reusing the string skips building and
  // hashing it (a cache; it changes no result).
  #lastScopeName: string | undefined = undefined;
  #lastFullName = "";
  #lastParts: readonly [string, string] = NO_PARTS;

  constructor(readonly name: string, readonly options: GetVariableOptions) {
    super();
  }

  get key(): unknown {
    return this.name;
  }

  // Shape and dtype can change what a call resolves to.
  override guard(): unknown {
    return shapeDTypeGuard(this.options);
  }

  override matches(recorded: unknown): boolean {
    return matchesShapeDType(recorded, this.options);
  }

  decide(env: Env, state: RunState): Either<ScopeError, Step<VariableLike>> {
    const name = this.name;
    const prepared = this.#prepared ??= prepareOptions(name, this.options);
    if (E.isLeft(prepared)) return prepared;
    const o = prepared.right;
    const rootCheck = this.#atRoot ??= validateRelativeName("variable name", name, true);
    const scope = state.current ?? env.scope;
    if (scope.name !== this.#lastScopeName) {
      this.#lastScopeName = scope.name;
      this.#lastFullName = joinName(scope.name, name);
      // Without a "/" in the name the parts are strings that already exist
      // (and whose hashes are cached): the scope's name and the name.
      this.#lastParts = name.includes("/") ? splitName(this.#lastFullName) : [scope.name, name];
    }
    const fullName = this.#lastFullName;
    const lastParts = this.#lastParts;
    if (scope.name === "" && E.isLeft(rootCheck)) return rootCheck;
    if (o.valueDType !== null) {
      // TF1 D7: an explicit dtype must match a constant value's own dtype.
      return E.left(
        scopeError(
          "InvalidInitializer",
          `Cannot get variable "${fullName}": initializer type ${o.valueDType} and explicit dtype ${o.dtype} don't match`,
          { name: fullName, initializerDType: o.valueDType, dtype: o.dtype },
        ),
      );
    }
    const customGetter = o.customGetter ?? scope.customGetter;
    const initializer = o.initializer ?? scope.initializer;
    const dtype = o.dtype ?? scope.dtype;
    if (
      customGetter === null && o.partitioner === null && scope.partitioner === null &&
      !(o.shape !== undefined && initializer !== null && initializer._tag === "Value")
    ) {
      const found = reusedVariable(state.store, lastParts, o.shape, dtype, scope.reuse);
      if (found !== undefined) return E.right({ value: found, state });
    }
    const args = new CheckedArgs({
      name: fullName,
      shape: o.shape,
      dtype,
      initializer,
      regularizer: o.regularizer ?? scope.regularizer,
      reuse: scope.reuse,
      trainable: o.trainable,
      collections: o.collections,
      cachingDevice: o.cachingDevice ?? scope.cachingDevice,
      partitioner: o.partitioner ?? scope.partitioner,
      validateShape: o.validateShape,
      useResource: o.useResource ?? scope.useResource,
      constraint: o.constraint ?? scope.constraint,
      synchronization: o.synchronization,
      aggregation: o.aggregation,
    }, lastParts);
    if (customGetter === null) return runTrueGetter(args, state, env.run.creation);
    if (typeof customGetter !== "function") {
      return E.left(
        scopeError(
          "NotCallable",
          `Cannot get variable "${fullName}": the custom getter is not a function, got ${
            describeValue(customGetter)
          }`,
          { name: fullName, value: customGetter },
        ),
      );
    }
    const program = customGetter(trueGetter, args);
    if (!isProgram(program)) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Cannot get variable "${fullName}": the custom getter must return a Program, got ${
            describeValue(program)
          }`,
          { name: fullName },
        ),
      );
    }
    const r = program.run(env, state);
    if (E.isLeft(r) || isVariable(r.right.value) || isPartitionedVariable(r.right.value)) return r;
    return E.left(
      scopeError(
        "InvalidArgument",
        `Cannot get variable "${fullName}": the custom getter's program must yield a variable, got ${
          describeValue(r.right.value)
        }`,
        { name: fullName, argument: "customGetter", value: r.right.value },
      ),
    );
  }
}

const NO_PARTS: readonly [string, string] = ["", ""];

/** getVariable's options with everything scope-independent checked and resolved. */
interface PreparedOptions {
  readonly shape: Shape | undefined;
  readonly dtype: DType | null;
  /** The constant initializer's dtype when it clashes with `dtype` (TF1 D7), else null. */
  readonly valueDType: DType | null;
  readonly initializer: GetterArgs["initializer"];
  readonly regularizer: GetterArgs["regularizer"];
  readonly constraint: GetterArgs["constraint"];
  readonly trainable: boolean;
  readonly useResource: boolean | null;
  readonly validateShape: boolean;
  readonly collections: readonly string[] | null;
  readonly cachingDevice: CachingDevice | null;
  readonly partitioner: Partitioner | null;
  readonly customGetter: CustomGetter | null;
  readonly synchronization: Synchronization;
  readonly aggregation: Aggregation;
}

function prepareOptions(name: unknown, options: unknown): Either<ScopeError, PreparedOptions> {
  const opts = checkOptionKeys(options, OPTION_KEYS, "getVariable");
  if (E.isLeft(opts)) return opts;
  const o = opts.right;
  const rel = validateRelativeName("variable name", name, false);
  if (E.isLeft(rel)) return rel;
  const shape = parseOption("shape", o.shape);
  if (E.isLeft(shape)) return shape;
  const defaults = parseDefaults(o);
  if (E.isLeft(defaults)) return defaults;
  const d = defaults.right;
  const trainable = parseOption("trainable", o.trainable);
  if (E.isLeft(trainable)) return trainable;
  const validateShape = parseOption("validateShape", o.validateShape);
  if (E.isLeft(validateShape)) return validateShape;
  const cols = parseOption("collections", o.collections);
  if (E.isLeft(cols)) return cols;
  const synchronization = parseOption("synchronization", o.synchronization);
  if (E.isLeft(synchronization)) return synchronization;
  const aggregation = parseOption("aggregation", o.aggregation);
  if (E.isLeft(aggregation)) return aggregation;
  const value = d.initializer !== null && d.initializer._tag === "Value" ? d.initializer : null;
  return E.right({
    shape: shape.right,
    dtype: d.dtype,
    valueDType:
      d.dtype !== null && value !== null && value.dtype !== null && value.dtype !== d.dtype
        ? value.dtype
        : null,
    initializer: d.initializer,
    regularizer: d.regularizer,
    constraint: d.constraint,
    // TF1 E10: trainable defaults to true unless synchronization is ON_READ.
    trainable: trainable.right ?? synchronization.right !== "on_read",
    useResource: d.useResource,
    validateShape: validateShape.right ?? true,
    collections: cols.right,
    cachingDevice: d.cachingDevice,
    partitioner: d.partitioner,
    customGetter: (o.customGetter ?? null) as CustomGetter | null,
    synchronization: synchronization.right,
    aggregation: aggregation.right,
  });
}

/**
 * TF1 `get_local_variable` (H3): like {@linkcode getVariable}, but never
 * trainable and in `local_variables` (plus any collections given) instead
 * of `variables`.
 *
 * @param name the variable's name relative to the current scope
 * @param options as for getVariable; `trainable` is forced to false
 * @returns the program yielding the variable
 *
 * @example
 * ```ts
 * import { getLocalVariable, runScopedOrThrow, variableScope } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * const { value } = runScopedOrThrow(variableScope("outer", getLocalVariable("w", { shape: [1] })));
 * assert.equal(value.name, "outer/w:0");
 * assert.equal(value.trainable, false);
 * assert.deepEqual(value._tag === "Variable" && value.collections, ["local_variables"]);
 * ```
 *
 * @category variables
 */
export function getLocalVariable(
  name: string,
  options: GetVariableOptions = {},
): Program<VariableLike> {
  // Read through the same guard as getVariable's options (own properties;
  // a throwing getter or proxy is a typed error when the program runs).
  const read = readRecord(options, "getLocalVariable", null);
  if (!read.ok) return fail(read.error);
  const given = read.record.collections;
  const collections = given === undefined || given === null
    ? [GraphKeys.LOCAL_VARIABLES]
    : Array.isArray(given)
    ? [...given, GraphKeys.LOCAL_VARIABLES]
    : given; // not an array: getVariable reports it
  return getVariable(name, { ...read.record, trainable: false, collections } as GetVariableOptions);
}
