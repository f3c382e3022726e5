/**
 * TF1 `tf.compat.v1.nn.dynamic_rnn` and `bidirectional_dynamic_rnn` (O7, O8).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue } from "../core/errors.ts";
import { fail, type Program, type ProgramGenerator, scoped } from "../core/program.ts";
import type { VariableScope } from "../core/scope.ts";
import { variableScope } from "../core/variable_scope.ts";
import { binderOf } from "./_bind.ts";
import {
  checkCell,
  checkLoopOptions,
  loopOptions,
  loopScope,
  reverseSequence,
  type SequenceLength,
  stepMask,
  stepMasks,
} from "./_loop.ts";
import { rnnError, zeroStateOf } from "./_nest.ts";
import { TimeSteps } from "./_sequence.ts";
import { userCellLayer, userSequence } from "./_user_cell.ts";
import type { RNNCell } from "./rnn_cell.ts";
import type { RNNState } from "./state.ts";

/**
 * Options of {@linkcode dynamicRnn}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface DynamicRnnOptions<S extends RNNState> {
  /**
   * Per sequence, its length: outputs past it are zeros and the state is
   * carried through unchanged (the final state is the state at the last
   * valid step).
   */
  readonly sequenceLength?: SequenceLength;
  /** The initial state (default: zeros, which needs `dtype`). */
  readonly initialState?: S;
  /** "float32"; required without `initialState`, as in TF1. */
  readonly dtype?: "float32";
  /** Inputs and outputs are [time, batch, depth] (default [batch, time, depth]). */
  readonly timeMajor?: boolean;
  /** The scope to open (default "rnn", a plain scope, not made unique). */
  readonly scope?: string | VariableScope;
  /** TF1's `while_loop` setting: accepted for porting, no effect. */
  readonly parallelIterations?: number;
  /** TF1's `while_loop` setting: accepted for porting, no effect. */
  readonly swapMemory?: boolean;
}

const DYNAMIC_KEYS = [
  "sequenceLength",
  "initialState",
  "dtype",
  "timeMajor",
  "scope",
  "parallelIterations",
  "swapMemory",
];
const BIDI_KEYS = [
  "sequenceLength",
  "initialStateFw",
  "initialStateBw",
  "dtype",
  "timeMajor",
  "scope",
  "parallelIterations",
  "swapMemory",
];

function* dynamicBody<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: tf.Tensor3D,
  o: DynamicRnnOptions<S>,
): ProgramGenerator<readonly [tf.Tensor3D, S]> {
  const timeMajor = o.timeMajor ?? false;
  const [steps, batch, depth] = timeMajor
    ? inputs.shape
    : [inputs.shape[1], inputs.shape[0], inputs.shape[2]];
  const bad = checkLoopOptions(
    cell as RNNCell<RNNState>,
    batch,
    undefined,
    o.initialState,
    o.dtype,
    o.sequenceLength,
  );
  if (bad !== null) return yield* fail(bad);
  if (steps === 0 || batch === 0 || depth === 0) {
    return yield* fail(
      rnnError("inputs", `Invalid inputs: shape [${inputs.shape.join(", ")}] has an empty axis`),
    );
  }
  const user = userCellLayer<S>(cell);
  const bound = user === null ? yield* binderOf<S>(cell)!(depth, undefined) : null;
  const xs = timeMajor ? inputs : tf.transpose(inputs, [1, 0, 2]) as tf.Tensor3D;
  const state0 = o.initialState ?? zeroStateOf<S>(cell.stateSize, batch);
  const mask = o.sequenceLength === undefined ? null : stepMask(o.sequenceLength, steps);
  const masks = mask === null ? null : stepMasks(mask);
  const r = bound !== null
    ? bound.sequence(TimeSteps.ofTensor(xs), state0, masks)
    : yield* userSequence(user!, cell.stateSize, TimeSteps.ofTensor(xs), state0, masks);
  let outputs = r.outputs.stacked(timeMajor ? 0 : 1);
  if (mask !== null) {
    // TF1 `_rnn_step`: zeros past each sequence's length.
    const m = timeMajor ? tf.reshape(mask, [steps, batch, 1]) : tf.reshape(tf.transpose(mask), [
      batch,
      steps,
      1,
    ]);
    outputs = tf.where(m, outputs, tf.zerosLike(outputs)) as tf.Tensor3D;
  }
  return [outputs, r.state] as const;
}

