// Training with makeTrainer: one SGD step equals the hand-derived update;
// momentum, adam, rmsprop and adagrad all fit a small regression; params
// are values (old ones stay readable and unchanged, disposing them does not
// touch new ones); non-trainable and local variables keep their values;
// partitioned variables train shard by shard like the unpartitioned
// variable; constraints project after the update (TF1); regularization
// losses (one per variable, none on reuse, one per shard) enter the loss
// and its gradient; no tensors leak across steps or on bad input.
//
// Every case runs on the cpu, wasm and webgpu backends and checks that
// `tf.memory().numTensors` is unchanged afterwards. References are computed
// by hand in Float64 (MSE gradients derived by hand, TF1 l2_loss and Keras
// max-norm formulas) from the parameter values read back. Tolerance: error
// relative to the largest expected magnitude of 1e-5 on cpu and wasm, 1e-4
// on webgpu (a software adapter whose float32 kernels sum in another
// order). Values that must not change are compared exactly.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  AUTO_REUSE,
  constantInitializer,
  fixedSizePartitioner,
  getLocalVariable,
  getVariable,
  type GetVariableOptions,
  l1Regularizer,
  l2Regularizer,
  maxNormConstraint,
  nonNegConstraint,
  type Program,
  type ProgramGenerator,
  regularizationLosses,
  scoped,
  variableScope,
} from "varscope";
import {
  makeParams,
  makeTrainer,
  type Params,
  readVariable,
  regularizationLoss,
  totalRegularizationLoss,
  type Trainer,
  transform,
  type Transformed,
  variable,
} from "varscope/tfjs";
import { assertAllClose, backendTest, expectError, RTOL, values } from "./_backends.ts";

// ---------------------------------------------------------------- helpers

type Gen<A> = ProgramGenerator<A>;

/** Reads and disposes a scalar. */
async function takeScalar(t: tf.Tensor): Promise<number> {
  try {
    assert.equal(t.rank, 0);
    return (await values(t))[0]!;
  } finally {
    t.dispose();
  }
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar
 * its SGD parent keeps (`c`); free it so the leak checks see varscope only.
 * (tfjs optimizers answer `instanceof` by duck typing, so ask the class name.)
 */
function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  if (opt.getClassName() === "Momentum") (opt as unknown as { c: tf.Tensor }).c.dispose();
}

/** Frees a step's loss and the params it replaced; returns the new params. */
function advance(old: Params, r: { loss: tf.Scalar; params: Params }): Params {
  old.dispose();
  r.loss.dispose();
  return r.params;
}

// The regression: N = 5 rows, K = 3 features, y = x·w* + b*.
const N = 5;
const K = 3;
const X = [1, 2, 0.5, 0, -1, 1, 2, 0.5, -1, -1, 1, 1, 0.5, 0.5, 0.5];
const W_STAR = [1, -2, 0.5];
const B_STAR = 0.3;
const Y = matVec(X, W_STAR, B_STAR);

interface Batch {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
}

function batch(): Batch {
  return { x: tf.tensor2d(X, [N, K]), y: tf.tensor2d(Y, [N, 1]) };
}

function disposeBatch(b: Batch): void {
  tf.dispose([b.x, b.y]);
}

/** x·w + b for row-major x (N×K) in Float64. */
function matVec(x: readonly number[], w: readonly number[], b: number): number[] {
  const k = w.length;
  const n = x.length / k;
  return Array.from({ length: n }, (_, i) => {
    let s = b;
    for (let j = 0; j < k; j++) s += x[i * k + j]! * w[j]!;
    return s;
  });
}

/** MSE = mean((x·w + b - y)²) and its gradient, derived by hand in Float64. */
function mseAndGrads(w: readonly number[], b: number): { loss: number; gw: number[]; gb: number } {
  const r = matVec(X, w, b).map((p, i) => p - Y[i]!);
  const loss = r.reduce((s, v) => s + v * v, 0) / N;
  // dL/dw_j = (2/N) Σ_i r_i x_ij; dL/db = (2/N) Σ_i r_i.
  const gw = w.map((_, j) => (2 / N) * r.reduce((s, v, i) => s + v * X[i * K + j]!, 0));
  const gb = (2 / N) * r.reduce((s, v) => s + v, 0);
  return { loss, gw, gb };
}

