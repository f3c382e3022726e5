/**
 * Training steps with any TensorFlow.js optimizer.
 *
 * A trainer is the interpreter's imperative edge for training: it owns one
 * `tf.Variable` per trainable parameter (the optimizers update variables
 * in place and keep their slots by variable name). Each step points the
 * variables at the given params' buffers (no copy), lets the optimizer
 * minimise the loss, applies constraints, and returns new `Params` holding
 * fresh handles on the updated buffers. The given params are not changed:
 * they stay readable until the caller disposes them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's bundles register no gradients, and its per-gradient modules
// cannot be loaded outside a bundler; tfjs-layers' bundle registers them
// all in tfjs's shared registry.
import "@tensorflow/tfjs-layers";
import * as E from "fp-ts/lib/Either.js";
import { checkOptionKeys } from "../core/_options.ts";
import { describeValue, scopeError } from "../core/errors.ts";
import type { Store } from "../core/store.ts";
import type { Variable } from "../core/variable.ts";
import { applyConstraint } from "./apply_constraint.ts";
import { checkParams, Params, paramsLayout, shareTensor } from "./params.ts";
import { isInstance } from "./_checks.ts";
import { storeLossSlots, sumLosses } from "./regularization.ts";
import { requireBackend } from "./require_backend.ts";
import { Pass, passSeed, type SlotSource, writtenValue } from "./_pass.ts";
import {
  type ApplyOptions,
  asScopeError,
  type Transformed,
  TransformedModel,
} from "./transform.ts";

/**
 * Options of {@linkcode makeTrainer}.
 *
 * @category interpreter
 */
export interface TrainerOptions {
  /** Any TensorFlow.js optimizer (`tf.train.sgd(0.1)`, `tf.train.adam()`, …). */
  readonly optimizer: tf.Optimizer;
  /**
   * Add every regularization loss of the store to the loss (TF1's
   * `loss + tf.losses.get_regularization_loss()`); default false.
   */
  readonly regularization?: boolean;
}

/**
 * What a training step returns; the caller owns both.
 *
 * @category interpreter
 */
export interface StepResult {
  /** The loss before the update (with regularization when asked). */
  readonly loss: tf.Scalar;
  /** The parameters after the update and constraints. */
  readonly params: Params;
}

/**
 * Runs training steps of a loss program.
 *
 * @category interpreter
 */
export interface Trainer<I> {
  /**
   * One step: gradients of the loss for every trainable variable
   * (partitioned ones shard by shard), the optimizer's update, constraints,
   * then the pass's variable writes (batch-norm moving averages, TF1's
   * `UPDATE_OPS` run with the train op). Other non-trainable variables keep
   * their values. `seed` is the pass's random seed (default: the step's
   * number, so every step draws new dropout masks).
   */
  readonly step: (params: Params, input: I, options?: ApplyOptions) => StepResult;
  /** Frees the trainer's variables (not the optimizer: the caller made it). */
  readonly dispose: () => void;
}

interface TrainingState {
  readonly store: Store;
  /** Per params slot, its training variable, or null when not trainable. */
  readonly variables: readonly (tf.Variable | null)[];
  readonly trainable: tf.Variable[];
  readonly constrained: readonly number[];
  readonly layout: readonly Variable[];
  readonly source: SlotSource;
  /** The store's regularization losses, when the loss includes them. */
  readonly lossSlots: ReturnType<typeof storeLossSlots>;
  current: Params | null;
}

