// BatchNormalization (spec N10): TF1 names, the training-mode output
// (batch mean, biased variance), inference from the moving statistics, and
// the moving-average updates `moving·m + batch·(1 − m)` written through the
// state channel — with TF1's fused-path rule (4-D over axis 3 or 1: the
// update uses the unbiased batch variance) and the biased variance
// otherwise — all against Float64 references written here. A trainer step
// applies the updates after its gradient step; old params never change.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  globalVariables,
  type Program,
  type ProgramGenerator,
  scoped,
  trainableVariables,
} from "varscope";
import { makeTrainer, transform } from "varscope/tfjs";
import { BatchNormalization, batchNormalization, dense } from "varscope/layers";
import {
  arr,
  assertAllClose,
  backendTest,
  expectError,
  gradients,
  paramsFrom,
  RTOL,
  take,
  values,
  weights,
} from "./_helpers.ts";

type Gen<A> = ProgramGenerator<A>;

/** Per-channel mean and variance (biased) of x laid out [n, c] after moving the channel last. */
function stats(x: readonly number[], n: number, c: number): { mean: number[]; varB: number[] } {
  const mean = new Array<number>(c).fill(0);
  const varB = new Array<number>(c).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) mean[j]! += x[i * c + j]! / n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) varB[j]! += (x[i * c + j]! - mean[j]!) ** 2 / n;
  }
  return { mean, varB };
}

const names = (vs: readonly { name: string }[]): string[] => vs.map((v) => v.name);