const mse = (pred: tf.Tensor, y: tf.Tensor): tf.Scalar => tf.mean(tf.square(tf.sub(pred, y)));

/** The linear model's loss: "lin/w" [3,1] and "lin/b" [1], with extra w options. */
function linear(wOptions: GetVariableOptions = {}): Transformed<Batch, tf.Scalar> {
  return transform(({ x, y }: Batch) =>
    variableScope(
      "lin",
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* variable("w", { shape: [K, 1], ...wOptions });
        const b = yield* variable("b", { shape: [1], initializer: constantInitializer(0.1) });
        return mse(tf.add(tf.matMul(x, w), b), y);
      }),
    )
  );
}

// ---------------------------------------------------------------- SGD by hand

backendTest(
  import.meta.url,
  "one SGD step equals w - lr·dL/dw, derived by hand",
  async (backend) => {
    const model = linear();
    const data = batch();
    const p0 = model.init(data, { seed: 3 }).params;
    const w0 = await values(p0.get("lin/w"));
    const b0 = (await values(p0.get("lin/b")))[0]!;
    const lr = 0.1;
    const opt = tf.train.sgd(lr);
    const trainer = makeTrainer(model, { optimizer: opt });
    const r = trainer.step(p0, data);
    const ref = mseAndGrads(w0, b0);
    assertAllClose([await takeScalar(r.loss)], [ref.loss], RTOL[backend], "loss before the step");
    const w1 = await values(r.params.get("lin/w"));
    assertAllClose(w1, w0.map((w, j) => w - lr * ref.gw[j]!), RTOL[backend], "w after");
    assertAllClose(
      await values(r.params.get("lin/b")),
      [b0 - lr * ref.gb],
      RTOL[backend],
      "b after",
    );
    assert.deepEqual(r.params.names, p0.names);
    assert.equal(r.params.store, p0.store);
    // A second step from the new params follows the gradient there.
    const b1 = (await values(r.params.get("lin/b")))[0]!;
    const r2 = trainer.step(r.params, data);
    const ref2 = mseAndGrads(w1, b1);
    assertAllClose([await takeScalar(r2.loss)], [ref2.loss], RTOL[backend], "2nd loss");
    assertAllClose(
      await values(r2.params.get("lin/w")),
      w1.map((w, j) => w - lr * ref2.gw[j]!),
      RTOL[backend],
      "w after 2 steps",
    );
    assert.ok(ref2.loss < ref.loss);
    for (const p of [p0, r.params, r2.params]) p.dispose();
    trainer.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);

backendTest(
  import.meta.url,
  "params are values: old ones stay readable and unchanged",
  async () => {
    const model = transform(({ x, y }: Batch) =>
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* variable("w", { shape: [K, 1] });
        const s = yield* variable("s", {
          shape: [],
          trainable: false,
          initializer: constantInitializer(2),
        });
        return mse(tf.mul(tf.matMul(x, w), s), y);
      })
    );
    const data = batch();
    const p0 = model.init(data, { seed: 1 }).params;
    const snapshot = await values(p0.get("w"));
    const opt = tf.train.sgd(0.05);
    const trainer = makeTrainer(model, { optimizer: opt });
    const a = trainer.step(p0, data);
    assert.deepEqual(await values(p0.get("w")), snapshot, "old params unchanged");
    const wa = await values(a.params.get("w"));
    assert.notDeepEqual(wa, snapshot, "new params differ");
    // Stepping again from the old params gives the same result (SGD keeps no state).
    const b = trainer.step(p0, data);
    assert.deepEqual(await values(b.params.get("w")), wa);
    assert.equal(await takeScalar(b.loss), await takeScalar(a.loss));
    b.params.dispose();
    // Disposing the old params leaves the new ones (shared buffers included).
    p0.dispose();
    assert.equal(p0.isDisposed, true);
    assert.deepEqual(await values(a.params.get("w")), wa);
    assert.deepEqual(await values(a.params.get("s")), [2]);
    const c = trainer.step(a.params, data);
    assert.deepEqual(await values(a.params.get("w")), wa);
    assert.notDeepEqual(await values(c.params.get("w")), wa);
    // Applying the new params works after the old ones are gone.
    assert.equal(typeof (await takeScalar(model.apply(c.params, data))), "number");
    a.params.dispose();
    c.loss.dispose();
    c.params.dispose();
    trainer.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);

