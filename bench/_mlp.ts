/**
 * The models of the TensorFlow.js benchmarks: a 3-layer MLP 32-64-64-10
 * (relu, relu, linear) written three ways — as a varscope program, by hand
 * in tfjs-core, and as a tfjs-layers `Sequential` — on the same weight
 * tensors, plus the fixtures the timed code runs (built and checked before
 * any timing starts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import {
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  makeTrainer,
  type Params,
  type Trainer,
  transform,
  type Transformed,
  variable,
} from "varscope/tfjs";
import {
  type Batch as SiameseBatch,
  loss as siameseLoss,
  syntheticTask,
} from "../examples/siamese_model.ts";

/** Layer widths: input, hidden, hidden, output. */
export const MLP_SIZES = [32, 64, 64, 10] as const;
/** The variable scopes of the three dense layers, in order. */
export const LAYER_NAMES = ["hidden1", "hidden2", "logits"] as const;
/** Rows of the apply benchmarks' input. */
export const APPLY_BATCH = 1;
/** Rows of a training batch. */
export const TRAIN_BATCH = 32;
/** SGD learning rate of every training side. */
export const LEARNING_RATE = 0.01;

/** One training batch: inputs and one-hot labels. */
export interface Batch {
  /** Inputs, [TRAIN_BATCH, 32]. */
  readonly x: tf.Tensor2D;
  /** One-hot labels, [TRAIN_BATCH, 10]. */
  readonly y: tf.Tensor2D;
}

/**
 * A dense layer's body: `kernel` and `bias` in the current variable scope,
 * `x @ kernel + bias`, then the activation. Defined once, at module level,
 * as `scoped`'s documentation advises for hot paths: a generator function
 * written inline would be a new closure per forward pass, and V8 makes the
 * first generator of each new closure slowly (see {@linkcode mlpInline}).
 */
function* denseBody(x: tf.Tensor2D, units: number, relu: boolean): ProgramGenerator<tf.Tensor2D> {
  const kernel = yield* variable("kernel", { shape: [x.shape[1], units] });
  const bias = yield* variable("bias", { shape: [units], initializer: zerosInitializer() });
  const y = tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
  return relu ? tf.relu(y) : y;
}

function dense(name: string, x: tf.Tensor2D, units: number, relu: boolean): Program<tf.Tensor2D> {
  return variableScope(name, scoped(denseBody, x, units, relu));
}

function* mlpBody(x: tf.Tensor2D): ProgramGenerator<tf.Tensor2D> {
  const h1 = yield* dense(LAYER_NAMES[0], x, MLP_SIZES[1], true);
  const h2 = yield* dense(LAYER_NAMES[1], h1, MLP_SIZES[2], true);
  return yield* dense(LAYER_NAMES[2], h2, MLP_SIZES[3], false);
}

/**
 * The MLP as a varscope program: `hidden1` (relu), `hidden2` (relu),
 * `logits` (linear), each a `variableScope` holding `kernel` and `bias`.
 *
 * @param x inputs, [batch, 32]
 * @returns the program yielding the logits, [batch, 10]
 */
export function mlp(x: tf.Tensor2D): Program<tf.Tensor2D> {
  return scoped(mlpBody, x);
}

/**
 * The same MLP with its generator functions written inline, a new closure
 * per call (`scoped(function* () { … })` inside the layer function): the
 * same program, for the detail line that shows what the closures cost.
 *
 * @param x inputs, [batch, 32]
 * @returns the program yielding the logits, [batch, 10]
 */
