/**
 * TF1 `ResidualWrapper`: the cell's output plus its input.
 *
 * @module
 */
import { wrappedCellError } from "./_user_cell.ts";
import * as tf from "@tensorflow/tfjs-core";
import { fail, type ProgramGenerator, scoped } from "../core/program.ts";
import { binderOf, type BoundCell, registerBinder, variablesOf } from "./_bind.ts";
import { rnnError } from "./_nest.ts";
import { TimeSteps } from "./_sequence.ts";
import { RNNCell } from "./rnn_cell.ts";
import type { RNNState, StateSize } from "./state.ts";

function* bindResidual<S extends RNNState>(
  cell: RNNCell<S>,
  depth: number,
  scope: Parameters<NonNullable<ReturnType<typeof binderOf<S>>>>[1],
): ProgramGenerator<BoundCell<S>> {
  const inner = yield* binderOf<S>(cell)!(depth, scope);
  return {
    step: (x, s) => {
      const [o, s2] = inner.step(x, s);
      return [tf.add(x, o) as tf.Tensor2D, s2];
    },
    sequence: (inputs, s, masks) => {
      const r = inner.sequence(inputs, s, masks);
      return {
        outputs: TimeSteps.ofTensor(tf.add(inputs.tensor, r.outputs.tensor) as tf.Tensor3D),
        state: r.state,
      };
    },
  };
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.ResidualWrapper`: `output = input +
 * cell(input)`; the state is the cell's. Opens no scope of its own: the
 * cell's variables keep their names. The input depth must equal the cell's
 * output size.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, GRUCell, ResidualWrapper } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new ResidualWrapper(new GRUCell(3));
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([2, 4, 3]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.equal(params.names[0], "rnn/gru_cell/gates/kernel");
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export class ResidualWrapper<S extends RNNState = RNNState> extends RNNCell<S> {
  /** The wrapped cell. */
  readonly cell: RNNCell<S>;
  /** The cell's. */
  readonly stateSize: StateSize;
  /** The cell's. */
  readonly outputSize: number;
  /** The cell's. */
  readonly name: string;

  /**
   * Wraps a cell.
   *
   * @param cell the cell to wrap
   */
  constructor(cell: RNNCell<S>) {
    super();
    if (binderOf(cell) === undefined) throw wrappedCellError("cell", "ResidualWrapper", cell);
    this.cell = cell;
    this.stateSize = cell.stateSize;
    this.outputSize = cell.outputSize;
    this.name = cell.name;
    registerBinder<S>(this, (depth, scope) => {
      if (depth !== cell.outputSize) {
        return fail(rnnError(
          "inputs",
          `ResidualWrapper: the input depth ${depth} differs from the cell's output size ${cell.outputSize}`,
        ));
      }
      return scoped(bindResidual<S>, cell, depth, scope);
    }, (store) => variablesOf(cell, store));
    Object.freeze(this);
  }
}
