/**
 * The base of every cell (TF1 `tf.compat.v1.nn.rnn_cell.RNNCell`): its
 * `stateSize`, `outputSize`, `zeroState`, and `call`, the program that runs
 * one step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DType } from "../core/dtype.ts";
import { describeValue, type ScopeError } from "../core/errors.ts";
import { fail, type Program, type ProgramGenerator, scoped } from "../core/program.ts";
import type { VariableScope } from "../core/scope.ts";
import { binderOf, variablesOf } from "./_bind.ts";
import type { Store } from "../core/store.ts";
import type { VariableLike } from "../core/variable.ts";
import { checkState, rnnError, zeroStateOf } from "./_nest.ts";
import { noteKerasStyle, userCellVariables } from "./_user_cell.ts";
import type { RNNState, StateSize } from "./state.ts";

/**
 * Options of {@linkcode RNNCell.call}.
 *
 * @category rnn
 */
export interface CellCallOptions {
  /**
   * TF1's `scope=` argument: the cell's variables go in this scope (a plain
   * scope, not made unique) instead of its default-name scope.
   */
  readonly scope?: string | VariableScope;
}

/**
 * An RNN cell: a step function `(inputs, state) → (output, newState)` with
 * its own variables (TF1's `RNNCell`). Cells are immutable values; calling
 * one is a program.
 *
 * Write your own cell as in TF1: subclass `RNNCell`, give it `stateSize`,
 * `outputSize` and `name` (TF1's default scope name, the snake_case class
 * name), and override `call(inputs, state)` with a program that gets its
 * variables with `getVariable` (or `variable`) and yields `[output, newState]`. The loops
 * (`dynamicRnn`, `staticRnn`, the bidirectional ones) and
 * {@linkcode callCell} run it as TF1's `RNNCell.__call__` does: the first
 * call fixes its scope (`rnn/minimal_gru_cell`, or the `scope=` given), later
 * calls re-enter it with reuse. The loops call it once per step (the
 * built-in cells have faster loops). `MultiRNNCell` and the wrappers take
 * built-in cells only.
 *
 * @example A user-written cell
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { type Program, scoped } from "varscope";
 * import { dynamicRnn, RNNCell } from "varscope/rnn";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * class LeakyCell extends RNNCell<tf.Tensor2D> {
 *   readonly stateSize = 2;
 *   readonly outputSize = 2;
 *   readonly name = "leaky_cell";
 *   override call(x: tf.Tensor2D, h: tf.Tensor2D): Program<readonly [tf.Tensor2D, tf.Tensor2D]> {
 *     return scoped(function* () {
 *       const w = yield* variable("w", { shape: [x.shape[1], 2] });
 *       const next = tf.add(tf.mul(h, 0.5), tf.matMul(x, w)) as tf.Tensor2D;
 *       return [next, next] as const;
 *     });
 *   }
 * }
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(new LeakyCell(), x, { dtype: "float32" }));
 * const x = tf.ones([1, 3, 4]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, ["rnn/leaky_cell/w"]);
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export abstract class RNNCell<S extends RNNState = RNNState> {
  /** The state's size without the batch dimension (TF1 `state_size`). */
  abstract readonly stateSize: StateSize;
  /** The output's size (TF1 `output_size`). */
  abstract readonly outputSize: number;
  /** The name of the cell's default scope (TF1 O1: `lstm_cell`, …). */
  abstract readonly name: string;

  /** Notes whether the cell is made in keras style (TF1 P1), for user-written cells. */
  constructor() {
    noteKerasStyle(this);
  }

  /**
   * A state of zeros for `batchSize` rows (TF1 `zero_state`).
   *
   * @param batchSize the batch size
   * @param dtype the dtype (only float32 is supported)
   * @returns the state; the caller owns its tensors
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { LSTMCell } from "varscope/rnn";
   * import { useBackend } from "varscope/tfjs";
   * import * as assert from "node:assert/strict";
   *
   * await useBackend({ backend: "cpu" });
   * const state = new LSTMCell(3, { numProj: 2 }).zeroState(5);
   * assert.deepEqual([state.c.shape, state.h.shape], [[5, 3], [5, 2]]);
   * tf.dispose([state.c, state.h]);
   * ```
   */
  zeroState(batchSize: number, dtype: DType = "float32"): S {
    if (!Number.isSafeInteger(batchSize) || batchSize < 0) {
      throw rnnError("batchSize", `Invalid batchSize ${describeValue(batchSize)}`, batchSize);
    }
    if (dtype !== "float32") {
      throw rnnError("dtype", `Invalid dtype ${describeValue(dtype)}: RNN cells are float32`);
    }
    return zeroStateOf<S>(this.stateSize, batchSize);
  }

  /**
   * TF1 `cell.variables` (`trainable_variables`): the variables the cell
   * (and, for MultiRNNCell and wrappers, its cells) made in a store, in
   * creation order; empty before its first call there.
   *
   * @param store the store after a run that called the cell (`params.store`)
   * @returns the variables
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { dynamicRnn, GRUCell } from "varscope/rnn";
   * import { transform, useBackend } from "varscope/tfjs";
   * import * as assert from "node:assert/strict";
   *
   * await useBackend({ backend: "cpu" });
   * const cell = new GRUCell(2);
   * const x = tf.ones([1, 3, 2]) as tf.Tensor3D;
   * const { params } = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" })).init(x);
   * assert.equal(cell.variables(params.store)[0]!.name, "rnn/gru_cell/gates/kernel:0");
   * params.dispose();
   * x.dispose();
   * ```
   */
  variables(store: Store): readonly VariableLike[] {
    return binderOf(this) === undefined ? userCellVariables(this, store) : variablesOf(this, store);
  }

  /**
   * One step (TF1 `cell(inputs, state)`): opens the cell's scope, gets its
   * variables and computes `[output, newState]`.
   *
   * @param inputs [batch, depth]
   * @param state the current state, shaped like `stateSize`
   * @param options TF1's `scope=`
   * @returns the program yielding the output and the new state
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { BasicRNNCell } from "varscope/rnn";
   * import { transform, useBackend } from "varscope/tfjs";
   * import * as assert from "node:assert/strict";
   *
   * await useBackend({ backend: "cpu" });
   * const cell = new BasicRNNCell(4);
   * const step = transform((x: tf.Tensor2D) => cell.call(x, tf.zeros([2, 4]) as tf.Tensor2D));
   * const x = tf.ones([2, 3]) as tf.Tensor2D;
   * const { params } = step.init(x);
   * assert.deepEqual(params.names, ["basic_rnn_cell/kernel", "basic_rnn_cell/bias"]);
   * const [out, state] = step.apply(params, x);
   * assert.deepEqual(out.shape, [2, 4]);
   * tf.dispose([x, out, state]);
   * params.dispose();
   * ```
   */
  call(
    inputs: tf.Tensor2D,
    state: S,
    options: CellCallOptions = {},
  ): Program<readonly [tf.Tensor2D, S]> {
    return scoped(callBody<S>, this, inputs, state, options);
  }
}

