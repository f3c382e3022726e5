// Constraints on TensorFlow.js (TF1 `constraint`, Keras formulas): NonNeg,
// MaxNorm, UnitNorm, MinMaxNorm over any axis (negative axes count from
// the end), user functions, errors, and no leaked tensors.
//
// Every case runs on the cpu, wasm and webgpu backends. References are
// computed by hand in Float64 from the Keras formulas. Tolerance: error
// relative to the largest expected magnitude of 1e-5 on cpu and wasm, 1e-4
// on webgpu (a software adapter with float32 kernels of its own); NonNeg
// and exact projections are compared exactly.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import {
  type Constraint,
  getVariable,
  maxNormConstraint,
  minMaxNormConstraint,
  nonNegConstraint,
  runScopedOrThrow,
  unitNormConstraint,
} from "varscope";
import { applyConstraint } from "../../../lib/interpreter/apply_constraint.ts";
import { backendTest, expectError, RTOL, weights } from "./_backends.ts";

// ---------------------------------------------------------------- helpers

/** Keras `backend.epsilon()`. */
const EPS = 1e-7;

function assertAllClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  rtol: number,
): void {
  assert.equal(actual.length, expected.length, "length");
  const scale = Math.max(0, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      err <= rtol * scale,
      `element ${i}: got ${actual[i]}, expected ${expected[i]} (error ${err} > ${rtol} * ${scale})`,
    );
  }
}

/** The L2 norm of the slice along `axis` through each element (Float64). */
function refNorms(w: readonly number[], shape: readonly number[], axis: number): number[] {
  const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = shape[axis]!;
  const keyOf = (i: number): number => i - (Math.floor(i / stride) % size) * stride;
  const sums = new Map<number, number>();
  w.forEach((x, i) => sums.set(keyOf(i), (sums.get(keyOf(i)) ?? 0) + x * x));
  return w.map((_, i) => Math.sqrt(sums.get(keyOf(i))!));
}

const clip = (x: number, lo: number, hi: number): number =>
  Math.min(Math.max(x, lo), Math.max(lo, hi));

function refMaxNorm(w: number[], shape: number[], axis: number, maxValue: number): number[] {
  const n = refNorms(w, shape, axis);
  return w.map((x, i) => x * (clip(n[i]!, 0, maxValue) / (EPS + n[i]!)));
}

function refUnitNorm(w: number[], shape: number[], axis: number): number[] {
  const n = refNorms(w, shape, axis);
  return w.map((x, i) => x / (EPS + n[i]!));
}

function refMinMaxNorm(
  w: number[],
  shape: number[],
  axis: number,
  o: { minValue: number; maxValue: number; rate: number },
): number[] {
  const n = refNorms(w, shape, axis);
  return w.map((x, i) => {
    const desired = o.rate * clip(n[i]!, o.minValue, o.maxValue) + (1 - o.rate) * n[i]!;
    return x * (desired / (EPS + n[i]!));
  });
}

/** Applies a constraint, checks shape and dtype, reads and disposes the result. */
async function project(
  c: Constraint,
  w: readonly number[],
  shape: readonly number[],
  dtype: "float32" | "int32" = "float32",
): Promise<number[]> {
  const t = tf.tensor(w as number[], shape as number[], dtype);
  try {
    const out = applyConstraint(c, t, "w");
    try {
      assert.notEqual(out, t);
      assert.deepEqual(out.shape, shape);
      assert.equal(out.dtype, dtype);
      return Array.from(await out.data() as ArrayLike<number>);
    } finally {
      out.dispose();
    }
  } finally {
    assert.equal(t.isDisposed, false, "the input was disposed");
    t.dispose();
  }
}

// A 3×4 matrix whose columns have norms above and below 2 and one zero column.
const M = [3, 0.5, 0, -1, -4, 0.25, 0, 1, 0, -0.5, 0, 1];
const M_SHAPE = [3, 4];

// ---------------------------------------------------------------- NonNeg

backendTest(import.meta.url, "NonNeg: w * (w >= 0), exactly, keeping -0", async () => {
  const w = [1.5, -2, 0, -0, 3.25, -1e-30, 7, -7];
  const expected = w.map((x) => x * (x >= 0 ? 1 : 0));
  const got = await project(nonNegConstraint(), w, [2, 4]);
  assert.deepEqual(got, expected);
});

backendTest(import.meta.url, "NonNeg: int32 values stay int32", async () => {
  assert.deepEqual(await project(nonNegConstraint(), [5, -3, 0, 2], [4], "int32"), [5, 0, 0, 2]);
});

backendTest(import.meta.url, "NonNeg: a scalar", async () => {
  assert.deepEqual(await project(nonNegConstraint(), [-2], []), [-0]);
  assert.deepEqual(await project(nonNegConstraint(), [2], []), [2]);
});

backendTest(import.meta.url, "NonNeg: bool values are an InvalidArgument", () => {
  const t = tf.tensor([true], [1], "bool");
  expectError(() => applyConstraint(nonNegConstraint(), t, "flags"), "InvalidArgument", [
    '"flags"',
    "bool",
  ]);
  t.dispose();
});

