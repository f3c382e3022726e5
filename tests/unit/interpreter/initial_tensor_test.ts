// Initial tensors on TensorFlow.js (decision 3; TF1 E9, D10, G6): each
// initializer kind gives exactly materialize's values, with the variable's
// shape and TensorFlow.js dtype; shards are slices of the full variable;
// dtypes TensorFlow.js cannot hold are UnsupportedDType errors; no leaks.
//
// Every case runs on the cpu, wasm and webgpu backends. Values are uploaded,
// not computed, so every comparison is exact (tolerance 0) on all three,
// webgpu included; -0 and 0 are told apart.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import {
  constantInitializer,
  customInitializer,
  type DType,
  DTYPES,
  glorotNormalInitializer,
  glorotUniformInitializer,
  heNormalInitializer,
  heUniformInitializer,
  identityInitializer,
  type InitializerLike,
  lecunNormalInitializer,
  lecunUniformInitializer,
  materializeOrThrow,
  onesInitializer,
  orthogonalInitializer,
  randomNormalInitializer,
  randomUniformInitializer,
  tensorValue,
  truncatedNormalInitializer,
  type Variable,
  varianceScalingInitializer,
  zerosInitializer,
} from "varscope";
import { initialTensor, toTfDType } from "../../../lib/interpreter/initial_tensor.ts";
import { backendTest, expectError } from "./_backends.ts";
import { partitioned, variable } from "../_variables.ts";

// ---------------------------------------------------------------- helpers

/** Reads a tensor (disposing it) after checking its shape and dtype. */
async function read(
  t: tf.Tensor,
  shape: readonly number[],
  dtype: tf.DataType,
): Promise<unknown[]> {
  try {
    assert.deepEqual(t.shape, shape);
    assert.equal(t.dtype, dtype);
    return Array.from(await t.data() as ArrayLike<unknown>);
  } finally {
    t.dispose();
  }
}

/** initialTensor equals materializeOrThrow exactly (same options). */
async function assertMatchesMaterialize(
  v: Variable,
  dtype: tf.DataType,
  options: { readonly seed?: number } = {},
): Promise<unknown[]> {
  const expected = Array.from(materializeOrThrow(v, options).values as ArrayLike<unknown>);
  const got = await read(initialTensor(v, options), v.shape, dtype);
  assert.deepEqual(got, expected, `values of ${v.fullName}`);
  return got;
}

// ---------------------------------------------------------------- every initializer kind

const FLOAT_INITIALIZERS: readonly [string, InitializerLike][] = [
  ["zeros", zerosInitializer()],
  ["ones", onesInitializer()],
  ["constant scalar", constantInitializer(-0.25)],
  ["constant list (last repeats)", constantInitializer([1, 2, 3])],
  ["random normal", randomNormalInitializer({ mean: 1, stddev: 0.5 })],
  ["random normal, seeded", randomNormalInitializer({ seed: 42 })],
  ["truncated normal", truncatedNormalInitializer({ stddev: 2 })],
  ["random uniform", randomUniformInitializer({ minval: -3, maxval: 3 })],
  ["variance scaling", varianceScalingInitializer({ scale: 2, mode: "fan_out" })],
  ["glorot uniform", glorotUniformInitializer()],
  ["glorot normal", glorotNormalInitializer()],
  ["he normal", heNormalInitializer()],
  ["he uniform", heUniformInitializer()],
  ["lecun normal", lecunNormalInitializer()],
  ["lecun uniform", lecunUniformInitializer()],
  ["orthogonal", orthogonalInitializer({ gain: 2 })],
  ["identity", identityInitializer({ gain: 3 })],
  [
    "custom",
    customInitializer((shape) => Array.from({ length: shape[0]! * shape[1]! }, (_, i) => -i)),
  ],
  [
    "value",
    tensorValue(Array.from({ length: 20 }, (_, i) => i / 8 - 1), {
      dtype: "float32",
      shape: [4, 5],
    }),
  ],
];

