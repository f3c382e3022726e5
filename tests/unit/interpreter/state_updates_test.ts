// Variable writes during a pass (TF1's assign / assign_add / assign_sub, the
// UPDATE_OPS that batch normalization's moving averages use), the pass's
// random seed, and what apply hands back. Writes apply only through
// applyWithUpdates and trainer steps; given params never change; plain
// apply and init drop writes. References are Float64 arithmetic written
// here from TF1's formulas. Every case runs on cpu, wasm and webgpu and
// must leave tf.memory().numTensors unchanged.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  constantInitializer,
  fixedSizePartitioner,
  getVariable,
  type Program,
  type ProgramGenerator,
  runScoped,
  scoped,
  ScopeError,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  assign,
  assignAdd,
  assignSub,
  makeTrainer,
  randomSeed,
  readVariable,
  transform,
  variable,
} from "varscope/tfjs";
import { assertAllClose, backendTest, expectError, RTOL, take, values } from "./_backends.ts";

type Gen<A> = ProgramGenerator<A>;

// y = x·w; the moving mean of x's columns follows TF1's
// moving = moving * momentum + batch_mean * (1 - momentum).
const MOMENTUM = 0.9;
function movingMeanModel(x: tf.Tensor2D): Program<tf.Scalar> {
  return variableScope(
    "bn",
    scoped(function* (): Gen<tf.Scalar> {
      const w = yield* variable("w", {
        shape: [x.shape[1], 1],
        initializer: constantInitializer(0.5),
      });
      const mm = yield* getVariable("moving_mean", {
        shape: [x.shape[1]],
        initializer: zerosInitializer(),
        trainable: false,
      });
      const current = yield* readVariable(mm);
      const batchMean = tf.mean(x, 0);
      yield* assign(mm, tf.add(tf.mul(current, MOMENTUM), tf.mul(batchMean, 1 - MOMENTUM)));
      return tf.mean(tf.square(tf.matMul(x, w as tf.Tensor2D))) as tf.Scalar;
    }),
  );
}

