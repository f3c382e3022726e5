/**
 * The TF1 base layer (`tf.compat.v1.layers.Layer`, spec N1–N8, N12) as an
 * immutable object whose calls are programs.
 *
 * A TF1 layer object mutates itself: it captures its variable scope on the
 * first call and keeps its weights as attributes. A varscope {@linkcode Layer}
 * never changes; what it would have mutated lives in the store, under a
 * collection key of its own (see {@linkcode layerStateKey}): its object
 * name, its captured scope, whether it is built and the weights its build
 * made. So the same object, called twice in one run or in two runs on one
 * store, reuses its variables exactly as TF1's does, and the layer's
 * variables can be listed from a store after a run.
 *
 * A subclass gives two programs:
 * - `build(inputs, options)` makes the weights with {@linkcode Layer.addWeight}
 *   and yields them in any shape (`{ kernel, bias }`); it runs on the first
 *   call only, inside the layer's scope;
 * - `call(inputs, weights, options)` computes the output from the weights
 *   (read them with `readVariable`); it runs on every call, in the layer's
 *   scope and its original name scope (N7).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { checkOptionKeys } from "../core/_options.ts";
import {
  addsLoss,
  normalizeRegularizer,
  type Regularizer,
  type RegularizerFunction,
} from "../regularizers/regularizer.ts";
import { regularizationLossValue } from "../interpreter/regularization_loss.ts";
import { addRegularizationLoss } from "../interpreter/pass_losses.ts";
import { ProgramBase } from "../core/_program_base.ts";
import type { DType } from "../core/dtype.ts";
import type { Either } from "../core/either.ts";
import { describeValue, ScopeError, scopeError } from "../core/errors.ts";
import { getVariable, type GetVariableOptions } from "../core/get_variable.ts";
import { nameScope } from "../core/name_scope.ts";
import { type Env, makeProgram, type Program, type RunState, type Step } from "../core/program.ts";
import { isReuseOn, parseReuse, type ReuseArgument, type ScopeReuse } from "../core/reuse.ts";
import { isVariableScope, type VariableScope } from "../core/scope.ts";
import { getVariableScope } from "../core/scope_setters.ts";
import { addToCollections, type Store } from "../core/store.ts";
import { RecordedProgram } from "../core/_recorded.ts";
import { sameGuardElement } from "../core/_same_guard_element.ts";
import { throwInvalid } from "../core/_guard.ts";
import type { VariableLike } from "../core/variable.ts";
import { variableScope } from "../core/variable_scope.ts";
import { kerasStyleNow, ownedCallRunner } from "../objects/_keras_style_flag.ts";

/**
 * Constructor options every layer takes (TF1 `Layer.__init__` keyword
 * arguments, camelCased).
 *
 * @category layers
 */
export interface LayerOptions {
  /**
   * The layer's name (TF1 `name`). A string is the base of its scope name,
   * made unique among the scopes of the caller's variable scope on the first
   * call (N2): "my_dense", "my_dense_1". A captured `VariableScope` is used
   * as the layer's scope itself (N6). Default: the snake_case class name.
   */
  readonly name?: string | VariableScope | null;
  /** Whether the layer's weights are trainable (default true, N8). */
  readonly trainable?: boolean;
  /** dtype of the weights; default the scope's (float32 at the root). */
  readonly dtype?: DType | null;
  /**
   * TF1 `_reuse`: true makes the first call enter the scope `name` (not made
   * unique) with reuse, so that it finds existing variables (N3).
   */
  readonly reuse?: ReuseArgument;
  /**
   * TF1 `_scope`: the scope to use exactly, a name (opened under the
   * caller's scope, not made unique) or a captured scope. The functional
   * forms (`dense(x, …, { name })`) pass their `name` here (N2, N5, N6).
   */
  readonly scope?: string | VariableScope | null;
  /**
   * TF1 `activity_regularizer`: a regularizer of the layer's outputs. Each
   * call adds, per output tensor, its loss divided by the batch size (the
   * output's first dimension) to the pass's regularization losses
   * (`addRegularizationLoss`), as TF1 adds it to `REGULARIZATION_LOSSES`.
   */
  readonly activityRegularizer?: Regularizer | RegularizerFunction | null;
}