export function mlpInline(x: tf.Tensor2D): Program<tf.Tensor2D> {
  const layer = (
    name: string,
    x: tf.Tensor2D,
    units: number,
    relu: boolean,
  ): Program<tf.Tensor2D> =>
    variableScope(
      name,
      scoped(function* (): ProgramGenerator<tf.Tensor2D> {
        const kernel = yield* variable("kernel", { shape: [x.shape[1], units] });
        const bias = yield* variable("bias", { shape: [units], initializer: zerosInitializer() });
        const y = tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
        return relu ? tf.relu(y) : y;
      }),
    );
  return scoped(function* (): ProgramGenerator<tf.Tensor2D> {
    const h1 = yield* layer(LAYER_NAMES[0], x, MLP_SIZES[1], true);
    const h2 = yield* layer(LAYER_NAMES[1], h1, MLP_SIZES[2], true);
    return yield* layer(LAYER_NAMES[2], h2, MLP_SIZES[3], false);
  });
}

/**
 * The training loss: softmax cross-entropy of the MLP's logits (tfjs's
 * `tf.losses.softmaxCrossEntropy`, mean over the batch). Every training
 * side uses this function.
 *
 * @param labels one-hot labels
 * @param logits the MLP's output
 * @returns the scalar loss
 */
export function lossOf(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/** The six weight tensors in layer order: kernel, bias, kernel, bias, kernel, bias. */
export type Weights = readonly tf.Tensor[];

/**
 * The forward pass written by hand in tfjs-core, the same ops as the
 * program (matMul, add, relu), in one `tf.tidy`.
 *
 * @param w the weights, from {@linkcode weightsOf}
 * @param x inputs
 * @returns the logits (the caller owns them)
 */
export function handwritten(w: Weights, x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => handwrittenForward(w, x));
}

/** The hand-written forward pass, untidied (for use inside a tidy or minimize). */
function handwrittenForward(w: Weights, x: tf.Tensor2D): tf.Tensor2D {
  const h1 = tf.relu(tf.add(tf.matMul(x, w[0] as tf.Tensor2D), w[1]!)) as tf.Tensor2D;
  const h2 = tf.relu(tf.add(tf.matMul(h1, w[2] as tf.Tensor2D), w[3]!)) as tf.Tensor2D;
  return tf.add(tf.matMul(h2, w[4] as tf.Tensor2D), w[5]!) as tf.Tensor2D;
}

/**
 * The weight tensors of params in layer order (owned by the params).
 *
 * @param params params of the MLP (or of its loss)
 * @returns kernel and bias of each layer
 */
export function weightsOf(params: Params): Weights {
  return LAYER_NAMES.flatMap((n) => [params.get(`${n}/kernel`), params.get(`${n}/bias`)]);
}

/**
 * The same MLP as a tfjs-layers `Sequential` (dense 64 relu, dense 64 relu,
 * dense 10), its weights set from `w` (copied into the layers' variables).
 *
 * @param w the weights
 * @returns the model (the caller disposes it)
 */
export function layersModel(w: Weights): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: MLP_SIZES[1], activation: "relu", inputShape: [MLP_SIZES[0]] }),
      tfl.layers.dense({ units: MLP_SIZES[2], activation: "relu" }),
      tfl.layers.dense({ units: MLP_SIZES[3] }),
    ],
  });
  model.setWeights(w.slice());
  return model;
}

/** The transformed MLP, compiled and interpreted. */
export interface ApplyModels {
  /** `transform(mlp)`: replays recorded scope decisions after the first apply. */
  readonly compiled: Transformed<tf.Tensor2D, tf.Tensor2D>;
  /** `transform(mlp, { compile: false })`: every apply runs in full. */
  readonly interpreted: Transformed<tf.Tensor2D, tf.Tensor2D>;
  /** `transform(mlpInline)`: compiled, generator functions written inline. */
  readonly inline: Transformed<tf.Tensor2D, tf.Tensor2D>;
}

/**
 * The MLP transformed both ways.
 *
 * @returns the models
 */
export function applyModels(): ApplyModels {
  return {
    compiled: transform(mlp),
    interpreted: transform(mlp, { compile: false }),
    inline: transform(mlpInline),
  };
}

function* lossBody(x: tf.Tensor2D, y: tf.Tensor2D): ProgramGenerator<tf.Scalar> {
  return lossOf(y, yield* mlp(x));
}

