/**
 * Regularization losses as tensors. The core records one loss per
 * variable created with a regularizer in effect (none on reuse, one per
 * shard); these compute their values from the current tensors.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { matcher, type RegularizationLoss, regularizationLosses } from "../core/collections.ts";
import { describeValue, scopeError } from "../core/errors.ts";
import { fail, type Program } from "../core/program.ts";
import type { Store } from "../core/store.ts";
import { RecordedStep } from "../core/_recorded.ts";
import { checkParams, type Params, paramsLayout } from "./params.ts";
import { regularizationLossValue } from "./regularization_loss.ts";
import { passOf } from "./_pass.ts";
import { notInterpreted } from "./read_variable.ts";

interface LossSlot {
  readonly slot: number;
  readonly loss: RegularizationLoss;
}

function lossSlots(
  store: Store,
  scope: string | undefined,
  slotOf: (name: string) => number | undefined,
): readonly LossSlot[] {
  const out: LossSlot[] = [];
  for (const loss of regularizationLosses(store, scope)) {
    const slot = slotOf(loss.variable.fullName);
    if (slot === undefined) {
      throw scopeError(
        "InvalidParams",
        `No parameter for regularized variable "${loss.variable.fullName}"`,
        {
          name: loss.variable.fullName,
        },
      );
    }
    out.push({ slot, loss });
  }
  return out;
}

/**
 * The sum of regularization losses over tensors (a float32 scalar; 0 when
 * there are none). For the interpreter's runners.
 *
 * @param slots the losses and their slots
 * @param tensor the tensor of a slot
 * @returns the scalar
 */
export function sumLosses(
  slots: readonly LossSlot[],
  tensor: (slot: number) => tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const terms: tf.Tensor[] = [];
    for (const { slot, loss } of slots) {
      const t = regularizationLossValue(loss.regularizer, tensor(slot), loss.variable.fullName);
      if (t !== null) terms.push(t);
    }
    return (terms.length === 0 ? tf.scalar(0) : tf.addN(terms)) as tf.Scalar;
  });
}

/**
 * Every regularization loss of a store with its slot in the params layout.
 *
 * @param store the store
 * @param scope TF1's scope filter (a regular expression matched at the start of names)
 * @returns the losses and slots
 */
export function storeLossSlots(store: Store, scope?: string): readonly LossSlot[] {
  const index = paramsLayout(store).index;
  return lossSlots(store, scope, (n) => index.get(n));
}

/**
 * TF1 `tf.losses.get_regularization_loss(scope)` inside a program: the sum
 * of the regularization losses recorded so far (optionally those whose
 * names match `scope`), computed from the variables' current tensors, plus
 * the losses this pass added (`addRegularizationLoss`, activity
 * regularizers), so a training step's gradients include it.
 *
 * @param scope TF1's scope filter, matched at the start of loss names
 * @returns the program yielding a float32 scalar (0 without losses)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { constantInitializer, l2Regularizer, scoped } from "varscope";
 * import { regularizationLoss, transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => scoped(function* () {
 *   yield* variable("w", { shape: [2], initializer: constantInitializer(3), regularizer: l2Regularizer(0.1) });
 *   return yield* regularizationLoss();
 * }));
 * const { params } = model.init(null);
 * assert.ok(Math.abs(model.apply(params, null).dataSync()[0]! - 0.9) < 1e-6); // 0.1 * (9 + 9) / 2
 * ```
 *
 * @category interpreter
 */
export function regularizationLoss(scope?: string): Program<tf.Scalar> {
  if (scope !== undefined && typeof scope !== "string") {
    return fail(
      scopeError("InvalidArgument", `Invalid scope ${describeValue(scope)}: expected a string`, {
        argument: "scope",
      }),
    );
  }
  const key = `regularizationLoss:${scope ?? ""}`;
  return new RecordedStep<readonly LossSlot[], tf.Scalar>(
    key,
    (env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("regularizationLoss"));
      const slots: LossSlot[] = [];
      for (const loss of regularizationLosses(state.store, scope)) {
        const slot = pass.slots.slotOf(loss.variable);
        if (typeof slot !== "number") return E.left(slot);
        slots.push({ slot, loss });
      }
      return E.right({ value: slots, state });
    },
    (slots, env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("regularizationLoss"));
      const variables = sumLosses(slots, pass.slots.tensor);
      if (pass.losses.length === 0) return E.right({ value: variables, state });
      // Losses this pass added (activity regularizers) count too, as in
      // TF1's REGULARIZATION_LOSSES collection.
      const match = matcher(scope);
      if (E.isLeft(match)) return match;
      const added = pass.losses.filter(match.right).map((l) => l.value);
      if (added.length === 0) return E.right({ value: variables, state });
      const total = tf.addN([variables, ...added]) as tf.Scalar;
      variables.dispose();
      return E.right({ value: total, state });
    },
  );
}

/**
 * TF1 `tf.losses.get_regularization_loss(scope)` outside programs: the sum
 * of every regularization loss of `params.store`, computed from `params`.
 * The caller owns the scalar.
 *
 * @param params the parameters
 * @param scope TF1's scope filter, matched at the start of loss names
 * @returns a float32 scalar (0 without losses)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { constantInitializer, l1Regularizer, variableScope } from "varscope";
 * import { totalRegularizationLoss, transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) =>
 *   variableScope("a", variable("w", { shape: [3], initializer: constantInitializer(-2), regularizer: l1Regularizer(0.5) }))
 * );
 * const { params } = model.init(null);
 * const loss = totalRegularizationLoss(params);
 * assert.equal(loss.dataSync()[0], 3); // 0.5 * (2 + 2 + 2)
 * loss.dispose();
 * params.dispose();
 * ```
 *
 * @category interpreter
 */
export function totalRegularizationLoss(params: Params, scope?: string): tf.Scalar {
  const bad = checkParams(params);
  if (bad !== null) throw bad;
  if (scope !== undefined && typeof scope !== "string") {
    throw scopeError(
      "InvalidArgument",
      `Invalid scope ${describeValue(scope)}: expected a string`,
      {
        argument: "scope",
      },
    );
  }
  return sumLosses(storeLossSlots(params.store, scope), (slot) => params.at(slot));
}
