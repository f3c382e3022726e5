// Convolution and pooling layers (spec N9, N11): TF1 names and kernel
// layouts, outputs (and Conv2D gradients) against the Float64 references in
// _conv_ref.ts written from TF1's definitions, on fixed weights set by TF1
// name; channels_first, "same" padding with strides, and dilation are each
// pinned. Every case on cpu, wasm and webgpu, no leaked tensors.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { type Program, type ProgramGenerator, scoped } from "varscope";
import { transform } from "varscope/tfjs";
import {
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  Conv1D,
  Conv2D,
  conv2d,
  Conv2DTranspose,
  conv2dTranspose,
  Conv3D,
  conv3d,
  Conv3DTranspose,
  Flatten,
  flatten,
  MaxPooling1D,
  MaxPooling2D,
  maxPooling2d,
  MaxPooling3D,
  SeparableConv1D,
  separableConv1d,
  SeparableConv2D,
  separableConv2d,
} from "varscope/layers";
import {
  convRef,
  convTransposeNdRef,
  convTransposeRef,
  depthwiseRef,
  type Nd,
  permute,
  poolRef,
  toFirst,
} from "./_conv_ref.ts";
import {
  assertAllClose,
  backendTest,
  expectError,
  gradients,
  paramsFrom,
  RTOL,
  take,
  weights,
} from "./_helpers.ts";

type Gen<A> = ProgramGenerator<A>;

function nd(shape: readonly number[], seed: number): Nd {
  return { shape, data: weights(shape.reduce((a, b) => a * b, 1), seed) };
}

/** Runs `layer` on `x` with weights by TF1 name; returns the output values and shape. */
async function run(
  fn: (x: tf.Tensor) => Program<tf.Tensor>,
  x: Nd,
  ws: Readonly<Record<string, Nd>>,
): Promise<{ shape: number[]; data: number[] }> {
  const model = transform(fn);
  const input = tf.tensor(x.data as number[], x.shape as number[]);
  try {
    const { store, params: init } = model.init(input);
    assert.deepEqual([...init.names].sort(), Object.keys(ws).sort(), "weight names");
    for (const [name, w] of Object.entries(ws)) {
      assert.deepEqual(init.get(name).shape, w.shape, `${name} shape`);
    }
    init.dispose();
    const params = paramsFrom(store, ws);
    const y = model.apply(params, input);
    params.dispose();
    const shape = y.shape.slice();
    return { shape, data: await take(y) };
  } finally {
    input.dispose();
  }
}

async function check(
  backend: "cpu" | "wasm" | "webgpu",
  fn: (x: tf.Tensor) => Program<tf.Tensor>,
  x: Nd,
  ws: Readonly<Record<string, Nd>>,
  expected: Nd,
  what: string,
): Promise<void> {
  const y = await run(fn, x, ws);
  assert.deepEqual(y.shape, expected.shape, `${what}: shape`);
  assertAllClose(y.data, expected.data, RTOL[backend], what);
}

const relu = (t: Nd): Nd => ({ shape: t.shape, data: t.data.map((v) => Math.max(0, v)) });

backendTest(
  import.meta.url,
  "N9: Conv2D kernel [kh, kw, in, filters]; same padding, strides 2, relu",
  async (backend) => {
    const x = nd([2, 5, 6, 3], 1);
    const k = nd([3, 3, 3, 4], 2);
    const b = nd([4], 3);
    const layer = new Conv2D(4, 3, { strides: 2, padding: "same", activation: tf.relu });
    await check(
      backend,
      (i) => layer.apply(i),
      x,
      { "conv2d/kernel": k, "conv2d/bias": b },
      relu(convRef(x, k, [2, 2], [1, 1], "same", b.data)),
      "conv2d same/2",
    );
  },
);

