/**
 * Internal: a cell's weights live in a TF1 base layer (`LayerRNNCell` is a
 * `base.Layer`, O1): its scope is fixed on the first call (a default-name
 * scope `lstm_cell`, `lstm_cell_1`, … in the caller's scope, or the call's
 * `scope=`), its weights are made there with `add_weight`, and later calls
 * re-enter that scope with reuse (N2–N4). The layer's `call` reads the
 * weights once and gives back the bound cell: plain tensor functions.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { ReuseArgument } from "../core/reuse.ts";
import { type Program, type ProgramGenerator, scoped } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { readVariable } from "../interpreter/read_variable.ts";
import { type AddWeightOptions, Layer } from "../layers/layer.ts";
import type { BoundCell } from "./_bind.ts";
import type { RNNState } from "./state.ts";

/** Makes a weight in the layer's scope (the layer's `addWeight`). */
export type AddWeight = (name: string, options: AddWeightOptions) => Program<VariableLike>;

/** The weights `build` made, by name (null: not made, e.g. no peepholes). */
export type CellWeights = Readonly<Record<string, VariableLike | null>>;

/** The same weights read as tensors. */
export type CellTensors = Readonly<Record<string, tf.Tensor | null>>;

/** What a cell gives its layer. */
export interface CellLayerSpec<S extends RNNState> {
  /** The default scope name (TF1 O1). */
  readonly className: string;
  /** The cell's `name` option. */
  readonly name: string | null;
  /** The cell's `reuse` option. */
  readonly reuse: ReuseArgument;
  /** Makes the weights for inputs of this depth. */
  readonly build: (add: AddWeight, depth: number) => ProgramGenerator<CellWeights>;
  /** The bound cell over the weights' tensors. */
  readonly bind: (w: CellTensors) => BoundCell<S>;
  /** Instead of `bind`: a program that binds (MultiRNNCell binds its cells). */
  readonly bindProgram?: (depth: number) => Program<BoundCell<S>>;
}

function* readAll(weights: CellWeights): ProgramGenerator<CellTensors> {
  const out: Record<string, tf.Tensor | null> = {};
  for (const key of Object.keys(weights)) {
    const v = weights[key] ?? null;
    out[key] = v === null ? null : yield* readVariable(v);
  }
  return out;
}

function* bindBody<S extends RNNState>(
  spec: CellLayerSpec<S>,
  weights: CellWeights,
): ProgramGenerator<BoundCell<S>> {
  return spec.bind(yield* readAll(weights));
}

/** The layer behind a cell; its input is the input depth, its output the bound cell. */
export class CellLayer<S extends RNNState>
  extends Layer<number, BoundCell<S>, CellWeights, Record<never, never>> {
  readonly #spec: CellLayerSpec<S>;
  constructor(spec: CellLayerSpec<S>) {
    super(spec.className, {
      ...(spec.name === null ? {} : { name: spec.name }),
      reuse: spec.reuse,
    });
    this.#spec = spec;
    Object.freeze(this);
  }
  protected override build(depth: number): Program<CellWeights> {
    const add: AddWeight = (name, options) => this.addWeight(name, options);
    return scoped(this.#spec.build, add, depth);
  }
  protected override call(depth: number, weights: CellWeights): Program<BoundCell<S>> {
    const spec = this.#spec;
    if (spec.bindProgram !== undefined) return spec.bindProgram(depth);
    return scoped(bindBody<S>, spec, weights);
  }
}
