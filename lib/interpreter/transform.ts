/**
 * The tensor interpreter's entry point: `transform` turns a function that
 * returns a scoped program into `init`, `apply` and `applyWithUpdates`, like
 * Haiku's `transform_with_state`.
 *
 * Every run is one discipline: a {@linkcode Pass} says where variables'
 * tensors are, collects the pass's variable writes and carries its random
 * seed; the run's creation policy says whether `getVariable` may create
 * (init) or may only take what init made (every other run,
 * `CreationRefused` otherwise). The first apply for an input signature
 * (tensor dtypes and shapes, plain values) records every scope decision;
 * later applies with that signature replay the recording (see
 * `lib/core/recording.ts`). A replay that finds the program on another path
 * falls back to a full run, so results are always those of the full run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Either } from "../core/either.ts";
import { describeValue, ScopeError, scopeError } from "../core/errors.ts";
import { isProgram, type Program, type RunContext, type RunState } from "../core/program.ts";
import { runFrom, type RunResult, startState } from "../core/run.ts";
import { emptyStore, type Store } from "../core/store.ts";
import { Recording, ReplayDiverged } from "../core/recording.ts";
import { createVariables, type CreationPolicy, reuseOnly } from "../core/creation_policy.ts";
import type { Variable } from "../core/variable.ts";
import { checkOptionKeys } from "../core/_options.ts";
import { requireBackend } from "./require_backend.ts";
import { initialTensor } from "./initial_tensor.ts";
import { inputSignature } from "./input_signature.ts";
import { checkParams, Params, paramsLayout, shareTensor } from "./params.ts";
import { Pass, passSeed, type SlotSource, writtenValue } from "./_pass.ts";
import { anyResult, type ReplayOrRecord, replayOrRecord } from "./_replay_or_record.ts";

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
 * Options of `apply`, `applyWithUpdates` and a trainer's `step`.
 *
 * @category interpreter
 */
export interface ApplyOptions {
  /**
   * The pass's random seed (a safe integer, default 0), from which
   * `randomSeed()` draws: the same seed gives the same dropout masks.
   */
  readonly seed?: number;
}

/**
 * What `applyWithUpdates` returns.
 *
 * @category interpreter
 */
export interface Updated<O> {
  /** The program's output; the caller owns it. */
  readonly output: O;
  /**
   * The params with the pass's variable writes applied (the given params
   * are unchanged); the caller owns them. Unwritten variables share their
   * buffers with the given params.
   */
  readonly params: Params;
}

/**
 * What `init` returns.
 *
 * @category interpreter
 */
export interface Initialized {
  /** The materialised parameters; the caller owns them. */
  readonly params: Params;
  /** The store after the run (also `params.store`). */
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
   * Runs the program on `params` and returns its output, which the caller
   * owns; intermediate tensors are freed and variable writes dropped. The
   * run may only use the variables init made (`CreationRefused`).
   */
  readonly apply: (params: Params, input: I, options?: ApplyOptions) => O;
  /**
   * Runs the program on `params` like `apply` and also applies the pass's
   * variable writes (`assign`, batch-norm moving averages) to new params:
   * Haiku's `transform_with_state`. The given params never change.
   */
  readonly applyWithUpdates: (params: Params, input: I, options?: ApplyOptions) => Updated<O>;
  /** The program function. */
  readonly fn: (input: I) => Program<O>;
  /** Whether applies are compiled. */
  readonly compile: boolean;
}

/** A recording that later runs with the same signature replay. */
interface Compiled {
  readonly recording: Recording;
  /** The replay's run context with the session's own pass. */
  readonly run: RunContext;
  busy: boolean;
}

/** Recordings kept per params store of one transformed function. */
const MAX_SIGNATURES = 64;

/** What a transformed function keeps per store init made: one per params lineage. */
interface Session {
  readonly creation: CreationPolicy;
  readonly start: RunState;
  readonly index: ReadonlyMap<string, number>;
  readonly recordings: Map<string, Compiled>;
  lastSignature: string;
  last: Compiled | null;
  /** Slot sources per params value: an apply allocates none. */
  readonly sources: WeakMap<Params, SlotSource>;
  /** The pass applies reuse while it is not busy. */
  readonly pass: Pass;
}

/**
 * Makes `init`, `apply` and `applyWithUpdates` from a function returning a
 * scoped program of tensors.
 *
 * @param fn from the input to the program (called on every run)
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
  const compile = (options as TransformOptions | null)?.compile ?? true;
  if (typeof compile !== "boolean") {
    throw scopeError(
      "InvalidArgument",
      `Invalid compile: expected a boolean, got ${describeValue(compile)}`,
      { argument: "compile" },
    );
  }
  return Object.freeze(new TransformedModel(fn, compile));
}

/**
 * The object `transform` returns. Its recordings are its own (private), per
 * store init made and input signature.
 */
