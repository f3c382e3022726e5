/**
 * The `varscope/layers` comparisons of `bench/summary.ts`, per backend:
 *
 * - `conv_apply_vs_layers_<b>`: a small conv net (28×28×1 → Conv2D 3×3×32
 *   relu → MaxPooling2D 2 → Conv2D 3×3×64 relu → MaxPooling2D 2 → Flatten →
 *   Dense 10, batch 32), a compiled `apply` vs the same tfjs-layers model's
 *   `predict` (bound ≤ 1.0);
 * - `batchnorm_train_step_vs_layers_<b>`: a training step of Dense 256 →
 *   BatchNormalization (training) → relu → Dense 10 on 64 inputs, batch 32,
 *   SGD 0.01, softmax cross-entropy: a `makeTrainer` step (moving-average
 *   updates included) + loss read vs tfjs-layers `trainOnBatch` (bound ≤ 1.0).
 *
 * Both sides start from the same weights and are checked to agree before
 * timing (outputs 1e-4; first-step losses 1e-4). Sides alternate by round;
 * the reported ratio is the median of per-round ratios (A / B), with the
 * spread of those ratios.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type ProgramGenerator, scoped } from "varscope";
import { makeTrainer, type Params, transform, useBackend } from "varscope/tfjs";
import { BatchNormalization, Conv2D, Dense, Flatten, MaxPooling2D } from "varscope/layers";
import { median } from "./_measure.ts";
import {
  measurePair,
  measurePairAsync,
  type PairResult,
  type PairSettings,
} from "./tfjs_measure.ts";

/** Rounds per comparison. */
export interface LayersSettings {
  /** The conv net's apply. */
  readonly conv: PairSettings;
  /** The batch-norm training step. */
  readonly bn: PairSettings;
}

/** Full runs: 21 timed rounds per side at least. */
export const LAYERS_FULL: LayersSettings = {
  conv: { warmup: 2, rounds: 21, calls: 1 },
  bn: { warmup: 5, rounds: 31, calls: 10 },
};

/** Smoke runs. */
export const LAYERS_QUICK: LayersSettings = {
  conv: { warmup: 1, rounds: 3, calls: 1 },
  bn: { warmup: 1, rounds: 3, calls: 2 },
};

/** One comparison with the spread of its per-round ratios. */
export interface SpreadResult extends PairResult {
  /** Smallest and largest per-round ratio. */
  readonly min: number;
  /** Largest per-round ratio. */
  readonly max: number;
  /** 25th and 75th percentile of the per-round ratios. */
  readonly q1: number;
  /** 75th percentile. */
  readonly q3: number;
}

/** A backend's layer comparisons. */
export interface LayersResults {
  /** The backend. */
  readonly backend: string;
  /** `conv_apply_vs_layers`. */
  readonly conv: SpreadResult;
  /** `batchnorm_train_step_vs_layers`. */
  readonly bn: SpreadResult;
  /** Tensors left behind by the block (0 expected). */
  readonly leakedTensors: number;
}

function spread(r: PairResult): SpreadResult {
  const ratios = r.aSamples.map((a, i) => a / r.bSamples[i]!).sort((x, y) => x - y);
  const q = (p: number): number =>
    ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
  return { ...r, min: ratios[0]!, max: ratios[ratios.length - 1]!, q1: q(0.25), q3: q(0.75) };
}

const BATCH = 32;

// The conv net: layer objects made once, so every apply replays their scopes.
const conv1 = new Conv2D(32, 3, { activation: tf.relu });
const pool1 = new MaxPooling2D(2, 2);
const conv2 = new Conv2D(64, 3, { activation: tf.relu });
const pool2 = new MaxPooling2D(2, 2);
const flat = new Flatten();
const logits = new Dense(10);

function* convBody(x: tf.Tensor): ProgramGenerator<tf.Tensor> {
  const h1 = yield* pool1.apply(yield* conv1.apply(x));
  const h2 = yield* pool2.apply(yield* conv2.apply(h1));
  return yield* logits.apply(yield* flat.apply(h2));
}

const convNet = transform((x: tf.Tensor) => scoped(convBody, x));

function convLayersModel(params: Params): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        filters: 32,
        kernelSize: 3,
        activation: "relu",
        inputShape: [28, 28, 1],
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  model.setWeights(
    [
      "conv2d/kernel",
      "conv2d/bias",
      "conv2d_1/kernel",
      "conv2d_1/bias",
      "dense/kernel",
      "dense/bias",
    ]
      .map((n) => params.get(n)),
  );
  return model;
}

// The batch-norm MLP.
const IN = 64;
const hidden = new Dense(256);
const bn = new BatchNormalization();
const out = new Dense(10);

function* bnLoss(batch: { x: tf.Tensor; y: tf.Tensor }): ProgramGenerator<tf.Scalar> {
  const h = yield* bn.apply(yield* hidden.apply(batch.x), { training: true });
  const z = yield* out.apply(tf.relu(h));
  return tf.losses.softmaxCrossEntropy(batch.y, z) as tf.Scalar;
}

const bnModel = transform((batch: { x: tf.Tensor; y: tf.Tensor }) => scoped(bnLoss, batch));