// ---------------------------------------------------------------- optimizers

const OPTIMIZERS: readonly [string, () => tf.Optimizer][] = [
  ["momentum", () => tf.train.momentum(0.02, 0.9)],
  ["adam", () => tf.train.adam(0.1)],
  ["rmsprop", () => tf.train.rmsprop(0.05)],
  ["adagrad", () => tf.train.adagrad(0.5)],
];

backendTest(
  import.meta.url,
  "momentum, adam, rmsprop, adagrad fit a regression; numTensors steady",
  async () => {
    const model = linear();
    const data = batch();
    const baseline = tf.memory().numTensors;
    for (const [name, make] of OPTIMIZERS) {
      const opt = make();
      const trainer = makeTrainer(model, { optimizer: opt });
      let params = model.init(data, { seed: 5 }).params;
      const losses: number[] = [];
      let steady = -1;
      for (let i = 0; i < 20; i++) {
        const r = trainer.step(params, data);
        losses.push((await values(r.loss))[0]!);
        params = advance(params, r);
        if (i === 0) steady = tf.memory().numTensors;
        else assert.equal(tf.memory().numTensors, steady, `${name}: tensors after step ${i + 1}`);
      }
      assert.ok(
        losses[19]! < 0.5 * losses[0]!,
        `${name}: loss ${losses[0]} → ${losses[19]} did not decrease enough`,
      );
      params.dispose();
      trainer.dispose();
      disposeOptimizer(opt);
      assert.equal(tf.memory().numTensors, baseline, `${name}: back to baseline`);
    }
    disposeBatch(data);
  },
);

// ---------------------------------------------------------------- what trains

backendTest(import.meta.url, "non-trainable and local variables keep their values", async () => {
  const model = transform(({ x, y }: Batch) =>
    scoped(function* (): Gen<tf.Scalar> {
      const w = yield* variable("w", { shape: [K, 1] });
      const scale = yield* variable("scale", {
        shape: [],
        trainable: false,
        initializer: constantInitializer(1.5),
      });
      const offset = yield* getLocalVariable("offset", {
        shape: [1],
        initializer: constantInitializer(0.25),
      });
      const pred = tf.add(tf.mul(tf.matMul(x, w), scale), yield* readVariable(offset));
      return mse(pred, y);
    })
  );
  const data = batch();
  let params = model.init(data, { seed: 2 }).params;
  const w0 = await values(params.get("w"));
  const opt = tf.train.adam(0.1);
  const trainer = makeTrainer(model, { optimizer: opt });
  for (let i = 0; i < 3; i++) params = advance(params, trainer.step(params, data));
  assert.deepEqual(await values(params.get("scale")), [1.5]);
  assert.deepEqual(await values(params.get("offset")), [0.25]);
  assert.notDeepEqual(await values(params.get("w")), w0);
  params.dispose();
  trainer.dispose();
  disposeOptimizer(opt);
  disposeBatch(data);
});

