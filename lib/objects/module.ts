/**
 * varscope's own object model for people who do not use tfjs-layers: a
 * `tf.Module` / Keras `Layer` analogue whose variables are tfjs variables
 * with their TF1 names, owned by the object.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { functionName, readFailed } from "../core/_guard.ts";
import { toSnakeCase } from "../layers/layer.ts";
import { existingOwned } from "./_owned.ts";
import { markModule, walk } from "./_walk.ts";
import type { TrackedVariable } from "./tracked_variable.ts";

/**
 * Options of {@linkcode Module}.
 *
 * @category objects
 */
export interface ModuleOptions {
  /** The module's name; default the snake_case class name ("RNNModel" → "rnn_model"). */
  readonly name?: string;
}

/**
 * The base class of objects that own their variables (TF2 `tf.Module`,
 * Keras `Layer`/`Model`). Decorate a method with
 * {@linkcode trackTf1StyleVariables} to run TF1-style `getVariable` /
 * `varscope/layers` code inside it (spec Q); hold keras-style layers and
 * RNN cells in fields (spec P). What it owns is found through its fields,
 * as `tf.Module` does: its own variables first, then its submodules', each
 * once.
 *
 * Ownership: the module owns the tfjs variables its decorated methods
 * made, and {@linkcode Module.dispose} frees them together with those of
 * its submodules.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, scoped, variableScope } from "varscope";
 * import { Module, runTf1, trackTf1StyleVariables } from "varscope/objects";
 * import { readVariable, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * class Affine extends Module {
 *   constructor(readonly units: number) {
 *     super();
 *   }
 *   @trackTf1StyleVariables
 *   forward(x: tf.Tensor2D): tf.Tensor {
 *     const units = this.units;
 *     return runTf1(variableScope("affine", scoped(function* () {
 *       const w = yield* getVariable("w", { shape: [x.shape[1], units] });
 *       const b = yield* getVariable("b", { shape: [units] });
 *       return tf.add(tf.matMul(x, yield* readVariable(w)), yield* readVariable(b));
 *     })));
 *   }
 * }
 * const m = new Affine(2);
 * tf.dispose([m.forward(tf.ones([1, 3])), m.forward(tf.ones([1, 3]))]);
 * assert.deepEqual(m.variables.map((v) => v.name), ["affine/w:0", "affine/b:0"]);
 * assert.equal(m.name, "affine");
 * m.dispose();
 * ```
 *
 * @category objects
 */
export class Module {
  /** The module's name. */
  readonly name: string;

  /**
   * Names the module.
   *
   * @param options the name
   * @throws ScopeError `InvalidArgument` when reading the options throws
   */
  constructor(options: ModuleOptions = {}) {
    let name: unknown;
    try {
      name = typeof options === "object" && options !== null ? options.name : undefined;
    } catch (cause) {
      // A throwing getter or proxy trap in the options: typed, with the cause.
      throw readFailed("Module options", cause);
    }
    this.name = typeof name === "string" && name !== ""
      ? name
      : toSnakeCase(functionName(new.target, "module"));
    markModule(this);
  }

  /** Every variable the module and its submodules own, each once (`tf.Module.variables`). */
  get variables(): readonly TrackedVariable[] {
    const out: TrackedVariable[] = [];
    for (const o of walk(this).owned) for (const e of o.entries) out.push(e.tracked);
    return Object.freeze(out);
  }

  /** The trainable ones (`trainable_variables`). */
  get trainableVariables(): readonly TrackedVariable[] {
    return Object.freeze(this.variables.filter((v) => v.trainable));
  }

  /** The others (`non_trainable_variables`). */
  get nonTrainableVariables(): readonly TrackedVariable[] {
    return Object.freeze(this.variables.filter((v) => !v.trainable));
  }

  /** Keras `weights`: trainable first, then the others. */
  get weights(): readonly TrackedVariable[] {
    return Object.freeze([...this.trainableVariables, ...this.nonTrainableVariables]);
  }

  /** Keras `trainable_weights`. */
  get trainableWeights(): readonly TrackedVariable[] {
    return this.trainableVariables;
  }

  /** Keras `non_trainable_weights`. */
  get nonTrainableWeights(): readonly TrackedVariable[] {
    return this.nonTrainableVariables;
  }

  /** The objects owning variables that the module reaches through its fields (`submodules`). */
  get submodules(): readonly object[] {
    return Object.freeze(walk(this).objects.slice());
  }

  /**
   * Regularization-loss functions of the variables this module and its
   * submodules created with a regularizer, each once (TF1 Q6: computed from
   * the current values whenever called).
   */
  get lossFunctions(): readonly (() => tf.Scalar)[] {
    const out: (() => tf.Scalar)[] = [];
    for (const o of walk(this).owned) out.push(...o.regularizers.values());
    return Object.freeze(out);
  }

  /**
   * Keras `losses`: the regularization losses' current values, computed now
   * (the caller owns and disposes the tensors).
   */
  get losses(): tf.Scalar[] {
    return this.lossFunctions.map((f) => f());
  }

  /**
   * The module's own regularizers by variable name (TF1
   * `module._tf1_style_var_store._regularizers`).
   */
  get regularizers(): ReadonlyMap<string, () => tf.Scalar> {
    return new Map(existingOwned(this)?.regularizers ?? []);
  }

  /** Frees the variables the module and its submodules own. */
  dispose(): void {
    for (const o of walk(this).owned) o.dispose();
  }
}
