/**
 * TF2's `track_tf1_style_variables` (spec Q1–Q12): a method of a
 * {@linkcode Module} or of a tfjs-layers `tf.layers.Layer` subclass runs
 * TF1-style `getVariable` / `varscope/layers` code against the object's
 * own store, and the object tracks the variables and their regularization
 * losses.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as E from "fp-ts/lib/Either.js";
import { functionName, readFailed, throwInvalid } from "../core/_guard.ts";
import { describeValue, ScopeError, scopeError } from "../core/errors.ts";
import { checkElementCount, MAX_RANK, parseShape } from "../core/shape.ts";
import { makeProgram, type Program } from "../core/program.ts";
import type { Variable } from "../core/variable.ts";
import { toTfDType } from "../interpreter/initial_tensor.ts";
import { inputSignature } from "../interpreter/input_signature.ts";
import { frames, restorePendingPrefix, takePendingPrefix, withPendingPrefix } from "./_frames.ts";
import { type Holder, type Owned, ownedOf, type OwnerKind, PLAIN_KIND } from "./_owned.ts";
import { walk } from "./_walk.ts";
import { Module } from "./module.ts";
import type { TrackedVariable } from "./tracked_variable.ts";

/**
 * What a decorated method may belong to: a varscope {@linkcode Module} or
 * a tfjs-layers Layer (a `tf.LayersModel` is one).
 *
 * @category objects
 */
export type Trackable = Module | tfl.layers.Layer;

function objectError(message: string, details: Record<string, unknown> = {}): ScopeError {
  return scopeError("ObjectError", message, details);
}

// tfjs-layers' LayerVariable keeps its names in plain fields; TF1 names
// replace the Keras-scoped ones so that save/load and summary show them.
interface LayerVariableNames {
  name: string;
  originalName: string;
}

interface AddWeightAccess {
  addWeight(
    name: string,
    shape: number[],
    dtype: tf.DataType,
    initializer: { apply(shape: number[], dtype?: tf.DataType): tf.Tensor },
    regularizer: undefined,
    trainable: boolean,
  ): tfl.LayerVariable;
}

function layerKind(layer: tfl.layers.Layer): OwnerKind {
  return {
    makeHolder(spec: Variable, initial: tf.Tensor): Holder {
      const name = spec.fullName;
      const w = (layer as unknown as AddWeightAccess).addWeight(
        name,
        spec.shape.slice(),
        toTfDType(spec.dtype, name),
        { apply: () => tf.clone(initial) },
        undefined,
        spec.trainable,
      );
      const names = w as unknown as LayerVariableNames;
      names.name = name;
      names.originalName = name;
      return {
        variable: w.read() as tf.Variable,
        read: () => w.read(),
        write: (value) => {
          w.write(value);
        },
        dispose: () => w.dispose(),
      };
    },
    // Straight into the layer's own list: `losses` may be a patched getter
    // that returns a fresh array (with the losses of layers in fields).
    addLoss: (fn) => (layer as unknown as { _losses: (() => tf.Scalar)[] })._losses.push(fn),
  };
}

/** The owned variables of a decorated method's object, or the Q1 error. */
function ownerFor(self: unknown, method: string): Owned {
  if (self instanceof Module) return ownedOf(self, () => PLAIN_KIND);
  if (self instanceof tfl.layers.Layer) return ownedOf(self, () => layerKind(self));
  throw objectError(
    `${
      describeValue(self)
    } does not extend Module, Layer, or Model: trackTf1StyleVariables decorates methods of a varscope Module or a tfjs-layers Layer (method "${method}")`,
    { value: self },
  );
}

