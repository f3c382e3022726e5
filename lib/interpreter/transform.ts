/**
 * The tensor interpreter's entry point: `transform` turns a function that
 * returns a scoped program into an `init` / `apply` pair, like Haiku's
 * `transform`.
 *
 * `init` runs the program once with variable creation allowed and returns
 * the materialised parameters and the (frozen) store. `apply` runs it
 * against a frozen store, so a variable that `init` did not create is a
 * `StoreFrozen` error. The first `apply` for an input signature (tensor
 * dtypes and shapes, plain values) runs the program in full and records
 * every scope decision; later applies with that signature replay the
 * recording: no names are built, no store is searched, and only the tensor
 * code runs (see `lib/core/trace.ts`). If a replay finds the program on
 * another path it falls back to a full run, so results are always those
 * of the full run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { describeValue, ScopeError, scopeError } from "../core/errors.ts";
import { isProgram, type Program } from "../core/program.ts";
import { type RunResult, runTraced } from "../core/run.ts";
import { applyStore, emptyStore, freezeStore, type Store } from "../core/store.ts";
import { newTrace, type Trace } from "../core/trace.ts";
import type { Variable } from "../core/variable.ts";
import { checkOptionKeys } from "../core/_options.ts";
import { requireBackend } from "./require_backend.ts";
import { initialTensor } from "./initial_tensor.ts";
import { inputSignature } from "./input_signature.ts";
import { checkParams, Params, paramsLayout } from "./params.ts";
import type { TensorContext } from "./tensor_context.ts";

/**
 * Options of {@linkcode transform}.
 *
 * @category interpreter
 */
export interface TransformOptions {
  /**
   * Replay recorded scope decisions on later applies (default true). False
   * runs every apply in full: slower, for comparison and debugging.
   */
  readonly compile?: boolean;
}

/**
 * Options of `init`.
 *
 * @category interpreter
 */
export interface InitOptions {
  /**
   * The global seed (a safe integer, default 0). Initial values are a pure
   * function of (seed, full variable name, shape, initializer).
   */
  readonly seed?: number;
}

/**
 * What `init` returns.
 *
 * @category interpreter
 */
export interface Initialized {
  /** The materialised parameters; the caller owns them. */
  readonly params: Params;
  /** The store after the run, frozen (also `params.store`). */
  readonly store: Store;
}

/**
 * A program function made runnable on tensors.
 *
 * @category interpreter
 */
export interface Transformed<I, O> {
  /**
   * Runs the program with creation allowed; returns fresh parameters for
   * every variable it made (its output is discarded).
   */
  readonly init: (input: I, options?: InitOptions) => Initialized;
  /**
   * Runs the program on `params` (whose store is frozen) and returns its
   * output, which the caller owns; intermediate tensors are freed.
   */
  readonly apply: (params: Params, input: I) => O;
  /** The program function. */
  readonly fn: (input: I) => Program<O>;
  /** Whether applies are compiled. */
  readonly compile: boolean;
}

/** A recorded run that later runs with the same signature replay. */
interface Compiled {
  readonly trace: Trace;
  busy: boolean;
}

/** Compiled runs of one transformed function, per store and signature. */
interface CompileCache {
  readonly byStore: WeakMap<Store, Map<string, Compiled>>;
  /** The last hit: a training loop or a serving loop asks for it again. */
  lastStore: Store | null;
  lastSignature: string;
  last: Compiled | null;
}

/** Recordings kept per store of one transformed function. */
const MAX_SIGNATURES = 64;

const caches = new WeakMap<Transformed<unknown, unknown>, CompileCache>();

/**
 * Makes `init` and `apply` from a function returning a scoped program of
 * tensors.
 *
 * @param fn from the input to the program (called on every init and apply)
 * @param options `compile` (default true)
 * @returns the transformed function
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped, variableScope, zerosInitializer } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const dense = (x: tf.Tensor2D, units: number) =>
 *   variableScope("dense", scoped(function* () {
 *     const w = yield* variable("kernel", { shape: [x.shape[1], units] });
 *     const b = yield* variable("bias", { shape: [units], initializer: zerosInitializer() });
 *     return tf.add(tf.matMul(x, w), b);
 *   }));
 * const model = transform((x: tf.Tensor2D) => dense(x, 3));
 * const x = tf.ones([2, 4]) as tf.Tensor2D;
 * const { params } = model.init(x, { seed: 1 });
 * assert.deepEqual(params.names, ["dense/kernel", "dense/bias"]);
 * const y = model.apply(params, x);
 * assert.deepEqual(y.shape, [2, 3]);
 * tf.dispose([x, y]);
 * params.dispose();
 * ```
 *
 * @category interpreter
 */