/**
 * Options of one call that every layer takes.
 *
 * @category layers
 */
export interface CallOptions {
  /**
   * TF1 `layer(x, scope=…)`: on the first call of a layer without a scope,
   * the scope to open instead of a default-name one (used by RNN cells).
   */
  readonly scope?: string | VariableScope | null;
}

/**
 * What the store keeps of a layer object between calls.
 *
 * @category layers
 */
export interface LayerState<W> {
  /** Discriminant. */
  readonly _tag: "LayerState";
  /** TF1 `layer.name`: the given name, or the class name made unique per store (N1). */
  readonly objectName: string;
  /** The captured variable scope (TF1 `layer._scope`, N2–N4). */
  readonly scope: VariableScope;
  /** Whether a first call has built the weights. */
  readonly built: boolean;
  /** What `build` yielded (the weights), once built. */
  readonly weights: W | null;
}

/**
 * Options of {@linkcode Layer.addWeight}: TF1 `add_weight`'s arguments.
 *
 * @category layers
 */
export type AddWeightOptions = Pick<
  GetVariableOptions,
  | "shape"
  | "dtype"
  | "initializer"
  | "regularizer"
  | "trainable"
  | "constraint"
  | "partitioner"
  | "useResource"
  | "synchronization"
  | "aggregation"
>;

/** The option keys of {@linkcode LayerOptions}: every layer takes them. */
export const BASE_LAYER_KEYS: readonly string[] = Object.freeze([
  "name",
  "trainable",
  "dtype",
  "reuse",
  "scope",
  "activityRegularizer",
]);

const LAYER_OPTION_KEYS: ReadonlySet<string> = new Set(BASE_LAYER_KEYS);

const STATE_PREFIX = "varscope.layers/";
const NAMES_PREFIX = "varscope.layer_names/";

// Layer objects are told apart by identity; the number only names the
// collection that holds an object's state in a store.
let nextLayerId = 0;

/**
 * TF1/Keras `to_snake_case`: the default base name of a layer class
 * ("Dense" → "dense", "Conv2DTranspose" → "conv2d_transpose",
 * "BatchNormalization" → "batch_normalization"; a leading "_" becomes
 * "private_").
 *
 * @param name a class name
 * @returns the snake_case name
 * @throws ScopeError `InvalidArgument` when `name` is not a string
 *
 * @example
 * ```ts
 * import { toSnakeCase } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(toSnakeCase("MaxPooling2D"), "max_pooling2d");
 * assert.equal(toSnakeCase("PrivateLayer"), "private_layer");
 * ```
 *
 * @category layers
 */
export function toSnakeCase(name: string): string {
  if (typeof name !== "string") throwInvalid("name", "expected a class name string", name);
  const intermediate = name.replace(/(.)([A-Z][a-z0-9]+)/g, "$1_$2");
  const insecure = intermediate.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  return insecure.startsWith("_") ? `private${insecure}` : insecure;
}

// TF1 P4: keras-style layers refuse scopes (the functional forms pass
// `name` as the scope) and any reuse, even false.
function checkKerasStyle(
  name: string | VariableScope | null,
  scope: string | VariableScope | null,
  reuse: unknown,
): void {
  const given = scope ?? (isVariableScope(name) ? name : null);
  if (given !== null) throw kerasStyleError("scope", given);
  if (reuse !== undefined && reuse !== null) throw kerasStyleError("reuse", reuse);
}

function kerasStyleError(what: "scope" | "reuse", value: unknown): ScopeError {
  const seen = isVariableScope(value)
    ? value.name
    : typeof value === "string"
    ? value
    : describeValue(value);
  return scopeError(
    "KerasStyle",
    `${what} argument not allowed when keras style layers are enabled, but saw: ${seen}`,
    { argument: what, value },
  );
}