function bnLayersModel(params: Params): tfl.Sequential {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 256, inputShape: [IN] }),
      tfl.layers.batchNormalization({}),
      tfl.layers.activation({ activation: "relu" }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  // A tfjs-layers model lists its trainable weights first.
  model.setWeights(
    [
      "dense/kernel",
      "dense/bias",
      "batch_normalization/gamma",
      "batch_normalization/beta",
      "dense_1/kernel",
      "dense_1/bias",
      "batch_normalization/moving_mean",
      "batch_normalization/moving_variance",
    ].map((n) => params.get(n)),
  );
  model.compile({
    optimizer: tf.train.sgd(0.01),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  return model;
}

function closeTo(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  for (let i = 0; i < b.length; i++) {
    if (Math.abs(a[i]! - b[i]!) > tol * scale) throw new Error(`${what}: sides disagree at ${i}`);
  }
}

/**
 * Measures both layer comparisons on one backend.
 *
 * @param backend "cpu" or "wasm"
 * @param s rounds
 * @returns the results
 */
export async function measureLayers(
  backend: "cpu" | "wasm",
  s: LayersSettings,
): Promise<LayersResults> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;
  // Conv net.
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, "float32", 1);
  const { params: convParams } = convNet.init(x, { seed: 1 });
  const convLayers = convLayersModel(convParams);
  const ya = convNet.apply(convParams, x);
  const yb = convLayers.predict(x) as tf.Tensor;
  closeTo(await ya.data(), await yb.data(), 1e-4, "conv outputs");
  tf.dispose([ya, yb]);
  // wasm runs the net about 20x faster than cpu: more calls per round there.
  const convRounds = backend === "wasm" ? { ...s.conv, calls: s.conv.calls * 4 } : s.conv;
  const conv = spread(measurePair(
    () => convNet.apply(convParams, x).dispose(),
    () => (convLayers.predict(x) as tf.Tensor).dispose(),
    convRounds,
  ));
  convLayers.dispose();
  convParams.dispose();
  x.dispose();

  // Batch norm training step.
  const classes = tf.tensor1d(Array.from({ length: BATCH }, (_, i) => i % 10), "int32");
  const labels = tf.oneHot(classes, 10);
  const batch = {
    x: tf.randomNormal([BATCH, IN], 0, 1, "float32", 2),
    y: tf.cast(labels, "float32"),
  };
  tf.dispose([classes, labels]);
  let { params } = bnModel.init(batch, { seed: 1 });
  const layersBn = bnLayersModel(params);
  const optimizer = tf.train.sgd(0.01);
  const trainer = makeTrainer(bnModel, { optimizer });
  const first = trainer.step(params, batch);
  const lossB = await layersBn.trainOnBatch(batch.x, batch.y) as number;
  closeTo([await first.loss.data().then((d) => d[0]!)], [lossB], 1e-4, "first-step losses");
  first.loss.dispose();
  params.dispose();
  params = first.params;
  const bnResult = spread(
    await measurePairAsync(
      async () => {
        const r = trainer.step(params, batch);
        await r.loss.data();
        r.loss.dispose();
        params.dispose();
        params = r.params;
      },
      async () => {
        await layersBn.trainOnBatch(batch.x, batch.y);
      },
      s.bn,
    ),
  );
  trainer.dispose();
  optimizer.dispose();
  layersBn.optimizer.dispose();
  layersBn.dispose();
  params.dispose();
  tf.dispose([batch.x, batch.y]);
  return {
    backend,
    conv,
    bn: bnResult,
    leakedTensors: tf.memory().numTensors - before,
  };
}

/**
 * The summary lines of one backend's results.
 *
 * @param r the results
 * @param quick whether this was a smoke run (no verdicts)
 * @returns the lines
 */
export function layersLines(r: LayersResults, quick: boolean): string[] {
  const us = (v: number): string => `${v.toFixed(0)}us`;
  const line = (name: string, p: SpreadResult, what: string): string[] => [
    `${name} ratio=${p.ratio.toFixed(2)}`,
    `# ${name}: ${what}; ratio = median of ${p.aSamples.length} per-round ratios, spread min ${
      p.min.toFixed(2)
    } / q1 ${p.q1.toFixed(2)} / q3 ${p.q3.toFixed(2)} / max ${p.max.toFixed(2)}; medians ratio ${
      p.mediansRatio.toFixed(2)
    }${quick ? "" : `; bound 1.0: ${p.ratio <= 1 ? "within" : "EXCEEDED"}`}`,
  ];
  return [
    ...line(
      `conv_apply_vs_layers_${r.backend}`,
      r.conv,
      `compiled apply ${us(r.conv.aUs)}, tfjs-layers predict ${
        us(r.conv.bUs)
      } per call (batch ${BATCH})`,
    ),
    ...line(
      `batchnorm_train_step_vs_layers_${r.backend}`,
      r.bn,
      `trainer step + await loss.data() ${us(r.bn.aUs)}, await trainOnBatch ${
        us(r.bn.bUs)
      } per step`,
    ),
    ...(r.leakedTensors === 0 ? [] : [`# layers ${r.backend}: LEAKED ${r.leakedTensors} tensors`]),
  ];
}

/** Median helper re-exported for callers that summarize samples. */
export { median };