backendTest(
  import.meta.url,
  "partitioned variables train shard by shard like the whole variable",
  async (b) => {
    const shardedLoss = (x: tf.Tensor2D, y: tf.Tensor2D): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* getVariable("w", { shape: [K, 1], partitioner: fixedSizePartitioner(3) });
        return mse(tf.matMul(x, yield* readVariable(w)), y);
      });
    const sharded = transform(({ x, y }: Batch) => shardedLoss(x, y));
    const whole = transform(({ x, y }: Batch) =>
      scoped(function* (): Gen<tf.Scalar> {
        return mse(tf.matMul(x, yield* variable("w", { shape: [K, 1] })), y);
      })
    );
    const data = batch();
    let ps = sharded.init(data, { seed: 8 }).params;
    assert.deepEqual(ps.names, ["w/part_0", "w/part_1", "w/part_2"]);
    // The same initial values for the whole variable.
    const start = tf.concat(ps.names.map((n) => ps.get(n)), 0);
    const fresh = whole.init(data);
    let pw = makeParams(fresh.store, { w: start });
    fresh.params.dispose();
    start.dispose();
    const opts = [tf.train.sgd(0.05), tf.train.sgd(0.05)];
    const ts: Trainer<Batch>[] = [
      makeTrainer(sharded, { optimizer: opts[0]! }),
      makeTrainer(whole, { optimizer: opts[1]! }),
    ];
    const trajectory: [number[], number[]] = [[], []];
    for (let i = 0; i < 5; i++) {
      const rs = ts[0]!.step(ps, data);
      const rw = ts[1]!.step(pw, data);
      trajectory[0].push((await values(rs.loss))[0]!);
      trajectory[1].push((await values(rw.loss))[0]!);
      ps = advance(ps, rs);
      pw = advance(pw, rw);
    }
    assertAllClose(trajectory[0], trajectory[1], RTOL[b], "loss trajectory");
    assert.ok(trajectory[0][4]! < trajectory[0][0]!);
    const whole5 = await values(pw.get("w"));
    for (let k = 0; k < 3; k++) {
      assertAllClose(await values(ps.get(`w/part_${k}`)), [whole5[k]!], RTOL[b], `shard ${k}`);
    }
    ps.dispose();
    pw.dispose();
    for (const t of ts) t.dispose();
    for (const o of opts) disposeOptimizer(o);
    disposeBatch(data);
  },
);

// ---------------------------------------------------------------- constraints

backendTest(
  import.meta.url,
  "nonNeg: projection after each update keeps weights ≥ 0",
  async (backend) => {
    const model = linear({
      initializer: constantInitializer([0.3, 0.05, 0.2]),
      constraint: nonNegConstraint(),
    });
    const data = batch();
    let params = model.init(data).params;
    const lr = 0.1;
    const opt = tf.train.sgd(lr);
    const trainer = makeTrainer(model, { optimizer: opt });
    // One step by hand: w' = max(w - lr·g, 0) (TF1: the optimizer updates,
    // then the constraint projects).
    const w0 = await values(params.get("lin/w"));
    const b0 = (await values(params.get("lin/b")))[0]!;
    const ref = mseAndGrads(w0, b0);
    const updated = w0.map((w, j) => w - lr * ref.gw[j]!);
    assert.ok(updated.some((w) => w < 0), "the update alone would go negative");
    params = advance(params, trainer.step(params, data));
    assertAllClose(
      await values(params.get("lin/w")),
      updated.map((w) => Math.max(w, 0)),
      RTOL[backend],
      "w after one step",
    );
    assertAllClose(
      await values(params.get("lin/b")),
      [b0 - lr * ref.gb],
      RTOL[backend],
      "b is not constrained",
    );
    for (let i = 0; i < 4; i++) {
      params = advance(params, trainer.step(params, data));
      const w = await values(params.get("lin/w"));
      assert.ok(w.every((v) => v >= 0), `step ${i + 2}: ${w}`);
    }
    params.dispose();
    trainer.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);

backendTest(
  import.meta.url,
  "maxNorm: column norms bounded after each update (Keras formula)",
  async (backend) => {
    const maxValue = 0.5;
    const model = transform(({ x, y }: Batch) =>
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* variable("w", {
          shape: [K, 2],
          initializer: constantInitializer([0.4, -0.3, 0.2, 0.5, -0.1, 0.1]),
          constraint: maxNormConstraint({ maxValue, axis: 0 }),
        });
        return mse(tf.matMul(x, w), tf.concat([y, tf.neg(y)], 1));
      })
    );
    const data = batch();
    let params = model.init(data).params;
    const lr = 0.05;
    const opt = tf.train.sgd(lr);
    const trainer = makeTrainer(model, { optimizer: opt });
    // By hand: residual r = x·w - [y, -y] (N×2); dL/dw = (2/(2N)) xᵀ r.
    const w0 = await values(params.get("w"));
    const target = Y.flatMap((v) => [v, -v]);
    const pred: number[] = [];
    for (let i = 0; i < N; i++) {
      for (let c = 0; c < 2; c++) {
        let s = 0;
        for (let j = 0; j < K; j++) s += X[i * K + j]! * w0[j * 2 + c]!;
        pred.push(s);
      }
    }
    const r = pred.map((p, i) => p - target[i]!);
    const updated = w0.map((w, idx) => {
      const j = Math.floor(idx / 2);
      const c = idx % 2;
      let g = 0;
      for (let i = 0; i < N; i++) g += X[i * K + j]! * r[i * 2 + c]!;
      return w - lr * (2 / (2 * N)) * g;
    });
    // Keras max-norm: w · clip(n, 0, max) / (1e-7 + n), n the column norms.
    const norms = [0, 1].map((c) => Math.hypot(...[0, 1, 2].map((j) => updated[j * 2 + c]!)));
    assert.ok(norms.some((n) => n > maxValue), "the projection is active");
    const projected = updated.map((w, idx) => {
      const n = norms[idx % 2]!;
      return w * Math.min(n, maxValue) / (1e-7 + n);
    });
    params = advance(params, trainer.step(params, data));
    assertAllClose(await values(params.get("w")), projected, RTOL[backend], "w after one step");
    for (let i = 0; i < 3; i++) {
      params = advance(params, trainer.step(params, data));
      const w = await values(params.get("w"));
      for (const c of [0, 1]) {
        const n = Math.hypot(...[0, 1, 2].map((j) => w[j * 2 + c]!));
        assert.ok(n <= maxValue * (1 + RTOL[backend]), `step ${i + 2}, column ${c}: norm ${n}`);
      }
    }
    params.dispose();
    trainer.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);

