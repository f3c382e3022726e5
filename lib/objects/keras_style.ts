/**
 * TF1's `keras_style_scope` and `set_keras_style` (spec P1–P4): TF1 layers
 * (`varscope/layers`) and RNN cells (`varscope/rnn`) constructed while
 * keras style is on own their variables.
 *
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { describeValue, scopeError } from "../core/errors.ts";
import {
  kerasStyleNow,
  setKerasStyleForGood,
  setOwnedCallRunner,
  withKerasStyle,
} from "./_keras_style_flag.ts";
import { ownedOf, PLAIN_KIND } from "./_owned.ts";

// P2, P3: a keras-style layer's call runs against its own variables,
// starting in a variable scope named after the current name scope.
setOwnedCallRunner((owner, body, env, state) => {
  const owned = ownedOf(owner, () => PLAIN_KIND);
  const prefix = env.nameScope === "" ? null : env.nameScope.slice(0, -1);
  const r = owned.runEither(body, prefix);
  return E.isLeft(r) ? r : E.right({ value: r.right, state });
});

/**
 * TF1 `keras_style_scope()` (P1): runs `construct` with keras style on.
 * Every TF1 layer and RNN cell constructed during the call owns its
 * variables (P2): calling it never touches the run's store, never shares
 * by name and never raises "already exists"; its variables are named
 * after the name scope open at its first call (P3); a scope or any reuse
 * given to it is the typed `KerasStyle` error (P4).
 *
 * The flag is read when a layer is constructed, as in TF1, and is on only
 * while `construct` runs: `construct` must be synchronous (a promise is the
 * typed `ObjectError`), so no code interleaved at an `await` ever sees it.
 *
 * @param construct constructs the layers, cells and models
 * @returns what `construct` returned
 * @throws {ScopeError} `ObjectError` when `construct` returns a promise;
 *   `UserCodeFailed` (with the original as `cause`) when it throws anything
 *   but a typed error, which passes as it is
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { runScopedOrThrow, scoped } from "varscope";
 * import { Dense } from "varscope/layers";
 * import { kerasStyleScope, Module } from "varscope/objects";
 * import { transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * class Model extends Module {
 *   dense = new Dense(2);
 * }
 * const [a, b] = kerasStyleScope(() => [new Model(), new Model()]);
 * const net = transform((x: tf.Tensor) => scoped(function* () {
 *   return [yield* a.dense.apply(x), yield* b.dense.apply(x)];
 * }));
 * const { params } = net.init(tf.ones([1, 3]));
 * assert.deepEqual(params.names, []); // nothing in the run's store
 * assert.deepEqual(a.weights.map((w) => w.name), ["dense/kernel:0", "dense/bias:0"]);
 * assert.notEqual(a.weights[0]!.variable, b.weights[0]!.variable);
 * a.dispose();
 * b.dispose();
 * ```
 *
 * @category objects
 */
export function kerasStyleScope<R>(construct: () => R): R {
  if (typeof construct !== "function") {
    throw scopeError("ObjectError", "kerasStyleScope expects a construction callback", {
      value: construct,
    });
  }
  let out: R;
  try {
    out = withKerasStyle(construct);
  } catch (e) {
    throw typedFromCallback(e);
  }
  let thenable: boolean;
  try {
    thenable = (typeof out === "object" || typeof out === "function") && out !== null &&
      typeof (out as { then?: unknown }).then === "function";
  } catch (cause) {
    throw scopeError(
      "ObjectError",
      "kerasStyleScope's callback returned a value whose `then` cannot be read (a getter or proxy trap threw)",
      { cause },
    );
  }
  if (thenable) {
    throw scopeError(
      "ObjectError",
      "kerasStyleScope's callback returned a promise: construct the layers synchronously (the keras-style flag cannot follow an await)",
      {},
    );
  }
  return out;
}

// A typed error from the callback (a layer's option check) passes as it
// is; anything else it threw is `UserCodeFailed` with the original as
// `cause`, as the core reports user code that throws.
function typedFromCallback(e: unknown): unknown {
  try {
    if (
      e instanceof Error &&
      (typeof (e as { tag?: unknown }).tag === "string" ||
        typeof (e as { code?: unknown }).code === "string")
    ) return e;
  } catch {
    // A thrown proxy whose traps throw: wrapped below.
  }
  let why: string;
  try {
    why = e instanceof Error ? `${e.name}: ${e.message}` : describeValue(e);
  } catch {
    why = "<unprintable>";
  }
  return scopeError("UserCodeFailed", `kerasStyleScope's callback threw: ${why}`, { cause: e });
}

/**
 * TF1 `set_keras_style()` (P1): turns keras style on for good; it cannot be
 * turned off.
 *
 * @example
 * ```ts ignore
 * import { setKerasStyle } from "varscope/objects";
 * setKerasStyle(); // every layer and cell constructed from now on is keras style
 * ```
 *
 * @category objects
 */
export function setKerasStyle(): void {
  setKerasStyleForGood();
}

/**
 * Whether layers constructed now are keras style (inside
 * {@linkcode kerasStyleScope}'s callback, or after {@linkcode setKerasStyle}).
 *
 * @returns the flag
 *
 * @example
 * ```ts
 * import { isKerasStyle, kerasStyleScope } from "varscope/objects";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(kerasStyleScope(() => isKerasStyle()), true);
 * ```
 *
 * @category objects
 */
export function isKerasStyle(): boolean {
  return kerasStyleNow();
}