export function transform<I, O>(
  fn: (input: I) => Program<O>,
  options: TransformOptions = {},
): Transformed<I, O> {
  if (typeof fn !== "function") {
    throw scopeError(
      "InvalidArgument",
      `Invalid transform: expected a function returning a Program, got ${describeValue(fn)}`,
      { argument: "fn" },
    );
  }
  const keys = checkOptionKeys(options, new Set(["compile"]), "transform");
  if (E.isLeft(keys)) throw keys.left;
  const compile = options?.compile ?? true;
  if (typeof compile !== "boolean") {
    throw scopeError(
      "InvalidArgument",
      `Invalid compile: expected a boolean, got ${describeValue(compile)}`,
      {
        argument: "compile",
      },
    );
  }
  const model: Transformed<I, O> = Object.freeze({
    fn,
    compile,
    init: (input: I, initOptions?: InitOptions) => initModel(fn, input, initOptions),
    apply: (params: Params, input: I) => applyModel(model, params, input),
  });
  caches.set(model as Transformed<unknown, unknown>, {
    byStore: new WeakMap(),
    lastStore: null,
    lastSignature: "",
    last: null,
  });
  return model;
}

function parseSeed(options: unknown): number {
  const keys = checkOptionKeys(options, new Set(["seed"]), "init");
  if (E.isLeft(keys)) throw keys.left;
  const seed = (options as InitOptions | undefined)?.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw scopeError(
      "InvalidArgument",
      `Invalid seed ${describeValue(seed)}: expected a safe integer`,
      {
        argument: "seed",
      },
    );
  }
  return seed;
}

function initModel<I, O>(
  fn: (input: I) => Program<O>,
  input: I,
  options: InitOptions | undefined,
): Initialized {
  const seed = parseSeed(options);
  requireBackend();
  const made: tf.Tensor[] = [];
  const slots = new Map<string, number>();
  const ctx: TensorContext = {
    _tag: "TensorContext",
    slotOf: (v: Variable) => {
      let slot = slots.get(v.fullName);
      if (slot === undefined) {
        try {
          made.push(tf.keep(initialTensor(v, { seed })));
        } catch (e) {
          return asScopeError(e);
        }
        slot = made.length - 1;
        slots.set(v.fullName, slot);
      }
      return slot;
    },
    tensor: (slot) => made[slot]!,
  };
  try {
    let initialized: Initialized | undefined;
    // Parameter tensors are kept; the forward pass's tensors are freed.
    tf.tidy(() => {
      const r = runOnce(fn, input, emptyStore(), null, ctx);
      if (E.isLeft(r)) throw r.left;
      const store = freezeStore(r.right.store);
      const tensors = paramsLayout(store).variables.map((v) => {
        const slot = slots.get(v.fullName);
        if (slot !== undefined) return made[slot]!;
        made.push(tf.keep(initialTensor(v, { seed })));
        return made[made.length - 1]!;
      });
      initialized = { params: new Params(store, tensors), store };
    });
    return initialized!;
  } catch (e) {
    tf.dispose(made);
    throw asScopeError(e);
  }
}

// Contexts are made once per params value: an apply allocates none.
const applyContexts = new WeakMap<Params, TensorContext>();

function applyContext(params: Params): TensorContext {
  let ctx = applyContexts.get(params);
  if (ctx === undefined) {
    const index = paramsLayout(params.store).index;
    ctx = {
      _tag: "TensorContext",
      slotOf: (v: Variable) =>
        index.get(v.fullName) ??
          scopeError("InvalidParams", `No parameter for variable "${v.fullName}"`, {
            name: v.fullName,
          }),
      tensor: (slot) => params.at(slot),
    };
    applyContexts.set(params, ctx);
  }
  return ctx;
}

function applyModel<I, O>(model: Transformed<I, O>, params: Params, input: I): O {
  const bad = checkParams(params);
  if (bad !== null) throw bad;
  requireBackend();
  const ctx = applyContext(params);
  return tf.tidy(() =>
    ownOutput(runModel(model, params.store, input, ctx), params) as tf.TensorContainer
  ) as O;
}