function optionError(what: string, why: string, value: unknown): ScopeError {
  return scopeError(
    "InvalidArgument",
    `Invalid ${what}: ${why}, got ${describeValue(value)}`,
    { argument: what, value },
  );
}

function parseScopeLike(value: unknown, what: string): string | VariableScope | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") {
    if (value === "") throw optionError(what, "expected a non-empty name", value);
    return value;
  }
  if (isVariableScope(value)) return value;
  throw optionError(what, "expected a string or a VariableScope", value);
}

// Set in Layer's static block: the program classes below run a layer's
// protected build and call.
let runBuild: <I, O, W, C extends object>(
  layer: Layer<I, O, W, C>,
  inputs: I,
  options: C,
) => Program<W>;
let runCall: <I, O, W, C extends object>(
  layer: Layer<I, O, W, C>,
  inputs: I,
  weights: W,
  options: C,
) => Program<O>;

/**
 * The TF1 base layer. Subclass it with a `build` that makes weights and a
 * `call` that uses them; {@linkcode Layer.apply} is the program of one call.
 *
 * Objects are immutable (concrete classes freeze themselves); what TF1
 * keeps on the object (scope, built flag, weights) is kept in the store.
 * Type parameters: inputs `I`, output `O`, the weights `W` that `build`
 * yields, and the layer's own call options `C`.
 *
 * @example A custom layer with one weight
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { onesInitializer, type Program, runScopedOrThrow, scoped, variableScope } from "varscope";
 * import { readVariable, transform, useBackend } from "varscope/tfjs";
 * import { Layer, type LayerOptions } from "varscope/layers";
 * import type { VariableLike } from "varscope";
 * import * as assert from "node:assert/strict";
 *
 * class Scale extends Layer<tf.Tensor, tf.Tensor, VariableLike> {
 *   constructor(options: LayerOptions = {}) {
 *     super("scale", options);
 *     if (new.target === Scale) Object.freeze(this);
 *   }
 *   protected build(x: tf.Tensor): Program<VariableLike> {
 *     return this.addWeight("k", { shape: [x.shape[x.rank - 1]!], initializer: onesInitializer() });
 *   }
 *   protected call(x: tf.Tensor, k: VariableLike): Program<tf.Tensor> {
 *     return scoped(function* () {
 *       return tf.mul(x, yield* readVariable(k));
 *     });
 *   }
 * }
 *
 * await useBackend({ backend: "cpu" });
 * const layer = new Scale();
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   const y = yield* layer.apply(x);
 *   return yield* layer.apply(y); // the second call reuses "scale/k"
 * }));
 * const x = tf.ones([2, 3]);
 * const { params } = model.init(x);
 * assert.deepEqual(params.names, ["scale/k"]);
 * assert.deepEqual(layer.variables(params.store).map((v) => v.name), ["scale/k:0"]);
 * ```
 *
 * @category layers
 */
export abstract class Layer<I, O, W = unknown, C extends object = Record<never, never>> {
  static {
    runBuild = (layer, inputs, options) => layer.build(inputs, options);
    runCall = (layer, inputs, weights, options) => layer.call(inputs, weights, options);
  }

  /** TF1 `_base_name`: the default-name scope's base (N2). */
  readonly baseName: string;
  /** The snake_case class name, the base of default object names (N1). */
  readonly className: string;
  /** The name given as a string, or null. */
  readonly name: string | null;
  /** Whether the layer's weights are trainable. */
  readonly trainable: boolean;
  /** dtype of the weights, or null for the scope's. */
  readonly dtype: DType | null;
  /** TF1 `_reuse`: true, AUTO_REUSE or null (inherit). */
  readonly reuse: ScopeReuse | null;
  /** TF1 `_scope`: the exact scope to use, or null. */
  readonly scope: string | VariableScope | null;
  /** The collection key of this object's state in a store. */
  readonly stateKey: string;
  /**
   * Whether the layer was constructed in keras style (TF1 P1–P4,
   * `kerasStyleScope` in `varscope/objects`): it owns its variables and
   * its calls never touch the run's store.
   */
  readonly kerasStyle: boolean;
  /** TF1 `activity_regularizer`, or null. */
  readonly activityRegularizer: Regularizer | null;