function isThenable(v: unknown): boolean {
  return (typeof v === "object" || typeof v === "function") && v !== null &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Makes a method of a {@linkcode Module} or of a tfjs-layers
 * `tf.layers.Layer` subclass track TF1-style variables (TF2
 * `tf.compat.v1.keras.utils.track_tf1_style_variables`, spec Q1–Q12).
 * Inside the method, {@linkcode runTf1} runs TF1-style programs
 * (`getVariable`, `variableScope`, `varscope/layers`, `makeTemplate`)
 * against the object's own store:
 *
 * - each object gets its own store on its first call (Q1); every run
 *   behaves as `AUTO_REUSE` (Q2) and keeps the shape and dtype checks
 *   (Q3); names are TF1's, without the object's name (Q4); default-name
 *   counters start fresh in every run (decision 4); partitioners are
 *   refused (Q7);
 * - the variables are the object's (`weights`, `trainableWeights`, …, each
 *   once); the regularization losses of new variables are added once, as
 *   functions of the current values (Q6);
 * - on a tfjs-layers Layer the variables are made with the layer's
 *   `addWeight` and named by their TF1 names, so `compile`, `fit`,
 *   `summary`, `save` and `loadLayersModel` see them. The decorator also
 *   makes `build` create them (running the method once on zeros), and,
 *   unless the class defines `computeOutputShape`, derives the output
 *   shape the same way.
 *
 * Use it as a TC39 decorator (`@trackTf1StyleVariables`) or call it on a
 * function (`trackTf1StyleVariables(function (this: M, x) { … })`) and
 * call the result from a method. The method must be synchronous. Applied
 * to a method of anything else, a call is the typed `ObjectError` "does
 * not extend Module, Layer, or Model" (TypeScript already refuses the
 * decorator there).
 *
 * @param method the method
 * @param context the decorator context (given by the decorator syntax)
 * @returns the tracking method
 * @throws {ScopeError} `ObjectError` for a method of anything else
 *
 * @example The seed's WrappedDoubleDenseLayer, raw getVariable version
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { getVariable, l2Regularizer, onesInitializer, scoped, variableScope, zerosInitializer } from "varscope";
 * import { runTf1, trackTf1StyleVariables } from "varscope/objects";
 * import { readVariable, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * class WrappedDoubleDenseLayer extends tfl.layers.Layer {
 *   static readonly className = "WrappedDoubleDenseLayer";
 *   constructor(readonly units: number, args?: { name?: string }) {
 *     super(args ?? {});
 *   }
 *   @trackTf1StyleVariables
 *   override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
 *     const units = this.units;
 *     const x = Array.isArray(inputs) ? inputs[0]! : inputs;
 *     const dense = (out: tf.Tensor, name: string) =>
 *       variableScope(name, scoped(function* () {
 *         const kernel = yield* getVariable("kernel", {
 *           shape: [out.shape[1]!, units],
 *           regularizer: l2Regularizer(1),
 *           initializer: onesInitializer(),
 *         });
 *         const bias = yield* getVariable("bias", { shape: [units], initializer: zerosInitializer() });
 *         return tf.add(tf.matMul(out, yield* readVariable(kernel)), yield* readVariable(bias));
 *       }));
 *     return runTf1(variableScope("double_dense_layer", scoped(function* () {
 *       return yield* dense(yield* dense(x, "dense_one"), "dense_two");
 *     })));
 *   }
 * }
 * const layer = new WrappedDoubleDenseLayer(10);
 * tf.dispose(layer.apply(tf.ones([5, 5])) as tf.Tensor);
 * assert.deepEqual(layer.weights.map((w) => w.name), [
 *   "double_dense_layer/dense_one/kernel",
 *   "double_dense_layer/dense_one/bias",
 *   "double_dense_layer/dense_two/kernel",
 *   "double_dense_layer/dense_two/bias",
 * ]);
 * assert.equal(layer.losses.length, 2);
 * layer.dispose();
 * ```
 *
 * @category objects
 */
export function trackTf1StyleVariables<This extends Trackable, A extends unknown[], R>(
  method: (this: This, ...args: A) => R,
  context?: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
): (this: This, ...args: A) => R {
  if (typeof method !== "function") {
    throw objectError(
      `trackTf1StyleVariables expects a method, got ${describeValue(method)}`,
      { value: method },
    );
  }
  // The context is read once, guarded: a getter or proxy trap that throws
  // is a typed error with the cause.
  let methodName: string;
  let isMethodContext: boolean;
  try {
    const ctx = typeof context === "object" && context !== null ? context : undefined;
    methodName = ctx !== undefined && typeof ctx.name === "string"
      ? ctx.name
      : functionName(method, "method");
    isMethodContext = ctx !== undefined && ctx.kind === "method";
  } catch (cause) {
    throw readFailed("trackTf1StyleVariables context", cause);
  }
  const tracked = function (this: This, ...args: A): R {
    const owned = ownerFor(this, methodName);
    const prefix = takePendingPrefix();
    const signature = inputSignature(args);
    const key = signature === null ? null : `${methodName}(${prefix ?? ""})${signature}`;
    frames.push({ self: this, owned, prefix, key, runs: 0 });
    let out: R;
    try {
      out = method.apply(this, args);
    } finally {
      frames.pop();
      restorePendingPrefix(null);
    }
    if (isThenable(out)) {
      throw objectError(
        `The tracked method "${methodName}" returned a promise: decorated methods must be synchronous (TF1-style code runs in runTf1 within the call)`,
      );
    }
    return out;
  };
  trackedMethods.add(tracked);
  if (isMethodContext) {
    context!.addInitializer(function (this: This): void {
      if (this instanceof tfl.layers.Layer) patchLayer(this, tracked as unknown as TrackedCall);
      else if (!(this instanceof Module)) ownerFor(this, methodName);
    });
  }
  return tracked;
}

type TrackedCall = (
  this: tfl.layers.Layer,
  inputs: tf.Tensor | tf.Tensor[],
  kwargs: object,
) => unknown;

const trackedMethods = new WeakSet<object>();
const patched = new WeakSet<object>();

/**
 * Runs a TF1-style program in the decorated call running now, against the
 * object's own store, and returns its value. Throws the program's typed
 * `ScopeError`; outside a decorated call, `ObjectError`.
 *
 * @param program the TF1-style program
 * @returns its value
 * @throws {ScopeError} the program's error, or `ObjectError` outside a decorated call
 *
 * @example
 * ```ts
 * import { getVariable } from "varscope";
 * import { runTf1 } from "varscope/objects";
 * import * as assert from "node:assert/strict";
 *
 * assert.throws(() => runTf1(getVariable("v", { shape: [1] })), /decorated/);
 * ```
 *
 * @category objects
 */
export function runTf1<A>(program: Program<A>): A {
  const frame = frames[frames.length - 1];
  if (frame === undefined) {
    throw objectError(
      "runTf1 runs TF1-style code inside a method decorated with trackTf1StyleVariables; no decorated call is running",
    );
  }
  // The TF1 code's intermediate tensors are freed; what it returns (found
  // as tf.tidy finds tensors: in arrays and objects) is kept.
  let out: A | undefined;
  tf.tidy(() => {
    const key = frame.key === null ? null : `${frame.key}#${frame.runs++}`;
    out = frame.owned.run(program, frame.prefix, key);
    return out as tf.TensorContainer;
  });
  return out as A;
}

