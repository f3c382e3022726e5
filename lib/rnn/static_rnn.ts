/**
 * TF1 `tf.compat.v1.nn.static_rnn` and `static_bidirectional_rnn` (O8).
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
 * Options of {@linkcode staticRnn}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface StaticRnnOptions<S extends RNNState> {
  /** The initial state (default: zeros, which needs `dtype`). */
  readonly initialState?: S;
  /** "float32"; required without `initialState`. */
  readonly dtype?: "float32";
  /** Per sequence, its length: outputs past it are zeros, the state is carried. */
  readonly sequenceLength?: SequenceLength;
  /** The scope to open (default "rnn"). */
  readonly scope?: string | VariableScope;
}

function checkList(inputs: unknown): ReturnType<typeof rnnError> | null {
  const ok = Array.isArray(inputs) && inputs.length > 0 &&
    inputs.every((x) =>
      x instanceof tf.Tensor && x.rank === 2 && x.shape[0] === (inputs[0] as tf.Tensor).shape[0] &&
      x.shape[1] === (inputs[0] as tf.Tensor).shape[1]
    );
  return ok ? null : rnnError(
    "inputs",
    `Invalid inputs: expected a non-empty list of [batch, depth] tensors of one shape, got ${
      describeValue(inputs)
    }`,
    inputs,
  );
}

function* staticBody<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: readonly tf.Tensor2D[],
  o: StaticRnnOptions<S>,
): ProgramGenerator<readonly [tf.Tensor2D[], S]> {
  const [batch, depth] = inputs[0]!.shape;
  const bad = checkLoopOptions(
    cell as RNNCell<RNNState>,
    batch,
    undefined,
    o.initialState,
    o.dtype,
    o.sequenceLength,
  );
  if (bad !== null) return yield* fail(bad);
  // TF1 calls the cell per step, reusing from the second; one binding is the same.
  const user = userCellLayer<S>(cell);
  const bound = user === null ? yield* binderOf<S>(cell)!(depth, undefined) : null;
  const state0 = o.initialState ?? zeroStateOf<S>(cell.stateSize, batch);
  const mask = o.sequenceLength === undefined
    ? null
    : stepMasks(stepMask(o.sequenceLength, inputs.length));
  const r = bound !== null
    ? bound.sequence(TimeSteps.ofList(inputs), state0, mask)
    : yield* userSequence(user!, cell.stateSize, TimeSteps.ofList(inputs), state0, mask);
  const outs = r.outputs.list.map((out, t) =>
    mask === null ? out : tf.where(mask[t]!, out, tf.zerosLike(out)) as tf.Tensor2D
  );
  return [outs, r.state] as const;
}

/**
 * TF1 `tf.compat.v1.nn.static_rnn(cell, inputs, …)`: the cell over a list
 * of [batch, depth] steps, in `variableScope(scope ?? "rnn")`.
 *
 * @param cell the cell
 * @param inputs one [batch, depth] tensor per step
 * @param options TF1's keyword arguments
 * @returns the program yielding the outputs (one per step) and the final state
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { GRUCell, staticRnn } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((xs: tf.Tensor2D[]) => staticRnn(new GRUCell(2), xs, { dtype: "float32" }));
 * const xs = [tf.ones([1, 3]), tf.ones([1, 3])] as tf.Tensor2D[];
 * const { params } = rnn.init(xs);
 * assert.equal(params.names[0], "rnn/gru_cell/gates/kernel");
 * const [outputs, state] = rnn.apply(params, xs);
 * assert.equal(outputs.length, 2);
 * tf.dispose([...xs, ...outputs, state]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export function staticRnn<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: readonly tf.Tensor2D[],
  options: StaticRnnOptions<S> = {},
): Program<readonly [tf.Tensor2D[], S]> {
  const bad = checkCell("cell", cell) ?? checkList(inputs);
  if (bad !== null) return fail(bad);
  const parsed = loopOptions<StaticRnnOptions<S>>("staticRnn", options, [
    "initialState",
    "dtype",
    "sequenceLength",
    "scope",
  ]);
  if ("error" in parsed) return fail(parsed.error);
  const o = parsed.ok as StaticRnnOptions<S>;
  return variableScope(loopScope(o.scope, "rnn"), scoped(staticBody<S>, cell, inputs, o));
}

/**
 * Options of {@linkcode staticBidirectionalRnn}.
 *
 * @category rnn
 */
