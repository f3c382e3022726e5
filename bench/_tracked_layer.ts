/**
 * `tracked_layer_fit_vs_layers`: one `fit` epoch of a tfjs-layers model
 * whose core is a layer with a `trackTf1StyleVariables` call (two TF1
 * `dense` layers from `varscope/layers`), against the same model built from
 * tfjs-layers `dense` layers. Same sizes, same optimizer, same data.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type ProgramGenerator, scoped, variableScope } from "varscope";
import { dense } from "varscope/layers";
import { runTf1, trackTf1StyleVariables } from "varscope/objects";
import { type BackendName, useBackend } from "varscope/tfjs";
import { measurePairAsync, type PairResult } from "./tfjs_measure.ts";

/** Sizes of the comparison. */
export const TRACKED_FIT = {
  input: 32,
  hidden: 64,
  output: 10,
  samples: 256,
  batch: 32,
} as const;

type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

class TwoDense extends tfl.layers.Layer {
  static readonly className = "BenchTwoDense";
  readonly units: number;
  constructor(args: LayerArgs & { units: number }) {
    super(args);
    this.units = args.units;
  }
  @trackTf1StyleVariables
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const units = this.units;
    return runTf1(variableScope(
      "mlp",
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const h = yield* dense(x, units, { name: "dense_one", activation: "relu" });
        return yield* dense(h, units, { name: "dense_two", activation: "relu" });
      }),
    ));
  }
}

function compiled(model: tfl.Sequential, optimizer: tf.Optimizer): tfl.Sequential {
  model.add(tfl.layers.dense({ units: TRACKED_FIT.output }));
  model.compile({ optimizer, loss: "meanSquaredError" });
  return model;
}

/** The result on one backend. */
export interface TrackedFitResult {
  readonly fit: PairResult;
  readonly leaked: number;
}

/**
 * Measures an epoch of `fit` (8 batches of 32) of both models, paired by round.
 *
 * @param backend the backend
 * @param rounds timed rounds
 * @param warmup untimed rounds
 * @returns the paired result and the tensors left behind
 */
export async function measureTrackedLayerFit(
  backend: BackendName,
  rounds: number,
  warmup: number,
): Promise<TrackedFitResult> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;
  const { input, hidden, samples, batch, output } = TRACKED_FIT;
  const optimizers = [tf.train.sgd(0.01), tf.train.sgd(0.01)];
  const ours = tfl.sequential();
  ours.add(new TwoDense({ units: hidden, inputShape: [input] }));
  compiled(ours, optimizers[0]!);
  const theirs = tfl.sequential();
  theirs.add(tfl.layers.dense({ units: hidden, activation: "relu", inputShape: [input] }));
  theirs.add(tfl.layers.dense({ units: hidden, activation: "relu" }));
  compiled(theirs, optimizers[1]!);
  const xs = tf.randomNormal([samples, input], 0, 1, "float32", 1);
  const ys = tf.randomNormal([samples, output], 0, 1, "float32", 2);
  const epoch = (m: tfl.Sequential) => async (): Promise<void> => {
    await m.fit(xs, ys, { epochs: 1, batchSize: batch, verbose: 0, shuffle: false });
  };
  const fit = await measurePairAsync(epoch(ours), epoch(theirs), { warmup, rounds, calls: 1 });
  ours.dispose();
  theirs.dispose();
  for (const o of optimizers) o.dispose();
  tf.dispose([xs, ys]);
  return { fit, leaked: tf.memory().numTensors - before };
}