function checkInputs(inputs: unknown): Error | null {
  return inputs instanceof tf.Tensor && inputs.rank === 3 ? null : rnnError(
    "inputs",
    `Invalid inputs: expected a rank-3 tensor, got ${
      inputs instanceof tf.Tensor ? `shape [${inputs.shape.join(", ")}]` : describeValue(inputs)
    }`,
    inputs,
  );
}

/**
 * TF1 `tf.compat.v1.nn.dynamic_rnn(cell, inputs, …)` (O7): runs `cell` over
 * every step of `inputs` in `variableScope(scope ?? "rnn")`, a plain scope
 * (not made unique), so a second `dynamicRnn` with a new cell in the same
 * scope fails with "Variable rnn/lstm_cell/kernel already exists", and the
 * same cell object shares its variables.
 *
 * The cell's scope and variables are resolved once per pass (as TF1 calls
 * the cell once to build its loop); the steps are plain tensor code.
 *
 * @param cell the cell
 * @param inputs [batch, time, depth] (or [time, batch, depth] with `timeMajor`)
 * @param options TF1's keyword arguments
 * @returns the program yielding the outputs [batch, time, outputSize] and the final state
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, LSTMCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new LSTMCell(3);
 * const rnn = transform((x: tf.Tensor3D) =>
 *   dynamicRnn(cell, x, { dtype: "float32", sequenceLength: [4, 2] })
 * );
 * const x = tf.ones([2, 4, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"]);
 * const [outputs, state] = rnn.apply(params, x);
 * // The second sequence has 2 steps: its outputs after them are zeros.
 * const tail = tf.slice(outputs, [1, 2, 0], [1, 2, 3]);
 * assert.deepEqual(Array.from(tail.dataSync()), [0, 0, 0, 0, 0, 0]);
 * tf.dispose([x, outputs, tail, state.c, state.h]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export function dynamicRnn<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: tf.Tensor3D,
  options: DynamicRnnOptions<S> = {},
): Program<readonly [tf.Tensor3D, S]> {
  const bad = checkCell("cell", cell) ?? checkInputs(inputs);
  if (bad !== null) return fail(bad as ReturnType<typeof rnnError>);
  const parsed = loopOptions<DynamicRnnOptions<S>>("dynamicRnn", options, DYNAMIC_KEYS);
  if ("error" in parsed) return fail(parsed.error);
  const o = parsed.ok as DynamicRnnOptions<S>;
  const s = o.scope;
  if (s !== undefined && s !== null && typeof s !== "string" && typeof s !== "object") {
    return fail(rnnError("scope", `Invalid scope ${describeValue(s)}`, s));
  }
  return variableScope(loopScope(s, "rnn"), scoped(dynamicBody<S>, cell, inputs, o));
}

/**
 * Options of {@linkcode bidirectionalDynamicRnn}.
 *
 * @category rnn
 */
export interface BidirectionalDynamicRnnOptions<SF extends RNNState, SB extends RNNState> {
  /** Per sequence, its length (see {@linkcode DynamicRnnOptions}). */
  readonly sequenceLength?: SequenceLength;
  /** The forward cell's initial state. */
  readonly initialStateFw?: SF;
  /** The backward cell's initial state. */
  readonly initialStateBw?: SB;
  /** "float32"; required without initial states. */
  readonly dtype?: "float32";
  /** Inputs and outputs are [time, batch, depth]. */
  readonly timeMajor?: boolean;
  /** The scope to open (default "bidirectional_rnn"). */
  readonly scope?: string | VariableScope;
  /** TF1's `while_loop` setting: accepted for porting, no effect. */
  readonly parallelIterations?: number;
  /** TF1's `while_loop` setting: accepted for porting, no effect. */
  readonly swapMemory?: boolean;
}