for (const [label, init] of FLOAT_INITIALIZERS) {
  backendTest(
    import.meta.url,
    `E9: ${label} gives materialize's float32 values exactly`,
    async () => {
      // A constant value brings its own shape (TF1 forbids giving one).
      const isValue = (init as { _tag?: unknown })._tag === "Value";
      const v = variable("layer/w", init, isValue ? {} : { shape: [4, 5] });
      assert.deepEqual(v.shape, [4, 5]);
      const got = await assertMatchesMaterialize(v, "float32");
      assert.equal(got.length, 20);
    },
  );
}

backendTest(
  import.meta.url,
  "E9: the global seed changes random values, as in materialize",
  async () => {
    const v = variable("w", randomNormalInitializer(), { shape: [3, 3] });
    const a = await assertMatchesMaterialize(v, "float32");
    const b = await assertMatchesMaterialize(v, "float32", { seed: 7 });
    assert.notDeepEqual(a, b);
  },
);

backendTest(
  import.meta.url,
  "D5: int32 variables: ones, random uniform with maxval, a value",
  async () => {
    await assertMatchesMaterialize(
      variable("ones", onesInitializer(), { shape: [3], dtype: "int32" }),
      "int32",
    );
    const u = variable("u", randomUniformInitializer({ minval: -5, maxval: 5 }), {
      shape: [4, 4],
      dtype: "int32",
    });
    const got = await assertMatchesMaterialize(u, "int32");
    assert.ok(got.every((x) => Number.isInteger(x) && (x as number) >= -5 && (x as number) < 5));
    await assertMatchesMaterialize(
      variable("i", tensorValue([5, -6], { dtype: "int32" }), { dtype: "int32" }),
      "int32",
    );
  },
);

backendTest(import.meta.url, "D5: bool and string variables", async () => {
  const b = variable("flags", constantInitializer([true, false]), { shape: [3], dtype: "bool" });
  assert.deepEqual(await assertMatchesMaterialize(b, "bool"), [1, 0, 0]);
  const s = variable("names", constantInitializer(["a", "b"]), { shape: [2, 2], dtype: "string" });
  assert.deepEqual(await assertMatchesMaterialize(s, "string"), ["a", "b", "b", "b"]);
  const z = variable("empty", zerosInitializer(), { shape: [2], dtype: "string" });
  assert.deepEqual(await assertMatchesMaterialize(z, "string"), ["", ""]);
});

backendTest(import.meta.url, "D5: a scalar and an empty variable keep their shapes", async () => {
  assert.deepEqual(
    await assertMatchesMaterialize(
      variable("s", constantInitializer(2.5), { shape: [] }),
      "float32",
    ),
    [2.5],
  );
  assert.deepEqual(
    await assertMatchesMaterialize(variable("e", onesInitializer(), { shape: [0, 3] }), "float32"),
    [],
  );
});

backendTest(import.meta.url, "E9: -0 survives the upload", async () => {
  const v = variable("negzero", constantInitializer(-0), { shape: [2] });
  const got = await assertMatchesMaterialize(v, "float32");
  assert.ok(Object.is(got[0], -0));
});

backendTest(import.meta.url, "the tensor is new on each call and owned by the caller", async () => {
  const v = variable("w", randomUniformInitializer(), { shape: [2, 2] });
  const a = initialTensor(v);
  const b = initialTensor(v);
  assert.notEqual(a, b);
  a.dispose();
  assert.deepEqual(
    Array.from(await b.data()),
    Array.from(materializeOrThrow(v).values as Float32Array),
  );
  b.dispose();
});

// ---------------------------------------------------------------- shards