export class TransformedModel<I, O> implements Transformed<I, O> {
  readonly #sessions = new WeakMap<Store, Session>();

  constructor(readonly fn: (input: I) => Program<O>, readonly compile: boolean) {
    this.init = this.init.bind(this);
    this.apply = this.apply.bind(this);
    this.applyWithUpdates = this.applyWithUpdates.bind(this);
  }

  init(input: I, options?: InitOptions): Initialized {
    const seed = passSeed(options, "init", 0);
    requireBackend();
    const made: tf.Tensor[] = [];
    const slots = new Map<string, number>();
    const source: SlotSource = {
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
    const pass = new Pass(source, 0);
    try {
      let initialized: Initialized | undefined;
      // Parameter tensors are kept; the pass's own tensors are freed, and
      // its variable writes do not apply (TF1 initializers run alone).
      tf.tidy(() => {
        const run = { creation: createVariables(), recording: null, interpreter: pass };
        const store = unwrap(runOnce(this.fn, input, startState(emptyStore()), run)).store;
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
    } finally {
      pass.disposeWrites();
    }
  }

  apply(params: Params, input: I, options?: ApplyOptions): O {
    return this.#applyPass(params, input, options, false).output;
  }

  applyWithUpdates(params: Params, input: I, options?: ApplyOptions): Updated<O> {
    return this.#applyPass(params, input, options, true);
  }

  #applyPass(params: Params, input: I, options: unknown, update: boolean): Updated<O> {
    const bad = checkParams(params);
    if (bad !== null) throw bad;
    const seed = passSeed(options, "apply", 0);
    requireBackend();
    const session = this.#session(params.store);
    let source = session.sources.get(params);
    if (source === undefined) {
      const index = session.index;
      source = {
        slotOf: (v: Variable) =>
          index.get(v.fullName) ??
            scopeError("InvalidParams", `No parameter for variable "${v.fullName}"`, {
              name: v.fullName,
            }),
        tensor: (slot) => params.at(slot),
      };
      session.sources.set(params, source);
    }
    const pass = session.pass.busy ? new Pass(source, seed) : session.pass;
    pass.start(source, seed);
    pass.busy = true;
    const firstId = nextTensorId();
    try {
      const output = tf.tidy(() =>
        ownOutput(this.#runIn(session, input, pass), firstId) as tf.TensorContainer
      ) as O;
      if (!update) return { output, params };
      try {
        return { output, params: updatedParams(params, pass) };
      } catch (e) {
        tf.dispose(output as tf.TensorContainer);
        throw asScopeError(e, "Applying the pass's variable writes failed");
      }
    } finally {
      pass.disposeWrites();
      pass.busy = false;
    }
  }

  /**
   * Runs the program for a trainer's step: against the store init made,
   * with the trainer's slots. Throws typed errors; the caller tidies.
   *
   * @internal
   */
  runForTrainer(store: Store, input: I, pass: Pass): O {
    return this.#runIn(this.#session(store), input, pass);
  }

  #session(store: Store): Session {
    let session = this.#sessions.get(store);
    if (session === undefined) {
      session = {
        creation: reuseOnly(store),
        start: startState(emptyStore()),
        index: paramsLayout(store).index,
        recordings: new Map(),
        lastSignature: "",
        last: null,
        sources: new WeakMap(),
        pass: new Pass(NO_SLOTS, 0),
      };
      this.#sessions.set(store, session);
    }
    return session;
  }

  // Replays the recording for the input's signature when one fits, else
  // runs in full (and records, when compiling).
  #runIn(session: Session, input: I, pass: Pass): O {
    if (!this.compile) {
      return unwrap(runOnce(this.fn, input, session.start, fullRun(session, pass, null))).value;
    }
    const signature = inputSignature(input);
    if (signature === null) {
      return unwrap(runOnce(this.fn, input, session.start, fullRun(session, pass, null))).value;
    }
    const found = session.last !== null && session.lastSignature === signature
      ? session.last
      : session.recordings.get(signature);
    // A recording in use (an apply nested in the same one) is not replayed.
    const compiled = found !== undefined && !found.busy ? found : undefined;
    if (compiled !== undefined) compiled.busy = true;
    let outcome: ReplayOrRecord<RunResult<O>>;
    try {
      outcome = replayOrRecord(
        compiled?.recording,
        (recording) =>
          runOnce(
            this.fn,
            input,
            session.start,
            recording === compiled?.recording && pass === session.pass
              ? compiled.run
              : fullRun(session, pass, recording),
          ),
        anyResult,
        pass,
      );
    } finally {
      if (compiled !== undefined) compiled.busy = false;
    }
    const value = unwrap(outcome.result).value;
    if (outcome.replayed) {
      session.lastSignature = signature;
      session.last = compiled!;
      return value;
    }
    const recording = outcome.recorded;
    if (recording !== null && found?.busy !== true) {
      const entry: Compiled = {
        recording,
        run: { creation: session.creation, recording, interpreter: session.pass },
        busy: false,
      };
      // Plain numbers in inputs make signatures; a loop over many of them
      // must not grow the cache without bound: the oldest recording goes.
      if (session.recordings.size >= MAX_SIGNATURES) {
        session.recordings.delete(session.recordings.keys().next().value!);
      }
      session.recordings.set(signature, entry);
      session.lastSignature = signature;
      session.last = entry;
    }
    return value;
  }
}

/**
 * The params after a pass's writes: written variables get new tensors, the
 * others share the given params' buffers.
 *
 * @internal
 */
export function updatedParams(params: Params, pass: Pass): Params {
  const written = new Set(pass.writes.map((w) => w.slot));
  const tensors: tf.Tensor[] = [];
  try {
    for (let i = 0; i < params.size; i++) {
      const current = params.at(i);
      const next = written.has(i) ? writtenValue(pass.writes, i, current) : null;
      tensors.push(next ?? shareTensor(current));
    }
  } catch (e) {
    tf.dispose(tensors);
    throw e;
  }
  return new Params(params.store, tensors);
}

function fullRun(session: Session, pass: Pass, recording: Recording | null): RunContext {
  return { creation: session.creation, recording, interpreter: pass };
}

const NO_SLOTS: SlotSource = {
  slotOf: (v: Variable) => scopeError("InvalidParams", `No parameter for "${v.fullName}"`, {}),
  tensor: () => {
    throw scopeError("InvalidParams", "No parameters", {});
  },
};

function unwrap<A>(r: Either<ScopeError, RunResult<A>>): RunResult<A> {
  if (E.isLeft(r)) throw r.left;
  return r.right;
}

function runOnce<I, O>(
  fn: (input: I) => Program<O>,
  input: I,
  start: RunState,
  run: RunContext,
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
    return runFrom(program, start, run);
  } catch (e) {
    if (e instanceof ReplayDiverged) throw e;
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
  const error = scopeError("ComputeError", `${context}: ${message}`, { cause: e });
  (error as { cause?: unknown }).cause = e;
  return error;
}

// TensorFlow.js numbers tensors in creation order; a tensor numbered below
// the pass's first is not the pass's own (an input, a parameter, a tensor a
// closure holds). Where the counter cannot be read, every output tensor is
// treated as not owned.
function nextTensorId(): number {
  const id = (tf.engine().constructor as { nextTensorId?: unknown }).nextTensorId;
  return typeof id === "number" ? id : Number.POSITIVE_INFINITY;
}

const MAX_OUTPUT_DEPTH = 8;

/**
 * The output as the caller will own it: tensors the pass made pass through;
 * any other tensor (an input, a parameter) gets a handle of its own, so
 * disposing the output frees nothing the caller or the params still use.
 * Only tensors, arrays, plain objects and plain values can be owned.
 */
function ownOutput(out: unknown, firstId: number, depth = 0): unknown {
  if (out instanceof tf.Tensor) {
    if (out.isDisposed) {
      throw scopeError("InvalidOutput", "The program returned a disposed tensor", {});
    }
    return out.id >= firstId ? out : tf.clone(out);
  }
  if (typeof out !== "object" || out === null) {
    if (typeof out === "function" || typeof out === "symbol") throw notOwnable(out);
    return out;
  }
  if (depth >= MAX_OUTPUT_DEPTH) {
    throw scopeError(
      "InvalidOutput",
      `The program's output is nested deeper than ${MAX_OUTPUT_DEPTH} levels`,
      {},
    );
  }
  if (Array.isArray(out)) return out.map((x) => ownOutput(x, firstId, depth + 1));
  const proto = Object.getPrototypeOf(out);
  if (proto !== Object.prototype && proto !== null) throw notOwnable(out);
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(out)) {
    result[key] = ownOutput((out as Record<string, unknown>)[key], firstId, depth + 1);
  }
  return result;
}

function notOwnable(out: unknown): ScopeError {
  return scopeError(
    "InvalidOutput",
    `The program returned ${
      describeValue(out)
    }: apply can return tensors, arrays, plain objects and plain values (a Map, a Promise or a class instance would hold tensors the caller cannot free)`,
    {},
  );
}