function* bidiBody<SF extends RNNState, SB extends RNNState>(
  cellFw: RNNCell<SF>,
  cellBw: RNNCell<SB>,
  inputs: tf.Tensor3D,
  o: BidirectionalDynamicRnnOptions<SF, SB>,
): ProgramGenerator<readonly [readonly [tf.Tensor3D, tf.Tensor3D], readonly [SF, SB]]> {
  const timeMajor = o.timeMajor ?? false;
  const common = {
    ...(o.sequenceLength === undefined ? {} : { sequenceLength: o.sequenceLength }),
    ...(o.dtype === undefined ? {} : { dtype: o.dtype }),
    timeMajor,
  };
  const [outFw, stateFw] = yield* variableScope("fw", (fwScope) =>
    dynamicRnn(cellFw, inputs, {
      ...common,
      ...(o.initialStateFw === undefined ? {} : { initialState: o.initialStateFw }),
      scope: fwScope,
    }));
  const flip = (x: tf.Tensor3D): tf.Tensor3D => {
    const bm = timeMajor ? tf.transpose(x, [1, 0, 2]) as tf.Tensor3D : x;
    const r = reverseSequence(bm, o.sequenceLength);
    return timeMajor ? tf.transpose(r, [1, 0, 2]) as tf.Tensor3D : r;
  };
  const [tmp, stateBw] = yield* variableScope("bw", (bwScope) =>
    dynamicRnn(cellBw, flip(inputs), {
      ...common,
      ...(o.initialStateBw === undefined ? {} : { initialState: o.initialStateBw }),
      scope: bwScope,
    }));
  return [[outFw, flip(tmp)], [stateFw, stateBw]] as const;
}

/**
 * TF1 `tf.compat.v1.nn.bidirectional_dynamic_rnn` (O8): in
 * `variableScope(scope ?? "bidirectional_rnn")`, a forward `dynamicRnn` in
 * `fw` and a backward one in `bw` over the inputs reversed (each sequence
 * within its length); the backward outputs are reversed back.
 *
 * @param cellFw the forward cell
 * @param cellBw the backward cell
 * @param inputs [batch, time, depth] (or time-major)
 * @param options TF1's keyword arguments
 * @returns the program yielding `[[outputsFw, outputsBw], [stateFw, stateBw]]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { bidirectionalDynamicRnn, LSTMCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((x: tf.Tensor3D) =>
 *   bidirectionalDynamicRnn(new LSTMCell(3), new LSTMCell(3), x, { dtype: "float32" })
 * );
 * const x = tf.ones([2, 4, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, [
 *   "bidirectional_rnn/fw/lstm_cell/kernel", "bidirectional_rnn/fw/lstm_cell/bias",
 *   "bidirectional_rnn/bw/lstm_cell/kernel", "bidirectional_rnn/bw/lstm_cell/bias",
 * ]);
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export function bidirectionalDynamicRnn<SF extends RNNState, SB extends RNNState>(
  cellFw: RNNCell<SF>,
  cellBw: RNNCell<SB>,
  inputs: tf.Tensor3D,
  options: BidirectionalDynamicRnnOptions<SF, SB> = {},
): Program<readonly [readonly [tf.Tensor3D, tf.Tensor3D], readonly [SF, SB]]> {
  const bad = checkCell("cellFw", cellFw) ?? checkCell("cellBw", cellBw) ?? checkInputs(inputs);
  if (bad !== null) return fail(bad as ReturnType<typeof rnnError>);
  const parsed = loopOptions<BidirectionalDynamicRnnOptions<SF, SB>>(
    "bidirectionalDynamicRnn",
    options,
    BIDI_KEYS,
  );
  if ("error" in parsed) return fail(parsed.error);
  const o = parsed.ok as BidirectionalDynamicRnnOptions<SF, SB>;
  return variableScope(
    loopScope(o.scope, "bidirectional_rnn"),
    scoped(bidiBody<SF, SB>, cellFw, cellBw, inputs, o),
  );
}