/** Row-major slice of a full value. */
function slice(
  full: readonly unknown[],
  fullShape: readonly number[],
  offset: readonly number[],
  shape: readonly number[],
): unknown[] {
  const out: unknown[] = [];
  const strides = fullShape.map((_, d) => fullShape.slice(d + 1).reduce((a, b) => a * b, 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = shape.map(() => 0);
  for (let k = 0; k < n; k++) {
    out.push(full[idx.reduce((f, x, d) => f + (x + offset[d]!) * strides[d]!, 0)]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

const SHARDED: readonly [string, InitializerLike][] = [
  ["random normal", randomNormalInitializer()],
  ["truncated normal", truncatedNormalInitializer({ seed: 3 })],
  ["random uniform", randomUniformInitializer({ minval: -1, maxval: 1 })],
  ["glorot uniform (fans of the full shape)", glorotUniformInitializer()],
  ["he normal (fans of the full shape)", heNormalInitializer()],
  ["orthogonal", orthogonalInitializer()],
  ["identity", identityInitializer()],
  ["ones", onesInitializer()],
];

for (const [label, init] of SHARDED) {
  for (const axis of [0, 1]) {
    backendTest(
      import.meta.url,
      `G6: ${label} shards (axis ${axis}) are slices of the full variable`,
      async () => {
        const fullShape = [6, 4];
        const full = variable("emb", init, { shape: fullShape });
        const fullValues = await read(initialTensor(full), fullShape, "float32");
        const pv = partitioned("emb", fullShape, init, axis === 0 ? 3 : 2, axis);
        assert.ok(pv.parts.length > 1);
        for (const part of pv.parts) {
          const info = part.saveSliceInfo;
          assert.ok(info !== null && info.fullName === "emb");
          const got = await assertMatchesMaterialize(part, "float32");
          assert.deepEqual(
            got,
            slice(fullValues, fullShape, info.varOffset, part.shape),
            part.fullName,
          );
        }
      },
    );
  }
}

// ---------------------------------------------------------------- dtypes

const UNSUPPORTED: readonly DType[] = DTYPES.filter(
  (d) => !["float32", "int32", "bool", "string"].includes(d),
);

backendTest(import.meta.url, "toTfDType: float32, int32, bool and string map to themselves", () => {
  for (const d of ["float32", "int32", "bool", "string"] as const) {
    assert.equal(toTfDType(d, "v"), d);
  }
  assert.equal(UNSUPPORTED.length, 12);
  for (const d of UNSUPPORTED) {
    const e = expectError(() => toTfDType(d, "scope/v"), "UnsupportedDType", [
      '"scope/v"',
      d,
      "float32, int32, bool, string",
    ]);
    assert.equal(e.details.dtype, d);
  }
});

for (const dtype of UNSUPPORTED) {
  backendTest(import.meta.url, `a ${dtype} variable is an UnsupportedDType error naming it`, () => {
    const v = variable("scope/w", zerosInitializer(), { shape: [2], dtype });
    const e = expectError(() => initialTensor(v), "UnsupportedDType", [
      '"scope/w"',
      `dtype ${dtype}`,
      "TensorFlow.js",
      "float32, int32, bool, string",
    ]);
    assert.equal(e.details.name, "scope/w");
    assert.deepEqual(e.details.supported, ["float32", "int32", "bool", "string"]);
  });
}

backendTest(import.meta.url, "UnsupportedDType comes before initializer errors", () => {
  const v = variable("w", zerosInitializer(), { shape: [3], dtype: "float64" });
  expectError(
    () => initialTensor({ ...v, initializer: orthogonalInitializer() }),
    "UnsupportedDType",
    [
      '"w"',
      "float64",
    ],
  );
});

// ---------------------------------------------------------------- other errors

backendTest(
  import.meta.url,
  "materialize's errors come through: InvalidInitializer, InvalidArgument",
  () => {
    const v = variable("w", zerosInitializer(), { shape: [3] });
    expectError(
      () => initialTensor({ ...v, initializer: orthogonalInitializer() }),
      "InvalidInitializer",
      [
        '"w"',
        "rank 2",
      ],
    );
    expectError(() => initialTensor(v, { seed: 0.5 }), "InvalidArgument", ["seed"]);
    expectError(() => initialTensor({ shape: [1] } as unknown as Variable), "InvalidArgument", [
      "expected a Variable",
    ]);
    const throwing = customInitializer(() => {
      throw new Error("nope");
    });
    expectError(() => initialTensor({ ...v, initializer: throwing }), "InvalidInitializer", [
      "nope",
    ]);
  },
);