backendTest(
  import.meta.url,
  "Conv2D channels_first, strides [2, 1], valid, no bias",
  async (backend) => {
    const xl = nd([1, 6, 5, 2], 4);
    const k = nd([2, 3, 2, 3], 5);
    const ref = convRef(xl, k, [2, 1], [1, 1], "valid");
    await check(
      backend,
      (i) =>
        new Conv2D(3, [2, 3], { strides: [2, 1], dataFormat: "channels_first", useBias: false })
          .apply(i),
      permute(xl, toFirst(4)),
      { "conv2d/kernel": k },
      permute(ref, toFirst(4)),
      "conv2d NCHW",
    );
  },
);

backendTest(import.meta.url, "Conv2D dilation 2 (valid and same)", async (backend) => {
  const x = nd([1, 7, 7, 2], 6);
  const k = nd([3, 3, 2, 2], 7);
  const b = nd([2], 8);
  for (const padding of ["valid", "same"] as const) {
    await check(
      backend,
      (i) => conv2d(i, 2, 3, { dilationRate: 2, padding }),
      x,
      { "conv2d/kernel": k, "conv2d/bias": b },
      convRef(x, k, [1, 1], [2, 2], padding, b.data),
      `conv2d dilation 2 ${padding}`,
    );
  }
});

backendTest(
  import.meta.url,
  "Conv2D gradients (kernel, bias) vs Float64, same padding, strides 2",
  async (backend) => {
    const x = nd([2, 5, 5, 2], 9);
    const k = nd([3, 3, 2, 3], 10);
    const b = nd([3], 11);
    const y0 = convRef(x, k, [2, 2], [1, 1], "same", b.data);
    const c = nd(y0.shape, 12);
    const xt = tf.tensor(x.data as number[], x.shape as number[]);
    const ct = tf.tensor(c.data as number[], c.shape as number[]);
    const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const y = yield* conv2d(input.x, 3, 3, { strides: 2, padding: "same" });
        return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
      });
    const { store, params: init } = transform(loss).init({ x: xt, c: ct });
    init.dispose();
    const params = paramsFrom(store, { "conv2d/kernel": k, "conv2d/bias": b });
    const g = await gradients(loss, params, { x: xt, c: ct });
    params.dispose();
    tf.dispose([xt, ct]);
    // dL/dW[p,q,ci,co] = sum over b,o of c[b,o,co]·x[b, o·2 − before + (p,q), ci]; dL/db = sum c.
    const before = 1; // same, k 3, s 2, in 5 → out 3, total pad 2
    const gk = new Array<number>(3 * 3 * 2 * 3).fill(0);
    const gb = [0, 0, 0];
    for (let n = 0; n < 2; n++) {
      for (let oi = 0; oi < 3; oi++) {
        for (let oj = 0; oj < 3; oj++) {
          for (let co = 0; co < 3; co++) {
            const cv = c.data[((n * 3 + oi) * 3 + oj) * 3 + co]!;
            gb[co]! += cv;
            for (let p = 0; p < 3; p++) {
              for (let q = 0; q < 3; q++) {
                const i = oi * 2 - before + p;
                const j = oj * 2 - before + q;
                if (i < 0 || i >= 5 || j < 0 || j >= 5) continue;
                for (let ci = 0; ci < 2; ci++) {
                  gk[((p * 3 + q) * 2 + ci) * 3 + co]! += cv *
                    x.data[((n * 5 + i) * 5 + j) * 2 + ci]!;
                }
              }
            }
          }
        }
      }
    }
    assertAllClose(g["conv2d/kernel"]!, gk, RTOL[backend] * 10, "dL/dkernel");
    assertAllClose(g["conv2d/bias"]!, gb, RTOL[backend] * 10, "dL/dbias");
  },
);

backendTest(
  import.meta.url,
  "Conv1D same, strides 2, channels_first; names conv1d, conv1d_1",
  async (backend) => {
    const xl = nd([2, 7, 3], 13);
    const k = nd([3, 3, 2], 14);
    const b = nd([2], 15);
    await check(
      backend,
      (i) =>
        new Conv1D(2, 3, { strides: 2, padding: "same", dataFormat: "channels_first" }).apply(i),
      permute(xl, toFirst(3)),
      { "conv1d/kernel": k, "conv1d/bias": b },
      permute(convRef(xl, k, [2], [1], "same", b.data), toFirst(3)),
      "conv1d",
    );
    const x = tf.ones([1, 5, 1]);
    const m = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        return yield* new Conv1D(1, 2).apply(yield* new Conv1D(1, 2).apply(i));
      })
    );
    const { params } = m.init(x);
    assert.deepEqual(params.names, [
      "conv1d/kernel",
      "conv1d/bias",
      "conv1d_1/kernel",
      "conv1d_1/bias",
    ]);
    params.dispose();
    x.dispose();
  },
);

