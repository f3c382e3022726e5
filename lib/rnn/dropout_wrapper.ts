/**
 * TF1 `DropoutWrapper`: dropout on a cell's inputs, outputs and state.
 *
 * @module
 */
import { wrappedCellError } from "./_user_cell.ts";
import * as tf from "@tensorflow/tfjs-core";
import { type ProgramGenerator, scoped } from "../core/program.ts";
import { randomSeed } from "../interpreter/random_seed.ts";
import type { VariableScope } from "../core/scope.ts";
import { binderOf, type BoundCell, registerBinder, variablesOf } from "./_bind.ts";
import { flattenState, packState, rnnError } from "./_nest.ts";
import { bool, optionsOf } from "./_options.ts";
import { loopSequence, TimeSteps } from "./_sequence.ts";
import { RNNCell } from "./rnn_cell.ts";
import { isLSTMStateTuple, type RNNState, type StateSize } from "./state.ts";

/**
 * Options of {@linkcode DropoutWrapper}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface DropoutWrapperOptions {
  /** Keep probability of the inputs, in (0, 1] (default 1: no dropout). */
  readonly inputKeepProb?: number;
  /** Keep probability of the outputs. */
  readonly outputKeepProb?: number;
  /**
   * Keep probability of the state; as TF1's default filter, the `c` of an
   * `LSTMStateTuple` is never dropped.
   */
  readonly stateKeepProb?: number;
  /**
   * One mask per pass for every step (and every batch row, as TF1's
   * `[1, size]` noise) instead of a new mask per step.
   */
  readonly variationalRecurrent?: boolean;
  /** The input depth; needed for variational input dropout, as in TF1. */
  readonly inputSize?: number;
  /**
   * TF1's op-level seed, mixed into the pass's seed (`apply(params, input,
   * { seed })`; a trainer draws a new one every step): the same pass seed
   * gives the same masks, another one other masks.
   */
  readonly seed?: number;
}

function keepProb(argument: string, p: unknown): number {
  if (p === undefined || p === null) return 1;
  if (typeof p !== "number" || !(p > 0 && p <= 1)) {
    throw rnnError(argument, `Invalid ${argument} ${String(p)}: expected a number in (0, 1]`, p);
  }
  return p;
}

interface Settings {
  readonly input: number;
  readonly output: number;
  readonly state: number;
  readonly variational: boolean;
  readonly inputSize: number | null;
  readonly seed: number;
}

/** TF1 `dropout`: x / keep · floor(keep + U[0, 1)), the noise of `shape`. */
function drop(x: tf.Tensor, keep: number, seed: number, shape?: number[]): tf.Tensor {
  const noise = tf.randomUniform(shape ?? x.shape, 0, 1, "float32", seed);
  return tf.mul(tf.div(x, keep), tf.floor(tf.add(noise, keep)));
}

function* bindDropout<S extends RNNState>(
  cell: RNNCell<S>,
  o: Settings,
  depth: number,
  scope: string | VariableScope | undefined,
): ProgramGenerator<BoundCell<S>> {
  const inner = yield* binderOf<S>(cell)!(depth, scope);
  // One draw of the pass's seed per binding (per loop, or per direct call);
  // every mask of the binding is derived from it.
  const base = mix(yield* randomSeed(), o.seed);
  let counter = 0;
  const next = (): number => mix(base, ++counter);
  // Variational: one [1, size] mask per pass (TF1 draws its noise once per run).
  const sizes = flatSizes(cell.stateSize);
  const vIn = o.variational && o.input < 1 ? next() : 0;
  const vOut = o.variational && o.output < 1 ? next() : 0;
  const vState = o.variational && o.state < 1 ? sizes.map(() => next()) : [];
  const dropIn = (x: tf.Tensor2D): tf.Tensor2D =>
    o.input < 1
      ? drop(
        x,
        o.input,
        o.variational ? vIn : next(),
        o.variational ? [1, x.shape[1]] : undefined,
      ) as tf.Tensor2D
      : x;
  const dropOut = (x: tf.Tensor2D): tf.Tensor2D =>
    o.output < 1
      ? drop(
        x,
        o.output,
        o.variational ? vOut : next(),
        o.variational ? [1, x.shape[1]] : undefined,
      ) as tf.Tensor2D
      : x;
  const keepC = stateFilter(cell.stateSize);
  const dropState = (s: S): S => {
    if (o.state >= 1) return s;
    const flat = flattenState(s).map((t, i) =>
      keepC[i]
        ? drop(
          t,
          o.state,
          o.variational ? vState[i]! : next(),
          o.variational ? [1, t.shape[1]] : undefined,
        ) as tf.Tensor2D
        : t
    );
    return packState<S>(cell.stateSize, flat);
  };
  const step = (x: tf.Tensor2D, s: S): readonly [tf.Tensor2D, S] => {
    const [out, s2] = inner.step(dropIn(x), s);
    return [dropOut(out), dropState(s2)];
  };
  return {
    step,
    sequence: (inputs, s, masks) => {
      if (o.state < 1) return loopSequence(cell.stateSize, step, inputs, s, masks);
      // Without state dropout the cell's own loop runs, inputs and outputs
      // dropped for all steps at once.
      const xs = o.input < 1
        ? TimeSteps.ofTensor(
          (o.variational
            ? drop(inputs.tensor, o.input, vIn, [1, 1, inputs.tensor.shape[2]])
            : drop(inputs.tensor, o.input, next())) as tf.Tensor3D,
        )
        : inputs;
      const r = inner.sequence(xs, s, masks);
      if (o.output >= 1) return r;
      const y = r.outputs.tensor;
      return {
        outputs: TimeSteps.ofTensor(
          (o.variational
            ? drop(y, o.output, vOut, [1, 1, y.shape[2]])
            : drop(y, o.output, next())) as tf.Tensor3D,
        ),
        state: r.state,
      };
    },
  };
}

