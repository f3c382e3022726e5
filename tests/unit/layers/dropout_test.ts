// Dropout (spec N11): no variables, default names "dropout", "dropout_1";
// training mode keeps each element with probability 1 − rate scaled by
// 1 / (1 − rate), the mask drawn from the pass's seed (same seed, same mask;
// trainer steps differ); inference passes the input unchanged.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { type Program, type ProgramGenerator, scoped } from "varscope";
import { makeTrainer, transform } from "varscope/tfjs";
import { dense, Dropout, dropout } from "varscope/layers";
import { backendTest, expectError, take } from "./_helpers.ts";

type Gen<A> = ProgramGenerator<A>;

backendTest(
  import.meta.url,
  "N11: dropout keeps elements scaled by 1/(1 − rate); same seed same mask; other seeds differ",
  async () => {
    const drop = new Dropout({ rate: 0.25 });
    const model = transform((x: tf.Tensor) => drop.apply(x, { training: true }));
    const x = tf.ones([400]);
    const { params, store } = model.init(x);
    assert.equal(params.size, 0);
    assert.equal(drop.scopeName(store), "dropout");
    const a = await take(model.apply(params, x, { seed: 3 }));
    const b = await take(model.apply(params, x, { seed: 3 }));
    const c = await take(model.apply(params, x, { seed: 4 }));
    assert.ok(
      a.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6),
      "values are 0 or 1/(1 − rate)",
    );
    const kept = a.filter((v) => v !== 0).length / a.length;
    assert.ok(kept > 0.6 && kept < 0.9, `kept fraction ${kept}`);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const inference = transform((i: tf.Tensor) => dropout(i, { rate: 0.5 }));
    assert.deepEqual(
      await take(inference.apply(inference.init(x).params, x)),
      new Array(400).fill(1),
    );
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "dropout: noiseShape broadcasts the mask; two calls in a pass draw different masks",
  async () => {
    const x = tf.ones([50, 4]);
    const model = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor[]> {
        const a = yield* dropout(i, { rate: 0.5, noiseShape: [null, 1], training: true });
        const b = yield* dropout(i, { rate: 0.5, training: true });
        const c = yield* dropout(i, { rate: 0.5, training: true });
        return [a, b, c];
      })
    );
    const { params } = model.init(x);
    const [a, b, c] = model.apply(params, x, { seed: 1 });
    const av = await take(a!);
    for (let r = 0; r < 50; r++) {
      const row = av.slice(r * 4, r * 4 + 4);
      assert.ok(row.every((v) => v === row[0]), "one mask value per row");
    }
    assert.notDeepEqual(await take(b!), await take(c!));
    params.dispose();
    x.dispose();
  },
);

backendTest(import.meta.url, "dropout in a trainer: steps use different masks", async () => {
  const x = tf.ones([1, 64]);
  const loss = (i: tf.Tensor): Program<tf.Scalar> =>
    scoped(function* (): Gen<tf.Scalar> {
      const h = yield* dropout(i, { rate: 0.5, training: true });
      return tf.sum(yield* dense(h, 1, { useBias: false })) as tf.Scalar;
    });
  const model = transform(loss);
  const { params } = model.init(x);
  const optimizer = tf.train.sgd(1);
  const trainer = makeTrainer(model, { optimizer });
  const r1 = trainer.step(params, x);
  const r2 = trainer.step(params, x);
  // With lr 1, the kernel's change is the kept-and-scaled mask.
  const before = await take(tf.clone(params.get("dense/kernel")));
  const d1 = (await take(tf.clone(r1.params.get("dense/kernel")))).map((v, i) => before[i]! - v);
  const d2 = (await take(tf.clone(r2.params.get("dense/kernel")))).map((v, i) => before[i]! - v);
  assert.ok(d1.every((v) => Math.abs(v) < 1e-6 || Math.abs(v - 2) < 1e-5));
  assert.notDeepEqual(d1, d2);
  tf.dispose([r1.loss, r2.loss]);
  r1.params.dispose();
  r2.params.dispose();
  trainer.dispose();
  optimizer.dispose();
  params.dispose();
  x.dispose();
});

backendTest(
  import.meta.url,
  "dropout: a rate outside [0, 1), bad noise shapes and training flags are typed errors",
  () => {
    for (
      const o of [{ rate: 1 }, { rate: -0.1 }, { rate: "0.5" }, { noiseShape: [0] }, { seed: 1.5 }]
    ) {
      assert.throws(
        () => new Dropout(o as never),
        (e) => (e as { tag?: string }).tag === "InvalidArgument",
      );
    }
    const x = tf.ones([2, 3]);
    expectError(
      () => transform((i: tf.Tensor) => dropout(i, { noiseShape: [1], training: true })).init(x),
      "InvalidArgument",
      ["noiseShape"],
    );
    expectError(
      () => transform((i: tf.Tensor) => dropout(i, { training: 1 as never })).init(x),
      "InvalidArgument",
      ["training"],
    );
    x.dispose();
  },
);
