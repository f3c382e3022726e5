// TF1 `activity_regularizer` (tf.compat.v1.layers, keras base_layer
// `_handle_activity_regularization`): each call adds, per output tensor, the
// regularizer's loss divided by the batch size to REGULARIZATION_LOSSES, so
// `tf.losses.get_regularization_loss()` and a regularized training loss
// include it. References: float64 sums written here from TF1's formulas
// (l2_regularizer(scale)(y) = scale * sum(y²) / 2).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { constantInitializer, l2Regularizer, type ProgramGenerator, scoped } from "varscope";
import { makeTrainer, regularizationLoss, transform, type Transformed } from "varscope/tfjs";
import { dense } from "varscope/layers";
import { assertAllClose, backendTest, RTOL, take } from "../interpreter/_backends.ts";

const X = [[1, 2, 3], [-1, 0.5, 2]];
const K = 0.5;

/** y = x·K (kernel all K, zero bias), and the activity loss TF1 adds. */
function reference(scale: number): { y: number[][]; activity: number } {
  const y = X.map((row) => [0, 1].map(() => row.reduce((a, v) => a + v * K, 0)));
  const sumSq = y.flat().reduce((a, v) => a + v * v, 0);
  return { y, activity: (scale * sumSq) / 2 / X.length };
}

function model(scale: number, filter?: string): Transformed<tf.Tensor2D, tf.Tensor> {
  return transform((x: tf.Tensor2D) =>
    scoped(function* (): ProgramGenerator<tf.Tensor> {
      const y = yield* dense(x, 2, {
        kernelInitializer: constantInitializer(K),
        activityRegularizer: l2Regularizer(scale),
      });
      return tf.stack([tf.sum(y), yield* regularizationLoss(filter)]);
    })
  );
}

backendTest(
  import.meta.url,
  "N: activityRegularizer adds loss(outputs) / batch to the regularization losses",
  async (backend) => {
    const x = tf.tensor2d(X);
    const m = model(0.1);
    const { params } = m.init(x);
    const ref = reference(0.1);
    for (let i = 0; i < 2; i++) { // recorded, then replayed
      const [, reg] = await take(m.apply(params, x));
      assertAllClose([reg!], [ref.activity], RTOL[backend], `apply ${i}`);
    }
    // TF1's scope filter matches the loss's name ("dense/ActivityRegularizer").
    const [, inScope] = await take(model(0.1, "dense").apply(params, x));
    const [, other] = await take(model(0.1, "other").apply(params, x));
    assertAllClose([inScope!], [ref.activity], RTOL[backend], "dense filter");
    assert.equal(other, 0);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N: a regularized training step minimizes loss + activity loss",
  async (backend) => {
    const x = tf.tensor2d(X);
    const scale = 0.1;
    const loss = transform((x: tf.Tensor2D) =>
      scoped(function* (): ProgramGenerator<tf.Scalar> {
        const y = yield* dense(x, 2, {
          kernelInitializer: constantInitializer(K),
          activityRegularizer: l2Regularizer(scale),
        });
        return tf.mean(y) as tf.Scalar;
      })
    );
    const { params } = loss.init(x);
    const sgd = tf.train.sgd(0.01);
    const trainer = makeTrainer(loss, { optimizer: sgd, regularization: true });
    const r = trainer.step(params, x);
    const ref = reference(scale);
    const dataLoss = ref.y.flat().reduce((a, v) => a + v, 0) / 4;
    assertAllClose(await take(r.loss), [dataLoss + ref.activity], RTOL[backend], "loss");
    // Without regularization the activity loss is not added.
    const plain = makeTrainer(loss, { optimizer: sgd });
    const p = plain.step(params, x);
    assertAllClose(await take(p.loss), [dataLoss], RTOL[backend], "plain loss");
    trainer.dispose();
    plain.dispose();
    sgd.dispose();
    tf.dispose([x]);
    [params, r.params, p.params].forEach((q) => q.dispose());
  },
);