  /**
   * Checks and keeps the TF1 constructor options.
   *
   * @param className the snake_case class name (`toSnakeCase` of the class)
   * @param options the TF1 constructor options
   * @param optionKeys the option keys accepted (default `this.optionKeys()`)
   * @throws ScopeError `InvalidArgument` for options TF1 would refuse
   */
  constructor(className: string, options: LayerOptions = {}, optionKeys?: ReadonlySet<string>) {
    let o: LayerOptions;
    let name: string | VariableScope | null;
    let reuse: ScopeReuse | null;
    let scope: string | VariableScope | null;
    try {
      const keys = checkOptionKeys(options, optionKeys ?? this.optionKeys(), className);
      if (E.isLeft(keys)) throw keys.left;
      o = keys.right as LayerOptions;
      if (typeof className !== "string" || className === "") {
        throw optionError("className", "expected a non-empty string", className);
      }
      name = parseScopeLike(o.name, "name");
      const r = parseReuse(o.reuse);
      if (E.isLeft(r)) throw r.left;
      reuse = r.right;
      scope = parseScopeLike(o.scope, "scope");
      this.kerasStyle = kerasStyleNow();
      if (this.kerasStyle) checkKerasStyle(name, scope, o.reuse);
      const trainable = o.trainable ?? true;
      if (typeof trainable !== "boolean") {
        throw optionError("trainable", "expected a boolean", trainable);
      }
      const dtype = o.dtype ?? null;
      if (dtype !== null && typeof dtype !== "string") {
        throw optionError("dtype", "expected a dtype name", dtype);
      }
      this.trainable = trainable;
      this.dtype = dtype;
      const activity = normalizeRegularizer(o.activityRegularizer, "activityRegularizer");
      if (E.isLeft(activity)) throw activity.left;
      this.activityRegularizer = activity.right !== null && addsLoss(activity.right)
        ? activity.right
        : null;
    } catch (e) {
      throw asLayerError(e);
    }
    this.className = className;
    this.name = typeof name === "string" ? name : null;
    // TF1 _init_set_name: a scope object as name gives its name as the base.
    this.baseName = name === null ? className : typeof name === "string" ? name : name.name;
    this.reuse = reuse;
    this.scope = scope ?? (isVariableScope(name) ? name : null);
    this.stateKey = `${STATE_PREFIX}${nextLayerId++}`;
  }

  /**
   * The option keys the constructor accepts; subclasses add theirs.
   *
   * @returns the keys
   */
  protected optionKeys(): ReadonlySet<string> {
    return LAYER_OPTION_KEYS;
  }

  /**
   * Makes the layer's weights on its first call (TF1 `build`), inside its
   * scope. Yields them in whatever shape `call` wants.
   *
   * @param inputs the first call's inputs
   * @param options the first call's options
   * @returns the program yielding the weights
   */
  protected abstract build(inputs: I, options: C): Program<W>;

  /**
   * The layer's computation (TF1 `call`), on every call, inside its scope
   * and its original name scope.
   *
   * @param inputs the inputs
   * @param weights what `build` yielded
   * @param options the call's options
   * @returns the program yielding the output
   */
  protected abstract call(inputs: I, weights: W, options: C): Program<O>;

  /**
   * TF1 `add_weight` / `add_variable`: `getVariable` in the layer's scope,
   * trainable only if the layer is (N8), recorded as one of the layer's
   * variables. A regularizer adds its loss only when the variable is
   * created (N12); the scope's custom getter runs once per weight (N8).
   * Call it from `build`.
   *
   * @param name the weight's name ("kernel")
   * @param options TF1 `add_weight`'s arguments
   * @returns the program yielding the variable
   */
  protected addWeight(name: string, options: AddWeightOptions = {}): Program<VariableLike> {
    return new AddWeightProgram(this.stateKey, name, {
      ...options,
      dtype: options.dtype ?? this.dtype ?? null,
      trainable: (options.trainable ?? true) && this.trainable,
    });
  }