// ---------------------------------------------------------------- regularization

backendTest(
  import.meta.url,
  "regularization: true adds the l2 terms to the loss and the gradient",
  async (be) => {
    const scale = 0.3;
    const model = linear({ regularizer: l2Regularizer(scale) });
    const data = batch();
    const lr = 0.1;
    for (const regularization of [true, false]) {
      const p0 = model.init(data, { seed: 4 }).params;
      const w0 = await values(p0.get("lin/w"));
      const b0 = (await values(p0.get("lin/b")))[0]!;
      const ref = mseAndGrads(w0, b0);
      // TF1 l2_regularizer: scale · Σw²/2, whose gradient is scale · w.
      const l2 = scale * w0.reduce((s, w) => s + w * w, 0) / 2;
      const opt = tf.train.sgd(lr);
      const trainer = makeTrainer(model, { optimizer: opt, regularization });
      const r = trainer.step(p0, data);
      const loss = await takeScalar(r.loss);
      assertAllClose([loss], [regularization ? ref.loss + l2 : ref.loss], RTOL[be], "loss");
      assertAllClose(
        await values(r.params.get("lin/w")),
        w0.map((w, j) => w - lr * (ref.gw[j]! + (regularization ? scale * w : 0))),
        RTOL[be],
        `w after one step (regularization: ${regularization})`,
      );
      assertAllClose(await values(r.params.get("lin/b")), [b0 - lr * ref.gb], RTOL[be], "b");
      const total = await takeScalar(totalRegularizationLoss(p0));
      assertAllClose([total], [l2], RTOL[be], "totalRegularizationLoss");
      p0.dispose();
      r.params.dispose();
      trainer.dispose();
      disposeOptimizer(opt);
    }
    disposeBatch(data);
  },
);

/** Regularized variables: reused, partitioned, scope default, none. */
function regularizedProgram(withLoss: boolean): Transformed<tf.Tensor2D, tf.Scalar> {
  return transform((x: tf.Tensor2D) =>
    scoped(function* (): Gen<tf.Scalar> {
      let h = x;
      for (let i = 0; i < 2; i++) {
        h = yield* variableScope(
          "tower",
          { reuse: AUTO_REUSE },
          scoped(function* (): Gen<tf.Tensor2D> {
            const w = yield* variable("w", {
              shape: [K, K],
              initializer: constantInitializer([0.5, -0.25, 0.125, 1]),
              regularizer: l2Regularizer(0.1),
            });
            return tf.tanh(tf.matMul(h, w)) as tf.Tensor2D;
          }),
        );
      }
      const emb = yield* getVariable("emb", {
        shape: [K, 1],
        partitioner: fixedSizePartitioner(3),
        initializer: constantInitializer(-2),
        regularizer: l1Regularizer(0.2),
      });
      const k = yield* variableScope(
        "reg",
        { regularizer: l2Regularizer(0.5) },
        variable("k", { shape: [1], initializer: constantInitializer(3) }),
      );
      const b = yield* variable("b", { shape: [1], initializer: constantInitializer(7) });
      const out = tf.sum(tf.add(tf.add(tf.matMul(h, yield* readVariable(emb)), k), b)) as tf.Scalar;
      if (!withLoss) return out;
      return yield* regularizationLoss();
    })
  );
}