// ---------------------------------------------------------------- MaxNorm

backendTest(
  import.meta.url,
  "MaxNorm: columns (axis 0) with norms above 2 are rescaled",
  async (b) => {
    const got = await project(maxNormConstraint({ maxValue: 2, axis: 0 }), M, M_SHAPE);
    assertAllClose(got, refMaxNorm(M, M_SHAPE, 0, 2), RTOL[b]);
  },
);

backendTest(
  import.meta.url,
  "MaxNorm: rows by axis 1 and by axis -1 agree with the reference",
  async (b) => {
    const expected = refMaxNorm(M, M_SHAPE, 1, 1.5);
    assertAllClose(
      await project(maxNormConstraint({ maxValue: 1.5, axis: 1 }), M, M_SHAPE),
      expected,
      RTOL[b],
    );
    assertAllClose(
      await project(maxNormConstraint({ maxValue: 1.5, axis: -1 }), M, M_SHAPE),
      expected,
      RTOL[b],
    );
  },
);

backendTest(import.meta.url, "MaxNorm: rank 3, every axis, positive and negative", async (b) => {
  const shape = [2, 3, 4];
  const w = weights(24, 9);
  for (const axis of [0, 1, 2]) {
    const expected = refMaxNorm(w, shape, axis, 1);
    for (const given of [axis, axis - 3]) {
      const got = await project(maxNormConstraint({ maxValue: 1, axis: given }), w, shape);
      assertAllClose(got, expected, RTOL[b]);
    }
  }
});

backendTest(
  import.meta.url,
  "MaxNorm: a default descriptor from getVariable (maxValue 2, axis 0)",
  async (b) => {
    const v =
      runScopedOrThrow(getVariable("w", { shape: M_SHAPE, constraint: maxNormConstraint() }))
        .value;
    assert.ok(v._tag === "Variable" && v.constraint !== null);
    assertAllClose(await project(v.constraint, M, M_SHAPE), refMaxNorm(M, M_SHAPE, 0, 2), RTOL[b]);
  },
);

backendTest(
  import.meta.url,
  "MaxNorm: a negative maxValue is raised to 0, as Keras clip does",
  async () => {
    const got = await project(maxNormConstraint({ maxValue: -1 }), M, M_SHAPE);
    assert.ok(got.every((x) => x === 0), String(got));
  },
);

backendTest(import.meta.url, "MaxNorm: a vector (rank 1) by axis 0 and -1", async (b) => {
  const w = [3, 4];
  const expected = [3 * 2 / (5 + EPS), 4 * 2 / (5 + EPS)];
  assertAllClose(await project(maxNormConstraint({ maxValue: 2 }), w, [2]), expected, RTOL[b]);
  assertAllClose(
    await project(maxNormConstraint({ maxValue: 2, axis: -1 }), w, [2]),
    expected,
    RTOL[b],
  );
});

// ---------------------------------------------------------------- UnitNorm

backendTest(import.meta.url, "UnitNorm: w / (epsilon + norms), axis 0 and -1", async (b) => {
  for (const axis of [0, 1]) {
    const expected = refUnitNorm(M, M_SHAPE, axis);
    assertAllClose(await project(unitNormConstraint({ axis }), M, M_SHAPE), expected, RTOL[b]);
    assertAllClose(
      await project(unitNormConstraint({ axis: axis - 2 }), M, M_SHAPE),
      expected,
      RTOL[b],
    );
  }
});

backendTest(import.meta.url, "UnitNorm: rank 3 by axis -2", async (b) => {
  const shape = [2, 3, 4];
  const w = weights(24, 4);
  assertAllClose(
    await project(unitNormConstraint({ axis: -2 }), w, shape),
    refUnitNorm(w, shape, 1),
    RTOL[b],
  );
});

// ---------------------------------------------------------------- MinMaxNorm

backendTest(import.meta.url, "MinMaxNorm: rate * clip(norms) + (1 - rate) * norms", async (b) => {
  const o = { minValue: 1, maxValue: 2, rate: 0.5 };
  for (const axis of [0, 1, -1, -2]) {
    const resolved = axis < 0 ? axis + 2 : axis;
    const got = await project(minMaxNormConstraint({ ...o, axis }), M, M_SHAPE);
    assertAllClose(got, refMinMaxNorm(M, M_SHAPE, resolved, o), RTOL[b]);
  }
});

backendTest(
  import.meta.url,
  "MinMaxNorm: defaults (0, 1, rate 1) and a maximum below the minimum",
  async (b) => {
    const w = weights(12, 2);
    assertAllClose(
      await project(minMaxNormConstraint(), w, M_SHAPE),
      refMinMaxNorm(w, M_SHAPE, 0, { minValue: 0, maxValue: 1, rate: 1 }),
      RTOL[b],
    );
    const o = { minValue: 1.5, maxValue: 0.5, rate: 0.75 };
    assertAllClose(
      await project(minMaxNormConstraint({ ...o, axis: 1 }), w, M_SHAPE),
      refMinMaxNorm(w, M_SHAPE, 1, o),
      RTOL[b],
    );
  },
);

