/**
 * Reading variables as tensors inside a program. The scope primitives say
 * which variable; these say what it holds right now: a parameter in
 * `apply`, a fresh initial value in `init`, a training variable in a step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { describeValue, ScopeError, scopeError } from "../core/errors.ts";
import { getVariable, type GetVariableOptions } from "../core/get_variable.ts";
import type { Env, Program, RunState, Step } from "../core/program.ts";
import type { Either } from "../core/either.ts";
import { RecordedProgram, RecordedStep } from "../core/_recorded.ts";
import { matchesShapeDType, shapeDTypeGuard } from "../core/_same_guard_element.ts";
import type { PartitionedVariable, Variable, VariableLike } from "../core/variable.ts";
import { passOf, type SlotSource } from "./_pass.ts";

/** Where a variable's tensors are: one slot, or shards joined along an axis. */
export type Slots = number | { readonly slots: readonly number[]; readonly axis: number };

/** @internal The error for a tensor primitive run outside the interpreter. */
export function notInterpreted(what: string): ScopeError {
  return scopeError(
    "InvalidArgument",
    `${what} needs tensors: run the program with transform(f).init or .apply from "varscope/tfjs"`,
    {},
  );
}

/** @internal Where a variable's tensors are in a pass. */
export function slotsOf(ctx: SlotSource, v: unknown): E.Either<ScopeError, Slots> {
  const tag = (v as { _tag?: unknown } | null)?._tag;
  if (tag === "Variable") {
    const slot = ctx.slotOf(v as Variable);
    return typeof slot === "number" ? E.right(slot) : E.left(slot);
  }
  if (tag === "PartitionedVariable") {
    const pv = v as PartitionedVariable;
    const slots: number[] = [];
    for (const part of pv.parts) {
      const slot = ctx.slotOf(part);
      if (typeof slot !== "number") return E.left(slot);
      slots.push(slot);
    }
    if (slots.length === 1) return E.right(slots[0]!);
    // TF1 partitions along one axis only (G3).
    const axis = Math.max(0, pv.partitions.findIndex((n) => n > 1));
    return E.right({ slots, axis });
  }
  return E.left(
    scopeError(
      "InvalidArgument",
      `Cannot read ${describeValue(v)}: expected a Variable or PartitionedVariable`,
      { argument: "variable", value: v },
    ),
  );
}

function tensorOf(ctx: SlotSource, slots: Slots): tf.Tensor {
  if (typeof slots === "number") return ctx.tensor(slots);
  return tf.concat(slots.slots.map(ctx.tensor), slots.axis);
}

/**
 * The tensor a variable holds (TF1 using a variable as a tensor). A
 * partitioned variable reads as its shards joined along the partitioned
 * axis; gradients flow back to each shard.
 *
 * @param variable a variable from `getVariable`
 * @returns the program yielding the tensor
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, onesInitializer, scoped } from "varscope";
 * import { readVariable, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) => scoped(function* () {
 *   const w = yield* getVariable("w", { shape: [2], initializer: onesInitializer() });
 *   return tf.add(x, yield* readVariable(w));
 * }));
 * const { params } = model.init(tf.zeros([2]));
 * const y = model.apply(params, tf.tensor1d([1, 2]));
 * assert.deepEqual(Array.from(y.dataSync()), [2, 3]);
 * ```
 *
 * @category interpreter
 */
export function readVariable(variable: VariableLike): Program<tf.Tensor> {
  return new RecordedStep<Slots, tf.Tensor>(
    variable,
    (env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("readVariable"));
      const slots = slotsOf(pass.slots, variable);
      return E.isLeft(slots) ? slots : E.right({ value: slots.right, state });
    },
    (slots, env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("readVariable"));
      return E.right({ value: tensorOf(pass.slots, slots), state });
    },
  );
}

/**
 * The tensors of a partitioned variable's shards, in order (TF1 iterating a
 * `PartitionedVariable`); a single variable gives one tensor.
 *
 * @param variable a variable from `getVariable`
 * @returns the program yielding the shard tensors
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { fixedSizePartitioner, getVariable, scoped } from "varscope";
 * import { readShards, transform, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((_: null) => scoped(function* () {
 *   const emb = yield* getVariable("emb", { shape: [4, 2], partitioner: fixedSizePartitioner(2) });
 *   const shards = yield* readShards(emb);
 *   return tf.stack(shards.map((s) => tf.tensor1d(s.shape)));
 * }));
 * const { params } = model.init(null);
 * assert.deepEqual(model.apply(params, null).arraySync(), [[2, 2], [2, 2]]);
 * ```
 *
 * @category interpreter
 */
export function readShards(variable: VariableLike): Program<readonly tf.Tensor[]> {
  return new RecordedStep<Slots, readonly tf.Tensor[]>(
    variable,
    (env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("readShards"));
      const slots = slotsOf(pass.slots, variable);
      return E.isLeft(slots) ? slots : E.right({ value: slots.right, state });
    },
    (slots, env, state) => {
      const pass = passOf(env);
      if (pass === null) return E.left(notInterpreted("readShards"));
      const ctx = pass.slots;
      const value = typeof slots === "number" ? [ctx.tensor(slots)] : slots.slots.map(ctx.tensor);
      return E.right({ value, state });
    },
  );
}

/**
 * `getVariable` followed by {@linkcode readVariable}: the usual way a layer
 * gets its weights as tensors.
 *
 * @param name the variable's name relative to the current variable scope
 * @param options the TF1 `get_variable` arguments
 * @returns the program yielding the tensor
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { constantInitializer, scoped, variableScope } from "varscope";
 * import { transform, useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((x: tf.Tensor) =>
 *   variableScope("scale", scoped(function* () {
 *     return tf.mul(x, yield* variable("k", { shape: [], initializer: constantInitializer(3) }));
 *   }))
 * );
 * const { params } = model.init(tf.scalar(1));
 * assert.deepEqual(params.names, ["scale/k"]);
 * assert.equal(model.apply(params, tf.scalar(2)).dataSync()[0], 6);
 * ```
 *
 * @category interpreter
 */
export function variable(name: string, options?: GetVariableOptions): Program<tf.Tensor> {
  return new VariableProgram(name, options);
}

/**
 * The program `variable` returns: one recorded step for both halves, so a
 * replay finds the slots at once.
 */
class VariableProgram extends RecordedProgram<Slots, tf.Tensor> {
  /** The getVariable half, made on the first run that records or runs in full. */
  #get: Program<VariableLike> | null = null;

  constructor(readonly key: string, readonly options: GetVariableOptions | undefined) {
    super();
  }

  // Shape and dtype can change what a call resolves to.
  override guard(): unknown {
    return shapeDTypeGuard(this.options);
  }

  override matches(recorded: unknown): boolean {
    return matchesShapeDType(recorded, this.options);
  }

  decide(env: Env, state: RunState): Either<ScopeError, Step<Slots>> {
    const pass = passOf(env);
    if (pass === null) return E.left(notInterpreted("variable"));
    const got = (this.#get ??= getVariable(this.key, this.options)).run(env, state);
    if (E.isLeft(got)) return got;
    const slots = slotsOf(pass.slots, got.right.value);
    return E.isLeft(slots) ? slots : E.right({ value: slots.right, state: got.right.state });
  }

  override resume(
    slots: Slots,
    env: Env,
    _before: RunState,
    after: RunState,
  ): Either<ScopeError, Step<tf.Tensor>> {
    const pass = passOf(env);
    if (pass === null) return E.left(notInterpreted("variable"));
    return E.right({ value: tensorOf(pass.slots, slots), state: after });
  }
}