backendTest(
  import.meta.url,
  "N10: gamma, beta, moving_mean, moving_variance; moving ones only in GLOBAL_VARIABLES",
  () => {
    const x = tf.ones([2, 3]);
    const model = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* batchNormalization(i);
        yield* new BatchNormalization({ center: false }).apply(i);
        return yield* new BatchNormalization({ scale: false }).apply(i);
      })
    );
    const { params, store } = model.init(x);
    assert.deepEqual(params.names, [
      "batch_normalization/gamma",
      "batch_normalization/beta",
      "batch_normalization/moving_mean",
      "batch_normalization/moving_variance",
      "batch_normalization_1/gamma",
      "batch_normalization_1/moving_mean",
      "batch_normalization_1/moving_variance",
      "batch_normalization_2/beta",
      "batch_normalization_2/moving_mean",
      "batch_normalization_2/moving_variance",
    ]);
    assert.deepEqual(names(trainableVariables(store, "batch_normalization/")), [
      "batch_normalization/gamma:0",
      "batch_normalization/beta:0",
    ]);
    assert.equal(globalVariables(store, "batch_normalization/").length, 4);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN training on a 2-D input: output, and updates with the biased variance (non-fused)",
  async (backend) => {
    const n = 5;
    const c = 3;
    const xs = weights(n * c, 80);
    const g = weights(c, 81);
    const b = weights(c, 82);
    const mm = weights(c, 83);
    const mv = weights(c, 84).map((v) => Math.fround(Math.abs(v) + 0.5));
    const bn = new BatchNormalization({ momentum: 0.9, epsilon: 0.01 });
    const model = transform((i: tf.Tensor) => bn.apply(i, { training: true }));
    const x = tf.tensor2d(xs, [n, c]);
    const { store, params: init } = model.init(x);
    init.dispose();
    const params = paramsFrom(store, {
      "batch_normalization/gamma": arr([c], g),
      "batch_normalization/beta": arr([c], b),
      "batch_normalization/moving_mean": arr([c], mm),
      "batch_normalization/moving_variance": arr([c], mv),
    });
    const { mean, varB } = stats(xs, n, c);
    const expected = xs.map((v, k) => {
      const j = k % c;
      return ((v - mean[j]!) / Math.sqrt(varB[j]! + 0.01)) * g[j]! + b[j]!;
    });
    const { output, params: next } = model.applyWithUpdates(params, x);
    assertAllClose(await take(output), expected, RTOL[backend], "y");
    assertAllClose(
      await values(next.get("batch_normalization/moving_mean")),
      mm.map((v, j) => v * 0.9 + mean[j]! * 0.1),
      RTOL[backend],
      "moving_mean",
    );
    assertAllClose(
      await values(next.get("batch_normalization/moving_variance")),
      mv.map((v, j) => v * 0.9 + varB[j]! * 0.1),
      RTOL[backend],
      "moving_variance",
    );
    // Plain apply drops the writes; the given params never change.
    const again = model.apply(params, x);
    again.dispose();
    assertAllClose(
      await values(params.get("batch_normalization/moving_mean")),
      mm,
      0,
      "old params",
    );
    next.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN training on 4-D channels_first (axis 1): TF1's fused path updates with the unbiased variance",
  async (backend) => {
    const [n, c, h, w] = [2, 3, 2, 2];
    const xs = weights(n * c * h * w, 85);
    const bn = new BatchNormalization({ axis: 1 });
    const model = transform((i: tf.Tensor) => bn.apply(i, { training: true }));
    const x = tf.tensor4d(xs, [n, c, h, w]);
    const { params } = model.init(x); // gamma 1, beta 0, moving 0 and 1
    // Channel j's values, laid out as [n·h·w, c].
    const perChannel: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < h * w; p++) {
        for (let j = 0; j < c; j++) {
          perChannel.push(xs[(i * c + j) * h * w + p]!);
        }
      }
    }
    const m = n * h * w;
    const { mean, varB } = stats(perChannel, m, c);
    const expected = xs.map((v, k) => {
      const j = Math.floor(k / (h * w)) % c;
      return (v - mean[j]!) / Math.sqrt(varB[j]! + 1e-3);
    });
    const { output, params: next } = model.applyWithUpdates(params, x);
    assertAllClose(await take(output), expected, RTOL[backend], "y (biased variance)");
    assertAllClose(
      await values(next.get("batch_normalization/moving_variance")),
      varB.map((v) => 0.99 + (v * m) / (m - 1) * 0.01),
      RTOL[backend],
      "moving_variance (unbiased, n/(n−1))",
    );
    assertAllClose(
      await values(next.get("batch_normalization/moving_mean")),
      mean.map((v) => v * 0.01),
      RTOL[backend],
      "moving_mean",
    );
    next.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN inference reads the moving statistics (4-D NHWC, fused epsilon floor 1.001e-5)",
  async (backend) => {
    const c = 2;
    const xs = weights(2 * 2 * 2 * c, 86);
    const mm = [0.5, -0.25];
    const mv = [2, 0.5];
    const model = transform((i: tf.Tensor) =>
      batchNormalization(i, { epsilon: 1e-6, training: false })
    );
    const x = tf.tensor4d(xs, [2, 2, 2, c]);
    const { store, params: init } = model.init(x);
    init.dispose();
    const params = paramsFrom(store, {
      "batch_normalization/gamma": arr([c], [2, 3]),
      "batch_normalization/beta": arr([c], [0.1, 0.2]),
      "batch_normalization/moving_mean": arr([c], mm),
      "batch_normalization/moving_variance": arr([c], mv),
    });
    const eps = 1.001e-5;
    const expected = xs.map((v, k) => {
      const j = k % c;
      return ((v - mm[j]!) / Math.sqrt(mv[j]! + eps)) * [2, 3][j]! + [0.1, 0.2][j]!;
    });
    const { output, params: next } = model.applyWithUpdates(params, x);
    assertAllClose(await take(output), expected, RTOL[backend], "inference");
    assertAllClose(
      await values(next.get("batch_normalization/moving_mean")),
      mm,
      0,
      "no update in inference",
    );
    next.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN in a trainer: the step applies the moving-average updates after the gradient step",
  async (backend) => {
    const xs = weights(4 * 2, 87);
    const x = tf.tensor2d(xs, [4, 2]);
    const y = tf.tensor2d([1, 0, 0, 1], [4, 1]);
    const loss = (input: { x: tf.Tensor; y: tf.Tensor }): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const h = yield* batchNormalization(input.x, { training: true, momentum: 0.5 });
        const out = yield* dense(h, 1);
        return tf.losses.meanSquaredError(input.y, out) as tf.Scalar;
      });
    const model = transform(loss);
    const { params } = model.init({ x, y });
    const optimizer = tf.train.sgd(0.1);
    const trainer = makeTrainer(model, { optimizer });
    const r = trainer.step(params, { x, y });
    const { mean, varB } = stats(xs, 4, 2);
    assertAllClose(
      await values(r.params.get("batch_normalization/moving_mean")),
      mean.map((v) => v * 0.5),
      RTOL[backend],
      "moving_mean after a step",
    );
    assertAllClose(
      await values(r.params.get("batch_normalization/moving_variance")),
      varB.map((v) => 0.5 + v * 0.5),
      RTOL[backend],
      "moving_variance after a step",
    );
    assertAllClose(
      await values(params.get("batch_normalization/moving_mean")),
      [0, 0],
      0,
      "old params",
    );
    // gamma moved (it is trained); moving statistics are not trained.
    assert.notDeepEqual(await values(r.params.get("batch_normalization/gamma")), [1, 1]);
    r.loss.dispose();
    r.params.dispose();
    trainer.dispose();
    optimizer.dispose();
    params.dispose();
    tf.dispose([x, y]);
  },
);

