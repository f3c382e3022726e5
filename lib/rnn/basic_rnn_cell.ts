/**
 * TF1 `BasicRNNCell` (O2): `output = newState = act([x, h]·kernel + bias)`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { zerosInitializer } from "../initializers/initializer.ts";
import { layerBinder, registerBinder, stepwise } from "./_bind.ts";
import { CellLayer, type CellWeights } from "./_cell_layer.ts";
import type { ProgramGenerator } from "../core/program.ts";
import { activationOf, bool, dtypeOf, nameOf, optionsOf, positiveInt } from "./_options.ts";
import { RNNCell } from "./rnn_cell.ts";

/**
 * Options of {@linkcode BasicRNNCell}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface BasicRNNCellOptions {
  /** Default `tf.tanh`. */
  readonly activation?: (x: tf.Tensor) => tf.Tensor;
  /** Reuse the variables of an existing cell of the same name. */
  readonly reuse?: boolean;
  /** Scope name (default "basic_rnn_cell", made unique). */
  readonly name?: string;
  /** Only "float32". */
  readonly dtype?: "float32";
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.BasicRNNCell` (O2): variables `kernel`
 * [depth + units, units] and `bias` [units] (zeros).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BasicRNNCell, dynamicRnn } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new BasicRNNCell(3);
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([2, 5, 4]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, ["rnn/basic_rnn_cell/kernel", "rnn/basic_rnn_cell/bias"]);
 * const [outputs, state] = rnn.apply(params, x);
 * assert.deepEqual([outputs.shape, state.shape], [[2, 5, 3], [2, 3]]);
 * tf.dispose([x, outputs, state]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export class BasicRNNCell extends RNNCell<tf.Tensor2D> {
  /** The number of units. */
  readonly numUnits: number;
  /** `numUnits`. */
  readonly stateSize: number;
  /** `numUnits`. */
  readonly outputSize: number;
  /** The scope name. */
  readonly name: string;
  /** The activation. */
  readonly activation: (x: tf.Tensor) => tf.Tensor;

  /**
   * Makes the cell; its variables are made on its first call.
   *
   * @param numUnits the number of units
   * @param options TF1's keyword arguments
   */
  constructor(numUnits: number, options: BasicRNNCellOptions = {}) {
    super();
    const o = optionsOf<BasicRNNCellOptions>("BasicRNNCell", options);
    this.numUnits = this.stateSize = this.outputSize = positiveInt("numUnits", numUnits);
    this.name = nameOf(o.name, "basic_rnn_cell");
    this.activation = activationOf(o.activation);
    dtypeOf(o.dtype);
    const units = this.numUnits;
    const act = this.activation;
    const layer = new CellLayer<tf.Tensor2D>({
      className: "basic_rnn_cell",
      name: o.name ?? null,
      reuse: bool("reuse", o.reuse, false) || null,
      build: function* (add, depth): ProgramGenerator<CellWeights> {
        return {
          kernel: yield* add("kernel", { shape: [depth + units, units] }),
          bias: yield* add("bias", { shape: [units], initializer: zerosInitializer() }),
        };
      },
      bind: (w) => {
        const kernel = w.kernel as tf.Tensor2D;
        const bias = w.bias!;
        return stepwise<tf.Tensor2D>(units, (x, h) => {
          const out = act(tf.add(tf.matMul(tf.concat([x, h], 1), kernel), bias)) as tf.Tensor2D;
          return [out, out];
        });
      },
    });
    registerBinder(this, layerBinder(layer), (store) => layer.variables(store));
    Object.freeze(this);
  }
}