function* callBody<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: tf.Tensor2D,
  state: S,
  options: CellCallOptions | undefined,
): ProgramGenerator<readonly [tf.Tensor2D, S]> {
  const bad = checkInputs(cell as RNNCell<RNNState>, inputs, state);
  if (bad !== null) return yield* fail(bad);
  const binder = binderOf<S>(cell);
  if (binder === undefined) {
    return yield* fail(rnnError(
      "cell",
      `Invalid cell ${cell.name}: a cell of your own must override call(inputs, state)`,
      cell,
    ));
  }
  const bound = yield* binder(inputs.shape[1], options?.scope);
  return bound.step(inputs, state);
}

function checkInputs(cell: RNNCell<RNNState>, inputs: unknown, state: unknown): ScopeError | null {
  if (!(inputs instanceof tf.Tensor) || inputs.rank !== 2) {
    return rnnError(
      "inputs",
      `Invalid inputs for ${cell.name}: expected a [batch, depth] tensor, got ${
        inputs instanceof tf.Tensor ? `shape [${inputs.shape.join(", ")}]` : describeValue(inputs)
      }`,
    );
  }
  const m = checkState(cell.stateSize, state, inputs.shape[0]);
  return m === null ? null : rnnError("state", `Invalid state for ${cell.name}: ${m}`);
}