/** The transformed loss program: `{x, y}` → softmax cross-entropy of `mlp(x)`. */
export const lossModel: Transformed<Batch, tf.Scalar> = transform(({ x, y }: Batch) =>
  scoped(lossBody, x, y)
);

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function assertClose(what: string, a: tf.Tensor, b: tf.Tensor, tol = 1e-4): void {
  if (a.shape.join(",") !== b.shape.join(",")) {
    throw new Error(`${what}: shapes [${a.shape}] and [${b.shape}] differ`);
  }
  const d = maxAbsDiff(a, b);
  if (!(d <= tol)) throw new Error(`${what}: outputs differ by ${d}`);
}

/** Everything the apply comparisons run, on one backend. */
export interface ApplyFixture {
  /** The input, [1, 32]. */
  readonly x: tf.Tensor2D;
  /** Params from `init` (seed 1). */
  readonly params: Params;
  /** The compiled and interpreted transforms. */
  readonly models: ApplyModels;
  /** The same tensors as `params`, in layer order. */
  readonly weights: Weights;
  /** The tfjs-layers model with the same weights. */
  readonly layers: tfl.Sequential;
  /** Frees every tensor of the fixture. */
  readonly dispose: () => void;
}

/**
 * Builds the apply fixture on the active backend and checks that the four
 * sides (compiled, interpreted, hand-written, layers) agree.
 *
 * @returns the fixture
 */
export function applyFixture(): ApplyFixture {
  const models = applyModels();
  const x = tf.randomNormal([APPLY_BATCH, MLP_SIZES[0]], 0, 1, "float32", 7) as tf.Tensor2D;
  const { params } = models.compiled.init(x, { seed: 1 });
  const weights = weightsOf(params);
  const layers = layersModel(weights);
  const ref = handwritten(weights, x);
  const outs = [
    ["compiled apply", models.compiled.apply(params, x)],
    ["compiled apply (replay)", models.compiled.apply(params, x)],
    ["interpreted apply", models.interpreted.apply(params, x)],
    ["inline apply", models.inline.apply(params, x)],
    ["inline apply (replay)", models.inline.apply(params, x)],
    ["layers predict", layers.predict(x) as tf.Tensor],
  ] as const;
  for (const [what, y] of outs) assertClose(what, y, ref);
  tf.dispose([ref, ...outs.map(([, y]) => y)]);
  return {
    x,
    params,
    models,
    weights,
    layers,
    dispose: () => {
      layers.dispose();
      params.dispose();
      x.dispose();
    },
  };
}

/** Timed unit: one compiled apply, output disposed. */
export function runCompiled(f: ApplyFixture): void {
  f.models.compiled.apply(f.params, f.x).dispose();
}

/** Timed unit: one interpreted apply, output disposed. */
export function runInterpreted(f: ApplyFixture): void {
  f.models.interpreted.apply(f.params, f.x).dispose();
}

/** Timed unit: one compiled apply of the inline-generator MLP, output disposed. */
export function runInline(f: ApplyFixture): void {
  f.models.inline.apply(f.params, f.x).dispose();
}

/** Timed unit: the hand-written forward pass, output disposed. */
export function runHandwritten(f: ApplyFixture): void {
  handwritten(f.weights, f.x).dispose();
}

/** Timed unit: `model.predict(x)`, output disposed. */
export function runPredict(f: ApplyFixture): void {
  (f.layers.predict(f.x) as tf.Tensor).dispose();
}

/**
 * A random training batch: normal inputs and one-hot labels.
 *
 * @param seed the seed of the inputs and labels
 * @returns the batch (the caller disposes it)
 */
export function makeBatch(seed: number): Batch {
  return tf.tidy(() => {
    const x = tf.randomNormal([TRAIN_BATCH, MLP_SIZES[0]], 0, 1, "float32", seed) as tf.Tensor2D;
    const classes = tf.randomUniform([TRAIN_BATCH], 0, MLP_SIZES[3], "int32", seed + 1);
    const y = tf.cast(tf.oneHot(classes as tf.Tensor1D, MLP_SIZES[3]), "float32") as tf.Tensor2D;
    return { x, y };
  });
}