/**
 * Inside TF1-style code, calls `fn` (which calls another decorated object)
 * so that the inner object's variables get the current variable scope as
 * prefix (spec Q8: "inner names get any outer var-scope prefix that is
 * open at call time"). The inner object still uses its own store.
 *
 * @param fn makes the call
 * @returns the program yielding what `fn` returned
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { getVariable, scoped, variableScope } from "varscope";
 * import { callInScope, Module, runTf1, trackTf1StyleVariables } from "varscope/objects";
 * import { readVariable, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * class Inner extends Module {
 *   @trackTf1StyleVariables
 *   forward(x: tf.Tensor): tf.Tensor {
 *     return runTf1(scoped(function* () {
 *       return tf.mul(x, yield* readVariable(yield* getVariable("w", { shape: [] })));
 *     }));
 *   }
 * }
 * class Outer extends Module {
 *   inner = new Inner();
 *   @trackTf1StyleVariables
 *   forward(x: tf.Tensor): tf.Tensor {
 *     const inner = this.inner;
 *     return runTf1(variableScope("outer", callInScope(() => inner.forward(x))));
 *   }
 * }
 * const m = new Outer();
 * m.forward(tf.scalar(1)).dispose();
 * assert.deepEqual(m.variables.map((v) => v.name), ["outer/w:0"]);
 * m.dispose();
 * ```
 *
 * @category objects
 */
export function callInScope<R>(fn: () => R): Program<R> {
  return makeProgram((env, state) => {
    try {
      return E.right({ value: withPendingPrefix(env.scope.name, fn), state });
    } catch (e) {
      if (e instanceof ScopeError) return E.left(e);
      throw e;
    }
  });
}

// `instanceof` asks a proxy for its prototype, and that trap may throw.
function isTfjsLayer(value: unknown): value is tfl.layers.Layer {
  try {
    return value instanceof tfl.layers.Layer;
  } catch {
    return false;
  }
}