/**
 * Makes a trainer for a transformed function whose program returns a
 * scalar loss.
 *
 * @param model the transformed loss function
 * @param options the optimizer, and whether to add regularization losses
 * @returns the trainer
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoped, zerosInitializer } from "varscope";
 * import { makeTrainer, transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * // Fit w so that w * x ≈ 3 * x.
 * const loss = transform(({ x, y }: { x: tf.Tensor; y: tf.Tensor }) => scoped(function* () {
 *   const w = yield* variable("w", { shape: [], initializer: zerosInitializer() });
 *   return tf.losses.meanSquaredError(y, tf.mul(w, x)) as tf.Scalar;
 * }));
 * const x = tf.tensor1d([1, 2, 3]);
 * const batch = { x, y: tf.mul(x, 3) };
 * let { params } = loss.init(batch);
 * const trainer = makeTrainer(loss, { optimizer: tf.train.sgd(0.1) });
 * for (let i = 0; i < 50; i++) {
 *   const r = trainer.step(params, batch);
 *   params.dispose();
 *   r.loss.dispose();
 *   params = r.params;
 * }
 * assert.ok(Math.abs(params.get("w").dataSync()[0]! - 3) < 1e-3);
 * trainer.dispose();
 * params.dispose();
 * tf.dispose([x, batch.y]);
 * ```
 *
 * @category interpreter
 */
