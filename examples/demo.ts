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
 * compiled after the first step, so later steps only run tensor code. The
 * model and the data are in `siamese_model.ts`.
 *
 * Run with `deno task demo`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { formatVariableTable, regularizationLosses } from "varscope";
import { makeTrainer, totalRegularizationLoss, useBackend } from "varscope/tfjs";
import {
  formatListing,
  formatRestoreReport,
  loadCheckpoint,
  restore,
  saveCheckpoint,
} from "varscope/checkpoint";
// The model (TF1 scope code, one function per layer) and the data.
import { disposeBatch, loss, predict, syntheticTask } from "./siamese_model.ts";

const BATCH = 128;
const STEPS = 300;

// ---- synthetic data: deterministic from a seed ---------------------------

const { makeBatch } = syntheticTask(42);

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

// ---- the trained model as a TF1 checkpoint, listed and read back ----------
// TF1: tf.compat.v1.train.Saver().save(sess, prefix); the partitioned
// embedding is saved as Saver saves it, one entry with four slices.
const ckptDir = await Deno.makeTempDir({ prefix: "varscope-demo-" });
const prefix = `${ckptDir}/model.ckpt-${STEPS}`;
await saveCheckpoint(params, prefix);
console.log(
  `\nsaved as a TensorFlow checkpoint, model.ckpt-${STEPS} (as \`deno task ckpt ls\` lists it):`,
);
for (const line of formatListing(loadCheckpoint(prefix))) console.log(`  ${line}`);
const { params: restored, report } = restore(params.store, ckptDir);
const sameValues = (await restored.get("siamese/head/dense/kernel").data()).join() ===
  (await params.get("siamese/head/dense/kernel").data()).join();
console.log(`read back: ${formatRestoreReport(report)}`);
restored.dispose();
await Deno.remove(ckptDir, { recursive: true });

params.dispose();
trainer.dispose();
optimizer.dispose();
const tensorsAfter = tf.memory().numTensors;
console.log(`\ntensors: ${tensorsBefore} before training (the data), ${tensorsAfter} after`);
batches.forEach(disposeBatch);
disposeBatch(test);

if (!(last < first / 2) || tensorsAfter !== tensorsBefore || !report.complete || !sameValues) {
  console.error("demo failed: the loss did not fall, tensors leaked, or the checkpoint differs");
  Deno.exit(1);
}