backendTest(import.meta.url, "Conv1D dilation 2", async (backend) => {
  const x = nd([1, 9, 2], 16);
  const k = nd([3, 2, 2], 17);
  const b = nd([2], 18);
  await check(
    backend,
    (i) => new Conv1D(2, 3, { dilationRate: 2 }).apply(i),
    x,
    { "conv1d/kernel": k, "conv1d/bias": b },
    convRef(x, k, [1], [2], "valid", b.data),
    "conv1d dilated",
  );
});

backendTest(
  import.meta.url,
  "Conv3D kernel [kd, kh, kw, in, filters]; same, strides 2",
  async (backend) => {
    const x = nd([1, 4, 5, 3, 2], 19);
    const k = nd([2, 3, 2, 2, 3], 20);
    const b = nd([3], 21);
    await check(
      backend,
      (i) => new Conv3D(3, [2, 3, 2], { strides: 2, padding: "same" }).apply(i),
      x,
      { "conv3d/kernel": k, "conv3d/bias": b },
      convRef(x, k, [2, 2, 2], [1, 1, 1], "same", b.data),
      "conv3d",
    );
  },
);

backendTest(
  import.meta.url,
  "Conv2DTranspose kernel [kh, kw, filters, in]; valid and same, strides 2",
  async (backend) => {
    const x = nd([2, 3, 4, 2], 22);
    const k = nd([3, 3, 3, 2], 23);
    const b = nd([3], 24);
    for (const padding of ["valid", "same"] as const) {
      await check(
        backend,
        (i) => new Conv2DTranspose(3, 3, { strides: 2, padding }).apply(i),
        x,
        { "conv2d_transpose/kernel": k, "conv2d_transpose/bias": b },
        convTransposeRef(x, k, [2, 2], padding, b.data),
        `conv2d_transpose ${padding}`,
      );
    }
  },
);

backendTest(
  import.meta.url,
  "SeparableConv2D: depthwise then pointwise; same, strides 2, depthMultiplier 2",
  async (backend) => {
    const x = nd([1, 5, 5, 2], 25);
    const dw = nd([3, 3, 2, 2], 26);
    const pw = nd([1, 1, 4, 3], 27);
    const b = nd([3], 28);
    const z = depthwiseRef(x, dw, [2, 2], [1, 1], "same");
    await check(
      backend,
      (i) =>
        new SeparableConv2D(3, 3, { strides: 2, padding: "same", depthMultiplier: 2 }).apply(i),
      x,
      {
        "separable_conv2d/depthwise_kernel": dw,
        "separable_conv2d/pointwise_kernel": pw,
        "separable_conv2d/bias": b,
      },
      convRef(z, pw, [1, 1], [1, 1], "valid", b.data),
      "separable_conv2d",
    );
  },
);

backendTest(
  import.meta.url,
  "SeparableConv1D: depthwise [k, in, dm], pointwise [1, in·dm, filters]; dilation 2",
  async (backend) => {
    const x = nd([2, 8, 2], 29);
    const dw = nd([3, 2, 1], 30);
    const pw = nd([1, 2, 2], 31);
    const b = nd([2], 32);
    const z = depthwiseRef(x, dw, [1], [2], "valid");
    await check(
      backend,
      (i) => new SeparableConv1D(2, 3, { dilationRate: 2 }).apply(i),
      x,
      {
        "separable_conv1d/depthwise_kernel": dw,
        "separable_conv1d/pointwise_kernel": pw,
        "separable_conv1d/bias": b,
      },
      convRef(z, pw, [1], [1], "valid", b.data),
      "separable_conv1d",
    );
  },
);