  /**
   * TF1 `add_variable`, the older name of {@linkcode Layer.addWeight}.
   *
   * @param name the weight's name
   * @param options TF1 `add_weight`'s arguments
   * @returns the program yielding the variable
   */
  protected addVariable(name: string, options: AddWeightOptions = {}): Program<VariableLike> {
    return this.addWeight(name, options);
  }

  /**
   * The program of one call (TF1 `layer(inputs)` / `layer.apply(inputs)`).
   * The first call in a store fixes the layer's scope (N2–N3) and builds
   * its weights; later calls re-enter that scope with reuse (N4).
   *
   * @param inputs the inputs
   * @param options the call's options
   * @returns the program yielding the output
   */
  apply(inputs: I, options?: C & CallOptions): Program<O> {
    return new LayerCallProgram(this, inputs, (options ?? {}) as C & CallOptions, false);
  }

  /**
   * The layer's state in a store, or null before its first call there.
   *
   * @param store a store after a run that called the layer
   * @returns the state or null
   */
  state(store: Store): LayerState<W> | null {
    return lastState<W>(store, this.stateKey);
  }

  /**
   * TF1 `layer.scope_name`: the captured scope's name, or null before the
   * first call.
   *
   * @param store the store
   * @returns the name or null
   */
  scopeName(store: Store): string | null {
    return this.state(store)?.scope.name ?? null;
  }

  /**
   * TF1 `layer.name` (N1): the given name, or the class name made unique
   * among the store's layers ("dense", "dense_1") on the first call; null
   * before it.
   *
   * @param store the store
   * @returns the name or null
   */
  objectName(store: Store): string | null {
    return this.state(store)?.objectName ?? null;
  }

  /**
   * TF1 `layer.variables` / `layer.weights`: what `addWeight` returned,
   * trainable first, in creation order.
   *
   * @param store the store
   * @returns the variables
   */
  variables(store: Store): readonly VariableLike[] {
    const all = store.collections.get(`${this.stateKey}/weights`) as VariableLike[];
    return [...all.filter((v) => v.trainable), ...all.filter((v) => !v.trainable)];
  }

  /**
   * TF1 `layer.trainable_variables`.
   *
   * @param store the store
   * @returns the trainable variables
   */
  trainableVariables(store: Store): readonly VariableLike[] {
    return this.variables(store).filter((v) => v.trainable);
  }

  /**
   * TF1 `layer.non_trainable_variables`.
   *
   * @param store the store
   * @returns the variables that are not trainable
   */
  nonTrainableVariables(store: Store): readonly VariableLike[] {
    return this.variables(store).filter((v) => !v.trainable);
  }
}

/**
 * The collection key under which a layer keeps its state in a store.
 *
 * @param layer the layer
 * @returns the key
 * @throws ScopeError `InvalidArgument` when `layer` is not a {@linkcode Layer}
 *
 * @example
 * ```ts
 * import { Dense, layerStateKey } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * assert.match(layerStateKey(new Dense(2)), /^varscope\.layers\//);
 * ```
 *
 * @category layers
 */
export function layerStateKey(layer: Layer<unknown, unknown, unknown, object>): string {
  let isLayer = false;
  try {
    isLayer = layer instanceof Layer;
  } catch {
    // A proxy whose getPrototypeOf trap throws is not a layer.
  }
  if (!isLayer) throwInvalid("layer", "expected a Layer", layer);
  return layer.stateKey;
}

function lastState<W>(store: Store, key: string): LayerState<W> | null {
  const n = store.collections.count(key);
  if (n === 0) return null;
  const items = store.collections.get(key);
  return items[n - 1] as LayerState<W>;
}

function pushState(state: RunState, key: string, item: unknown): RunState {
  return { ...state, store: addToCollections(state.store, [key], item) };
}