backendTest(
  import.meta.url,
  "applyWithUpdates applies writes to new params; the given params never change",
  async (backend) => {
    const model = transform(movingMeanModel);
    const x = tf.tensor2d([[1, 2], [3, 6]]);
    const { params } = model.init(x);
    assert.deepEqual(params.names, ["bn/w", "bn/moving_mean"]);
    let p = params;
    let ref = [0, 0];
    const mean = [2, 4];
    for (let step = 0; step < 3; step++) {
      const { output, params: next } = model.applyWithUpdates(p, x);
      ref = ref.map((m, i) => m * MOMENTUM + mean[i]! * (1 - MOMENTUM));
      assertAllClose(await values(next.get("bn/moving_mean")), ref, RTOL[backend], `step ${step}`);
      // w was not written: the new params share its buffer.
      assert.deepEqual(await values(next.get("bn/w")), [0.5, 0.5]);
      output.dispose();
      if (p !== params) p.dispose();
      p = next;
    }
    assert.deepEqual(await values(params.get("bn/moving_mean")), [0, 0], "init's params unchanged");
    // Plain apply drops writes.
    const y = model.apply(params, x);
    y.dispose();
    assert.deepEqual(await values(params.get("bn/moving_mean")), [0, 0]);
    p.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "assignAdd and assignSub apply in order on the latest value",
  async () => {
    const model = transform((d: tf.Tensor) =>
      scoped(function* (): Gen<null> {
        const v = yield* getVariable("v", {
          shape: [2],
          initializer: constantInitializer(10),
          trainable: false,
        });
        yield* assignAdd(v, d);
        yield* assignSub(v, tf.fill([2], 1));
        yield* assignAdd(v, d);
        return null;
      })
    );
    const d = tf.tensor1d([2, 3]);
    const { params } = model.init(d);
    const { params: next } = model.applyWithUpdates(params, d);
    assert.deepEqual(await values(next.get("v")), [13, 15]); // 10 + d - 1 + d
    // compiled (replayed) passes write the same
    const again = model.applyWithUpdates(params, d);
    assert.deepEqual(await values(again.params.get("v")), [13, 15]);
    again.params.dispose();
    next.dispose();
    params.dispose();
    d.dispose();
  },
);

backendTest(
  import.meta.url,
  "assign on a partitioned variable writes each shard its slice",
  async () => {
    const model = transform((x: tf.Tensor) =>
      scoped(function* (): Gen<null> {
        const v = yield* getVariable("emb", {
          shape: [4, 2],
          initializer: zerosInitializer(),
          partitioner: fixedSizePartitioner(2),
          trainable: false,
        });
        yield* assign(v, x);
        return null;
      })
    );
    const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const { params } = model.init(x);
    const { params: next } = model.applyWithUpdates(params, x);
    assert.deepEqual(await values(next.get("emb/part_0")), [1, 2, 3, 4]);
    assert.deepEqual(await values(next.get("emb/part_1")), [5, 6, 7, 8]);
    next.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "a write of the wrong shape or dtype, or outside the interpreter, is a typed error",
  () => {
    const bad = (value: () => tf.Tensor) =>
      transform((_: null) =>
        scoped(function* (): Gen<null> {
          const v = yield* getVariable("v", { shape: [2], initializer: zerosInitializer() });
          yield* assign(v, value());
          return null;
        })
      );
    const ok = bad(() => tf.zeros([2]));
    const { params } = ok.init(null);
    expectError(() => bad(() => tf.zeros([3])).apply(params, null), "ShapeMismatch", [
      '"v"',
      "[3]",
      "[2]",
    ]);
    expectError(
      () => bad(() => tf.zeros([2], "int32")).apply(params, null),
      "DTypeMismatch",
      ['"v"', "int32", "float32"],
    );
    const disposed = tf.zeros([2]);
    disposed.dispose();
    expectError(() => bad(() => disposed).apply(params, null), "InvalidArgument", ["live tensor"]);
    const zeros = tf.zeros([2]);
    const r = runScoped(scoped(function* (): Gen<void> {
      const v = yield* getVariable("v", { shape: [2] });
      yield* assign(v, zeros);
    }));
    assert.ok(
      r._tag === "Left" && r.left.tag === "InvalidArgument" && /needs tensors/.test(r.left.message),
    );
    zeros.dispose();
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "a trainer step applies writes after the gradient step; each step draws a new seed",
  async (backend) => {
    const loss = transform(movingMeanModel);
    const x = tf.tensor2d([[1, 2], [3, 6]]);
    let { params } = loss.init(x);
    const sgd = tf.train.sgd(0.01);
    const trainer = makeTrainer(loss, { optimizer: sgd });
    let ref = [0, 0];
    let w = [0.5, 0.5];
    for (let step = 0; step < 3; step++) {
      // TF1: the update op reads the moving mean before the step; the
      // gradient step changes only w: d/dw mean((x·w)^2) = 2/n · xᵀ(x·w).
      const y = [1 * w[0]! + 2 * w[1]!, 3 * w[0]! + 6 * w[1]!];
      const grad = [(2 / 2) * (1 * y[0]! + 3 * y[1]!), (2 / 2) * (2 * y[0]! + 6 * y[1]!)];
      w = w.map((wi, i) => wi - 0.01 * grad[i]!);
      ref = ref.map((m, i) => m * MOMENTUM + [2, 4][i]! * (1 - MOMENTUM));
      const r = trainer.step(params, x);
      assertAllClose(await values(r.params.get("bn/w")), w, RTOL[backend] * 10, `w ${step}`);
      assertAllClose(
        await values(r.params.get("bn/moving_mean")),
        ref,
        RTOL[backend],
        `mm ${step}`,
      );
      r.loss.dispose();
      params.dispose();
      params = r.params;
    }
    trainer.dispose();
    sgd.dispose();
    params.dispose();

    // randomSeed: a new seed per step by default, the given one otherwise.
    const seen: number[] = [];
    const drawn = transform((x: tf.Tensor) =>
      scoped(function* (): Gen<tf.Scalar> {
        const w = yield* variable("w", { shape: [], initializer: constantInitializer(1) });
        seen.push(yield* randomSeed());
        return tf.sum(tf.mul(x, w)) as tf.Scalar;
      })
    );
    let p = drawn.init(x).params;
    seen.length = 0;
    const zero = tf.train.sgd(0);
    const t2 = makeTrainer(drawn, { optimizer: zero });
    for (const options of [undefined, undefined, { seed: 5 }, { seed: 5 }]) {
      const r = t2.step(p, x, options);
      r.loss.dispose();
      p.dispose();
      p = r.params;
    }
    assert.equal(seen.length, 4);
    assert.notEqual(seen[0], seen[1], "default seeds differ from step to step");
    assert.equal(seen[2], seen[3], "the same given seed draws the same");
    t2.dispose();
    zero.dispose();
    p.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "randomSeed: the same apply seed gives the same mask, replayed or not",
  async () => {
    const drop = transform((x: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        const a = tf.dropout(x, 0.5, undefined, yield* randomSeed());
        const b = tf.dropout(x, 0.5, undefined, yield* randomSeed());
        return tf.stack([a, b]);
      })
    );
    const x = tf.ones([32]);
    const { params } = drop.init(x);
    const first = await take(drop.apply(params, x, { seed: 3 }));
    const replayed = await take(drop.apply(params, x, { seed: 3 }));
    const full = await take(transform(drop.fn, { compile: false }).apply(params, x, { seed: 3 }));
    const other = await take(drop.apply(params, x, { seed: 4 }));
    assert.deepEqual(replayed, first);
    assert.deepEqual(full, first);
    assert.notDeepEqual(other, first);
    assert.notDeepEqual(first.slice(0, 32), first.slice(32), "two draws in one pass differ");
    expectError(() => drop.apply(params, x, { seed: 1.5 }), "InvalidArgument", ["seed"]);
    expectError(
      () => drop.apply(params, x, { sede: 1 } as unknown as { seed: number }),
      "InvalidArgument",
      ["sede"],
    );
    params.dispose();
    x.dispose();
  },
);

class Box {
  constructor(readonly t: tf.Tensor) {}
}

backendTest(
  import.meta.url,
  "apply refuses outputs the caller cannot own and copies tensors it did not make",
  async () => {
    const returning = (f: (x: tf.Tensor, w: tf.Tensor) => unknown) =>
      transform((x: tf.Tensor) =>
        scoped(function* (): Gen<unknown> {
          const w = yield* variable("w", { shape: [2], initializer: constantInitializer(2) });
          return f(x, w);
        })
      );
    const x = tf.tensor1d([1, 2]);
    const { params } = returning((x) => x).init(x);
    for (
      const [what, f] of [
        ["a Map", (x: tf.Tensor) => new Map([["y", tf.mul(x, 2)]])],
        ["a class instance", (x: tf.Tensor) => new Box(tf.mul(x, 2))],
        ["a Promise", (x: tf.Tensor) => Promise.resolve(tf.mul(x, 2))],
        ["a function", () => () => 1],
      ] as const
    ) {
      const e = expectError(() => returning(f).apply(params, x), "InvalidOutput", []);
      assert.ok(e instanceof ScopeError, what);
    }
    // The caller's input and a parameter come back as handles of their own.
    const same = returning((x, w) => ({ x, w, list: [x] }));
    const out = same.apply(params, x) as { x: tf.Tensor; w: tf.Tensor; list: tf.Tensor[] };
    assert.notEqual(out.x, x);
    tf.dispose([out.x, out.w, out.list[0]!]);
    assert.equal(x.isDisposed, false, "disposing the output leaves the input alive");
    assert.deepEqual(await values(params.get("w")), [2, 2]);
    assert.deepEqual(await values(x), [1, 2]);
    params.dispose();
    x.dispose();
  },
);

backendTest(import.meta.url, "failed training steps leak nothing", () => {
  const x = tf.tensor1d([1, 2]);
  // A loss that uses no trainable variable.
  const constant = transform((x: tf.Tensor) =>
    scoped(function* (): Gen<tf.Scalar> {
      yield* variable("w", { shape: [], initializer: constantInitializer(1) });
      return tf.sum(x) as tf.Scalar;
    })
  );
  const { params } = constant.init(x);
  const sgd = tf.train.sgd(0.1);
  const before = tf.memory().numTensors;
  const trainer = makeTrainer(constant, { optimizer: sgd });
  for (let i = 0; i < 3; i++) {
    assert.throws(() => trainer.step(params, x), (e: unknown) => e instanceof ScopeError);
  }
  // The trainer holds one training variable (w) until it is disposed.
  assert.equal(
    tf.memory().numTensors,
    before + 1,
    "no leak from a loss with no trainable variable",
  );
  trainer.dispose();
  assert.equal(tf.memory().numTensors, before);
  sgd.dispose();
  // A disposed optimizer.
  const used = transform((x: tf.Tensor) =>
    scoped(function* (): Gen<tf.Scalar> {
      const w = yield* variable("w", { shape: [], initializer: constantInitializer(1) });
      const n = yield* getVariable("n", {
        shape: [],
        initializer: zerosInitializer(),
        trainable: false,
      });
      yield* assignAdd(n, tf.scalar(1));
      return tf.sum(tf.mul(x, w)) as tf.Scalar;
    })
  );
  const usedParams = used.init(x).params;
  const opt = tf.train.adam(0.1);
  const t2 = makeTrainer(used, { optimizer: opt });
  const first = t2.step(usedParams, x);
  first.loss.dispose();
  first.params.dispose();
  opt.dispose();
  const before2 = tf.memory().numTensors;
  try {
    const r = t2.step(usedParams, x);
    r.loss.dispose();
    r.params.dispose();
  } catch (e) {
    assert.ok(e instanceof ScopeError);
  }
  assert.equal(tf.memory().numTensors, before2, "no leak after a disposed optimizer");
  t2.dispose();
  usedParams.dispose();
  params.dispose();
  x.dispose();
});
