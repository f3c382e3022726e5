// Dense / dense (spec N5, N8): TF1 names (core_test's functional dense
// tests), outputs and gradients against Float64 references written here
// from TF1's formula `activation(x · kernel + bias)` (tensordot over the
// last axis for rank > 2), on every backend, no leaked tensors.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  constantInitializer,
  type CustomGetter,
  l2Regularizer,
  onesInitializer,
  type ProgramGenerator,
  regularizationLosses,
  scoped,
  trainableVariables,
  variableScope,
} from "varscope";
import { transform } from "varscope/tfjs";
import { Dense, dense } from "varscope/layers";
import {
  arr,
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

function denseRef64(
  x: readonly number[],
  rows: number,
  k: readonly number[],
  b: readonly number[] | null,
  inDim: number,
  units: number,
  act: (z: number) => number = (z) => z,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < units; j++) {
      let s = b === null ? 0 : b[j]!;
      for (let l = 0; l < inDim; l++) s += x[i * inDim + l]! * k[l * units + j]!;
      out.push(act(s));
    }
  }
  return out;
}

const names = (vs: readonly { name: string }[]): string[] => vs.map((v) => v.name);

backendTest(
  import.meta.url,
  "N8: dense kernel [in, units] and bias [units]; relu output vs Float64",
  async (backend) => {
    const layer = new Dense(3, { activation: tf.relu, name: "my_dense" });
    const model = transform((x: tf.Tensor) => layer.apply(x));
    const xs = weights(8, 3);
    const x = tf.tensor2d(xs, [2, 4]);
    const { store, params: init } = model.init(x);
    init.dispose();
    assert.deepEqual(names(trainableVariables(store)), ["my_dense/kernel:0", "my_dense/bias:0"]);
    const k = weights(12, 4);
    const b = weights(3, 5);
    const params = paramsFrom(store, {
      "my_dense/kernel": arr([4, 3], k),
      "my_dense/bias": arr([3], b),
    });
    const y = await take(model.apply(params, x));
    assertAllClose(
      y,
      denseRef64(xs, 2, k, b, 4, 3, (z) => Math.max(0, z)),
      RTOL[backend],
      "relu(xW+b)",
    );
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N8: dense over a rank-3 input is a tensordot over the last axis; tanh; no bias",
  async (backend) => {
    const model = transform((x: tf.Tensor) => dense(x, 2, { activation: "tanh", useBias: false }));
    const xs = weights(12, 7);
    const x = tf.tensor3d(xs, [2, 3, 2]);
    const { store, params: init } = model.init(x);
    init.dispose();
    assert.deepEqual(names(trainableVariables(store)), ["dense/kernel:0"]);
    const k = weights(4, 8);
    const params = paramsFrom(store, { "dense/kernel": arr([2, 2], k) });
    const y = model.apply(params, x);
    assert.deepEqual(y.shape, [2, 3, 2]);
    assertAllClose(
      await take(y),
      denseRef64(xs, 6, k, null, 2, 2, Math.tanh),
      RTOL[backend],
      "tanh(xW)",
    );
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "dense gradients (kernel, bias) vs Float64, through a training step",
  async (backend) => {
    const xs = weights(6, 11);
    const x = tf.tensor2d(xs, [3, 2]);
    const cT = tf.tensor2d(weights(6, 12), [3, 2]);
    const loss = (input: { x: tf.Tensor; c: tf.Tensor }) =>
      scoped(function* (): Gen<tf.Scalar> {
        const y = yield* dense(input.x, 2, { activation: tf.relu });
        return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
      });
    const { store, params: init } = transform(loss).init({ x, c: cT });
    init.dispose();
    const k = weights(4, 13);
    const b = [0.5, -0.25];
    const params = paramsFrom(store, { "dense/kernel": arr([2, 2], k), "dense/bias": arr([2], b) });
    const g = await gradients(loss, params, { x, c: cT });
    // d/dW_lj = sum_i x_il * c_ij * [z_ij > 0]; d/db_j = sum_i c_ij * [z_ij > 0]
    const cs = weights(6, 12);
    const z = denseRef64(xs, 3, k, b, 2, 2);
    const gk = [0, 0, 0, 0];
    const gb = [0, 0];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        const d = z[i * 2 + j]! > 0 ? cs[i * 2 + j]! : 0;
        gb[j]! += d;
        for (let l = 0; l < 2; l++) gk[l * 2 + j]! += xs[i * 2 + l]! * d;
      }
    }
    assertAllClose(g["dense/kernel"]!, gk, RTOL[backend] * 10, "dL/dkernel");
    assertAllClose(g["dense/bias"]!, gb, RTOL[backend] * 10, "dL/dbias");
    params.dispose();
    tf.dispose([x, cT]);
  },
);

