/**
 * TF1 `BasicLSTMCell` (O4).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { zerosInitializer } from "../initializers/initializer.ts";
import { layerBinder, registerBinder } from "./_bind.ts";
import { CellLayer, type CellWeights } from "./_cell_layer.ts";
import type { ProgramGenerator } from "../core/program.ts";
import { lstmBound } from "./_lstm.ts";
import { activationOf, bool, dtypeOf, finite, nameOf, optionsOf, positiveInt } from "./_options.ts";
import { RNNCell } from "./rnn_cell.ts";
import { type LSTMStateTuple, lstmStateTuple } from "./state.ts";

/**
 * Options of {@linkcode BasicLSTMCell}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface BasicLSTMCellOptions {
  /** Added to the forget gate's pre-activation at run time (default 1.0). */
  readonly forgetBias?: number;
  /** State as `LSTMStateTuple(c, h)` (default) or `[c, h]` concatenated. */
  readonly stateIsTuple?: boolean;
  /** Default `tf.tanh`. */
  readonly activation?: (x: tf.Tensor) => tf.Tensor;
  /** Reuse the variables of an existing cell of the same name. */
  readonly reuse?: boolean;
  /** Scope name (default "basic_lstm_cell", made unique). */
  readonly name?: string;
  /** Only "float32". */
  readonly dtype?: "float32";
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.BasicLSTMCell` (O4): `kernel`
 * [depth + units, 4·units] with gates in the order i, j, f, o, and `bias`
 * [4·units] (zeros). `forgetBias` is added at run time, not baked into the
 * bias: `c' = c·σ(f + forgetBias) + σ(i)·act(j)`, `h' = act(c')·σ(o)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BasicLSTMCell, dynamicRnn } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((x: tf.Tensor3D) =>
 *   dynamicRnn(new BasicLSTMCell(4), x, { dtype: "float32" })
 * );
 * const x = tf.ones([2, 3, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, ["rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias"]);
 * assert.deepEqual(params.get("rnn/basic_lstm_cell/kernel").shape, [9, 16]);
 * const [outputs, state] = rnn.apply(params, x);
 * assert.deepEqual(state.h.shape, [2, 4]);
 * tf.dispose([x, outputs, state.c, state.h]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export class BasicLSTMCell extends RNNCell<LSTMStateTuple> {
  /** The number of units. */
  readonly numUnits: number;
  /** `LSTMStateTuple(numUnits, numUnits)`, or `2·numUnits` without tuples. */
  readonly stateSize: LSTMStateTuple<number>;
  /** `numUnits`. */
  readonly outputSize: number;
  /** The scope name. */
  readonly name: string;
  /** The forget bias. */
  readonly forgetBias: number;
  /** Whether the state is a tuple. */
  readonly stateIsTuple: boolean;
  /** The activation. */
  readonly activation: (x: tf.Tensor) => tf.Tensor;

  /**
   * Makes the cell; its variables are made on its first call.
   *
   * @param numUnits the number of units
   * @param options TF1's keyword arguments
   */
  constructor(numUnits: number, options: BasicLSTMCellOptions = {}) {
    super();
    const o = optionsOf<BasicLSTMCellOptions>("BasicLSTMCell", options);
    const units = this.numUnits = this.outputSize = positiveInt("numUnits", numUnits);
    this.name = nameOf(o.name, "basic_lstm_cell");
    this.forgetBias = finite("forgetBias", o.forgetBias, 1);
    this.stateIsTuple = bool("stateIsTuple", o.stateIsTuple, true);
    this.activation = activationOf(o.activation);
    dtypeOf(o.dtype);
    // A concatenated state has one size; typed as the tuple's for the common case.
    this.stateSize =
      (this.stateIsTuple ? lstmStateTuple(units, units) : 2 * units) as unknown as LSTMStateTuple<
        number
      >;
    const { forgetBias, activation, stateIsTuple } = this;
    const layer = new CellLayer<LSTMStateTuple>({
      className: "basic_lstm_cell",
      name: o.name ?? null,
      reuse: bool("reuse", o.reuse, false) || null,
      build: function* (add, depth): ProgramGenerator<CellWeights> {
        return {
          kernel: yield* add("kernel", { shape: [depth + units, 4 * units] }),
          bias: yield* add("bias", { shape: [4 * units], initializer: zerosInitializer() }),
        };
      },
      bind: (w) =>
        lstmBound<LSTMStateTuple>(
          {
            units,
            kernel: w.kernel as tf.Tensor2D,
            bias: w.bias as tf.Tensor1D,
            forgetBias,
            peepholes: null,
            cellClip: null,
            projection: null,
            projClip: null,
            activation,
          },
          stateIsTuple,
          units,
        ),
    });
    registerBinder(this, layerBinder(layer), (store) => layer.variables(store));
    Object.freeze(this);
  }
}