/** TF1 `_set_scope` plus the object name: what the first call in a store fixes. */
function ensureState<W>(
  layer: Layer<unknown, unknown, W, object>,
  scopeArg: string | VariableScope | null,
  env: Env,
  state: RunState,
): Either<ScopeError, Step<LayerState<W>>> {
  const existing = lastState<W>(state.store, layer.stateKey);
  if (existing !== null) return E.right({ value: existing, state });
  let objectName = layer.name;
  let s = state;
  if (objectName === null) {
    // N1: Keras' per-graph object-name counter, here per store.
    const key = NAMES_PREFIX + layer.className;
    const n = s.store.collections.count(key);
    objectName = n === 0 ? layer.className : `${layer.className}_${n}`;
    s = pushState(s, key, objectName);
  }
  let capture: Program<VariableScope>;
  if (layer.scope !== null) {
    // TF1 captures `variable_scope(_scope)` in the constructor; varscope has
    // no run there, so it does on the first call (N2, N6).
    capture = variableScope(layer.scope, getVariableScope());
  } else if (isReuseOn(layer.reuse)) {
    capture = variableScope(scopeArg ?? layer.baseName, getVariableScope()); // N3
  } else {
    capture = variableScope(scopeArg, { defaultName: layer.baseName }, getVariableScope()); // N2
  }
  const r = capture.run(env, s);
  if (E.isLeft(r)) return r;
  const value: LayerState<W> = Object.freeze({
    _tag: "LayerState",
    objectName,
    scope: r.right.value,
    built: false,
    weights: null,
  });
  return E.right({ value, state: pushState(r.right.state, layer.stateKey, value) });
}

/**
 * The program of one call of a layer object that nobody else holds, made
 * for this call alone (TF1's functional forms: `tf.layers.dense(x, …)`
 * builds a `Dense` and calls it once). Unlike {@linkcode Layer.apply}, its
 * compiled replay does not depend on the object's identity, so a model
 * function that makes such a layer on every pass still compiles.
 *
 * @param layer a layer made for this call only
 * @param inputs the inputs
 * @param options the call's options
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { callFreshLayer, Dense } from "varscope/layers";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => callFreshLayer(new Dense(2, { scope: "out" }), x));
 * const { params } = model.init(tf.ones([1, 3]));
 * assert.deepEqual(params.names, ["out/kernel", "out/bias"]);
 * ```
 *
 * @category layers
 */
export function callFreshLayer<I, O, W, C extends object>(
  layer: Layer<I, O, W, C>,
  inputs: I,
  options?: C & CallOptions,
): Program<O> {
  return new LayerCallProgram(layer, inputs, (options ?? {}) as C & CallOptions, true);
}

/**
 * TF1's functional forms (`tf.layers.dense(x, …)`): makes a layer and calls
 * it once, as {@linkcode callFreshLayer}; a constructor that throws (bad
 * options) makes the program fail with its typed error instead.
 *
 * @param make makes the layer (called when the program runs)
 * @param inputs the inputs
 * @param options the call's options
 * @returns the program yielding the output
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { runScoped } from "varscope";
 * import { useBackend } from "varscope/tfjs";
 * import { Dense, functionalLayer } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const r = runScoped(functionalLayer(() => new Dense(-1), tf.ones([1, 1])));
 * assert.equal(r._tag === "Left" && r.left.tag, "InvalidArgument");
 * ```
 *
 * @category layers
 */
export function functionalLayer<I, O, W, C extends object>(
  make: () => Layer<I, O, W, C>,
  inputs: I,
  options?: C & CallOptions,
): Program<O> {
  return new FunctionalProgram(make, inputs, options);
}

class FunctionalProgram<I, O, W, C extends object> extends ProgramBase<O> {
  constructor(
    readonly make: () => Layer<I, O, W, C>,
    readonly inputs: I,
    readonly options: (C & CallOptions) | undefined,
  ) {
    super();
  }
  run(env: Env, state: RunState): Either<ScopeError, Step<O>> {
    let layer: Layer<I, O, W, C>;
    try {
      layer = this.make();
    } catch (e) {
      return E.left(asLayerError(e));
    }
    return callFreshLayer(layer, this.inputs, this.options).run(env, state);
  }
}

