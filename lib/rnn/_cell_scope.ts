/**
 * Internal: the variable scope a cell's weights live in (TF1 O1, after N2–N4):
 * a default-name scope named after the cell (`lstm_cell`, `lstm_cell_1`, …)
 * in the current scope, the `scope` argument of a call as a plain scope, or
 * with `reuse: true` the plain name so that existing variables are found.
 *
 * @module
 */
import type { Program } from "../core/program.ts";
import type { VariableScope } from "../core/scope.ts";
import { variableScope } from "../core/variable_scope.ts";

/** Runs `body` in the scope of a cell named `name`. */
export function cellScope<A>(
  name: string,
  reuse: boolean,
  scope: string | VariableScope | undefined,
  body: Program<A>,
): Program<A> {
  if (scope !== undefined) return variableScope(scope, reuse ? { reuse: true } : {}, body);
  if (reuse) return variableScope(name, { reuse: true }, body);
  return variableScope(null, { defaultName: name }, body);
}
