/**
 * TF1's RNN cells and loops (`tf.compat.v1.nn.rnn_cell`, `dynamic_rnn`,
 * `static_rnn`) as scoped programs, with TF1's variable names, state
 * structures and formulas. Calling a cell is a program giving
 * `[output, newState]`; the loops resolve the cell's variables once per
 * pass and run the steps as plain TensorFlow.js code. Cells of your own
 * subclass `RNNCell` and override `call` (see `RNNCell` and `callCell`);
 * the loops call them once per step.
 *
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, LSTMCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new LSTMCell(8);
 * const model = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([4, 10, 3]) as tf.Tensor3D;
 * const { params } = model.init(x);
 * assert.deepEqual(params.names, ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"]);
 * const [outputs, state] = model.apply(params, x);
 * assert.deepEqual(outputs.shape, [4, 10, 8]);
 * tf.dispose([x, outputs, state.c, state.h]);
 * params.dispose();
 * ```
 *
 * @module
 */
export { BasicLSTMCell, type BasicLSTMCellOptions } from "./basic_lstm_cell.ts";
export { BasicRNNCell, type BasicRNNCellOptions } from "./basic_rnn_cell.ts";
export { callCell } from "./call_cell.ts";
export { DropoutWrapper, type DropoutWrapperOptions } from "./dropout_wrapper.ts";
export {
  bidirectionalDynamicRnn,
  type BidirectionalDynamicRnnOptions,
  dynamicRnn,
  type DynamicRnnOptions,
} from "./dynamic_rnn.ts";
export { GRUCell, type GRUCellOptions } from "./gru_cell.ts";
export { LSTMCell, type LSTMCellOptions } from "./lstm_cell.ts";
export { MultiRNNCell, type MultiRNNCellOptions } from "./multi_rnn_cell.ts";
export { ResidualWrapper } from "./residual_wrapper.ts";
export { type CellCallOptions, RNNCell } from "./rnn_cell.ts";
export {
  staticBidirectionalRnn,
  type StaticBidirectionalRnnOptions,
  staticRnn,
  type StaticRnnOptions,
} from "./static_rnn.ts";
export {
  isLSTMStateTuple,
  type LSTMStateTuple,
  lstmStateTuple,
  type RNNState,
  type SequenceLength,
  type StateSize,
} from "./state.ts";