backendTest(
  import.meta.url,
  "N11: pooling 1D/2D/3D, max and average, valid and same with strides",
  async (backend) => {
    const cases: [string, (i: tf.Tensor) => Program<tf.Tensor>, Nd, Nd][] = [];
    const x1 = nd([2, 7, 3], 33);
    const x2 = nd([1, 5, 6, 2], 34);
    const x3 = nd([1, 3, 4, 5, 2], 35);
    cases.push([
      "max1d same",
      (i) => new MaxPooling1D(3, 2, { padding: "same" }).apply(i),
      x1,
      poolRef(x1, "max", [3], [2], "same"),
    ]);
    cases.push([
      "avg1d same",
      (i) => new AveragePooling1D(3, 2, { padding: "same" }).apply(i),
      x1,
      poolRef(x1, "avg", [3], [2], "same"),
    ]);
    cases.push([
      "max2d valid",
      (i) => new MaxPooling2D(2, 2).apply(i),
      x2,
      poolRef(x2, "max", [2, 2], [2, 2], "valid"),
    ]);
    cases.push([
      "avg2d same",
      (i) => new AveragePooling2D(3, 2, { padding: "same" }).apply(i),
      x2,
      poolRef(x2, "avg", [3, 3], [2, 2], "same"),
    ]);
    cases.push([
      "max3d same",
      (i) => new MaxPooling3D(2, 2, { padding: "same" }).apply(i),
      x3,
      poolRef(x3, "max", [2, 2, 2], [2, 2, 2], "same"),
    ]);
    cases.push([
      "avg3d valid",
      (i) => new AveragePooling3D([2, 2, 3], 1).apply(i),
      x3,
      poolRef(x3, "avg", [2, 2, 3], [1, 1, 1], "valid"),
    ]);
    for (const [what, fn, x, ref] of cases) await check(backend, fn, x, {}, ref, what);
    await check(
      backend,
      (i) => maxPooling2d(i, 2, 1, { dataFormat: "channels_first" }),
      permute(x2, toFirst(4)),
      {},
      permute(poolRef(x2, "max", [2, 2], [1, 1], "valid"), toFirst(4)),
      "max2d channels_first",
    );
  },
);

