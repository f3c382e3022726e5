/**
 * A TF1-style siamese model over pairs of item ids (a partitioned embedding
 * in a tower entered twice with AUTO_REUSE, default-name dense layers under
 * a scope regularizer) and a synthetic task deterministic from a seed. It
 * was the first demo; the benchmarks time its training step
 * (`wasm_vs_cpu_demo`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  AUTO_REUSE,
  fixedSizePartitioner,
  l2Regularizer,
  type Program,
  type ProgramGenerator,
  scoped,
  truncatedNormalInitializer,
  variableScope,
  zerosInitializer,
} from "varscope";
import { transform, type Transformed, variable } from "varscope/tfjs";

/** Item ids. */
export const ITEMS = 64;
/** Hidden classes of the items. */
export const CLASSES = 4;

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

/** Pairs of item ids and whether they share a class. */
export interface Batch {
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

/** Sigmoid cross-entropy of the "same class" logits. */
export const loss: Transformed<Batch, tf.Scalar> = transform((batch: Batch) =>
  scoped(function* (): ProgramGenerator<tf.Scalar> {
    const z = yield* logits(batch);
    return tf.losses.sigmoidCrossEntropy(batch.same, z) as tf.Scalar;
  })
);
/** The "same class" logits. */
export const predict: Transformed<Batch, tf.Tensor2D> = transform((batch: Batch) => logits(batch));

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

/** A synthetic task: items with hidden classes, and batches of pairs. */
export interface SyntheticTask {
  /** The class of each item. */
  readonly classOf: readonly number[];
  /** `size` pairs, half of them from the same class (the caller disposes them). */
  readonly makeBatch: (size: number) => Batch;
}

/**
 * The synthetic task drawn from `seed`.
 *
 * @param seed the seed
 * @returns the task
 */
export function syntheticTask(seed: number): SyntheticTask {
  const rand = random(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  const classOf = Array.from({ length: ITEMS }, () => pick(CLASSES));
  const makeBatch = (size: number): Batch => {
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
  };
  return { classOf, makeBatch };
}

/**
 * Frees a batch's tensors.
 *
 * @param batch the batch
 */
export function disposeBatch(batch: Batch): void {
  tf.dispose([batch.a, batch.b, batch.same]);
}