export function makeTrainer<I>(
  model: Transformed<I, tf.Scalar>,
  options: TrainerOptions,
): Trainer<I> {
  if (!isInstance(model, TransformedModel)) {
    throw scopeError(
      "InvalidArgument",
      `Invalid model: expected transform(...)'s result, got ${describeValue(model)}`,
      {
        argument: "model",
      },
    );
  }
  // A snapshot of the options' own properties: a throwing getter or proxy
  // trap is a typed error, and the options are read once.
  const keys = checkOptionKeys(options, new Set(["optimizer", "regularization"]), "makeTrainer");
  if (E.isLeft(keys)) throw keys.left;
  const optimizer = keys.right.optimizer;
  if (!isInstance(optimizer, tf.Optimizer)) {
    throw scopeError(
      "InvalidArgument",
      `Invalid optimizer: expected a TensorFlow.js optimizer (tf.train.sgd(0.1), tf.train.adam(), …), got ${
        describeValue(optimizer)
      }`,
      { argument: "optimizer" },
    );
  }
  const regularization = keys.right.regularization ?? false;
  if (typeof regularization !== "boolean") {
    throw scopeError(
      "InvalidArgument",
      `Invalid regularization: expected a boolean, got ${describeValue(regularization)}`,
      {
        argument: "regularization",
      },
    );
  }
  let slots: TrainingState | null = null;
  let disposed = false;

  const release = (): void => {
    if (slots !== null) { for (const v of slots.trainable) v.dispose(); }
    slots = null;
  };

  const slotsFor = (params: Params): TrainingState => {
    if (slots !== null) {
      if (slots.store === params.store) return slots;
      // Optimizers keep their state by variable position: another layout
      // would inherit moments that are not its own.
      throw scopeError(
        "InvalidParams",
        "These params come from another init than the ones this trainer started with; make a new trainer and optimizer for them",
        { argument: "params" },
      );
    }
    const layout = paramsLayout(params.store).variables;
    const variables = layout.map((v, i) =>
      v.trainable && params.at(i).dtype === "float32" ? tf.variable(params.at(i), true) : null
    );
    const source: SlotSource = {
      slotOf: (v) =>
        paramsLayout(params.store).index.get(v.fullName) ??
          scopeError("InvalidParams", `No parameter for variable "${v.fullName}"`, {
            name: v.fullName,
          }),
      tensor: (slot) => variables[slot] ?? made.current!.at(slot),
    };
    const made: TrainingState = {
      store: params.store,
      variables,
      trainable: variables.filter((v): v is tf.Variable => v !== null),
      constrained: layout.flatMap((v, i) =>
        v.constraint !== null && variables[i] !== null ? [i] : []
      ),
      layout,
      source,
      lossSlots: regularization ? storeLossSlots(params.store) : [],
      current: null,
    };
    slots = made;
    return made;
  };

  let steps = 0;
  const step = (params: Params, input: I, stepOptions?: ApplyOptions): StepResult => {
    if (disposed) throw scopeError("InvalidArgument", "This trainer was disposed", {});
    const bad = checkParams(params);
    if (bad !== null) throw bad;
    const seed = passSeed(stepOptions, "step", steps++);
    requireBackend();
    const s = slotsFor(params);
    const pass = new Pass(s.source, seed);
    s.current = params;
    let loss: tf.Scalar | null = null;
    try {
      for (let i = 0; i < s.variables.length; i++) {
        const v = s.variables[i];
        // Point the variable at the params' buffer; after a step they
        // usually share it already.
        if (v != null && v.dataId !== params.at(i).dataId) v.assign(params.at(i));
      }
      const lossSlots = s.lossSlots;
      // Tensors the gradient tape saved for the backward pass are only
      // freed by a finished backward pass: after a failure they are freed here.
      let tape: unknown = null;
      // The loss the forward pass made, freed here when a later part of the
      // step fails (the optimizer's own checks, a disposed optimizer).
      let produced: tf.Tensor | null = null;
      let computed: { value: tf.Scalar; grads: tf.NamedTensorMap } | null = null;
      try {
        computed = optimizer.computeGradients(() => {
          tape = (tf.engine().state as unknown as { activeTape: unknown }).activeTape;
          const out = (model as TransformedModel<I, tf.Scalar>).runForTrainer(
            params.store,
            input,
            pass,
          );
          if (!(out instanceof tf.Tensor) || out.rank !== 0) {
            throw scopeError(
              "InvalidArgument",
              `The loss program must return a scalar tensor, got ${
                out instanceof tf.Tensor ? `shape [${out.shape.join(",")}]` : describeValue(out)
              }`,
              {},
            );
          }
          // TF1: loss + tf.losses.get_regularization_loss(): the variables'
          // regularizers and the losses this pass added (activity).
          const added = regularization ? pass.losses.map((l) => l.value) : [];
          produced = lossSlots.length === 0 && added.length === 0 ? out : tf.addN([
            out,
            ...(lossSlots.length === 0 ? [] : [sumLosses(lossSlots, s.source.tensor)]),
            ...added,
          ]);
          return produced as tf.Scalar;
        }, s.trainable);
        optimizer.applyGradients(computed.grads);
        loss = computed.value;
      } catch (e) {
        freeSaved(tape);
        const made = produced as tf.Tensor | null;
        if (made !== null && !made.isDisposed) made.dispose();
        throw asScopeError(e, "Training step failed");
      } finally {
        if (computed !== null) tf.dispose(computed.grads);
      }
      for (const i of s.constrained) {
        const v = s.variables[i]!;
        tf.tidy(() =>
          v.assign(applyConstraint(s.layout[i]!.constraint!, v, s.layout[i]!.fullName))
        );
      }
      const written = new Set(pass.writes.map((w) => w.slot));
      const tensors: tf.Tensor[] = [];
      try {
        for (let i = 0; i < s.variables.length; i++) {
          const v = s.variables[i];
          const current: tf.Tensor = v ?? params.at(i);
          const next = written.has(i) ? writtenValue(pass.writes, i, current) : null;
          if (next !== null && v != null) {
            // A write to a trainable variable lands after the gradient step.
            v.assign(next);
            next.dispose();
            tensors.push(shareTensor(v));
          } else {
            tensors.push(next ?? shareTensor(current));
          }
        }
      } catch (e) {
        tf.dispose(tensors);
        throw e;
      }
      const result = { loss, params: new Params(params.store, tensors) };
      loss = null;
      return result;
    } catch (e) {
      loss?.dispose();
      throw asScopeError(e, "Training step failed");
    } finally {
      pass.disposeWrites();
      s.current = null;
    }
  };

  return Object.freeze({
    step,
    dispose: () => {
      disposed = true;
      release();
    },
  });
}

function freeSaved(tape: unknown): void {
  if (!Array.isArray(tape)) return;
  for (const node of tape as Array<{ saved?: tf.Tensor[] }>) {
    for (const t of node.saved ?? []) if (!t.isDisposed) t.dispose();
  }
}
