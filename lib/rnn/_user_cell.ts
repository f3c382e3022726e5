/**
 * Internal: cells written by users (a subclass of `RNNCell`, or an object
 * with `stateSize`, `outputSize` and `call`, whose `call(inputs, state)` is
 * a program making its variables with `getVariable`). TF1 runs such a cell
 * through `RNNCell.__call__` and then the base layer's `__call__`: its scope
 * is fixed on its first call (a default-name scope named after the cell,
 * `minimal_gru_cell`, in the caller's scope, or the call's `scope=`), and
 * later calls re-enter that scope with reuse; without `scope=` the call runs
 * in the caller's scope entered again, so the default name is not counted.
 * Here the cell's `call` runs inside a base layer (`varscope/layers`'
 * `Layer`) that does exactly that, once per step: the loops' generic path.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue, type ScopeError } from "../core/errors.ts";
import {
  fail,
  isProgram,
  of,
  type Program,
  type ProgramGenerator,
  scoped,
} from "../core/program.ts";
import { listVariables, type Store } from "../core/store.ts";
import type { VariableLike } from "../core/variable.ts";
import { Layer, toSnakeCase } from "../layers/layer.ts";
import { kerasStyleNow, withKerasStyle } from "../objects/_keras_style_flag.ts";
import { binderOf, reenterCurrentScope, registerUserLayer } from "./_bind.ts";
import { checkState, flattenSize, rnnError } from "./_nest.ts";
import { maskState, type SequenceResult, TimeSteps } from "./_sequence.ts";
import type { RNNState, StateSize } from "./state.ts";

/** What a user cell must have. */
export interface UserCellLike<S extends RNNState> {
  readonly stateSize: StateSize;
  readonly outputSize: number;
  readonly name?: string;
  call(inputs: tf.Tensor2D, state: S): Program<readonly [tf.Tensor2D, S]>;
}

type Input<S extends RNNState> = readonly [tf.Tensor2D, S];

