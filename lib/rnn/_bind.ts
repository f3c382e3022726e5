/**
 * Internal: how a cell is bound for a pass. Binding opens the cell's scope
 * and resolves its variables once (a program), and gives back plain tfjs
 * functions for one step and for a whole sequence. `cell.call` is bind then
 * one step; `dynamicRnn` binds once and runs every step as tensor code, as
 * TF1's `dynamic_rnn` calls the cell once to build its loop body.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { type Program, type ProgramGenerator, scoped } from "../core/program.ts";
import { getVariableScope } from "../core/scope_setters.ts";
import { variableScope } from "../core/variable_scope.ts";
import type { VariableScope } from "../core/scope.ts";
import type { Store } from "../core/store.ts";
import type { VariableLike } from "../core/variable.ts";
import type { CellLayer } from "./_cell_layer.ts";
import { loopSequence, type SequenceResult, type StepFn, type TimeSteps } from "./_sequence.ts";
import type { RNNState, StateSize } from "./state.ts";

/** A cell whose variables are resolved: plain tensor functions. */
export interface BoundCell<S extends RNNState> {
  /** One step. */
  readonly step: StepFn<S>;
  /** Every step, the state masked per step (masks: [batch, 1] bool per step, or null). */
  readonly sequence: (
    inputs: TimeSteps,
    state: S,
    masks: readonly tf.Tensor[] | null,
  ) => SequenceResult<S>;
}

/** Binds a cell for inputs of `inputDepth`, in `scope` when given (TF1's `scope=` argument). */
export type Binder<S extends RNNState> = (
  inputDepth: number,
  scope: string | VariableScope | undefined,
) => Program<BoundCell<S>>;

interface Entry {
  readonly binder: Binder<RNNState>;
  readonly variables: (store: Store) => readonly VariableLike[];
}

const binders = new WeakMap<object, Entry>();

/** Called by each cell's constructor: how to bind it, and its variables in a store. */
export function registerBinder<S extends RNNState>(
  cell: object,
  binder: Binder<S>,
  variables: (store: Store) => readonly VariableLike[],
): void {
  binders.set(cell, { binder: binder as unknown as Binder<RNNState>, variables });
}

/** A cell's variables in a store (empty before its first call there). */
export function variablesOf(cell: unknown, store: Store): readonly VariableLike[] {
  return typeof cell === "object" && cell !== null ? binders.get(cell)?.variables(store) ?? [] : [];
}

function* reenterBody<A>(program: Program<A>): ProgramGenerator<A> {
  const current = yield* getVariableScope();
  return yield* variableScope(current, program);
}

/**
 * TF1 `RNNCell.__call__` without `scope=` (the cells that are not
 * `LayerRNNCell`s: MultiRNNCell and cells written by users): the call runs
 * inside the caller's variable scope entered again as a scope object, whose
 * exit restores the default-name counters, so the default-name scope the
 * call takes (`multi_rnn_cell`) is not counted: a second new cell in the
 * same scope takes the same name (and fails with "already exists" where it
 * makes the same variables). `LayerRNNCell`s go straight to the layer.
 */
export function reenterCurrentScope<A>(program: Program<A>): Program<A> {
  return scoped(reenterBody<A>, program);
}

/**
 * Binds a cell made through a layer; `rnnCellCall`: as TF1's
 * `RNNCell.__call__` (see {@linkcode reenterCurrentScope}), else as
 * `LayerRNNCell.__call__`.
 */
export function layerBinder<S extends RNNState>(
  layer: CellLayer<S>,
  rnnCellCall = false,
): Binder<S> {
  const binder: Binder<S> = (depth, scope) =>
    scope === undefined
      ? rnnCellCall ? reenterCurrentScope(layer.apply(depth)) : layer.apply(depth)
      : layer.apply(depth, { scope });
  binderLayers.set(binder, layer);
  return binder;
}

// The layer behind a binder, so that objects owning their variables
// (keras style, `varscope/objects`) can find a cell's layer.
const binderLayers = new WeakMap<object, object>();

// The layers of cells written by users (made on their first call).
const userLayers = new WeakMap<object, object>();

/** Called when a user-written cell's layer is made. */
export function registerUserLayer(cell: object, layer: object): void {
  userLayers.set(cell, layer);
}

/** The layer behind a cell (keras-style objects own their variables there). */
export function cellLayerOf(cell: unknown): object | undefined {
  if (typeof cell !== "object" || cell === null) return undefined;
  const binder = binders.get(cell)?.binder;
  return binder === undefined ? userLayers.get(cell) : binderLayers.get(binder);
}

/** The binder of a cell made by this module, or undefined. */
export function binderOf<S extends RNNState>(cell: unknown): Binder<S> | undefined {
  return typeof cell === "object" && cell !== null
    ? binders.get(cell)?.binder as unknown as Binder<S> | undefined
    : undefined;
}

/** A bound cell whose sequence is the generic per-step loop. */
export function stepwise<S extends RNNState>(size: StateSize, step: StepFn<S>): BoundCell<S> {
  return {
    step,
    sequence: (inputs, state, masks) => loopSequence(size, step, inputs, state, masks),
  };
}
