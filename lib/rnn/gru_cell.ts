/**
 * TF1 `GRUCell` (O3): reset and update gates, then the candidate.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { constantInitializer, zerosInitializer } from "../initializers/initializer.ts";
import type { InitializerLike } from "../initializers/value.ts";
import { layerBinder, registerBinder, stepwise } from "./_bind.ts";
import { CellLayer, type CellWeights } from "./_cell_layer.ts";
import type { ProgramGenerator } from "../core/program.ts";
import { activationOf, bool, dtypeOf, nameOf, optionsOf, positiveInt } from "./_options.ts";
import { RNNCell } from "./rnn_cell.ts";

/**
 * Options of {@linkcode GRUCell}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface GRUCellOptions {
  /** Default `tf.tanh`. */
  readonly activation?: (x: tf.Tensor) => tf.Tensor;
  /** Reuse the variables of an existing cell of the same name. */
  readonly reuse?: boolean;
  /** Initializer of both kernels (default: the scope's, else glorot uniform). */
  readonly kernelInitializer?: InitializerLike;
  /** Initializer of both biases (default: gates 1.0, candidate 0). */
  readonly biasInitializer?: InitializerLike;
  /** Scope name (default "gru_cell", made unique). */
  readonly name?: string;
  /** Only "float32". */
  readonly dtype?: "float32";
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.GRUCell` (O3): `gates/kernel`
 * [depth + units, 2·units], `gates/bias` (1.0), `candidate/kernel`
 * [depth + units, units], `candidate/bias` (0). Gates split r (reset)
 * first, u (update) second; `h' = u·h + (1 − u)·act([x, r·h]·Wc + bc)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, GRUCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(new GRUCell(3), x, { dtype: "float32" }));
 * const x = tf.ones([2, 4, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, [
 *   "rnn/gru_cell/gates/kernel", "rnn/gru_cell/gates/bias",
 *   "rnn/gru_cell/candidate/kernel", "rnn/gru_cell/candidate/bias",
 * ]);
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export class GRUCell extends RNNCell<tf.Tensor2D> {
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
  constructor(numUnits: number, options: GRUCellOptions = {}) {
    super();
    const o = optionsOf<GRUCellOptions>("GRUCell", options);
    this.numUnits = this.stateSize = this.outputSize = positiveInt("numUnits", numUnits);
    this.name = nameOf(o.name, "gru_cell");
    this.activation = activationOf(o.activation);
    dtypeOf(o.dtype);
    const units = this.numUnits;
    const act = this.activation;
    const kinit = o.kernelInitializer ?? null;
    const binit = o.biasInitializer ?? null;
    const layer = new CellLayer<tf.Tensor2D>({
      className: "gru_cell",
      name: o.name ?? null,
      reuse: bool("reuse", o.reuse, false) || null,
      build: function* (add, depth): ProgramGenerator<CellWeights> {
        const rows = depth + units;
        const gk = yield* add("gates/kernel", { shape: [rows, 2 * units], initializer: kinit });
        const gb = yield* add("gates/bias", {
          shape: [2 * units],
          initializer: binit ?? constantInitializer(1),
        });
        const ck = yield* add("candidate/kernel", { shape: [rows, units], initializer: kinit });
        const cb = yield* add("candidate/bias", {
          shape: [units],
          initializer: binit ?? zerosInitializer(),
        });
        return { gk, gb, ck, cb };
      },
      bind: (w) => {
        const gk = w.gk as tf.Tensor2D;
        const ck = w.ck as tf.Tensor2D;
        const gb = w.gb!;
        const cb = w.cb!;
        return stepwise<tf.Tensor2D>(units, (x, h) => {
          const value = tf.sigmoid(tf.add(tf.matMul(tf.concat([x, h], 1), gk), gb));
          const [r, u] = tf.split(value, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
          const candidate = tf.add(tf.matMul(tf.concat([x, tf.mul(r, h)], 1), ck), cb);
          const c = act(candidate);
          const out = tf.add(tf.mul(u, h), tf.mul(tf.sub(1, u), c)) as tf.Tensor2D;
          return [out, out];
        });
      },
    });
    registerBinder(this, layerBinder(layer), (store) => layer.variables(store));
    Object.freeze(this);
  }
}
