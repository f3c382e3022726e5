/**
 * TF2's `get_or_create_layer` (spec Q9).
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { ScopeError, scopeError } from "../core/errors.ts";
import { makeProgram, type Program } from "../core/program.ts";
import { frames } from "./_frames.ts";

/**
 * TF1-style code's way to hold a nested layer or module inside a decorated
 * call (TF2 `tf.compat.v1.keras.utils.get_or_create_layer`, Q9): the first
 * call under a key "<current variable scope>/<name>" makes the object with
 * `factory`, later calls return the same object, and the decorated object
 * tracks it as if it were a field (its variables and losses). Outside a
 * decorated call it is the typed `ObjectError`, as TF2 raises in eager
 * mode.
 *
 * @param name the key's last part
 * @param factory makes the object
 * @returns the program yielding the object
 *
 * @example
 * ```ts
 * import { runScoped } from "varscope";
 * import { getOrCreateLayer } from "varscope/objects";
 * import * as assert from "node:assert/strict";
 *
 * const r = runScoped(getOrCreateLayer("inner", () => ({})));
 * assert.equal(r._tag === "Left" && r.left.tag, "ObjectError");
 * ```
 *
 * @category objects
 */
export function getOrCreateLayer<L>(name: string, factory: () => L): Program<L> {
  return makeProgram((env, state) => {
    if (typeof name !== "string" || name === "" || typeof factory !== "function") {
      return E.left(
        scopeError(
          "InvalidArgument",
          "getOrCreateLayer expects a non-empty name and a factory function",
          { argument: typeof name !== "string" || name === "" ? "name" : "factory" },
        ),
      );
    }
    const frame = frames[frames.length - 1];
    if (frame === undefined) {
      return E.left(
        scopeError(
          "ObjectError",
          "getOrCreateLayer can only be used inside a method decorated with trackTf1StyleVariables",
          { name },
        ),
      );
    }
    const key = env.scope.name === "" ? name : `${env.scope.name}/${name}`;
    const children = frame.owned.children;
    if (children.has(key)) return E.right({ value: children.get(key) as L, state });
    let made: L;
    try {
      made = factory();
    } catch (e) {
      if (e instanceof ScopeError) return E.left(e);
      throw e;
    }
    children.set(key, made);
    return E.right({ value: made, state });
  });
}
