// Conv3D with dilation rate > 1 (spec N9): TF1 trains it, tfjs refuses its
// gradients; varscope/layers gives them. Outputs against the Float64
// reference of _conv_ref.ts, and the gradients of both kernels of two
// stacked dilated Conv3Ds against exact Float64 differences (the loss is
// linear in each kernel). cpu, wasm and webgpu; no leaked tensors.
import * as tf from "@tensorflow/tfjs-core";
import { type Program, type ProgramGenerator, scoped } from "varscope";
import { transform } from "varscope/tfjs";
import { conv3d } from "varscope/layers";
import { convRef, type Nd } from "./_conv_ref.ts";
import { assertAllClose, backendTest, gradients, paramsFrom, RTOL, weights } from "./_helpers.ts";

function nd(shape: readonly number[], seed: number): Nd {
  return { shape, data: weights(shape.reduce((a, b) => a * b, 1), seed) };
}

type Dil = [number, number, number];

/** d loss / d k by exact Float64 differences (loss linear in k). */
function linearGradient(k: Nd, loss64: (k: Nd) => number): number[] {
  const base = loss64(k);
  return k.data.map((_, i) => {
    const bumped = k.data.slice();
    bumped[i]! += 1;
    return loss64({ shape: k.shape, data: bumped }) - base;
  });
}

for (
  const [what, padding, dil1, dil2] of [
    ["valid", "valid", [2, 1, 2], [1, 2, 2]],
    ["same", "same", [2, 2, 1], [2, 2, 2]],
  ] as const
) {
  backendTest(
    import.meta.url,
    `N9: Conv3D dilation ${dil1}/${dil2} (${what}): output and both kernels' gradients`,
    async (backend) => {
      const x = nd([2, 6, 5, 6, 2], 60);
      const k1 = nd([2, 2, 2, 2, 3], 61);
      const k2 = nd([2, 2, 2, 3, 2], 62);
      const forward = (a: Nd, b: Nd): Nd =>
        convRef(convRef(x, a, [1, 1, 1], dil1, padding), b, [1, 1, 1], dil2, padding);
      const y0 = forward(k1, k2);
      const c = nd(y0.shape, 63);
      const dot = (y: Nd): number => y.data.reduce((s, v, i) => s + v * c.data[i]!, 0);
      const expected1 = linearGradient(k1, (k) => dot(forward(k, k2)));
      const expected2 = linearGradient(k2, (k) => dot(forward(k1, k)));

      const xt = tf.tensor(x.data as number[], x.shape as number[]);
      const ct = tf.tensor(c.data as number[], c.shape as number[]);
      const opts = (d: Dil) => ({ dilationRate: d, padding, useBias: false });
      const stack = (input: tf.Tensor): Program<tf.Tensor> =>
        scoped(function* (): ProgramGenerator<tf.Tensor> {
          const h = yield* conv3d(input, 3, 2, opts(dil1 as unknown as Dil));
          return yield* conv3d(h, 2, 2, opts(dil2 as unknown as Dil));
        });
      const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
        scoped(function* (): ProgramGenerator<tf.Scalar> {
          return tf.sum(tf.mul(yield* stack(input.x), input.c)) as tf.Scalar;
        });
      const model = transform(stack);
      const { store, params: init } = model.init(xt);
      init.dispose();
      const params = paramsFrom(store, { "conv3d/kernel": k1, "conv3d_1/kernel": k2 });
      const y = model.apply(params, xt);
      assertAllClose(Array.from(await y.data()), y0.data, RTOL[backend], `${what}: output`);
      y.dispose();
      const g = await gradients(loss, params, { x: xt, c: ct });
      params.dispose();
      tf.dispose([xt, ct]);
      const rtol = RTOL[backend] * 10;
      assertAllClose(g["conv3d/kernel"]!, expected1, rtol, `${what}: dL/dkernel1`);
      assertAllClose(g["conv3d_1/kernel"]!, expected2, rtol, `${what}: dL/dkernel2`);
    },
  );
}