backendTest(
  import.meta.url,
  "N11: Flatten keeps channels-last order for channels_first inputs; names flatten, flatten_1",
  async () => {
    const xl = nd([2, 2, 3, 2], 36);
    const y = await run(
      (i) => flatten(i, { dataFormat: "channels_first" }),
      permute(xl, toFirst(4)),
      {},
    );
    assert.deepEqual(y.shape, [2, 12]);
    assert.deepEqual(y.data, xl.data.map((v) => Math.fround(v)));
    const a = new Flatten();
    const b = new Flatten();
    const x = tf.ones([1, 2, 2]);
    const m = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* a.apply(i);
        return yield* b.apply(i);
      })
    );
    const { params, store } = m.init(x);
    assert.deepEqual([a.scopeName(store), b.scopeName(store)], ["flatten", "flatten_1"]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "conv: bad arguments and inputs are typed InvalidArgument errors",
  () => {
    for (
      const make of [
        () => new Conv2D(0, 3),
        () => new Conv2D(2, [3]),
        () => new Conv2D(2, 3, { padding: "full" as never }),
        () => new Conv2D(2, 3, { dataFormat: "NHWC" as never }),
        () => new Conv2D(2, 3, { strides: 2, dilationRate: 2 }),
        () => new Conv2DTranspose(2, 3, { dilationRate: 2 } as never),
        () => new SeparableConv2D(2, 3, { depthMultiplier: 0 }),
        () => new MaxPooling2D(2, 0),
      ]
    ) {
      assert.throws(make, (e) => (e as { tag?: string }).tag === "InvalidArgument");
    }
    const x = tf.ones([1, 4, 4]);
    expectError(() => transform((i: tf.Tensor) => conv2d(i, 2, 3)).init(x), "InvalidArgument", [
      "ndim=4",
    ]);
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "Conv2D gradients through a second conv (strided, dilated): exact Float64 differences",
  async (backend) => {
    // The loss is linear in the first kernel, so L(k + e_i) − L(k) in Float64
    // is exactly its gradient: an independent reference for the input
    // gradient of the second convolution and the filter gradient of the first.
    const x = nd([1, 6, 6, 2], 40);
    const k1 = nd([2, 2, 2, 2], 41);
    const cases: [string, { strides: number; dilationRate: number; padding: "same" | "valid" }][] =
      [
        ["strided", { strides: 2, dilationRate: 1, padding: "same" }],
        ["dilated", { strides: 1, dilationRate: 2, padding: "valid" }],
      ];
    for (const [what, o] of cases) {
      const k2 = nd([2, 2, 2, 1], 42);
      const forward = (k: Nd): Nd => {
        const h = convRef(x, k, [1, 1], [2, 2], "same");
        return convRef(h, k2, [o.strides, o.strides], [o.dilationRate, o.dilationRate], o.padding);
      };
      const y0 = forward(k1);
      const c = nd(y0.shape, 43);
      const loss64 = (k: Nd): number => forward(k).data.reduce((s, v, i) => s + v * c.data[i]!, 0);
      const base = loss64(k1);
      const expected = k1.data.map((_, i) => {
        const bumped = k1.data.slice();
        bumped[i]! += 1;
        return loss64({ shape: k1.shape, data: bumped }) - base;
      });
      const xt = tf.tensor(x.data as number[], x.shape as number[]);
      const ct = tf.tensor(c.data as number[], c.shape as number[]);
      const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
        scoped(function* (): Gen<tf.Scalar> {
          const h = yield* conv2d(input.x, 2, 2, {
            dilationRate: 2,
            padding: "same",
            useBias: false,
          });
          const y = yield* conv2d(h, 1, 2, { ...o, useBias: false });
          return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
        });
      const { store, params: init } = transform(loss).init({ x: xt, c: ct });
      init.dispose();
      const params = paramsFrom(store, { "conv2d/kernel": k1, "conv2d_1/kernel": k2 });
      const g = await gradients(loss, params, { x: xt, c: ct });
      params.dispose();
      tf.dispose([xt, ct]);
      assertAllClose(g["conv2d/kernel"]!, expected, RTOL[backend] * 10, `${what}: dL/dkernel1`);
    }
  },
);

backendTest(
  import.meta.url,
  "Conv3DTranspose kernel [kd, kh, kw, filters, in]; valid and same, strides 2; channels_first",
  async (backend) => {
    const x = nd([1, 2, 3, 2, 2], 44);
    const k = nd([2, 3, 2, 2, 2], 45);
    const b = nd([2], 46);
    for (const padding of ["valid", "same"] as const) {
      await check(
        backend,
        (i) => new Conv3DTranspose(2, [2, 3, 2], { strides: 2, padding }).apply(i),
        x,
        { "conv3d_transpose/kernel": k, "conv3d_transpose/bias": b },
        convTransposeNdRef(x, k, [2, 2, 2], padding, b.data),
        `conv3d_transpose ${padding}`,
      );
    }
    // The 2-D reference written separately agrees with the N-D one.
    const x2 = nd([1, 3, 2, 2], 47);
    const k2 = nd([3, 2, 2, 2], 48);
    const a2 = convTransposeRef(x2, k2, [2, 1], "same", null);
    const n2 = convTransposeNdRef(x2, k2, [2, 1], "same", null);
    assertAllClose(n2.data, a2.data, 1e-12, "references");
    await check(
      backend,
      (i) =>
        new Conv3DTranspose(2, [2, 3, 2], { strides: [1, 2, 1], dataFormat: "channels_first" })
          .apply(i),
      permute(x, toFirst(5)),
      { "conv3d_transpose/kernel": k, "conv3d_transpose/bias": b },
      permute(convTransposeNdRef(x, k, [1, 2, 1], "valid", b.data), toFirst(5)),
      "conv3d_transpose NCDHW",
    );
  },
);

backendTest(
  import.meta.url,
  "Conv3D gradients through a second conv3d (strided): exact Float64 differences",
  async (backend) => {
    const x = nd([1, 4, 3, 4, 2], 49);
    const k1 = nd([2, 2, 2, 2, 2], 50);
    const k2 = nd([2, 2, 2, 2, 1], 51);
    const forward = (k: Nd): Nd =>
      convRef(convRef(x, k, [1, 1, 1], [1, 1, 1], "same"), k2, [2, 2, 2], [1, 1, 1], "same");
    const c = nd(forward(k1).shape, 52);
    const loss64 = (k: Nd): number => forward(k).data.reduce((s, v, i) => s + v * c.data[i]!, 0);
    const base = loss64(k1);
    const expected = k1.data.map((_, i) => {
      const bumped = k1.data.slice();
      bumped[i]! += 1;
      return loss64({ shape: k1.shape, data: bumped }) - base;
    });
    const xt = tf.tensor(x.data as number[], x.shape as number[]);
    const ct = tf.tensor(c.data as number[], c.shape as number[]);
    const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const h = yield* conv3d(input.x, 2, 2, { padding: "same", useBias: false });
        const y = yield* conv3d(h, 1, 2, { strides: 2, padding: "same", useBias: false });
        return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
      });
    const { store, params: init } = transform(loss).init({ x: xt, c: ct });
    init.dispose();
    const params = paramsFrom(store, { "conv3d/kernel": k1, "conv3d_1/kernel": k2 });
    const g = await gradients(loss, params, { x: xt, c: ct });
    params.dispose();
    tf.dispose([xt, ct]);
    assertAllClose(g["conv3d/kernel"]!, expected, RTOL[backend] * 10, "dL/dkernel1");
  },
);

