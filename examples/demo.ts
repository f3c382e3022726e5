// deno-lint-ignore-file no-console -- a demo script prints its results
/**
 * The README's main job: trains a TF1-style sequence classifier on a
 * synthetic task, on the default backend, then saves it as a TensorFlow
 * checkpoint and reads it back.
 *
 * The model (`sequence_model.ts`) is TF1 code written with varscope:
 * `tf.nn.embedding_lookup` → `tf.nn.dynamic_rnn` over an `LSTMCell` (with
 * each sequence's length) → `tf.layers.dropout` → `tf.layers.dense`. Adam
 * trains it with `makeTrainer`; every step draws new dropout masks from
 * the step's seed; the program is compiled after the first step, so later
 * steps replay the scope decisions and run only tensor code.
 *
 * Run with `deno task demo`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { formatVariableTable } from "varscope";
import { makeTrainer, useBackend } from "varscope/tfjs";
import {
  formatListing,
  formatRestoreReport,
  loadCheckpoint,
  restore,
  saveCheckpoint,
} from "varscope/checkpoint";
import { type Batch, disposeBatch, logits, loss, sequenceTask } from "./sequence_model.ts";

const BATCH = 64;
const STEPS = 200;

const backend = await useBackend(); // "auto": webgpu on a real GPU, else wasm, else cpu
console.log(`varscope demo: training a TF1-style LSTM sequence classifier on ${backend}\n`);

const makeBatch = sequenceTask(42);
const batches = Array.from({ length: 16 }, () => makeBatch(BATCH, true));
const test = makeBatch(512, false);
const tensorsBefore = tf.memory().numTensors;
const started = performance.now();

async function accuracy(params: Parameters<typeof logits.apply>[0], b: Batch): Promise<number> {
  const z = logits.apply(params, b);
  const right = tf.tidy(() => tf.sum(tf.equal(tf.argMax(z, 1), b.labels)));
  const n = (await right.data())[0]!;
  tf.dispose([z, right]);
  return n / b.labels.shape[0];
}

let { params } = loss.init(batches[0]!, { seed: 7 });
const optimizer = tf.train.adam(0.01);
// TF1: train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
const trainer = makeTrainer(loss, { optimizer });

let first = 0;
let last = 0;
for (let step = 1; step <= STEPS; step++) {
  const r = trainer.step(params, batches[step % batches.length]!);
  params.dispose(); // the old params stay readable until disposed; we no longer need them
  params = r.params;
  if (step === 1 || step % 50 === 0) {
    last = (await r.loss.data())[0]!;
    if (step === 1) first = last;
    const acc = await accuracy(params, test);
    console.log(
      `step ${String(step).padStart(3)}  loss ${last.toFixed(4)}  test accuracy ${
        (acc * 100).toFixed(1)
      }%`,
    );
  }
  r.loss.dispose();
}
const seconds = (performance.now() - started) / 1000;
const finalAccuracy = await accuracy(params, test);

console.log(
  `\nloss ${first.toFixed(4)} -> ${last.toFixed(4)} in ${STEPS} steps (${seconds.toFixed(1)} s)`,
);
console.log(
  `accuracy on ${test.labels.shape[0]} fresh sequences: ${(finalAccuracy * 100).toFixed(1)}%`,
);
console.log(`backend: ${backend}\n`);
console.log(formatVariableTable(params.store));

// ---- the trained model as a TF1 checkpoint, listed and read back ----------
// TF1: tf.compat.v1.train.Saver().save(sess, prefix)
const ckptDir = await Deno.makeTempDir({ prefix: "varscope-demo-" });
const prefix = `${ckptDir}/model.ckpt-${STEPS}`;
await saveCheckpoint(params, prefix);
console.log(
  `\nsaved as a TensorFlow checkpoint, model.ckpt-${STEPS} (as \`deno task ckpt ls\` lists it):`,
);
for (const line of formatListing(loadCheckpoint(prefix))) console.log(`  ${line}`);
const { params: restored, report } = restore(params.store, ckptDir);
const restoredAccuracy = await accuracy(restored, test);
console.log(
  `read back: ${formatRestoreReport(report)}; accuracy ${(restoredAccuracy * 100).toFixed(1)}%`,
);
restored.dispose();
await Deno.remove(ckptDir, { recursive: true });

params.dispose();
trainer.dispose();
optimizer.dispose();
const tensorsAfter = tf.memory().numTensors;
console.log(`\ntensors: ${tensorsBefore} before training (the data), ${tensorsAfter} after`);
batches.forEach(disposeBatch);
disposeBatch(test);

if (
  !(last < first / 2) || finalAccuracy < 0.8 || tensorsAfter !== tensorsBefore ||
  !report.complete || restoredAccuracy !== finalAccuracy
) {
  console.error(
    "demo failed: the loss did not fall, accuracy is low, tensors leaked, or the checkpoint differs",
  );
  Deno.exit(1);
}
