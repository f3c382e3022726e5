// Regularization loss values on TensorFlow.js (TF1 H7, C10, G7): TF1
// contrib l1/l2/l1_l2 regularizers, scale 0 adds no loss, user functions
// and what they may return, errors, and no leaked tensors.
//
// Every case runs on the cpu, wasm and webgpu backends. References are
// computed by hand in Float64 from the formulas. Tolerance: relative error
// 1e-5 on cpu and wasm, 1e-4 on webgpu (a software adapter whose float32
// reductions sum in another order).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import {
  getVariable,
  l1L2Regularizer,
  l1Regularizer,
  l2Regularizer,
  noRegularizer,
  type Regularizer,
  regularizerFn,
  runScopedOrThrow,
  type Variable,
} from "varscope";
import { regularizationLossValue } from "../../../lib/interpreter/regularization_loss.ts";
import { backendTest, expectError, RTOL, weights } from "./_backends.ts";

// ---------------------------------------------------------------- helpers

function assertClose(actual: number | null, expected: number, rtol: number, what = "value"): void {
  assert.ok(actual !== null, `${what}: got no loss, expected ${expected}`);
  const err = Math.abs(actual - expected);
  assert.ok(
    err <= rtol * Math.abs(expected),
    `${what}: got ${actual}, expected ${expected} (relative error ${
      err / Math.abs(expected)
    } > ${rtol})`,
  );
}

/** Reference L1 sum(|w|) and l2_loss sum(w²)/2 in Float64. */
function sumAbs(w: readonly number[]): number {
  let s = 0;
  for (const x of w) s += Math.abs(x);
  return s;
}
function l2Loss(w: readonly number[]): number {
  let s = 0;
  for (const x of w) s += x * x;
  return s / 2;
}

/** Runs the loss and reads it back (disposing it), asserting a float32 scalar. */
async function lossOf(r: Regularizer, value: tf.Tensor, name = "w"): Promise<number | null> {
  const loss = regularizationLossValue(r, value, name);
  if (loss === null) return null;
  try {
    assert.equal(loss.rank, 0);
    assert.equal(loss.dtype, "float32");
    assert.notEqual(loss, value);
    return (await loss.data())[0] as number;
  } finally {
    loss.dispose();
  }
}

/** A variable created under a regularizer, through the public API. */
function regularized(name: string, shape: readonly number[], regularizer: Regularizer): Variable {
  const v = runScopedOrThrow(getVariable(name, { shape, regularizer })).value;
  assert.ok(v._tag === "Variable");
  return v;
}

// ---------------------------------------------------------------- built-in regularizers

backendTest(import.meta.url, "H7: l1_regularizer is scale * sum(|w|)", async (b) => {
  const w = weights(12);
  const t = tf.tensor(w, [3, 4]);
  assertClose(await lossOf(l1Regularizer(0.1), t), 0.1 * sumAbs(w), RTOL[b]);
  assertClose(await lossOf(l1Regularizer(3), t), 3 * sumAbs(w), RTOL[b]);
  t.dispose();
});

backendTest(
  import.meta.url,
  "H7: l2_regularizer is scale * l2_loss(w) = scale * sum(w²) / 2",
  async (b) => {
    const w = weights(12, 7);
    const t = tf.tensor(w, [3, 4]);
    assertClose(await lossOf(l2Regularizer(0.01), t), 0.01 * l2Loss(w), RTOL[b]);
    assertClose(await lossOf(l2Regularizer(1), t), l2Loss(w), RTOL[b]);
    t.dispose();
  },
);

backendTest(import.meta.url, "H7: l1_l2_regularizer is the sum of both", async (b) => {
  const w = weights(24, 3);
  const t = tf.tensor(w, [2, 3, 4]);
  assertClose(
    await lossOf(l1L2Regularizer(0.25, 0.5), t),
    0.25 * sumAbs(w) + 0.5 * l2Loss(w),
    RTOL[b],
  );
  // A zero scale drops that term (TF1 sum_regularizer skips None).
  assertClose(await lossOf(l1L2Regularizer(0, 0.5), t), 0.5 * l2Loss(w), RTOL[b]);
  assertClose(await lossOf(l1L2Regularizer(0.25, 0), t), 0.25 * sumAbs(w), RTOL[b]);
  t.dispose();
});