// ---------------------------------------------------------------- axis and dtype errors

backendTest(
  import.meta.url,
  "an axis out of range for the rank is an InvalidArgument naming variable and axis",
  () => {
    const t = tf.tensor(M, M_SHAPE);
    for (const c of [maxNormConstraint({ axis: 2 }), unitNormConstraint({ axis: -3 })]) {
      const axis = (c as { axis: number }).axis;
      const e = expectError(() => applyConstraint(c, t, "dense/kernel"), "InvalidArgument", [
        '"dense/kernel"',
        `axis ${axis}`,
        "rank 2",
        c._tag,
      ]);
      assert.equal(e.details.axis, axis);
      assert.equal(e.details.name, "dense/kernel");
    }
    expectError(
      () => applyConstraint(minMaxNormConstraint({ axis: 5 }), t, "w"),
      "InvalidArgument",
      ['"w"', "axis 5", "[-2, 2)"],
    );
    t.dispose();
    const s = tf.scalar(3);
    expectError(() => applyConstraint(unitNormConstraint(), s, "bias"), "InvalidArgument", [
      '"bias"',
      "axis 0",
      "rank 0",
    ]);
    s.dispose();
  },
);

backendTest(import.meta.url, "norm constraints need float32 values", () => {
  const t = tf.tensor([1, 2], [2], "int32");
  expectError(() => applyConstraint(maxNormConstraint(), t, "steps"), "InvalidArgument", [
    '"steps"',
    "float32",
    "int32",
  ]);
  t.dispose();
});

backendTest(import.meta.url, "a disposed value is an InvalidArgument", () => {
  const t = tf.tensor([1, 2], [2]);
  t.dispose();
  expectError(() => applyConstraint(nonNegConstraint(), t, "w"), "InvalidArgument", [
    '"w"',
    "disposed",
  ]);
});

// ---------------------------------------------------------------- user functions

backendTest(import.meta.url, "Fn: the function's projection is returned", async () => {
  const clipAt1: Constraint = { _tag: "Fn", fn: (v) => tf.clipByValue(v as tf.Tensor, -1, 1) };
  assert.deepEqual(await project(clipAt1, [-3, 0.5, 2], [3]), [-1, 0.5, 1]);
});

backendTest(
  import.meta.url,
  "Fn: returning its input gives a new tensor; the input stays alive",
  async () => {
    const t = tf.tensor([1, 2], [2]);
    const out = applyConstraint({ _tag: "Fn", fn: (v) => v }, t, "w");
    assert.notEqual(out, t);
    out.dispose();
    assert.equal(t.isDisposed, false);
    assert.deepEqual(Array.from(await t.data()), [1, 2]);
    t.dispose();
  },
);

backendTest(
  import.meta.url,
  "Fn: a wrong shape, dtype or kind is an InvalidArgument naming the variable",
  () => {
    const t = tf.tensor(M, M_SHAPE);
    const e = expectError(
      () => applyConstraint({ _tag: "Fn", fn: (v) => tf.transpose(v as tf.Tensor) }, t, "a/w"),
      "InvalidArgument",
      ['"a/w"', "float32 tensor of shape [4, 3]", "float32 tensor of shape [3, 4]"],
    );
    assert.equal(e.details.name, "a/w");
    expectError(
      () => applyConstraint({ _tag: "Fn", fn: (v) => tf.cast(v as tf.Tensor, "int32") }, t, "a/w"),
      "InvalidArgument",
      ['"a/w"', "int32 tensor of shape [3, 4]"],
    );
    expectError(
      () => applyConstraint({ _tag: "Fn", fn: () => M }, t, "a/w"),
      "InvalidArgument",
      ['"a/w"', "[3, 0.5, 0"],
    );
    expectError(
      () => applyConstraint({ _tag: "Fn", fn: () => undefined }, t, "a/w"),
      "InvalidArgument",
      ['"a/w"', "undefined"],
    );
    expectError(
      () => applyConstraint({ _tag: "Fn", fn: () => Promise.resolve(1) }, t, "a/w"),
      "InvalidArgument",
      ['"a/w"', "Promise"],
    );
    assert.equal(t.isDisposed, false);
    t.dispose();
  },
);

backendTest(
  import.meta.url,
  "Fn: a function that throws is an InvalidArgument with the cause",
  () => {
    const t = tf.tensor([1, 2], [2]);
    const boom = new Error("boom");
    const fn = (v: unknown): never => {
      tf.mul(v as tf.Tensor, 2); // an intermediate, disposed on failure
      throw boom;
    };
    const e = expectError(
      () => applyConstraint({ _tag: "Fn", fn }, t, "layer/w"),
      "InvalidArgument",
      [
        '"layer/w"',
        "threw",
        "boom",
      ],
    );
    assert.equal(e.details.cause, boom);
    t.dispose();
  },
);