backendTest(
  import.meta.url,
  "regularization losses: one per variable, none on reuse, one per shard",
  async (b) => {
    const model = regularizedProgram(false);
    const x = tf.tensor2d(X, [N, K]);
    const { params, store } = model.init(x);
    const losses = regularizationLosses(store);
    assert.deepEqual(losses.map((l) => l.name), [
      "tower/w/Regularizer/l2_regularizer:0",
      "emb/part_0/Regularizer/l1_regularizer:0",
      "emb/part_1/Regularizer/l1_regularizer:0",
      "emb/part_2/Regularizer/l1_regularizer:0",
      "reg/k/Regularizer/l2_regularizer:0",
    ]);
    assert.deepEqual(losses.map((l) => l.variable.fullName), [
      "tower/w",
      "emb/part_0",
      "emb/part_1",
      "emb/part_2",
      "reg/k",
    ]);
    // By hand: 0.1·Σw²/2 over tower/w (values 0.5, -0.25, 0.125, then 1 repeated),
    // 0.2·Σ|emb| = 0.2·(2 + 2 + 2), 0.5·k²/2 = 0.5·9/2.
    const w = [0.5, -0.25, 0.125, 1, 1, 1, 1, 1, 1];
    const tower = 0.1 * w.reduce((s, v) => s + v * v, 0) / 2;
    const emb = 0.2 * 6;
    const reg = 0.5 * 9 / 2;
    assertAllClose(
      [await takeScalar(totalRegularizationLoss(params))],
      [tower + emb + reg],
      RTOL[b],
      "total",
    );
    assertAllClose(
      [await takeScalar(totalRegularizationLoss(params, "tower"))],
      [tower],
      RTOL[b],
      "tower",
    );
    assertAllClose(
      [await takeScalar(totalRegularizationLoss(params, "emb"))],
      [emb],
      RTOL[b],
      "emb",
    );
    assert.equal(await takeScalar(totalRegularizationLoss(params, "nothing")), 0);
    // In a program: regularizationLoss() in an apply equals the total.
    const withLoss = regularizedProgram(true);
    for (let i = 0; i < 2; i++) {
      assertAllClose(
        [await takeScalar(withLoss.apply(params, x))],
        [tower + emb + reg],
        RTOL[b],
        `regularizationLoss() in apply #${i + 1}`,
      );
    }
    const total = totalRegularizationLoss(params);
    const inProgram = withLoss.apply(params, x);
    assert.equal(await takeScalar(inProgram), await takeScalar(total), "the very same sum");
    // An apply records nothing new in the store.
    model.apply(params, x).dispose();
    assert.equal(regularizationLosses(params.store).length, 5);
    expectError(() => totalRegularizationLoss({} as Params), "InvalidParams", ["Invalid params"]);
    expectError(
      () => totalRegularizationLoss(params, 3 as unknown as string),
      "InvalidArgument",
      ["Invalid scope 3: expected a string"],
    );
    params.dispose();
    expectError(() => totalRegularizationLoss(params), "InvalidParams", ["disposed"]);
    x.dispose();
  },
);

// ---------------------------------------------------------------- bad input