backendTest(import.meta.url, "H7: a large variable stays within tolerance", async (b) => {
  const w = weights(4096, 11);
  const t = tf.tensor(w, [64, 64]);
  assertClose(await lossOf(l1Regularizer(0.001), t), 0.001 * sumAbs(w), RTOL[b], "l1");
  assertClose(await lossOf(l2Regularizer(0.001), t), 0.001 * l2Loss(w), RTOL[b], "l2");
  t.dispose();
});

backendTest(import.meta.url, "H7: a scalar variable and a variable from getVariable", async (b) => {
  const s = tf.scalar(-1.5);
  assertClose(await lossOf(l1Regularizer(2), s), 3, RTOL[b]);
  assertClose(await lossOf(l2Regularizer(2), s), 2.25, RTOL[b]);
  s.dispose();
  const v = regularized("dense/kernel", [2, 3], l2Regularizer(0.1));
  const t = tf.tensor([1, 2, 3, 4, 5, 6], [...v.shape]);
  assertClose(await lossOf(v.regularizer!, t, v.fullName), 0.1 * 91 / 2, RTOL[b]);
  t.dispose();
});

backendTest(import.meta.url, "H7: int32 weights are read as float32", async (b) => {
  const t = tf.tensor([1, -2, 3], [3], "int32");
  assertClose(await lossOf(l1Regularizer(0.5), t), 3, RTOL[b]);
  assertClose(await lossOf(l2Regularizer(0.5), t), 0.5 * 14 / 2, RTOL[b]);
  t.dispose();
});

backendTest(import.meta.url, "H7: the input tensor is not disposed", async () => {
  const t = tf.tensor([1, 2], [2]);
  await lossOf(l2Regularizer(1), t);
  assert.equal(t.isDisposed, false);
  assert.deepEqual(Array.from(await t.data()), [1, 2]);
  t.dispose();
});

backendTest(import.meta.url, "H7: scale 0 adds no loss (null), as addsLoss says", () => {
  const t = tf.tensor([1, 2], [2]);
  assert.equal(regularizationLossValue(l1Regularizer(0), t, "w"), null);
  assert.equal(regularizationLossValue(l2Regularizer(0), t, "w"), null);
  assert.equal(regularizationLossValue(l1L2Regularizer(0, 0), t, "w"), null);
  t.dispose();
});

backendTest(import.meta.url, "E6: no_regularizer must not be computed: InvalidRegularizer", () => {
  const t = tf.tensor([1, 2], [2]);
  const e = expectError(
    () => regularizationLossValue(noRegularizer(), t, "scope/w"),
    "InvalidRegularizer",
    ['"scope/w"', "no_regularizer"],
  );
  assert.equal(e.details.name, "scope/w");
  t.dispose();
});

backendTest(
  import.meta.url,
  "H7: bool and string weights are rejected by built-in regularizers",
  () => {
    const t = tf.tensor([true, false], [2], "bool");
    expectError(() => regularizationLossValue(l2Regularizer(1), t, "flags"), "InvalidRegularizer", [
      '"flags"',
      "bool",
    ]);
    t.dispose();
    const s = tf.tensor(["a"], [1], "string");
    expectError(() => regularizationLossValue(l1Regularizer(1), s, "names"), "InvalidRegularizer", [
      '"names"',
      "string",
    ]);
    s.dispose();
  },
);

backendTest(import.meta.url, "a disposed value is an InvalidArgument", () => {
  const t = tf.tensor([1, 2], [2]);
  t.dispose();
  expectError(() => regularizationLossValue(l2Regularizer(1), t, "w"), "InvalidArgument", [
    '"w"',
    "disposed",
  ]);
});

// ---------------------------------------------------------------- user functions

backendTest(
  import.meta.url,
  "H7: a function returning a scalar tensor gives that loss",
  async (b) => {
    const w = weights(6, 5);
    const t = tf.tensor(w, [2, 3]);
    const cubes = regularizerFn((v) => tf.sum(tf.pow(v as tf.Tensor, 3)), { name: "cubes" });
    let expected = 0;
    for (const x of w) expected += x * x * x;
    assertClose(await lossOf(cubes, t), expected, RTOL[b]);
    t.dispose();
  },
);