// A shape `build` received (one, or one per input) as the shapes of the
// zeros to call with: null dimensions count as 1, and a bad or huge shape
// is a typed error before anything is allocated.
function zeroShapes(inputShape: unknown): number[] | number[][] {
  let nested: boolean;
  let list: unknown[];
  try {
    if (!Array.isArray(inputShape)) {
      throwInvalid("inputShape", "expected a shape or an array of shapes", inputShape);
    }
    const first: unknown = inputShape[0];
    nested = Array.isArray(first) || (first !== null && typeof first === "object");
    list = nested ? Array.prototype.slice.call(inputShape, 0, MAX_RANK + 1) : [];
    if (nested && inputShape.length > MAX_RANK) {
      throwInvalid("inputShape", `expected at most ${MAX_RANK} input shapes`, inputShape);
    }
  } catch (e) {
    if (e instanceof ScopeError) throw e;
    throw readFailed("inputShape", e);
  }
  const one = (value: unknown, argument: string): number[] => {
    const parsed = parseShape(value, argument);
    if (E.isLeft(parsed)) throw parsed.left;
    const dims = parsed.right.map((d) => d ?? 1);
    const tooLarge = checkElementCount(dims);
    if (tooLarge !== null) throw tooLarge;
    return dims;
  };
  if (!nested) return one(inputShape, "inputShape");
  const out: number[][] = [];
  for (let i = 0; i < list.length; i++) out.push(one(list[i], `inputShape[${i}]`));
  return out;
}

function zerosInputs(shapes: number[] | number[][]): tf.Tensor | tf.Tensor[] {
  return shapes.length > 0 && Array.isArray(shapes[0])
    ? (shapes as number[][]).map((s) => tf.zeros(s))
    : tf.zeros(shapes as number[]);
}

/**
 * Creates a tfjs-layers Layer's TF1-style variables for inputs of
 * `inputShape` by running its `call` once on zeros (the decorator does this
 * from `build`; call it from your own `build` when you wrap a function
 * instead of decorating `call`), so that `compile` sees them.
 *
 * @param layer the layer (its `call` tracks TF1-style variables)
 * @param inputShape the shape `build` received (null dimensions count as 1)
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { buildTf1StyleVariables, runTf1, trackTf1StyleVariables } from "varscope/objects";
 * import { useBackend, variable } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const forward = trackTf1StyleVariables(function (this: Bias, x: tf.Tensor): tf.Tensor {
 *   return tf.add(x, runTf1(variable("bias", { shape: [x.shape[1]!] })));
 * });
 * class Bias extends tfl.layers.Layer {
 *   static readonly className = "Bias";
 *   override build(shape: tfl.Shape | tfl.Shape[]): void {
 *     buildTf1StyleVariables(this, shape);
 *   }
 *   override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
 *     return forward.call(this, Array.isArray(inputs) ? inputs[0]! : inputs);
 *   }
 * }
 * const layer = new Bias({});
 * tf.dispose(layer.apply(tf.ones([2, 3])) as tf.Tensor);
 * assert.deepEqual(layer.weights.map((w) => w.name), ["bias"]);
 * layer.dispose();
 * ```
 *
 * @category objects
 */
export function buildTf1StyleVariables(layer: tfl.layers.Layer, inputShape: unknown): void {
  if (!isTfjsLayer(layer)) {
    throw objectError(
      `buildTf1StyleVariables expects a tfjs-layers Layer, got ${describeValue(layer)}`,
    );
  }
  const shapes = zeroShapes(inputShape);
  tf.tidy(() => {
    const zeros = zerosInputs(shapes);
    layer.call(zeros, { training: false });
  });
}

function outputShapeOf(layer: tfl.layers.Layer, inputShape: unknown): tfl.Shape | tfl.Shape[] {
  let shapes: tfl.Shape | tfl.Shape[] = [];
  const batch =
    (Array.isArray((inputShape as unknown[])[0])
      ? (inputShape as unknown[][])[0]![0]
      : (inputShape as unknown[])[0]) as number | null;
  const shapeOf = (t: tf.Tensor): tfl.Shape => [batch, ...t.shape.slice(1)];
  tf.tidy(() => {
    const out = layer.call(zerosInputs(zeroShapes(inputShape)), { training: false });
    shapes = Array.isArray(out) ? out.map(shapeOf) : shapeOf(out);
  });
  return shapes;
}