export interface StaticBidirectionalRnnOptions<SF extends RNNState, SB extends RNNState> {
  /** The forward cell's initial state. */
  readonly initialStateFw?: SF;
  /** The backward cell's initial state. */
  readonly initialStateBw?: SB;
  /** "float32"; required without initial states. */
  readonly dtype?: "float32";
  /** Per sequence, its length. */
  readonly sequenceLength?: SequenceLength;
  /** The scope to open (default "bidirectional_rnn"). */
  readonly scope?: string | VariableScope;
}

function reverseList(
  xs: readonly tf.Tensor2D[],
  lengths: SequenceLength | undefined,
): tf.Tensor2D[] {
  if (lengths === undefined) return xs.slice().reverse();
  return tf.unstack(
    reverseSequence(tf.stack(xs as tf.Tensor2D[], 1) as tf.Tensor3D, lengths),
    1,
  ) as tf.Tensor2D[];
}

function* staticBidiBody<SF extends RNNState, SB extends RNNState>(
  cellFw: RNNCell<SF>,
  cellBw: RNNCell<SB>,
  inputs: readonly tf.Tensor2D[],
  o: StaticBidirectionalRnnOptions<SF, SB>,
): ProgramGenerator<readonly [tf.Tensor2D[], SF, SB]> {
  const common = {
    ...(o.sequenceLength === undefined ? {} : { sequenceLength: o.sequenceLength }),
    ...(o.dtype === undefined ? {} : { dtype: o.dtype }),
  };
  const [outFw, stateFw] = yield* variableScope("fw", (fwScope) =>
    staticRnn(cellFw, inputs, {
      ...common,
      ...(o.initialStateFw === undefined ? {} : { initialState: o.initialStateFw }),
      scope: fwScope,
    }));
  const [tmp, stateBw] = yield* variableScope(
    "bw",
    (bwScope) =>
      staticRnn(cellBw, reverseList(inputs, o.sequenceLength), {
        ...common,
        ...(o.initialStateBw === undefined ? {} : { initialState: o.initialStateBw }),
        scope: bwScope,
      }),
  );
  const outBw = reverseList(tmp, o.sequenceLength);
  const outputs = outFw.map((f, t) => tf.concat([f, outBw[t]!], 1) as tf.Tensor2D);
  return [outputs, stateFw, stateBw] as const;
}

/**
 * TF1 `tf.compat.v1.nn.static_bidirectional_rnn` (O8): `staticRnn` forward
 * in `bidirectional_rnn/fw` and backward in `bidirectional_rnn/bw`; each
 * step's output is the two outputs concatenated.
 *
 * @param cellFw the forward cell
 * @param cellBw the backward cell
 * @param inputs one [batch, depth] tensor per step
 * @param options TF1's keyword arguments
 * @returns the program yielding `[outputs, stateFw, stateBw]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BasicRNNCell, staticBidirectionalRnn } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((xs: tf.Tensor2D[]) =>
 *   staticBidirectionalRnn(new BasicRNNCell(2), new BasicRNNCell(3), xs, { dtype: "float32" })
 * );
 * const xs = [tf.ones([1, 4]), tf.ones([1, 4])] as tf.Tensor2D[];
 * const { params } = rnn.init(xs);
 * assert.deepEqual(params.names, [
 *   "bidirectional_rnn/fw/basic_rnn_cell/kernel", "bidirectional_rnn/fw/basic_rnn_cell/bias",
 *   "bidirectional_rnn/bw/basic_rnn_cell/kernel", "bidirectional_rnn/bw/basic_rnn_cell/bias",
 * ]);
 * const [outputs, fw, bw] = rnn.apply(params, xs);
 * assert.deepEqual(outputs[0]!.shape, [1, 5]);
 * tf.dispose([...xs, ...outputs, fw, bw]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export function staticBidirectionalRnn<SF extends RNNState, SB extends RNNState>(
  cellFw: RNNCell<SF>,
  cellBw: RNNCell<SB>,
  inputs: readonly tf.Tensor2D[],
  options: StaticBidirectionalRnnOptions<SF, SB> = {},
): Program<readonly [tf.Tensor2D[], SF, SB]> {
  const bad = checkCell("cellFw", cellFw) ?? checkCell("cellBw", cellBw) ?? checkList(inputs);
  if (bad !== null) return fail(bad);
  const parsed = loopOptions<StaticBidirectionalRnnOptions<SF, SB>>(
    "staticBidirectionalRnn",
    options,
    ["initialStateFw", "initialStateBw", "dtype", "sequenceLength", "scope"],
  );
  if ("error" in parsed) return fail(parsed.error);
  const o = parsed.ok as StaticBidirectionalRnnOptions<SF, SB>;
  return variableScope(
    loopScope(o.scope, "bidirectional_rnn"),
    scoped(staticBidiBody<SF, SB>, cellFw, cellBw, inputs, o),
  );
}
