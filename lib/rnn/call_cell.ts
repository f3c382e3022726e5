/**
 * TF1's `cell(inputs, state, scope=…)` (`RNNCell.__call__`) for every cell,
 * the ones written by users included.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { describeValue } from "../core/errors.ts";
import { fail, type Program } from "../core/program.ts";
import { isVariableScope } from "../core/scope.ts";
import { checkState, rnnError } from "./_nest.ts";
import { cellError, userCellLayer, userStep } from "./_user_cell.ts";
import type { CellCallOptions, RNNCell } from "./rnn_cell.ts";
import type { RNNState } from "./state.ts";

/**
 * One step of any cell, as TF1's `cell(inputs, state, scope=scope)`: for
 * the built-in cells it is `cell.call(inputs, state, options)`; for a cell
 * written by a user (a subclass of {@linkcode RNNCell} overriding `call`)
 * it runs the user's `call` in the cell's scope, fixed on its first call
 * (TF1 `RNNCell.__call__` → the base layer's `__call__`): the given
 * `scope`, else a default-name scope named after the cell in the current
 * scope; later calls re-enter it with reuse, wherever they are made. Without
 * `scope`, the call runs in the current scope entered again (TF1's
 * `rnncell_scope`), whose exit restores the default-name counters: a second
 * new cell called there takes the same name, as in TF1.
 *
 * @param cell the cell
 * @param inputs [batch, depth]
 * @param state the current state, shaped like `cell.stateSize`
 * @param options TF1's `scope=`
 * @returns the program yielding `[output, newState]`
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { type Program, scoped, variableScope } from "varscope";
 * import { callCell, RNNCell } from "varscope/rnn";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * class ScaleCell extends RNNCell<tf.Tensor2D> {
 *   readonly stateSize = 3;
 *   readonly outputSize = 3;
 *   readonly name = "scale_cell";
 *   override call(x: tf.Tensor2D, h: tf.Tensor2D): Program<readonly [tf.Tensor2D, tf.Tensor2D]> {
 *     return scoped(function* () {
 *       const k = yield* variable("k", { shape: [3] });
 *       const next = tf.add(tf.mul(x, k), h) as tf.Tensor2D;
 *       return [next, next] as const;
 *     });
 *   }
 * }
 *
 * await useBackend({ backend: "cpu" });
 * const cell = new ScaleCell();
 * const step = transform((x: tf.Tensor2D) => scoped(function* () {
 *   const [y] = yield* variableScope("a", callCell(cell, x, tf.zeros([1, 3]) as tf.Tensor2D));
 *   // The second call, in another scope, re-enters "a/scale_cell" with reuse.
 *   return yield* variableScope("b", callCell(cell, y, y));
 * }));
 * const x = tf.ones([1, 3]) as tf.Tensor2D;
 * const { params } = step.init(x);
 * assert.deepEqual(params.names, ["a/scale_cell/k"]);
 * params.dispose();
 * x.dispose();
 * ```
 *
 * @category rnn
 */
export function callCell<S extends RNNState>(
  cell: RNNCell<S>,
  inputs: tf.Tensor2D,
  state: S,
  options: CellCallOptions = {},
): Program<readonly [tf.Tensor2D, S]> {
  const bad = cellError("cell", cell);
  if (bad !== null) return fail(bad);
  const layer = userCellLayer<S>(cell);
  if (layer === null) return cell.call(inputs, state, options);
  let scope: unknown;
  try {
    scope = typeof options === "object" && options !== null ? options.scope : options;
  } catch (e) {
    return fail(rnnError("options", `Invalid options: reading them threw ${describeValue(e)}`, e));
  }
  if (
    (typeof options !== "object" || options === null) ||
    (scope !== undefined && scope !== null && typeof scope !== "string" && !isVariableScope(scope))
  ) {
    return fail(rnnError("scope", `Invalid scope ${describeValue(scope)}`, scope));
  }
  if (!(inputs instanceof tf.Tensor) || inputs.rank !== 2) {
    return fail(rnnError(
      "inputs",
      `Invalid inputs for ${layer.baseName}: expected a [batch, depth] tensor, got ${
        inputs instanceof tf.Tensor ? `shape [${inputs.shape.join(", ")}]` : describeValue(inputs)
      }`,
      inputs,
    ));
  }
  const m = checkState(cell.stateSize, state, inputs.shape[0]);
  if (m !== null) return fail(rnnError("state", `Invalid state for ${layer.baseName}: ${m}`));
  return userStep(
    layer,
    inputs,
    state,
    scope === undefined || scope === null ? undefined : { scope: scope as string },
  );
}