/**
 * Runs a transformed program against a store with a tensor context,
 * replaying a recording when one fits. Throws typed errors; the caller
 * tidies. For the interpreter's own runners (apply, training steps).
 *
 * @param model the transformed function
 * @param params the store that init made (an apply store is made from it)
 * @param input the input
 * @param ctx how variables read as tensors
 * @returns the program's output
 */
export function runModel<I, O>(
  model: Transformed<I, O>,
  params: Store,
  input: I,
  ctx: TensorContext,
): O {
  const store = runStore(params);
  if (!model.compile) return unwrap(runOnce(model.fn, input, store, null, ctx));
  const signature = inputSignature(input);
  if (signature === null) return unwrap(runOnce(model.fn, input, store, null, ctx));
  const cache = caches.get(model as Transformed<unknown, unknown>)!;
  const compiled = cache.lastStore === params && cache.lastSignature === signature
    ? cache.last!
    : cache.byStore.get(params)?.get(signature);
  if (compiled !== undefined && !compiled.busy) {
    compiled.busy = true;
    try {
      const trace = compiled.trace;
      trace.cursor = 0;
      const r = runOnce(model.fn, input, store, trace, ctx);
      // Anything but a complete replay (a divergence, an error) falls back to
      // a full run, whose result is the reference.
      if (E.isRight(r) && trace.cursor === trace.keys.length) {
        cache.lastStore = params;
        cache.lastSignature = signature;
        cache.last = compiled;
        return r.right.value;
      }
    } finally {
      compiled.busy = false;
    }
  }
  const trace = newTrace();
  const r = runOnce(model.fn, input, store, trace, ctx);
  const value = unwrap(r);
  if (trace.compilable && compiled?.busy !== true) {
    trace.mode = "replay";
    let byStore = cache.byStore.get(params);
    if (byStore === undefined) {
      byStore = new Map();
      cache.byStore.set(params, byStore);
    }
    const entry: Compiled = { trace, busy: false };
    // Plain numbers in inputs make signatures; a loop over many of them must
    // not grow the cache without bound: the oldest recording goes.
    if (byStore.size >= MAX_SIGNATURES) byStore.delete(byStore.keys().next().value!);
    byStore.set(signature, entry);
    cache.lastStore = params;
    cache.lastSignature = signature;
    cache.last = entry;
  }
  return value;
}

// One apply store per params store: runs then share their start state.
const runStores = new WeakMap<Store, Store>();

function runStore(params: Store): Store {
  let store = runStores.get(params);
  if (store === undefined) {
    store = applyStore(params);
    runStores.set(params, store);
  }
  return store;
}

function unwrap<A>(r: Either<ScopeError, RunResult<A>>): A {
  if (E.isLeft(r)) throw r.left;
  return r.right.value;
}

function runOnce<I, O>(
  fn: (input: I) => Program<O>,
  input: I,
  store: Store,
  trace: Trace | null,
  ctx: TensorContext,
): Either<ScopeError, RunResult<O>> {
  try {
    const program = fn(input);
    if (!isProgram(program)) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `The model function must return a Program, got ${describeValue(program)}`,
          { argument: "fn" },
        ),
      );
    }
    return runTraced(program, store, trace, ctx);
  } catch (e) {
    return E.left(asScopeError(e));
  }
}

/**
 * A thrown value as a typed error: ScopeErrors pass through, anything else
 * (a TensorFlow.js shape error in tensor code) becomes `ComputeError`.
 *
 * @param e what was thrown
 * @param context what was running, for the message
 * @returns the typed error
 */
export function asScopeError(
  e: unknown,
  context = "Tensor code in the program threw",
): ScopeError {
  if (e instanceof ScopeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const error = scopeError("ComputeError", `${context}: ${message}`, {
    cause: e,
  });
  (error as { cause?: unknown }).cause = e;
  return error;
}

// The caller owns apply's output; a parameter returned as is gets its own
// handle so that disposing the output leaves the params intact.
function ownOutput(out: unknown, params: Params, depth = 0): unknown {
  if (out instanceof tf.Tensor) {
    return params.holds(out) ? tf.clone(out) : out;
  }
  if (depth > 8 || typeof out !== "object" || out === null) return out;
  if (Array.isArray(out)) return out.map((x) => ownOutput(x, params, depth + 1));
  if (Object.getPrototypeOf(out) !== Object.prototype) return out;
  return Object.fromEntries(
    Object.entries(out).map(([k, x]) => [k, ownOutput(x, params, depth + 1)]),
  );
}