backendTest(
  import.meta.url,
  "N5: core_test testFunctionalDenseTwice: dense/… and dense_1/…, 4 variables",
  () => {
    const model = transform((x: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* dense(x, 2);
        return yield* dense(x, 2);
      })
    );
    const x = tf.ones([5, 3]);
    const { params } = model.init(x);
    assert.deepEqual(params.names, [
      "dense/kernel",
      "dense/bias",
      "dense_1/kernel",
      "dense_1/bias",
    ]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N5: core_test testFunctionalDenseTwiceReuse: a second my_dense clashes, reuse shares",
  () => {
    const x = tf.ones([5, 3]);
    const twice = transform((input: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* dense(input, 2, { name: "my_dense" });
        return yield* dense(input, 2, { name: "my_dense" });
      })
    );
    expectError(() => twice.init(x), "VariableExists", ["my_dense/kernel", "already exists"]);
    const reused = transform((input: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* dense(input, 2, { name: "my_dense" });
        return yield* dense(input, 2, { name: "my_dense", reuse: true });
      })
    );
    const { params } = reused.init(x);
    assert.deepEqual(params.names, ["my_dense/kernel", "my_dense/bias"]);
    const y = reused.apply(params, x); // compiled on the second apply
    const y2 = reused.apply(params, x);
    assert.deepEqual(y.shape, [5, 2]);
    tf.dispose([y, y2]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N5: core_test testFunctionalDenseTwiceReuseFromScope and InitializerFromScope",
  async () => {
    const x = tf.ones([5, 3]);
    const model = transform((input: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* variableScope(
          "scope",
          { initializer: onesInitializer() },
          dense(input, 2, { name: "my_dense" }),
        );
        return yield* variableScope(
          "scope",
          { reuse: true },
          dense(input, 2, { name: "my_dense" }),
        );
      })
    );
    const { params } = model.init(x);
    assert.deepEqual(params.names, ["scope/my_dense/kernel", "scope/my_dense/bias"]);
    assert.deepEqual(await take(tf.clone(params.get("scope/my_dense/kernel"))), [1, 1, 1, 1, 1, 1]);
    assert.deepEqual(await take(tf.clone(params.get("scope/my_dense/bias"))), [0, 0]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N6: core_test testFunctionalDenseInScope: a captured scope as name",
  () => {
    const { getVariableScope } = { getVariableScope: undefined };
    void getVariableScope;
    const x = tf.ones([5, 3]);
    const model = transform((input: tf.Tensor) =>
      variableScope("test1", (scope) => dense(input, 2, { name: scope }))
    );
    const { params } = model.init(x);
    assert.deepEqual(params.names, ["test1/kernel", "test1/bias"]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N8/N12: custom getter twice for dense; a kernel regularizer adds one loss with reuse",
  () => {
    let calls = 0;
    const counting: CustomGetter = (next, args) => {
      calls++;
      return next(args);
    };
    const x = tf.ones([5, 3]);
    const layer = new Dense(2, { kernelRegularizer: l2Regularizer(0.5) });
    const model = transform((input: tf.Tensor) =>
      variableScope(
        "test",
        { customGetter: counting },
        scoped(function* (): Gen<tf.Tensor> {
          yield* layer.apply(input);
          yield* layer.apply(input);
          return yield* dense(input, 2, {
            name: "dense",
            reuse: true,
            kernelRegularizer: l2Regularizer(0.5),
          });
        }),
      )
    );
    const { store, params } = model.init(x);
    assert.equal(calls, 4, "2 for the layer object, 2 for the functional reuse");
    assert.deepEqual(names(regularizationLosses(store)), [
      "test/dense/kernel/Regularizer/l2_regularizer:0",
    ]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "N4: one Dense object called twice shares its weights; compiled applies; layer.variables",
  async (backend) => {
    const layer = new Dense(2, { kernelInitializer: constantInitializer(0.5), name: "shared" });
    const model = transform((x: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        const h = yield* layer.apply(x);
        return yield* layer.apply(h);
      })
    );
    const x = tf.tensor2d([1, 2], [1, 2]);
    const { params } = model.init(x);
    assert.deepEqual(params.names, ["shared/kernel", "shared/bias"]);
    assert.deepEqual(names(layer.variables(params.store)), ["shared/kernel:0", "shared/bias:0"]);
    for (let i = 0; i < 3; i++) {
      // (x · 0.5·1) · 0.5·1 = [1.5, 1.5] · 0.5 summed → 1.5 each
      assertAllClose(await take(model.apply(params, x)), [1.5, 1.5], RTOL[backend], "y");
    }
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "dense: bad units, options and inputs are typed errors, no leaks",
  () => {
    const x = tf.ones([2, 3]);
    expectError(() => transform((i: tf.Tensor) => dense(i, 0)).init(x), "InvalidArgument", [
      "units",
    ]);
    expectError(
      () => transform((i: tf.Tensor) => dense(i, 2, { activation: 5 as never })).init(x),
      "InvalidArgument",
      ["activation"],
    );
    expectError(
      () =>
        transform((i: tf.Tensor) => dense(i, 2, { activityRegularizer: 5 as never })).init(
          x,
        ),
      "InvalidArgument",
      ["activityRegularizer"],
    );
    const v = tf.ones([3]);
    expectError(() => transform((i: tf.Tensor) => dense(i, 2)).init(v), "InvalidArgument", [
      "min_ndim=2",
    ]);
    expectError(
      () => transform((_: null) => dense(null as never, 2)).init(null),
      "InvalidArgument",
      ["tf.Tensor"],
    );
    const layer = new Dense(2);
    const model = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        yield* layer.apply(i);
        return yield* layer.apply(tf.ones([2, 4]));
      })
    );
    expectError(() => model.init(x), "InvalidArgument", ["last dimension must be 3"]);
    assert.throws(() => new Dense(2, { units: 3 } as never), /unknown option/);
    tf.dispose([x, v]);
  },
);

backendTest(
  import.meta.url,
  "compiled applies replay layer calls: a custom getter runs only while recording",
  async (backend) => {
    let calls = 0;
    const counting: CustomGetter = (next, args) => {
      calls++;
      return next(args);
    };
    const hidden = new Dense(3, { activation: tf.relu });
    const model = transform((x: tf.Tensor) =>
      variableScope(
        "net",
        { customGetter: counting },
        scoped(function* (): Gen<tf.Tensor> {
          const h = yield* hidden.apply(x);
          return yield* dense(h, 2, { name: "out" }); // a fresh object every pass
        }),
      )
    );
    const x = tf.ones([2, 4]);
    const { params } = model.init(x);
    assert.equal(calls, 4);
    const first = await take(model.apply(params, x)); // records
    assert.equal(calls, 8);
    for (let i = 0; i < 3; i++) {
      assertAllClose(await take(model.apply(params, x)), first, RTOL[backend], "replayed output");
    }
    assert.equal(calls, 8, "replays resolve no variables");
    params.dispose();
    x.dispose();
  },
);