// Two integer seeds as one (a 32-bit mix).
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

function flatSizes(size: StateSize): number[] {
  const out: number[] = [];
  const walk = (s: StateSize): void => {
    if (typeof s === "number") out.push(s);
    else if (isLSTMStateTuple(s)) out.push(s.c, s.h);
    else s.forEach(walk);
  };
  walk(size);
  return out;
}

/** Per flat state tensor, whether dropout applies (not an LSTMStateTuple's c). */
function stateFilter(size: StateSize): boolean[] {
  const out: boolean[] = [];
  const walk = (s: StateSize): void => {
    if (typeof s === "number") out.push(true);
    else if (isLSTMStateTuple(s)) out.push(false, true);
    else s.forEach(walk);
  };
  walk(size);
  return out;
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.DropoutWrapper`: dropout on the inputs
 * before the cell, on its new state (all but an `LSTMStateTuple`'s `c`) and
 * on its output after it; `x / keep · mask`. Opens no scope of its own.
 *
 * Masks come from the pass's seed (`apply(params, input, { seed })`, a new
 * one per trainer step) mixed with the `seed` option: the same seeds give the
 * same masks. With `variationalRecurrent`, one `[1, size]` mask serves every
 * step and row of a loop, as TF1's noise drawn once per run.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { DropoutWrapper, dynamicRnn, LSTMCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new DropoutWrapper(new LSTMCell(4), { outputKeepProb: 0.5, seed: 1 });
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([8, 3, 2]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"]);
 * const [outputs, state] = rnn.apply(params, x, { seed: 3 });
 * const zeros = Array.from(outputs.dataSync()).filter((v) => v === 0).length;
 * assert.ok(zeros > 10 && zeros < 86); // about half of 96
 * tf.dispose([x, outputs, state.c, state.h]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export class DropoutWrapper<S extends RNNState = RNNState> extends RNNCell<S> {
  /** The wrapped cell. */
  readonly cell: RNNCell<S>;
  /** The cell's. */
  readonly stateSize: StateSize;
  /** The cell's. */
  readonly outputSize: number;
  /** The cell's. */
  readonly name: string;
  /** The keep probabilities. */
  readonly inputKeepProb: number;
  /** The output keep probability. */
  readonly outputKeepProb: number;
  /** The state keep probability. */
  readonly stateKeepProb: number;
  /** Whether masks are variational. */
  readonly variationalRecurrent: boolean;

  /**
   * Wraps a cell.
   *
   * @param cell the cell to wrap
   * @param options TF1's keyword arguments
   */
  constructor(cell: RNNCell<S>, options: DropoutWrapperOptions = {}) {
    super();
    if (binderOf(cell) === undefined) throw wrappedCellError("cell", "DropoutWrapper", cell);
    const o = optionsOf<DropoutWrapperOptions>("DropoutWrapper", options, [
      "inputKeepProb",
      "outputKeepProb",
      "stateKeepProb",
      "variationalRecurrent",
      "inputSize",
      "seed",
    ]);
    this.cell = cell;
    this.stateSize = cell.stateSize;
    this.outputSize = cell.outputSize;
    this.name = cell.name;
    this.inputKeepProb = keepProb("inputKeepProb", o.inputKeepProb);
    this.outputKeepProb = keepProb("outputKeepProb", o.outputKeepProb);
    this.stateKeepProb = keepProb("stateKeepProb", o.stateKeepProb);
    this.variationalRecurrent = bool("variationalRecurrent", o.variationalRecurrent, false);
    const inputSize = o.inputSize ?? null;
    if (this.variationalRecurrent && this.inputKeepProb < 1 && inputSize === null) {
      throw rnnError(
        "inputSize",
        "When variationalRecurrent is true and inputKeepProb < 1, inputSize must be provided",
      );
    }
    const seed = o.seed ?? 0;
    if (!Number.isSafeInteger(seed)) {
      throw rnnError("seed", "Invalid seed: expected an integer", seed);
    }
    const settings: Settings = {
      input: this.inputKeepProb,
      output: this.outputKeepProb,
      state: this.stateKeepProb,
      variational: this.variationalRecurrent,
      inputSize,
      seed,
    };
    registerBinder<S>(
      this,
      (depth, scope) => scoped(bindDropout<S>, cell, settings, depth, scope),
      (store) => variablesOf(cell, store),
    );
    Object.freeze(this);
  }
}
