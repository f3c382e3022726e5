// deno-lint-ignore-file no-console -- a demo script prints its results
/**
 * The README's main job: trains a small TF1-style siamese model on a
 * synthetic task, on the default backend.
 *
 * 64 items belong to 4 hidden classes; the model sees pairs of item ids and
 * learns whether the two items share a class. Each item id goes through the
 * same tower (one `variableScope("tower", { reuse: AUTO_REUSE })`, entered
 * twice): a partitioned embedding, then two default-name dense layers under
 * an L2 scope regularizer. Adam trains it with `makeTrainer`; the program is
 * compiled after the first step, so later steps only run tensor code.
 *
 * Run with `deno task demo`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  AUTO_REUSE,
  fixedSizePartitioner,
  formatVariableTable,
  l2Regularizer,
  type Program,
  type ProgramGenerator,
  regularizationLosses,
  scoped,
  truncatedNormalInitializer,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  makeTrainer,
  totalRegularizationLoss,
  transform,
  useBackend,
  variable,
} from "varscope/tfjs";

const ITEMS = 64;
const CLASSES = 4;
const BATCH = 128;
const STEPS = 300;

// ---- the model: TF1 scope code, one function per layer -------------------

/** TF1 `tf.layers.dense`: a default-name scope ("dense", "dense_1", …). */
function dense(x: tf.Tensor2D, units: number, relu = false): Program<tf.Tensor2D> {
  return variableScope(
    null,
    { defaultName: "dense" },
    scoped(function* (): ProgramGenerator<tf.Tensor2D> {
      const kernel = yield* variable("kernel", { shape: [x.shape[1], units] });
      const bias = yield* variable("bias", { shape: [units], initializer: zerosInitializer() });
      const y = tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D;
      return relu ? tf.relu(y) : y;
    }),
  );
}

/** The shared tower: the first call creates its variables, the second reuses them. */
function tower(ids: tf.Tensor1D): Program<tf.Tensor2D> {
  return variableScope(
    "tower",
    { reuse: AUTO_REUSE, regularizer: l2Regularizer(1e-4) },
    scoped(function* (): ProgramGenerator<tf.Tensor2D> {
      const embedding = yield* variable("embedding", {
        shape: [ITEMS, 16],
        partitioner: fixedSizePartitioner(4), // embedding/part_0 … part_3
        initializer: truncatedNormalInitializer({ stddev: 0.5 }),
      });
      // An embedding lookup as a one-hot product: its gradient runs on every backend.
      const x = tf.matMul(tf.cast(tf.oneHot(ids, ITEMS), "float32"), embedding) as tf.Tensor2D;
      const hidden = yield* dense(x, 32, true); // tower/dense
      return yield* dense(hidden, 8); // tower/dense_1
    }),
  );
}

interface Batch {
  readonly a: tf.Tensor1D; // item ids (int32)
  readonly b: tf.Tensor1D;
  readonly same: tf.Tensor2D; // 1 when a and b share a class, else 0
}

/** The logit of "same class" for each pair. */
function logits({ a, b }: Batch): Program<tf.Tensor2D> {
  return variableScope(
    "siamese",
    scoped(function* (): ProgramGenerator<tf.Tensor2D> {
      const ea = yield* tower(a);
      const eb = yield* tower(b);
      const features = tf.concat([tf.abs(tf.sub(ea, eb)), tf.mul(ea, eb)], 1) as tf.Tensor2D;
      return yield* variableScope("head", dense(features, 1));
    }),
  );
}

const loss = transform((batch: Batch) =>
  scoped(function* (): ProgramGenerator<tf.Scalar> {
    const z = yield* logits(batch);
    return tf.losses.sigmoidCrossEntropy(batch.same, z) as tf.Scalar;
  })
);
const predict = transform((batch: Batch) => logits(batch));

// ---- synthetic data: deterministic from a seed ---------------------------

/** mulberry32: a small seeded generator of floats in [0, 1). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = random(42);
const pick = (n: number): number => Math.floor(rand() * n);
const classOf = Array.from({ length: ITEMS }, () => pick(CLASSES));

/** `size` pairs, half of them from the same class. */
function makeBatch(size: number): Batch {
  const a: number[] = [], b: number[] = [], same: number[] = [];
  for (let i = 0; i < size; i++) {
    const x = pick(ITEMS);
    let y = pick(ITEMS);
    while ((classOf[x] === classOf[y]) !== (i % 2 === 0)) y = pick(ITEMS);
    a.push(x);
    b.push(y);
    same.push(i % 2 === 0 ? 1 : 0);
  }
  return {
    a: tf.tensor1d(a, "int32"),
    b: tf.tensor1d(b, "int32"),
    same: tf.tensor2d(same, [size, 1]),
  };
}

const disposeBatch = (batch: Batch): void => tf.dispose([batch.a, batch.b, batch.same]);

// ---- training -------------------------------------------------------------

const backend = await useBackend(); // "auto": webgpu on a real GPU, else wasm, else cpu
console.log(`varscope demo: training a TF1-style siamese model on ${backend}\n`);

const batches = Array.from({ length: 8 }, () => makeBatch(BATCH));
const test = makeBatch(512);
const tensorsBefore = tf.memory().numTensors;
const started = performance.now();

let { params } = loss.init(batches[0]!, { seed: 7 });
const optimizer = tf.train.adam(0.01);
// TF1: train_op = optimizer.minimize(loss + tf.losses.get_regularization_loss())
const trainer = makeTrainer(loss, { optimizer, regularization: true });

let first = 0;
let last = 0;
for (let step = 1; step <= STEPS; step++) {
  const r = trainer.step(params, batches[step % batches.length]!);
  params.dispose(); // the old params stay readable until disposed; we no longer need them
  params = r.params;
  if (step === 1 || step % 50 === 0) {
    last = (await r.loss.data())[0]!;
    if (step === 1) first = last;
    console.log(`step ${String(step).padStart(3)}  loss ${last.toFixed(4)}`);
  }
  r.loss.dispose();
}
const seconds = (performance.now() - started) / 1000;

// `predict` is another program over the same variables: apply takes them from params.
const z = predict.apply(params, test);
const correct = tf.tidy(() => tf.sum(tf.equal(tf.greater(z, 0), tf.cast(test.same, "bool"))));
const accuracy = (await correct.data())[0]! / test.a.shape[0];
const reg = totalRegularizationLoss(params);
const regValue = (await reg.data())[0]!;
const regCount = regularizationLosses(params.store).length;
tf.dispose([z, correct, reg]);

console.log(
  `\nloss ${first.toFixed(4)} -> ${last.toFixed(4)} in ${STEPS} steps (${seconds.toFixed(1)} s)`,
);
console.log(
  `  of which regularization: ${regValue.toFixed(4)} (${regCount} losses, none from reuse)`,
);
console.log(`accuracy on ${test.a.shape[0]} fresh pairs: ${(accuracy * 100).toFixed(1)}%`);
console.log(`backend: ${backend}\n`);
console.log(formatVariableTable(params.store));

params.dispose();
trainer.dispose();
optimizer.dispose();
const tensorsAfter = tf.memory().numTensors;
console.log(`\ntensors: ${tensorsBefore} before training (the data), ${tensorsAfter} after`);
batches.forEach(disposeBatch);
disposeBatch(test);

if (!(last < first / 2) || tensorsAfter !== tensorsBefore) {
  console.error("demo failed: the loss did not fall, or tensors leaked");
  Deno.exit(1);
}