backendTest(
  import.meta.url,
  "bad input to makeTrainer and step: typed errors, no leaks",
  async () => {
    const model = linear();
    const data = batch();
    const opt = tf.train.sgd(0.1);
    const untyped = makeTrainer as unknown as (model: unknown, options: unknown) => Trainer<Batch>;
    expectError(() => untyped(model, { optimizer: {} }), "InvalidArgument", [
      "Invalid optimizer: expected a TensorFlow.js optimizer",
      "got object with keys []",
    ]);
    for (const options of [undefined, null, {}, { optimizer: null }]) {
      expectError(() => untyped(model, options), "InvalidArgument", ["Invalid optimizer", "got"]);
    }
    const e = expectError(() => untyped(model, { optimizer: opt, bogus: 1 }), "InvalidArgument", [
      'Invalid makeTrainer option "bogus"',
    ]);
    assert.equal(e.details.argument, "bogus");
    expectError(
      () => untyped(model, { optimizer: opt, regularization: "yes" }),
      "InvalidArgument",
      [
        'Invalid regularization: expected a boolean, got "yes"',
      ],
    );
    expectError(() => untyped(42, { optimizer: opt }), "InvalidArgument", [
      "Invalid model: expected transform(...)'s result, got 42",
    ]);
    // A loss program that does not return a scalar.
    for (
      const [bad, phrase] of [
        [(t: tf.Tensor) => tf.square(t), "got shape [5,1]"],
        [() => 3, "got 3"],
      ] as const
    ) {
      const notScalar = transform(({ x, y }: Batch) =>
        scoped(function* (): Gen<tf.Scalar> {
          const w = yield* variable("w", { shape: [K, 1] });
          return bad(tf.sub(tf.matMul(x, w), y)) as unknown as tf.Scalar;
        })
      );
      const p = notScalar.init(data).params;
      const trainer = makeTrainer(notScalar, { optimizer: opt });
      expectError(() => trainer.step(p, data), "InvalidArgument", [
        "The loss program must return a scalar tensor",
        phrase,
      ]);
      trainer.dispose();
      p.dispose();
    }
    // Tensor code failing in a step (in its first op, before the tape saved
    // anything) is ComputeError; the trainer stays usable.
    const trainer = makeTrainer(model, { optimizer: opt });
    const params = model.init(data).params;
    const wrong = { x: tf.ones([N, 4]) as tf.Tensor2D, y: data.y };
    const ce = expectError(() => trainer.step(params, wrong), "ComputeError", [
      "Tensor code in the program threw",
    ]);
    assert.ok(ce.details.cause instanceof Error);
    const ok = trainer.step(params, data);
    assert.equal(typeof (await takeScalar(ok.loss)), "number");
    ok.params.dispose();
    // Bad params, and a disposed trainer.
    expectError(() => trainer.step({} as Params, data), "InvalidParams", ["Invalid params"]);
    params.dispose();
    expectError(() => trainer.step(params, data), "InvalidParams", ["disposed"]);
    trainer.dispose();
    const again = model.init(data).params;
    expectError(() => trainer.step(again, data), "InvalidArgument", ["This trainer was disposed"]);
    again.dispose();
    wrong.x.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);

// A loss program that fails inside a step after running tensor ops (a
// non-scalar loss; a shape error in a later layer) gets the typed error,
// but tfjs keeps the tensors its tape saved for the backward pass
// (`engine.state.activeTape[*].saved`): makeTrainer's step does not free
// them. Reported; enable once the trainer cleans up after a failed step.
backendTest(
  import.meta.url,
  "a loss program failing inside a step after tensor ops leaks nothing",
  () => {
    type Mode = "ok" | "notScalar" | "shape";
    const model = transform(({ x, y, mode }: Batch & { mode: Mode }) =>
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* variable("w", { shape: [K, 3] });
        const h = tf.tanh(tf.matMul(x, w));
        if (mode === "notScalar") return tf.square(h) as unknown as tf.Scalar;
        const v = mode === "shape" ? tf.ones([4, 1]) : tf.ones([3, 1]); // a shape error after ops
        return mse(tf.matMul(h, v), y);
      })
    );
    const data = batch();
    const params = model.init({ ...data, mode: "ok" }).params;
    const opt = tf.train.sgd(0.1);
    const trainer = makeTrainer(model, { optimizer: opt });
    const r = trainer.step(params, { ...data, mode: "ok" });
    r.loss.dispose();
    r.params.dispose();
    expectError(() => trainer.step(params, { ...data, mode: "notScalar" }), "InvalidArgument", [
      "scalar",
    ]);
    expectError(() => trainer.step(params, { ...data, mode: "shape" }), "ComputeError", [
      "matMul",
    ]);
    trainer.dispose();
    params.dispose();
    disposeOptimizer(opt);
    disposeBatch(data);
  },
);
