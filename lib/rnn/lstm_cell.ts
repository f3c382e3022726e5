/**
 * TF1 `LSTMCell` (O5): peepholes, cell clipping, projection, sharded kernels.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { zerosInitializer } from "../initializers/initializer.ts";
import type { InitializerLike } from "../initializers/value.ts";
import { fixedSizePartitioner } from "../partitioners/fixed_size.ts";
import { layerBinder, registerBinder } from "./_bind.ts";
import { CellLayer, type CellWeights } from "./_cell_layer.ts";
import type { ProgramGenerator } from "../core/program.ts";
import { lstmBound } from "./_lstm.ts";
import {
  activationOf,
  bool,
  dtypeOf,
  finite,
  nameOf,
  optionalPositive,
  optionsOf,
  positiveInt,
} from "./_options.ts";
import { RNNCell } from "./rnn_cell.ts";
import { type LSTMStateTuple, lstmStateTuple } from "./state.ts";

/**
 * Options of {@linkcode LSTMCell}: TF1's keyword arguments.
 *
 * @category rnn
 */
export interface LSTMCellOptions {
  /** Diagonal (peephole) connections `w_f_diag`, `w_i_diag`, `w_o_diag`. */
  readonly usePeepholes?: boolean;
  /** Clip the cell state to [-cellClip, cellClip] after each step. */
  readonly cellClip?: number;
  /** Initializer of the kernels and peepholes (default: the scope's). */
  readonly initializer?: InitializerLike;
  /** Project the output to this size with `projection/kernel`. */
  readonly numProj?: number;
  /** Clip the projected output to [-projClip, projClip]. */
  readonly projClip?: number;
  /** Shard `kernel` into this many parts (`kernel/part_k`). */
  readonly numUnitShards?: number;
  /** Shard `projection/kernel` into this many parts. */
  readonly numProjShards?: number;
  /** Added to the forget gate's pre-activation at run time (default 1.0). */
  readonly forgetBias?: number;
  /** State as `LSTMStateTuple(c, m)` (default) or `[c, m]` concatenated. */
  readonly stateIsTuple?: boolean;
  /** Default `tf.tanh`. */
  readonly activation?: (x: tf.Tensor) => tf.Tensor;
  /** Reuse the variables of an existing cell of the same name. */
  readonly reuse?: boolean;
  /** Scope name (default "lstm_cell", made unique). */
  readonly name?: string;
  /** Only "float32". */
  readonly dtype?: "float32";
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.LSTMCell` (O5): `kernel`
 * [depth + h, 4·units] (h = `numProj` or `numUnits`, gates i, j, f, o),
 * `bias` (zeros), with peepholes `w_f_diag`, `w_i_diag`, `w_o_diag`
 * [units], with a projection `projection/kernel` [units, numProj].
 *
 * `c' = σ(f + forgetBias + w_f·c)·c + σ(i + w_i·c)·act(j)`, clipped to
 * `cellClip`; `m = σ(o + w_o·c')·act(c')`, projected and clipped to
 * `projClip`. The output is m; the state `LSTMStateTuple(c', m)`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, LSTMCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new LSTMCell(4, { usePeepholes: true, numProj: 2 });
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([2, 3, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names, [
 *   "rnn/lstm_cell/kernel", "rnn/lstm_cell/bias", "rnn/lstm_cell/w_f_diag",
 *   "rnn/lstm_cell/w_i_diag", "rnn/lstm_cell/w_o_diag", "rnn/lstm_cell/projection/kernel",
 * ]);
 * const [outputs, state] = rnn.apply(params, x);
 * assert.deepEqual([outputs.shape, state.c.shape], [[2, 3, 2], [2, 4]]);
 * tf.dispose([x, outputs, state.c, state.h]);
 * params.dispose();
 * ```
 *
 * @category rnn
 */
export class LSTMCell extends RNNCell<LSTMStateTuple> {
  /** The number of units. */
  readonly numUnits: number;
  /** `LSTMStateTuple(numUnits, numProj ?? numUnits)`, or their sum without tuples. */
  readonly stateSize: LSTMStateTuple<number>;
  /** `numProj ?? numUnits`. */
  readonly outputSize: number;
  /** The scope name. */
  readonly name: string;
  /** The forget bias. */
  readonly forgetBias: number;
  /** Whether the state is a tuple. */
  readonly stateIsTuple: boolean;
  /** The projection size, or null. */
  readonly numProj: number | null;
  /** Whether there are peepholes. */
  readonly usePeepholes: boolean;
  /** The cell clip, or null. */
  readonly cellClip: number | null;
  /** The projection clip, or null. */
  readonly projClip: number | null;
  /** The activation. */
  readonly activation: (x: tf.Tensor) => tf.Tensor;

  /**
   * Makes the cell; its variables are made on its first call.
   *
   * @param numUnits the number of units
   * @param options TF1's keyword arguments
   */
  constructor(numUnits: number, options: LSTMCellOptions = {}) {
    super();
    const o = optionsOf<LSTMCellOptions>("LSTMCell", options);
    const units = this.numUnits = positiveInt("numUnits", numUnits);
    this.name = nameOf(o.name, "lstm_cell");
    this.forgetBias = finite("forgetBias", o.forgetBias, 1);
    this.stateIsTuple = bool("stateIsTuple", o.stateIsTuple, true);
    this.usePeepholes = bool("usePeepholes", o.usePeepholes, false);
    this.numProj = o.numProj === undefined || o.numProj === null
      ? null
      : positiveInt("numProj", o.numProj);
    this.cellClip = optionalPositive("cellClip", o.cellClip);
    this.projClip = optionalPositive("projClip", o.projClip);
    this.activation = activationOf(o.activation);
    dtypeOf(o.dtype);
    const unitShards = o.numUnitShards === undefined || o.numUnitShards === null
      ? null
      : positiveInt("numUnitShards", o.numUnitShards);
    const projShards = o.numProjShards === undefined || o.numProjShards === null
      ? null
      : positiveInt("numProjShards", o.numProjShards);
    const hDepth = this.outputSize = this.numProj ?? units;
    this.stateSize =
      (this.stateIsTuple
        ? lstmStateTuple(units, hDepth)
        : units + hDepth) as unknown as LSTMStateTuple<number>;
    const init = o.initializer ?? null;
    const { forgetBias, activation, stateIsTuple, usePeepholes, numProj, cellClip, projClip } =
      this;
    const layer = new CellLayer<LSTMStateTuple>({
      className: "lstm_cell",
      name: o.name ?? null,
      reuse: bool("reuse", o.reuse, false) || null,
      build: function* (add, depth): ProgramGenerator<CellWeights> {
        const kernel = yield* add("kernel", {
          shape: [depth + hDepth, 4 * units],
          initializer: init,
          partitioner: unitShards === null ? null : fixedSizePartitioner(unitShards),
        });
        const bias = yield* add("bias", { shape: [4 * units], initializer: zerosInitializer() });
        const peep = (name: string) => add(name, { shape: [units], initializer: init });
        const wf = usePeepholes ? yield* peep("w_f_diag") : null;
        const wi = usePeepholes ? yield* peep("w_i_diag") : null;
        const wo = usePeepholes ? yield* peep("w_o_diag") : null;
        const projection = numProj === null ? null : yield* add("projection/kernel", {
          shape: [units, numProj],
          initializer: init,
          partitioner: projShards === null ? null : fixedSizePartitioner(projShards),
        });
        return { kernel, bias, wf, wi, wo, projection };
      },
      bind: (w) =>
        lstmBound<LSTMStateTuple>(
          {
            units,
            kernel: w.kernel as tf.Tensor2D,
            bias: w.bias as tf.Tensor1D,
            forgetBias,
            peepholes: w.wf === null ? null : [w.wf!, w.wi!, w.wo!],
            cellClip,
            projection: w.projection as tf.Tensor2D | null,
            projClip,
            activation,
          },
          stateIsTuple,
          hDepth,
        ),
    });
    registerBinder(this, layerBinder(layer), (store) => layer.variables(store));
    Object.freeze(this);
  }
}