backendTest(
  import.meta.url,
  "Conv2DTranspose and Conv3DTranspose kernel gradients: exact Float64 differences",
  async (backend) => {
    // The loss Σ c·y is linear in the kernel: L(k + e_i) − L(k) is its gradient.
    const cases: [string, Nd, Nd, (x: tf.Tensor) => Program<tf.Tensor>, (k: Nd) => Nd][] = [];
    const x2 = nd([2, 3, 3, 2], 53);
    const k2 = nd([3, 3, 2, 2], 54);
    cases.push([
      "conv2d_transpose",
      x2,
      k2,
      (i) => conv2dTranspose(i, 2, 3, { strides: 2, padding: "same", useBias: false }),
      (k) => convTransposeRef(x2, k, [2, 2], "same", null),
    ]);
    const x3 = nd([1, 2, 2, 3, 2], 55);
    const k3 = nd([2, 2, 2, 2, 2], 56);
    cases.push([
      "conv3d_transpose",
      x3,
      k3,
      (i) => new Conv3DTranspose(2, 2, { strides: [2, 1, 2], useBias: false }).apply(i),
      (k) => convTransposeNdRef(x3, k, [2, 1, 2], "valid", null),
    ]);
    for (const [name, x, k, layer, forward] of cases) {
      const c = nd(forward(k).shape, 57);
      const loss64 = (kk: Nd): number =>
        forward(kk).data.reduce((s, v, i) => s + v * c.data[i]!, 0);
      const base = loss64(k);
      const expected = k.data.map((_, i) => {
        const bumped = k.data.slice();
        bumped[i]! += 1;
        return loss64({ shape: k.shape, data: bumped }) - base;
      });
      const xt = tf.tensor(x.data as number[], x.shape as number[]);
      const ct = tf.tensor(c.data as number[], c.shape as number[]);
      const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
        scoped(function* (): Gen<tf.Scalar> {
          return tf.sum(tf.mul(yield* layer(input.x), input.c)) as tf.Scalar;
        });
      const { store, params: init } = transform(loss).init({ x: xt, c: ct });
      init.dispose();
      const params = paramsFrom(store, { [`${name}/kernel`]: k });
      const g = await gradients(loss, params, { x: xt, c: ct });
      params.dispose();
      tf.dispose([xt, ct]);
      assertAllClose(g[`${name}/kernel`]!, expected, RTOL[backend] * 10, `${name}: dL/dkernel`);
    }
  },
);