/** The varscope training side: a trainer and the params it steps. */
export interface VarscopeTraining {
  /** The trainer. */
  readonly trainer: Trainer<Batch>;
  /** Its SGD optimizer (the trainer does not dispose it). */
  readonly optimizer: tf.Optimizer;
  /** The current params (replaced every step). */
  params: Params;
}

/** The hand-written training side: tf.Variables and an SGD optimizer. */
export interface MinimizeTraining {
  /** The variables, in layer order. */
  readonly vars: tf.Variable[];
  /** The optimizer. */
  readonly optimizer: tf.Optimizer;
}

/** The tfjs-layers training side. */
export interface LayersTraining {
  /** The compiled model. */
  readonly model: tfl.Sequential;
}

/** Everything the training comparisons run, on one backend. */
export interface TrainFixture {
  /** The batch every step trains on. */
  readonly batch: Batch;
  /** The varscope side. */
  readonly ours: VarscopeTraining;
  /** `optimizer.minimize` on tf.Variables. */
  readonly minimize: MinimizeTraining;
  /** `model.trainOnBatch`. */
  readonly layers: LayersTraining;
  /** Frees every tensor of the fixture. */
  readonly dispose: () => void;
}

/**
 * Builds the training fixture on the active backend: the three sides start
 * from the same initial weights (the varscope `init`, seed 1) and each has
 * its own SGD optimizer. Checks that one step of each gives the same loss
 * and the same updated weights.
 *
 * @returns the fixture
 */
export function trainFixture(): TrainFixture {
  const batch = makeBatch(11);
  const { params } = lossModel.init(batch, { seed: 1 });
  const initial = weightsOf(params);
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const ours: VarscopeTraining = {
    trainer: makeTrainer(lossModel, { optimizer }),
    optimizer,
    params,
  };
  const minimize: MinimizeTraining = {
    vars: initial.map((t) => tf.variable(t, true)),
    optimizer: tf.train.sgd(LEARNING_RATE),
  };
  const model = layersModel(initial);
  model.compile({
    optimizer: tf.train.sgd(LEARNING_RATE),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => lossOf(yTrue, yPred),
  });
  const fixture: TrainFixture = {
    batch,
    ours,
    minimize,
    layers: { model },
    dispose: () => {
      ours.trainer.dispose();
      ours.optimizer.dispose();
      ours.params.dispose();
      tf.dispose(minimize.vars);
      minimize.optimizer.dispose();
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([batch.x, batch.y]);
    },
  };
  return fixture;
}

/**
 * Checks, on a fresh fixture, that one step of each side gives the same
 * loss and the same weights afterwards. Run before timing.
 *
 * @param f a fixture no side has stepped yet
 */
export async function checkTrainFixture(f: TrainFixture): Promise<void> {
  const lossOurs = stepOurs(f);
  const ours = await lossOurs.data();
  lossOurs.dispose();
  const lossMin = stepMinimize(f);
  const min = await lossMin.data();
  lossMin.dispose();
  const layers = await stepLayers(f);
  if (Math.abs(ours[0]! - min[0]!) > 1e-4 || Math.abs(ours[0]! - layers) > 1e-4) {
    throw new Error(`first losses differ: ours ${ours[0]} minimize ${min[0]} layers ${layers}`);
  }
  const after = weightsOf(f.ours.params);
  const layerWeights = f.layers.model.getWeights();
  for (let i = 0; i < after.length; i++) {
    assertClose(`weight ${i} after a step (minimize)`, after[i]!, f.minimize.vars[i]!, 1e-5);
    assertClose(`weight ${i} after a step (layers)`, after[i]!, layerWeights[i]!, 1e-5);
  }
}