function cellName(cell: object): string {
  const n = (cell as { name?: unknown }).name;
  if (typeof n === "string" && n !== "") return n;
  const c = (cell as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof c === "string" && c !== "" && c !== "Object" ? toSnakeCase(c) : "rnn_cell";
}

function* stepBody<S extends RNNState>(
  cell: UserCellLike<S>,
  name: string,
  inputs: tf.Tensor2D,
  state: S,
): ProgramGenerator<readonly [tf.Tensor2D, S]> {
  let program: unknown;
  try {
    program = cell.call(inputs, state);
  } catch (e) {
    const why = e instanceof Error ? e.message : describeValue(e);
    return yield* fail(rnnError("cell", `${name}.call threw: ${why}`, e));
  }
  if (!isProgram(program)) {
    return yield* fail(
      rnnError(
        "cell",
        `${name}.call must return a program of [output, newState], got ${describeValue(program)}`,
        program,
      ),
    );
  }
  const r = yield* program;
  const batch = inputs.shape[0];
  if (!Array.isArray(r) || r.length !== 2) {
    return yield* fail(
      rnnError("cell", `${name}.call must yield [output, newState], got ${describeValue(r)}`, r),
    );
  }
  const [out, next] = r as [unknown, unknown];
  if (
    !(out instanceof tf.Tensor) || out.rank !== 2 || out.shape[0] !== batch ||
    out.shape[1] !== cell.outputSize
  ) {
    return yield* fail(rnnError(
      "cell",
      `${name}.call: the output must have shape [${batch}, ${cell.outputSize}] (outputSize), got ${
        out instanceof tf.Tensor ? `shape [${out.shape.join(", ")}]` : describeValue(out)
      }`,
      out,
    ));
  }
  const m = checkState(cell.stateSize, next, batch);
  if (m !== null) {
    return yield* fail(rnnError("cell", `${name}.call: the new state must match stateSize: ${m}`));
  }
  return [out as tf.Tensor2D, next as S] as const;
}

/** The base layer a user cell's steps run in (TF1's `Layer.__call__`). */
class UserCellLayer<S extends RNNState>
  extends Layer<Input<S>, readonly [tf.Tensor2D, S], null, Record<never, never>> {
  readonly #cell: UserCellLike<S>;
  constructor(cell: UserCellLike<S>, name: string) {
    super(name);
    this.#cell = cell;
    Object.freeze(this);
  }
  // TF1 RNNCell.build is empty: the cell makes its variables in `call`.
  protected override build(): Program<null> {
    return of(null);
  }
  protected override call(inputs: Input<S>): Program<readonly [tf.Tensor2D, S]> {
    return scoped(stepBody<S>, this.#cell, this.baseName, inputs[0], inputs[1]);
  }
}

const layers = new WeakMap<object, UserCellLayer<RNNState>>();
const kerasStyleCells = new WeakSet<object>();

/**
 * Called by `RNNCell`'s constructor: a user cell's layer is made on its
 * first use, so whether it was constructed in keras style (TF1 P1, read at
 * construction) is noted here.
 */
export function noteKerasStyle(cell: object): void {
  if (kerasStyleNow()) kerasStyleCells.add(cell);
}

/**
 * Why `cell` cannot be run as a user cell (a message), or null. Cells made
 * by this module are not user cells.
 */
export function userCellProblem(cell: unknown): string | null {
  if (typeof cell !== "object" || cell === null || binderOf(cell) !== undefined) {
    return "expected an RNN cell";
  }
  try {
    const c = cell as Partial<UserCellLike<RNNState>>;
    if (typeof c.call !== "function") return "expected an RNN cell (an object with a call method)";
    const sizeOk = (s: unknown): boolean =>
      typeof s === "number"
        ? Number.isSafeInteger(s) && s > 0
        : Array.isArray(s)
        ? s.length > 0 && s.every(sizeOk)
        : typeof s === "object" && s !== null && sizeOk((s as { c?: unknown }).c) &&
          sizeOk((s as { h?: unknown }).h);
    if (!sizeOk(c.stateSize)) {
      return `its stateSize must be a positive integer, an LSTMStateTuple of them or an array of those, got ${
        describeValue(c.stateSize)
      }`;
    }
    flattenSize(c.stateSize as StateSize);
    if (!Number.isSafeInteger(c.outputSize) || (c.outputSize as number) <= 0) {
      return `its outputSize must be a positive integer, got ${describeValue(c.outputSize)}`;
    }
    cellName(cell);
    return null;
  } catch (e) {
    return `reading it threw ${e instanceof Error ? e.message : describeValue(e)}`;
  }
}

/**
 * The layer that runs a user cell (made on first use, one per cell
 * object), or null for a cell made by this module.
 */
export function userCellLayer<S extends RNNState>(cell: object): UserCellLayer<S> | null {
  if (binderOf(cell) !== undefined) return null;
  let layer = layers.get(cell);
  if (layer === undefined) {
    const make = () => new UserCellLayer<RNNState>(cell as UserCellLike<RNNState>, cellName(cell));
    layer = kerasStyleCells.has(cell) ? withKerasStyle(make) : make();
    registerUserLayer(cell, layer);
    layers.set(cell, layer);
  }
  return layer as unknown as UserCellLayer<S>;
}

/** One step of a user cell (TF1 `cell(inputs, state, scope=scope)`). */
export function userStep<S extends RNNState>(
  layer: UserCellLayer<S>,
  inputs: tf.Tensor2D,
  state: S,
  scope: Parameters<UserCellLayer<S>["apply"]>[1],
): Program<readonly [tf.Tensor2D, S]> {
  const call = layer.apply([inputs, state] as const, scope);
  return scope === undefined ? reenterCurrentScope(call) : call;
}

function* sequenceBody<S extends RNNState>(
  layer: UserCellLayer<S>,
  size: StateSize,
  inputs: TimeSteps,
  state: S,
  masks: readonly tf.Tensor[] | null,
): ProgramGenerator<SequenceResult<S>> {
  const xs = inputs.list;
  const outputs: tf.Tensor2D[] = [];
  let s = state;
  for (let t = 0; t < xs.length; t++) {
    const [out, next] = yield* reenterCurrentScope(layer.apply([xs[t]!, s] as const));
    outputs.push(out);
    s = maskState(size, masks === null ? null : masks[t]!, next, s);
  }
  return { outputs: TimeSteps.ofList(outputs), state: s };
}

/**
 * Every step of a user cell, one cell call per step (the first makes its
 * variables, later ones reuse them); the state is masked per step.
 */
export function userSequence<S extends RNNState>(
  layer: UserCellLayer<S>,
  size: StateSize,
  inputs: TimeSteps,
  state: S,
  masks: readonly tf.Tensor[] | null,
): Program<SequenceResult<S>> {
  return scoped(sequenceBody<S>, layer, size, inputs, state, masks);
}

/**
 * A user cell's variables in a store: those under its scope (TF1 tracks the
 * variables its `call` gets through the scope's custom getter; a cell that
 * gets variables of other scopes is not covered).
 */
export function userCellVariables(cell: object, store: Store): readonly VariableLike[] {
  const layer = layers.get(cell);
  const scope = layer?.scopeName(store) ?? null;
  if (scope === null) return [];
  const prefix = scope === "" ? "" : `${scope}/`;
  return listVariables(store).filter((v) => v.fullName.startsWith(prefix));
}

/** The typed error for a value that is not a cell. */
export function cellError(what: string, cell: unknown): ScopeError | null {
  if (binderOf(cell) !== undefined) return null;
  const m = userCellProblem(cell);
  return m === null ? null : rnnError(
    what,
    m.startsWith("expected")
      ? `Invalid ${what}: ${m}, got ${describeValue(cell)}`
      : `Invalid ${what}: ${m}`,
    cell,
  );
}

/**
 * The typed error of a wrapper (MultiRNNCell, DropoutWrapper,
 * ResidualWrapper) given something other than a built-in cell: user cells
 * run only in the loops and `callCell` (their steps are programs).
 */
export function wrappedCellError(what: string, wrapper: string, cell: unknown): ScopeError {
  return userCellProblem(cell) === null
    ? rnnError(
      what,
      `Invalid ${what}: ${wrapper} takes the built-in cells only; a user-written cell runs in dynamicRnn, staticRnn, their bidirectional forms and callCell`,
      cell,
    )
    : rnnError(what, `Invalid ${what}: expected an RNN cell`, cell);
}