/**
 * A thrown value as a typed error: ScopeErrors pass through, anything else
 * (a throwing getter in the options) becomes `InvalidArgument` with the
 * original as `cause`.
 *
 * @internal
 */
export function asLayerError(e: unknown): ScopeError {
  if (e instanceof ScopeError) return e;
  const error = scopeError(
    "InvalidArgument",
    `Invalid layer arguments: reading them threw ${
      e instanceof Error ? e.message : describeValue(e)
    }`,
    { cause: e },
  );
  (error as { cause?: unknown }).cause = e;
  return error;
}

const FRESH_KEY = "varscope.layers.fresh";

class LayerCallProgram<I, O, W, C extends object> extends ProgramBase<O> {
  constructor(
    readonly layer: Layer<I, O, W, C>,
    readonly inputs: I,
    readonly options: C & CallOptions,
    readonly fresh: boolean,
    readonly owned: boolean = false,
  ) {
    super();
  }

  run(env: Env, state: RunState): Either<ScopeError, Step<O>> {
    const layer = this.layer as Layer<I, O, W, C>;
    if (!(layer instanceof Layer)) {
      return E.left(optionError("layer", "expected a Layer", layer));
    }
    const options = this.options;
    if (typeof options !== "object" || options === null) {
      return E.left(optionError("call options", "expected an object", options));
    }
    let scopeArg: string | VariableScope | null;
    try {
      scopeArg = parseScopeLike((options as CallOptions).scope, "scope");
    } catch (e) {
      return E.left(asLayerError(e));
    }
    if (layer.kerasStyle && !this.owned) {
      // TF1 P2–P4: the call runs against the layer's own variables.
      if (scopeArg !== null) return E.left(kerasStyleError("scope", scopeArg));
      const runner = ownedCallRunner();
      if (runner !== null) {
        const body = new LayerCallProgram(layer, this.inputs, options, this.fresh, true);
        return runner(layer, body, env, state);
      }
    }
    // A fresh object's state is always "first call": its replay is keyed on
    // what decides the scope, not on the object (made anew on every pass).
    const got = new LayerStateStep(
      layer as Layer<unknown, unknown, W, object>,
      scopeArg,
      this.fresh,
    )
      .run(env, state);
    if (E.isLeft(got)) return got;
    const ls = got.right.value;
    const body: Program<O> = ls.built
      ? runCall(layer, this.inputs, ls.weights as W, options)
      : new BuildAndCallProgram(layer, this.inputs, options, ls);
    // TF1 __call__: the captured scope, no new name scope; ops go to the
    // scope's original name scope (N7). Built layers always reuse (N4).
    const called = variableScope(
      ls.scope,
      { reuse: ls.built ? true : layer.reuse, auxiliaryNameScope: false },
      nameScope(ls.scope.originalNameScope, body),
    ).run(env, got.right.state);
    const activity = layer.activityRegularizer;
    if (activity === null || E.isLeft(called)) return called;
    return activityLosses(activity, called.right.value, ls.scope.originalNameScope).run(
      env,
      called.right.state,
    );
  }
}

/**
 * TF1 `_handle_activity_regularization`: for each output tensor, the
 * regularizer's loss divided by the batch size, added to the pass's
 * regularization losses under "<name scope>ActivityRegularizer". Yields the
 * outputs.
 */
function activityLosses<O>(regularizer: Regularizer, outputs: O, nameScope: string): Program<O> {
  return makeProgram((env, state) => {
    const name = `${nameScope}ActivityRegularizer`;
    let s = state;
    for (const t of outputTensors(outputs)) {
      let loss: tf.Scalar;
      try {
        loss = tf.tidy(() => {
          const l = regularizationLossValue(regularizer, t, name) ?? tf.scalar(0);
          return (t.rank === 0 ? l : tf.div(l, t.shape[0]!)) as tf.Scalar;
        });
      } catch (e) {
        return E.left(asLayerError(e));
      }
      const added = addRegularizationLoss(loss, name).run(env, s);
      loss.dispose();
      if (E.isLeft(added)) return added;
      s = added.right.state;
    }
    return E.right({ value: outputs, state: s });
  });
}

