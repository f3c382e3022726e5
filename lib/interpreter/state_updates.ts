/**
 * Writing variables during a pass: TF1's `tf.assign`, `assign_add` and
 * `assign_sub`, whose ops TF1 code collects in `GraphKeys.UPDATE_OPS`
 * (batch normalization's moving averages). A write is recorded by the
 * pass, never applied in place: `applyWithUpdates` returns new params
 * with the writes applied, a trainer applies them after its gradient step,
 * and plain `apply` and `init` drop them. Params given to a pass never
 * change.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { describeValue, scopeError } from "../core/errors.ts";
import { makeProgram, type Program } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { passOf, type WriteKind } from "./_pass.ts";
import { notInterpreted, slotsOf } from "./read_variable.ts";

function write(kind: WriteKind, variable: VariableLike, value: tf.Tensor): Program<void> {
  return makeProgram((env, state) => {
    const pass = passOf(env);
    if (pass === null) return E.left(notInterpreted(kind));
    if (!(value instanceof tf.Tensor) || value.isDisposed) {
      return E.left(
        scopeError(
          "InvalidArgument",
          `Invalid ${kind} value: expected a live tensor, got ${describeValue(value)}`,
          { argument: "value" },
        ),
      );
    }
    const slots = slotsOf(pass.slots, variable);
    if (E.isLeft(slots)) return slots;
    const v = variable as { fullName: string; shape: readonly number[]; dtype: string };
    const same = value.shape.length === v.shape.length &&
      value.shape.every((d, i) => d === v.shape[i]);
    if (!same) {
      return E.left(
        scopeError(
          "ShapeMismatch",
          `Cannot ${kind} variable "${v.fullName}": the value has shape [${value.shape}], the variable [${v.shape}]`,
          { name: v.fullName, shape: value.shape, expected: v.shape },
        ),
      );
    }
    const s = slots.right;
    const dtype = pass.slots.tensor(typeof s === "number" ? s : s.slots[0]!).dtype;
    if (value.dtype !== dtype) {
      return E.left(
        scopeError(
          "DTypeMismatch",
          `Cannot ${kind} variable "${v.fullName}": the value is ${value.dtype}, the variable ${dtype}`,
          { name: v.fullName, dtype: value.dtype, expected: dtype },
        ),
      );
    }
    if (typeof s === "number") {
      // A handle of its own: the value may be a caller's or a parameter.
      pass.writes.push({ slot: s, kind, value: tf.keep(tf.clone(value)) });
    } else {
      const sizes = s.slots.map((slot) => pass.slots.tensor(slot).shape[s.axis]!);
      const parts = tf.split(value, sizes, s.axis);
      s.slots.forEach((slot, i) => pass.writes.push({ slot, kind, value: tf.keep(parts[i]!) }));
    }
    return E.right({ value: undefined, state });
  });
}

/**
 * TF1 `tf.compat.v1.assign(variable, value)`: after the pass, the variable
 * holds `value` (see the module notes for when writes apply).
 *
 * @param variable a variable from `getVariable`
 * @param value a tensor of the variable's shape and dtype
 * @returns the program
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, scoped, zerosInitializer } from "varscope";
 * import { assign, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   const last = yield* getVariable("last", { shape: [2], initializer: zerosInitializer(), trainable: false });
 *   yield* assign(last, x);
 *   return tf.sum(x);
 * }));
 * const { params } = model.init(tf.zeros([2]));
 * const { output, params: next } = model.applyWithUpdates(params, tf.tensor1d([3, 4]));
 * assert.deepEqual(Array.from(next.get("last").dataSync()), [3, 4]);
 * assert.deepEqual(Array.from(params.get("last").dataSync()), [0, 0]);
 * tf.dispose(output);
 * ```
 *
 * @category state
 */
export function assign(variable: VariableLike, value: tf.Tensor): Program<void> {
  return write("assign", variable, value);
}

/**
 * TF1 `tf.compat.v1.assign_add(variable, delta)`: after the pass, the
 * variable holds its value plus `delta`.
 *
 * @param variable a variable from `getVariable`
 * @param delta a tensor of the variable's shape and dtype
 * @returns the program
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, scoped, zerosInitializer } from "varscope";
 * import { assignAdd, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const counter = transform((_: null) => scoped(function* () {
 *   const n = yield* getVariable("n", { shape: [], initializer: zerosInitializer(), trainable: false });
 *   yield* assignAdd(n, tf.scalar(1));
 *   return null;
 * }));
 * let { params } = counter.init(null);
 * for (let i = 0; i < 3; i++) params = counter.applyWithUpdates(params, null).params;
 * assert.equal(params.get("n").dataSync()[0], 3);
 * ```
 *
 * @category state
 */
export function assignAdd(variable: VariableLike, delta: tf.Tensor): Program<void> {
  return write("assignAdd", variable, delta);
}

/**
 * TF1 `tf.compat.v1.assign_sub(variable, delta)`: after the pass, the
 * variable holds its value minus `delta`.
 *
 * @param variable a variable from `getVariable`
 * @param delta a tensor of the variable's shape and dtype
 * @returns the program
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { constantInitializer, getVariable, scoped } from "varscope";
 * import { assignSub, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const m = transform((_: null) => scoped(function* () {
 *   const v = yield* getVariable("v", { shape: [], initializer: constantInitializer(5), trainable: false });
 *   yield* assignSub(v, tf.scalar(2));
 *   return null;
 * }));
 * const { params } = m.init(null);
 * assert.equal(m.applyWithUpdates(params, null).params.get("v").dataSync()[0], 3);
 * ```
 *
 * @category state
 */
export function assignSub(variable: VariableLike, delta: tf.Tensor): Program<void> {
  return write("assignSub", variable, delta);
}
