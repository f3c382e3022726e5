/**
 * TF1 `MultiRNNCell` (O6): cells stacked, each in a `cell_<i>` scope.
 *
 * @module
 */
import { wrappedCellError } from "./_user_cell.ts";
import * as tf from "@tensorflow/tfjs-core";
import { readFailed } from "../core/_guard.ts";
import { ScopeError } from "../core/errors.ts";
import { of, type ProgramGenerator, scoped } from "../core/program.ts";
import { variableScope } from "../core/variable_scope.ts";
import { binderOf, type BoundCell, layerBinder, registerBinder, variablesOf } from "./_bind.ts";
import { CellLayer, type CellWeights } from "./_cell_layer.ts";
import { flattenSize, rnnError } from "./_nest.ts";
import { bool, optionsOf } from "./_options.ts";
import type { TimeSteps } from "./_sequence.ts";
import { RNNCell } from "./rnn_cell.ts";
import type { RNNState, StateSize } from "./state.ts";

/**
 * Options of {@linkcode MultiRNNCell}.
 *
 * @category rnn
 */
export interface MultiRNNCellOptions {
  /**
   * State as an array of the cells' states (default) or one tensor, the
   * cells' states concatenated (then no cell may have a tuple state).
   */
  readonly stateIsTuple?: boolean;
}

// Every index is read (a hole is no cell), and an array proxy whose traps
// throw gives a typed error with the cause.
function cellList(cells: unknown): RNNCell<RNNState>[] {
  try {
    if (!Array.isArray(cells) || cells.length === 0) {
      throw rnnError("cells", "Must specify at least one cell for MultiRNNCell", cells);
    }
    const out: RNNCell<RNNState>[] = [];
    for (let i = 0; i < cells.length; i++) {
      const c: unknown = cells[i];
      if (binderOf(c) === undefined) throw wrappedCellError(`cells[${i}]`, "MultiRNNCell", c);
      out.push(c as RNNCell<RNNState>);
    }
    return out;
  } catch (e) {
    if (e instanceof ScopeError) throw e;
    throw readFailed("MultiRNNCell cells", e);
  }
}

function* noWeights(): ProgramGenerator<CellWeights> {
  return yield* of({});
}

function* bindAll(
  cells: readonly RNNCell<RNNState>[],
  depth: number,
): ProgramGenerator<BoundCell<RNNState>[]> {
  const bound: BoundCell<RNNState>[] = [];
  let d = depth;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    bound.push(yield* variableScope(`cell_${i}`, binderOf<RNNState>(cell)!(d, undefined)));
    d = cell.outputSize;
  }
  return bound;
}

/**
 * TF1 `tf.compat.v1.nn.rnn_cell.MultiRNNCell` (O6): runs its cells in
 * order, each cell's output the next one's input, inside its own scope
 * `multi_rnn_cell` and one `cell_<i>` scope per cell:
 * `rnn/multi_rnn_cell/cell_0/lstm_cell/kernel`. The state is an array of
 * the cells' states.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { dynamicRnn, GRUCell, LSTMCell, MultiRNNCell } from "varscope/rnn";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new MultiRNNCell([new LSTMCell(4), new GRUCell(3)]);
 * const rnn = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
 * const x = tf.ones([2, 3, 5]) as tf.Tensor3D;
 * const { params } = rnn.init(x);
 * assert.deepEqual(params.names.slice(0, 2), [
 *   "rnn/multi_rnn_cell/cell_0/lstm_cell/kernel",
 *   "rnn/multi_rnn_cell/cell_0/lstm_cell/bias",
 * ]);
 * assert.equal(params.names[2], "rnn/multi_rnn_cell/cell_1/gru_cell/gates/kernel");
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export class MultiRNNCell extends RNNCell<readonly RNNState[]> {
  /** The cells, in order. */
  readonly cells: readonly RNNCell<RNNState>[];
  /** The cells' state sizes (or their sum without tuples). */
  readonly stateSize: readonly StateSize[];
  /** The last cell's output size. */
  readonly outputSize: number;
  /** The scope name, "multi_rnn_cell". */
  readonly name: string;
  /** Whether the state is an array. */
  readonly stateIsTuple: boolean;

  /**
   * Stacks the cells.
   *
   * @param cells the cells (at least one)
   * @param options TF1's keyword arguments
   */
  constructor(cells: readonly RNNCell<RNNState>[], options: MultiRNNCellOptions = {}) {
    super();
    const o = optionsOf<MultiRNNCellOptions>("MultiRNNCell", options, ["stateIsTuple"]);
    this.cells = Object.freeze(cellList(cells));
    this.stateIsTuple = bool("stateIsTuple", o.stateIsTuple, true);
    this.name = "multi_rnn_cell";
    const sizes = this.cells.map((c) => c.stateSize);
    if (!this.stateIsTuple && sizes.some((s) => typeof s !== "number")) {
      throw rnnError(
        "stateIsTuple",
        "Some cells return tuples of states, but the flag stateIsTuple is not set",
      );
    }
    const total = flattenSize(sizes).reduce((a, b) => a + b, 0);
    this.stateSize = (this.stateIsTuple ? Object.freeze(sizes) : total) as readonly StateSize[];
    this.outputSize = this.cells[this.cells.length - 1]!.outputSize;
    const own = this.cells;
    const tuple = this.stateIsTuple;
    const layer = new CellLayer<readonly RNNState[]>({
      className: "multi_rnn_cell",
      name: null,
      reuse: null,
      build: noWeights,
      bind: () => {
        throw new Error("unreachable");
      },
      bindProgram: (depth) =>
        scoped(function* (): ProgramGenerator<BoundCell<readonly RNNState[]>> {
          return multiBound(own, yield* bindAll(own, depth), tuple);
        }),
    });
    registerBinder(
      this,
      layerBinder(layer, true),
      (store) => own.flatMap((c) => variablesOf(c, store)),
    );
    Object.freeze(this);
  }
}

function multiBound(
  cells: readonly RNNCell<RNNState>[],
  bound: readonly BoundCell<RNNState>[],
  tuple: boolean,
): BoundCell<readonly RNNState[]> {
  const sizes = cells.map((c) => c.stateSize);
  const split = (s: readonly RNNState[]): readonly RNNState[] => {
    if (tuple) return s;
    const widths = sizes as readonly number[];
    return tf.split(s as unknown as tf.Tensor2D, widths.slice(), 1) as tf.Tensor2D[];
  };
  const join = (states: RNNState[]): readonly RNNState[] =>
    tuple
      ? Object.freeze(states)
      : tf.concat(states as tf.Tensor2D[], 1) as unknown as readonly RNNState[];
  return {
    step: (x, state) => {
      const parts = split(state);
      const next: RNNState[] = [];
      let out = x;
      for (let i = 0; i < bound.length; i++) {
        const [o, s] = bound[i]!.step(out, parts[i]!);
        out = o;
        next.push(s);
      }
      return [out, join(next)];
    },
    // Layer by layer: a cell's outputs at every step only depend on the
    // previous cell's outputs, so each cell runs its own fast loop.
    sequence: (inputs, state, masks) => {
      const parts = split(state);
      const next: RNNState[] = [];
      let xs: TimeSteps = inputs;
      for (let i = 0; i < bound.length; i++) {
        const r = bound[i]!.sequence(xs, parts[i]!, masks);
        xs = r.outputs;
        next.push(r.state);
      }
      return { outputs: xs, state: join(next) };
    },
  };
}