backendTest(
  import.meta.url,
  "separable convolutions: depthwise and pointwise gradients through a second layer (strides, dilation)",
  async (backend) => {
    // Linear in each kernel: L(k + e_i) − L(k) in Float64 is the gradient.
    const x = nd([2, 6, 5, 2], 60);
    const w = {
      dw1: nd([3, 3, 2, 2], 61),
      pw1: nd([1, 1, 4, 3], 62),
      dw2: nd([2, 2, 3, 1], 63),
      pw2: nd([1, 1, 3, 2], 64),
    };
    const forward = (v: typeof w): Nd => {
      const h = convRef(
        depthwiseRef(x, v.dw1, [2, 2], [1, 1], "same"),
        v.pw1,
        [1, 1],
        [1, 1],
        "valid",
      );
      return convRef(
        depthwiseRef(h, v.dw2, [1, 1], [2, 2], "same"),
        v.pw2,
        [1, 1],
        [1, 1],
        "valid",
      );
    };
    const c = nd(forward(w).shape, 65);
    const loss64 = (v: typeof w): number =>
      forward(v).data.reduce((s, y, i) => s + y * c.data[i]!, 0);
    const base = loss64(w);
    const diff = (key: keyof typeof w): number[] =>
      w[key].data.map((_, i) => {
        const bumped = w[key].data.slice();
        bumped[i]! += 1;
        return loss64({ ...w, [key]: { shape: w[key].shape, data: bumped } }) - base;
      });
    const xt = tf.tensor(x.data as number[], x.shape as number[]);
    const ct = tf.tensor(c.data as number[], c.shape as number[]);
    const loss = (input: { x: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
      scoped(function* (): Gen<tf.Scalar> {
        const h = yield* separableConv2d(input.x, 3, 3, {
          strides: 2,
          padding: "same",
          depthMultiplier: 2,
          useBias: false,
        });
        const y = yield* separableConv2d(h, 2, 2, {
          dilationRate: 2,
          padding: "same",
          useBias: false,
        });
        return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
      });
    const { store, params: init } = transform(loss).init({ x: xt, c: ct });
    init.dispose();
    const params = paramsFrom(store, {
      "separable_conv2d/depthwise_kernel": w.dw1,
      "separable_conv2d/pointwise_kernel": w.pw1,
      "separable_conv2d_1/depthwise_kernel": w.dw2,
      "separable_conv2d_1/pointwise_kernel": w.pw2,
    });
    const g = await gradients(loss, params, { x: xt, c: ct });
    params.dispose();
    tf.dispose([xt, ct]);
    const tol = RTOL[backend] * 10;
    assertAllClose(g["separable_conv2d/depthwise_kernel"]!, diff("dw1"), tol, "dL/ddepthwise1");
    assertAllClose(g["separable_conv2d/pointwise_kernel"]!, diff("pw1"), tol, "dL/dpointwise1");
    assertAllClose(
      g["separable_conv2d_1/depthwise_kernel"]!,
      diff("dw2"),
      tol,
      "dL/ddepthwise2 (dilated)",
    );
    assertAllClose(g["separable_conv2d_1/pointwise_kernel"]!, diff("pw2"), tol, "dL/dpointwise2");
    // SeparableConv1D trains too (its forward is checked above).
    const x1 = tf.ones([1, 6, 2]);
    const l1 = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Scalar> {
        return tf.sum(yield* separableConv1d(i, 2, 3, { strides: 2 })) as tf.Scalar;
      })
    );
    const p1 = l1.init(x1).params;
    const g1 = await gradients(
      (i: tf.Tensor) =>
        scoped(function* (): Gen<tf.Scalar> {
          return tf.sum(yield* separableConv1d(i, 2, 3, { strides: 2 })) as tf.Scalar;
        }),
      p1,
      x1,
    );
    assert.equal(g1["separable_conv1d/depthwise_kernel"]!.length, 3 * 2);
    p1.dispose();
    x1.dispose();
  },
);