backendTest(
  import.meta.url,
  "H7: a function returning a number gives a float32 scalar",
  async () => {
    const t = tf.tensor([1, 2], [2]);
    assert.equal(await lossOf(regularizerFn(() => 0.5), t), 0.5);
    assert.equal(await lossOf(regularizerFn(() => 0), t), 0);
    t.dispose();
  },
);

backendTest(import.meta.url, "H7: a function returning null or undefined adds no loss", () => {
  const t = tf.tensor([1, 2], [2]);
  assert.equal(regularizationLossValue(regularizerFn(() => null), t, "w"), null);
  assert.equal(regularizationLossValue(regularizerFn(() => undefined), t, "w"), null);
  // Tensors it made before returning nothing are disposed (checked by backendTest).
  const wasteful = regularizerFn((v) => {
    tf.square(v as tf.Tensor);
    return null;
  });
  assert.equal(regularizationLossValue(wasteful, t, "w"), null);
  t.dispose();
});

backendTest(import.meta.url, "H7: an int32 scalar from a function becomes float32", async () => {
  const t = tf.tensor([1, 2], [2], "int32");
  assert.equal(await lossOf(regularizerFn((v) => tf.sum(v as tf.Tensor)), t), 3);
  t.dispose();
});

backendTest(
  import.meta.url,
  "H7: a function returning its (scalar) input gives a new tensor",
  async () => {
    const s = tf.scalar(2.5);
    const loss = regularizationLossValue(regularizerFn((v) => v), s, "w")!;
    assert.notEqual(loss, s);
    loss.dispose();
    assert.equal(s.isDisposed, false);
    assert.equal((await s.data())[0], 2.5);
    s.dispose();
  },
);

backendTest(
  import.meta.url,
  "H7: a function returning a non-scalar tensor: InvalidRegularizer",
  () => {
    const t = tf.tensor(weights(12), [3, 4]);
    const e = expectError(
      () => regularizationLossValue(regularizerFn((v) => tf.square(v as tf.Tensor)), t, "a/w"),
      "InvalidRegularizer",
      ['"a/w"', "float32 tensor of shape [3, 4]", "scalar"],
    );
    assert.equal(e.details.name, "a/w");
    // Returning its non-scalar input: the input is not disposed.
    expectError(
      () => regularizationLossValue(regularizerFn((v) => v), t, "a/w"),
      "InvalidRegularizer",
      ['"a/w"', "shape [3, 4]"],
    );
    assert.equal(t.isDisposed, false);
    t.dispose();
  },
);

backendTest(
  import.meta.url,
  "H7: bad return values are InvalidRegularizer naming what came back",
  () => {
    const t = tf.tensor([1, 2], [2]);
    const cases: readonly [unknown, string][] = [
      ["nope", '"nope"'],
      [[1, 2], "[1, 2]"],
      [{ loss: 1 }, "loss"],
      [true, "true"],
      [Promise.resolve(1), "Promise"],
    ];
    for (const [returned, phrase] of cases) {
      expectError(
        () => regularizationLossValue(regularizerFn(() => returned, { name: "bad" }), t, "v"),
        "InvalidRegularizer",
        ['"v"', '"bad"', phrase],
      );
    }
    expectError(
      () => regularizationLossValue(regularizerFn(() => tf.scalar(true, "bool")), t, "v"),
      "InvalidRegularizer",
      ['"v"', "bool tensor of shape []"],
    );
    const gone = tf.scalar(1);
    gone.dispose();
    expectError(
      () => regularizationLossValue(regularizerFn(() => gone), t, "v"),
      "InvalidRegularizer",
      ['"v"', "disposed"],
    );
    t.dispose();
  },
);

backendTest(
  import.meta.url,
  "H7: a function that throws: InvalidRegularizer with the cause",
  () => {
    const t = tf.tensor([1, 2], [2]);
    const boom = new Error("boom");
    const e = expectError(
      () =>
        regularizationLossValue(
          regularizerFn(
            (v) => {
              tf.mul(v as tf.Tensor, 2); // an intermediate, disposed on failure
              throw boom;
            },
            { name: "exploding" },
          ),
          t,
          "layer/w",
        ),
      "InvalidRegularizer",
      ['"layer/w"', '"exploding"', "threw", "boom"],
    );
    assert.equal(e.details.cause, boom);
    t.dispose();
  },
);