backendTest(
  import.meta.url,
  "BN: renorm and other unsupported options, bad axes and training flags are typed errors",
  () => {
    for (
      const o of [{ renorm: true }, { virtualBatchSize: 2 }, { axis: "x" }, {
        momentum: Number.NaN,
      }, { fused: 1 }]
    ) {
      assert.throws(
        () => new BatchNormalization(o as never),
        (e) => (e as { tag?: string }).tag === "InvalidArgument",
      );
    }
    const x = tf.ones([2, 3]);
    expectError(
      () => transform((i: tf.Tensor) => batchNormalization(i, { axis: 5 })).init(x),
      "InvalidArgument",
      ["axis"],
    );
    expectError(
      () =>
        transform((i: tf.Tensor) => batchNormalization(i, { training: "yes" as never })).init(x),
      "InvalidArgument",
      ["training"],
    );
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN inference over axis 1 (channels_first 4-D) broadcasts per channel",
  async (backend) => {
    const [n, c, h, w] = [2, 3, 2, 2];
    const xs = weights(n * c * h * w, 88);
    const mm = [0.1, -0.2, 0.3];
    const mv = [1.5, 0.5, 2];
    const g = [1, 2, -1];
    const b = [0, 0.5, -0.5];
    const model = transform((i: tf.Tensor) => batchNormalization(i, { axis: 1 }));
    const x = tf.tensor4d(xs, [n, c, h, w]);
    const { store, params: init } = model.init(x);
    init.dispose();
    const params = paramsFrom(store, {
      "batch_normalization/gamma": arr([c], g),
      "batch_normalization/beta": arr([c], b),
      "batch_normalization/moving_mean": arr([c], mm),
      "batch_normalization/moving_variance": arr([c], mv),
    });
    const expected = xs.map((v, k) => {
      const j = Math.floor(k / (h * w)) % c;
      return ((v - mm[j]!) / Math.sqrt(mv[j]! + 1e-3)) * g[j]! + b[j]!;
    });
    assertAllClose(await take(model.apply(params, x)), expected, RTOL[backend], "NCHW inference");
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "BN training gradients (gamma, beta, and through the batch statistics to a dense kernel) vs Float64",
  async (backend) => {
    const [n, k, c] = [6, 2, 3];
    const xs = weights(n * k, 90);
    const kern = weights(k * c, 91);
    const g = [1.5, -0.5, 2];
    const cs = weights(n * c, 92);
    const eps = 1e-3;
    const x = tf.tensor2d(xs, [n, k]);
    const ct = tf.tensor2d(cs, [n, c]);
    const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const z = yield* dense(input.x, c, { useBias: false });
        const y = yield* batchNormalization(z, { training: true, epsilon: eps });
        return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
      });
    const { store, params: init } = transform(loss).init({ x, c: ct });
    init.dispose();
    const params = paramsFrom(store, {
      "dense/kernel": arr([k, c], kern),
      "batch_normalization/gamma": arr([c], g),
      "batch_normalization/beta": arr([c], [0, 0, 0]),
      "batch_normalization/moving_mean": arr([c], [0, 0, 0]),
      "batch_normalization/moving_variance": arr([c], [1, 1, 1]),
    });
    const grads = await gradients(loss, params, { x, c: ct });
    // Reference: z = x·K; xhat = (z − μ)/σ; y = γ·xhat + β; L = Σ c·y.
    const z: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += xs[i * k + l]! * kern[l * c + j]!;
        z.push(s);
      }
    }
    const { mean, varB } = stats(z, n, c);
    const xhat = z.map((v, idx) => (v - mean[idx % c]!) / Math.sqrt(varB[idx % c]! + eps));
    const dBeta = [0, 0, 0];
    const dGamma = [0, 0, 0];
    cs.forEach((cv, idx) => {
      dBeta[idx % c]! += cv;
      dGamma[idx % c]! += cv * xhat[idx]!;
    });
    // dz = γ/σ · (dy − mean(dy) − xhat · mean(dy · xhat)), dy = c.
    const dz = z.map((_, idx) => {
      const j = idx % c;
      const sigma = Math.sqrt(varB[j]! + eps);
      return (g[j]! / sigma) * (cs[idx]! - dBeta[j]! / n - xhat[idx]! * dGamma[j]! / n);
    });
    const dK = new Array<number>(k * c).fill(0);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < k; l++) {
        for (let j = 0; j < c; j++) {
          dK[l * c + j]! += xs[i * k + l]! * dz[i * c + j]!;
        }
      }
    }
    assertAllClose(grads["batch_normalization/beta"]!, dBeta, RTOL[backend] * 10, "dL/dbeta");
    assertAllClose(grads["batch_normalization/gamma"]!, dGamma, RTOL[backend] * 10, "dL/dgamma");
    assertAllClose(grads["dense/kernel"]!, dK, RTOL[backend] * 100, "dL/dkernel through BN");
    params.dispose();
    tf.dispose([x, ct]);
  },
);