/** The tensors of a layer's outputs, in order (TF1 `nest.flatten`). */
function outputTensors(outputs: unknown, depth = 0): tf.Tensor[] {
  if (outputs instanceof tf.Tensor) return [outputs];
  if (depth > 8 || typeof outputs !== "object" || outputs === null) return [];
  const items = Array.isArray(outputs) ? outputs : Object.values(outputs);
  return items.flatMap((x) => outputTensors(x, depth + 1));
}

/** TF1 `_set_scope` as a recorded step: its decision is the layer's state. */
class LayerStateStep<W> extends RecordedProgram<LayerState<W>, LayerState<W>> {
  readonly key: unknown;
  readonly #guard: readonly unknown[] | undefined;
  constructor(
    readonly layer: Layer<unknown, unknown, W, object>,
    readonly scopeArg: string | VariableScope | null,
    fresh: boolean,
  ) {
    super();
    this.key = fresh ? FRESH_KEY : layer;
    this.#guard = fresh
      ? [layer.className, layer.baseName, layer.scope, layer.reuse, scopeArg]
      : undefined;
  }
  override guard(): unknown {
    return this.#guard;
  }
  override matches(recorded: unknown): boolean {
    const g = this.#guard;
    if (g === undefined || recorded === undefined) return recorded === g;
    const r = recorded as readonly unknown[];
    for (let i = 0; i < g.length; i++) if (!sameGuardElement(r[i], g[i])) return false;
    return true;
  }
  decide(env: Env, state: RunState): Either<ScopeError, Step<LayerState<W>>> {
    return ensureState(this.layer, this.scopeArg, env, state);
  }
}

/**
 * TF1's first `__call__`: `build` (the weights, and the layer's state in the
 * store) is the recorded decision; `call` runs on every pass. A replay hands
 * back the recorded weights and state, so nothing here asks whether it is
 * replaying. Weights are variable descriptors, the same in every pass.
 */
class BuildAndCallProgram<I, O, W, C extends object> extends RecordedProgram<W, O> {
  readonly key: unknown = BUILD_KEY;
  constructor(
    readonly layer: Layer<I, O, W, C>,
    readonly inputs: I,
    readonly options: C,
    readonly before: LayerState<W>,
  ) {
    super();
  }

  decide(env: Env, state: RunState): Either<ScopeError, Step<W>> {
    const { layer, inputs, options } = this;
    const built = runBuild(layer, inputs, options).run(env, state);
    if (E.isLeft(built)) return built;
    const weights = built.right.value;
    const value: LayerState<W> = Object.freeze({ ...this.before, built: true, weights });
    return E.right({ value: weights, state: pushState(built.right.state, layer.stateKey, value) });
  }

  override resume(
    weights: W,
    env: Env,
    _before: RunState,
    after: RunState,
  ): Either<ScopeError, Step<O>> {
    return runCall(this.layer, this.inputs, weights, this.options).run(env, after);
  }
}

// A build is recorded right after its layer's state step, by position.
const BUILD_KEY: unique symbol = Symbol("varscope.layerBuild");

class AddWeightProgram extends ProgramBase<VariableLike> {
  readonly #get: Program<VariableLike>;
  constructor(readonly key: string, name: string, options: GetVariableOptions) {
    super();
    this.#get = getVariable(name, options);
  }

  run(env: Env, state: RunState): Either<ScopeError, Step<VariableLike>> {
    const r = this.#get.run(env, state);
    if (E.isLeft(r)) return r;
    const v = r.right.value;
    return E.right({ value: v, state: pushState(r.right.state, `${this.key}/weights`, v) });
  }
}

/** @internal For subclasses' option checks: a typed `InvalidArgument`. */
export function layerOptionError(what: string, why: string, value: unknown): ScopeError {
  return optionError(what, why, value);
}