/**
 * One varscope training step as a user writes it: step, dispose the old
 * params, keep the new ones. Returns the loss (the caller disposes it).
 *
 * @param f the fixture
 * @returns the loss before the update
 */
export function stepOurs(f: TrainFixture): tf.Scalar {
  const r = f.ours.trainer.step(f.ours.params, f.batch);
  f.ours.params.dispose();
  f.ours.params = r.params;
  return r.loss;
}

/**
 * One hand-written step: `optimizer.minimize(() => loss, true, vars)` with
 * the same forward pass and loss. Returns the loss (the caller disposes it).
 *
 * @param f the fixture
 * @returns the loss before the update
 */
export function stepMinimize(f: TrainFixture): tf.Scalar {
  const { vars, optimizer } = f.minimize;
  const { x, y } = f.batch;
  return optimizer.minimize(() => lossOf(y, handwrittenForward(vars, x)), true, vars)!;
}

/**
 * One `model.trainOnBatch(x, y)` step; it reads the loss value itself.
 *
 * @param f the fixture
 * @returns the loss value
 */
export async function stepLayers(f: TrainFixture): Promise<number> {
  return (await f.layers.model.trainOnBatch(f.batch.x, f.batch.y)) as number;
}

// ---- the demo model -------------------------------------------------------
//
// The siamese example model (`examples/siamese_model.ts`): a
// siamese model over pairs of item ids, a shared AUTO_REUSE tower with a
// partitioned embedding and an L2 scope regularizer, trained with Adam and
// the regularization losses (generator functions inline, as the demo
// writes them).

/** Pairs per demo training batch. */
export const DEMO_BATCH = 128;

/** One demo batch: pairs of item ids and whether they share a class. */
export type DemoBatch = SiameseBatch;

/** The demo's transformed loss. */
export const demoLoss: Transformed<DemoBatch, tf.Scalar> = siameseLoss;

/**
 * A demo batch, deterministic from `seed`: half of the pairs share a class.
 *
 * @param seed the seed
 * @returns the batch (the caller disposes it)
 */
export function makeDemoBatch(seed: number): DemoBatch {
  return syntheticTask(seed).makeBatch(DEMO_BATCH);
}

/** The demo's training, as the demo runs it. */
export interface DemoFixture {
  /** The batch every step trains on. */
  readonly batch: DemoBatch;
  /** Adam, regularization on. */
  readonly trainer: Trainer<DemoBatch>;
  /** The trainer's optimizer. */
  readonly optimizer: tf.Optimizer;
  /** The current params (replaced every step). */
  params: Params;
  /** Frees every tensor of the fixture. */
  readonly dispose: () => void;
}

/**
 * Builds the demo's training on the active backend (init seed 7, Adam 0.01,
 * regularization losses added) and runs one step to check it.
 *
 * @returns the fixture
 */
export function demoFixture(): DemoFixture {
  const batch = makeDemoBatch(42);
  const { params } = demoLoss.init(batch, { seed: 7 });
  const optimizer = tf.train.adam(0.01);
  const trainer = makeTrainer(demoLoss, { optimizer, regularization: true });
  const f: DemoFixture = {
    batch,
    trainer,
    optimizer,
    params,
    dispose: () => {
      trainer.dispose();
      optimizer.dispose();
      f.params.dispose();
      tf.dispose([batch.a, batch.b, batch.same]);
    },
  };
  const loss = stepDemo(f);
  const value = loss.dataSync()[0]!;
  loss.dispose();
  if (!Number.isFinite(value)) throw new Error(`demo loss is ${value}`);
  return f;
}

/**
 * One demo training step: step, dispose the old params and the loss.
 *
 * @param f the fixture
 * @returns the loss (the caller disposes it)
 */
export function stepDemo(f: DemoFixture): tf.Scalar {
  const r = f.trainer.step(f.params, f.batch);
  f.params.dispose();
  f.params = r.params;
  return r.loss;
}