// The decorator on `call` of a tfjs-layers Layer: build creates the TF1
// variables (so compile sees them), the output shape is derived unless the
// class gives one, and weights/losses include layers held in fields (Q8, Q9).
function patchLayer(layer: tfl.layers.Layer, tracked: TrackedCall): void {
  if (patched.has(layer)) return;
  patched.add(layer);
  const proto = Object.getPrototypeOf(layer) as tfl.layers.Layer;
  const self = layer as unknown as Record<string, unknown>;
  const callIsTracked = (): boolean => layer.call === (tracked as unknown);
  self.build = function (this: tfl.layers.Layer, inputShape: tfl.Shape | tfl.Shape[]): void {
    proto.build.call(this, inputShape);
    if (callIsTracked()) buildTf1StyleVariables(this, inputShape);
  };
  if (proto.computeOutputShape === tfl.layers.Layer.prototype.computeOutputShape) {
    self.computeOutputShape = function (
      this: tfl.layers.Layer,
      inputShape: tfl.Shape | tfl.Shape[],
    ): tfl.Shape | tfl.Shape[] {
      return callIsTracked()
        ? outputShapeOf(this, inputShape)
        : proto.computeOutputShape.call(this, inputShape);
    };
  }
  const base = (key: string): PropertyDescriptor => {
    let p: object | null = proto;
    while (p !== null) {
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (d !== undefined) return d;
      p = Object.getPrototypeOf(p);
    }
    throw new Error(`tfjs-layers Layer has no ${key}`);
  };
  const trainableBase = base("trainableWeights");
  const nonTrainableBase = base("nonTrainableWeights");
  const lossesBase = base("losses");
  const sub = (): readonly tfl.layers.Layer[] => walk(layer).layers;
  Object.defineProperty(layer, "trainableWeights", {
    configurable: true,
    get(this: tfl.layers.Layer): tfl.LayerVariable[] {
      const own = trainableBase.get!.call(this) as tfl.LayerVariable[];
      if (!this.trainable) return own;
      return dedupe([...own, ...sub().flatMap((l) => l.trainableWeights)]);
    },
    set(this: tfl.layers.Layer, v: tfl.LayerVariable[]): void {
      trainableBase.set?.call(this, v);
    },
  });
  Object.defineProperty(layer, "nonTrainableWeights", {
    configurable: true,
    get(this: tfl.layers.Layer): tfl.LayerVariable[] {
      const own = nonTrainableBase.get!.call(this) as tfl.LayerVariable[];
      const inner = sub().flatMap((l) =>
        this.trainable ? l.nonTrainableWeights : [...l.trainableWeights, ...l.nonTrainableWeights]
      );
      return dedupe([...own, ...inner]);
    },
    set(this: tfl.layers.Layer, v: tfl.LayerVariable[]): void {
      nonTrainableBase.set?.call(this, v);
    },
  });
  Object.defineProperty(layer, "losses", {
    configurable: true,
    get(this: tfl.layers.Layer): LossFn[] {
      const own = lossesBase.get!.call(this) as LossFn[];
      const inner = sub().flatMap(lossesOf);
      if (inner.length === 0) return own;
      // tfjs-layers pushes new losses into the array `losses` returns: keep
      // the own array for that, and hand out the sum with inner losses.
      return [...own, ...inner.filter((f) => !own.includes(f))];
    },
  });
}

type LossFn = () => tf.Scalar;

// A model's losses are its layers' (tfjs-layers' Container.calculateLosses).
function lossesOf(l: tfl.layers.Layer): LossFn[] {
  const own = l.losses as LossFn[];
  const layers = (l as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) return own;
  return dedupe([...own, ...(layers as tfl.layers.Layer[]).flatMap(lossesOf)]);
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * The TF1 variables an object owns, with their TF1 names ("scope/w:0"),
 * each once: its own, then those of the objects in its fields. For a
 * tfjs-layers Layer these are the variables behind its TF1 `weights`
 * (whose tfjs names drop the ":0").
 *
 * @param obj a Module, a tfjs-layers Layer, a keras-style layer or anything holding them
 * @returns the variables
 *
 * @example
 * ```ts
 * import { trackedVariablesOf } from "varscope/objects";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(trackedVariablesOf({}), []);
 * ```
 *
 * @category objects
 */
export function trackedVariablesOf(obj: object): readonly TrackedVariable[] {
  if (typeof obj !== "object" || obj === null) return Object.freeze([]);
  try {
    const out: TrackedVariable[] = [];
    for (const o of walk(obj).owned) for (const e of o.entries) out.push(e.tracked);
    for (const l of walk(obj).layers) out.push(...trackedVariablesOf(l));
    return Object.freeze([...new Set(out)]);
  } catch (e) {
    if (e instanceof ScopeError) throw e;
    // A proxy trap or getter met while walking the object's fields.
    throw readFailed("trackedVariablesOf object", e);
  }
}

/** @internal Whether a function is a tracking method made by the decorator. */
export function isTrackedMethod(f: unknown): boolean {
  return typeof f === "function" && trackedMethods.has(f);
}
