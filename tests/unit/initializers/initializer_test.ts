// Initializer descriptors and the normalisation of `initializer` arguments
// (TF1 D5, D7, D9, D12 and the constructors' TF1 defaults).
import * as assert from "node:assert/strict";
import {
  constantInitializer,
  customInitializer,
  getVariable,
  glorotNormalInitializer,
  glorotUniformInitializer,
  heNormalInitializer,
  heUniformInitializer,
  identityInitializer,
  type Initializer,
  isInitializer,
  lecunNormalInitializer,
  lecunUniformInitializer,
  onesInitializer,
  orthogonalInitializer,
  randomNormalInitializer,
  randomUniformInitializer,
  ScopeError,
  tensorValue,
  truncatedNormalInitializer,
  varianceScalingInitializer,
  zerosInitializer,
} from "varscope";
import { INITIALIZER_FACTORY } from "../../../lib/initializers/initializer.ts";
import {
  normalizeInitializer,
  toValue,
  validateInitializer,
} from "../../../lib/initializers/value.ts";
import { fails, left, ok, right, single } from "../core/_helpers.ts";

Deno.test("constructors have TF1's defaults", () => {
  assert.deepEqual(zerosInitializer(), { _tag: "Zeros" });
  assert.deepEqual(onesInitializer(), { _tag: "Ones" });
  assert.deepEqual(constantInitializer(), { _tag: "Constant", value: 0, verifyShape: false });
  assert.deepEqual(constantInitializer([1, 2], { verifyShape: true }), {
    _tag: "Constant",
    value: [1, 2],
    verifyShape: true,
  });
  assert.deepEqual(randomNormalInitializer(), {
    _tag: "RandomNormal",
    mean: 0,
    stddev: 1,
    seed: null,
  });
  assert.deepEqual(truncatedNormalInitializer(), {
    _tag: "TruncatedNormal",
    mean: 0,
    stddev: 1,
    seed: null,
  });
  assert.deepEqual(randomUniformInitializer(), {
    _tag: "RandomUniform",
    minval: 0,
    maxval: null,
    seed: null,
  });
  assert.deepEqual(orthogonalInitializer(), { _tag: "Orthogonal", gain: 1, seed: null });
  assert.deepEqual(identityInitializer(), { _tag: "Identity", gain: 1 });
});

Deno.test("variance-scaling family follows TF1 and Keras definitions (TF1 E8, E9)", () => {
  const vs = (
    scale: number,
    mode: string,
    distribution: string,
    kind: string,
  ): Initializer => ({
    _tag: "VarianceScaling",
    scale,
    mode,
    distribution,
    seed: null,
    kind,
  } as Initializer);
  assert.deepEqual(
    varianceScalingInitializer(),
    vs(1, "fan_in", "truncated_normal", "variance_scaling"),
  );
  assert.deepEqual(glorotUniformInitializer(), vs(1, "fan_avg", "uniform", "glorot_uniform"));
  assert.deepEqual(
    glorotNormalInitializer(),
    vs(1, "fan_avg", "truncated_normal", "glorot_normal"),
  );
  assert.deepEqual(heNormalInitializer(), vs(2, "fan_in", "truncated_normal", "he_normal"));
  assert.deepEqual(heUniformInitializer(), vs(2, "fan_in", "uniform", "he_uniform"));
  assert.deepEqual(lecunNormalInitializer(), vs(1, "fan_in", "truncated_normal", "lecun_normal"));
  assert.deepEqual(lecunUniformInitializer(), vs(1, "fan_in", "uniform", "lecun_uniform"));
  assert.deepEqual(glorotUniformInitializer({ seed: 7 }), {
    ...vs(1, "fan_avg", "uniform", "glorot_uniform"),
    seed: 7,
  });
  const opts = varianceScalingInitializer({
    scale: 2,
    mode: "fan_out",
    distribution: "normal",
    seed: 3,
  });
  assert.deepEqual(opts, { ...vs(2, "fan_out", "normal", "variance_scaling"), seed: 3 });
});

Deno.test("options override defaults", () => {
  assert.deepEqual(randomNormalInitializer({ mean: 1, stddev: 0.5, seed: 4 }), {
    _tag: "RandomNormal",
    mean: 1,
    stddev: 0.5,
    seed: 4,
  });
  assert.deepEqual(randomUniformInitializer({ minval: -1, maxval: 2, seed: 1 }), {
    _tag: "RandomUniform",
    minval: -1,
    maxval: 2,
    seed: 1,
  });
  assert.deepEqual(orthogonalInitializer({ gain: 2, seed: 5 }), {
    _tag: "Orthogonal",
    gain: 2,
    seed: 5,
  });
  assert.deepEqual(identityInitializer({ gain: 3 }), { _tag: "Identity", gain: 3 });
});

Deno.test("customInitializer wraps a function with a name", () => {
  function myInit(): Float32Array {
    return new Float32Array(1);
  }
  const named = customInitializer(myInit);
  assert.equal(named._tag, "Custom");
  assert.equal(named._tag === "Custom" && named.name, "myInit");
  assert.equal(named._tag === "Custom" && named.fn, myInit);
  const anon = customInitializer((s) => s, { name: "shapes" });
  assert.equal(anon._tag === "Custom" && anon.name, "shapes");
  const unnamed = customInitializer([(s: readonly number[]) => s][0]!);
  assert.equal(unnamed._tag === "Custom" && unnamed.name, "custom");
});

Deno.test("isInitializer recognises descriptors only", () => {
  assert.equal(isInitializer(zerosInitializer()), true);
  assert.equal(isInitializer(right(toValue(1, "x"))), true);
  assert.equal(isInitializer({ _tag: "Value", values: [], shape: [0], dtype: null }), true);
  for (const x of [null, undefined, 1, "Zeros", { _tag: "Nope" }, [], () => 0]) {
    assert.equal(isInitializer(x), false, String(x));
  }
});

Deno.test("a constructor passed uncalled is called with no arguments (TF1 D9)", () => {
  const ctors = [
    zerosInitializer,
    onesInitializer,
    constantInitializer,
    randomNormalInitializer,
    truncatedNormalInitializer,
    randomUniformInitializer,
    varianceScalingInitializer,
    glorotUniformInitializer,
    glorotNormalInitializer,
    heNormalInitializer,
    heUniformInitializer,
    lecunNormalInitializer,
    lecunUniformInitializer,
    orthogonalInitializer,
    identityInitializer,
  ] as const;
  for (const ctor of ctors) {
    assert.equal((ctor as unknown as Record<symbol, unknown>)[INITIALIZER_FACTORY], true);
    assert.deepEqual(right(normalizeInitializer(ctor, "initializer")), ctor());
  }
  const v = single(ok(getVariable("v", { shape: [2], initializer: onesInitializer })).value);
  assert.deepEqual(v.initializer, { _tag: "Ones" });
});

Deno.test("a branded constructor returning garbage is rejected", () => {
  const fake = (): unknown => ({ not: "an initializer" });
  Object.defineProperty(fake, INITIALIZER_FACTORY, { value: true });
  const e = left(normalizeInitializer(fake, "initializer"));
  assert.equal(e.tag, "InvalidInitializer");
  assert.match(e.message, /constructor/);
});

Deno.test("a plain function becomes a Custom initializer (TF1 callable initializer)", () => {
  function ramp(shape: readonly number[]): number[] {
    return shape.map((_, i) => i);
  }
  assert.deepEqual(right(normalizeInitializer(ramp, "initializer")), {
    _tag: "Custom",
    fn: ramp,
    name: "ramp",
  });
  const anon = right(normalizeInitializer((() => 1) as never, "initializer"));
  assert.equal(anon?._tag, "Custom");
});

Deno.test("a dict initializer is rejected (TF1 D12)", () => {
  for (const dict of [{ a: 1 }, {}, { _tag: "Nope" }, new Map()]) {
    const e = left(normalizeInitializer(dict, "initializer"));
    assert.equal(e.tag, "InvalidInitializer");
    assert.match(e.message, /initializer/);
  }
  fails(
    getVariable("v", { shape: [1], initializer: { a: 1 } as never }),
    "InvalidInitializer",
    ["dict"],
  );
});

Deno.test("null and undefined mean no initializer", () => {
  assert.equal(right(normalizeInitializer(null, "initializer")), null);
  assert.equal(right(normalizeInitializer(undefined, "initializer")), null);
});

Deno.test("scalar and nested-array values become Value descriptors (TF1 D5a)", () => {
  assert.deepEqual(right(toValue(3, "v")), { _tag: "Value", values: [3], shape: [], dtype: null });
  assert.deepEqual(right(toValue(true, "v")), {
    _tag: "Value",
    values: [true],
    shape: [],
    dtype: "bool",
  });
  assert.deepEqual(right(toValue("s", "v")), {
    _tag: "Value",
    values: ["s"],
    shape: [],
    dtype: "string",
  });
  assert.deepEqual(right(toValue([[1, 2], [3, 4], [5, 6]], "v")), {
    _tag: "Value",
    values: [1, 2, 3, 4, 5, 6],
    shape: [3, 2],
    dtype: null,
  });
  assert.deepEqual(right(toValue([], "v")), { _tag: "Value", values: [], shape: [0], dtype: null });
  assert.deepEqual(right(toValue([[], []], "v")), {
    _tag: "Value",
    values: [],
    shape: [2, 0],
    dtype: null,
  });
  assert.deepEqual(right(toValue([[true], [false]], "v")).dtype, "bool");
  // The variable takes the value's shape and dtype.
  const v = single(ok(getVariable("v", { initializer: [[true, false]] })).value);
  assert.deepEqual(v.shape, [1, 2]);
  assert.equal(v.dtype, "bool");
  const n = single(ok(getVariable("n", { initializer: [1, 2, 3] })).value);
  assert.equal(n.dtype, "float32");
  assert.deepEqual(n.shape, [3]);
});

Deno.test("typed arrays become values of their element dtype (TF1 D7)", () => {
  const cases: ReadonlyArray<readonly [ArrayBufferView, string]> = [
    [new Float32Array([1, 2]), "float32"],
    [new Float64Array([1, 2]), "float64"],
    [new Int8Array([1, 2]), "int8"],
    [new Int16Array([1, 2]), "int16"],
    [new Int32Array([1, 2]), "int32"],
    [new Uint8Array([1, 2]), "uint8"],
    [new Uint8ClampedArray([1, 2]), "uint8"],
    [new Uint16Array([1, 2]), "uint16"],
    [new Uint32Array([1, 2]), "uint32"],
  ];
  for (const [array, dtype] of cases) {
    assert.deepEqual(
      right(normalizeInitializer(array, "initializer")),
      { _tag: "Value", values: [1, 2], shape: [2], dtype },
      dtype,
    );
  }
  // Without an explicit dtype the variable takes the value's (D7).
  const v = single(ok(getVariable("v", { initializer: new Int32Array([1, 2, 3]) })).value);
  assert.equal(v.dtype, "int32");
  assert.deepEqual(v.shape, [3]);
  fails(
    getVariable("w", { initializer: new Int32Array([1]), dtype: "float32" }),
    "InvalidInitializer",
    ["int32", "float32", "don't match"],
  );
  // Unsupported typed arrays and DataViews are rejected.
  for (const bad of [new BigInt64Array(2), new DataView(new ArrayBuffer(4))]) {
    const e = left(normalizeInitializer(bad, "initializer"));
    assert.equal(e.tag, "InvalidInitializer");
    assert.match(e.message, /typed array/);
  }
});

Deno.test("ragged and mixed nested arrays are rejected", () => {
  const bad: ReadonlyArray<readonly [unknown, RegExp]> = [
    [[[1], [2, 3]], /rectangular/],
    [[[1, 2], 3], /rectangular/],
    [[1, [2]], /element/],
    [[[1, 2], [3]], /rectangular/],
    [[1, true], /mix/],
    [["a", 1], /mix/],
    [[{}], /element/],
    [[null], /element/],
    [[undefined], /element/],
    [Symbol("x"), /expected/],
    [10n, /expected/],
  ];
  for (const [value, re] of bad) {
    const e = left(toValue(value, "initializer"));
    assert.equal(e.tag, "InvalidInitializer");
    assert.match(e.message, re);
    assert.match(e.message, /initializer/);
    assert.equal(e.details.argument, "initializer");
  }
  fails(getVariable("v", { initializer: [[1], [2, 3]] }), "InvalidInitializer", ["rectangular"]);
});

Deno.test("tensorValue gives a value an explicit dtype and shape", () => {
  assert.deepEqual(tensorValue([[1, 2], [3, 4]], { dtype: "int32" }), {
    _tag: "Value",
    values: [1, 2, 3, 4],
    shape: [2, 2],
    dtype: "int32",
  });
  assert.deepEqual(tensorValue([1, 2, 3, 4], { dtype: "float64", shape: [2, 2] }), {
    _tag: "Value",
    values: [1, 2, 3, 4],
    shape: [2, 2],
    dtype: "float64",
  });
  assert.deepEqual(tensorValue(5, { dtype: "int64" }), {
    _tag: "Value",
    values: [5],
    shape: [],
    dtype: "int64",
  });
  // A ref dtype is reduced to its base dtype (TF1 D11).
  assert.deepEqual(tensorValue(1, { dtype: "float32_ref" as never }), {
    _tag: "Value",
    values: [1],
    shape: [],
    dtype: "float32",
  });
  const throwsTagged = (f: () => unknown, tag: string, re: RegExp): void => {
    assert.throws(
      f,
      (e: unknown) => e instanceof ScopeError && e.tag === tag && re.test(e.message),
    );
  };
  throwsTagged(
    () => tensorValue([1, 2, 3], { dtype: "int32", shape: [2, 2] }),
    "InvalidInitializer",
    /shape/,
  );
  throwsTagged(() => tensorValue([1], { dtype: "int" as never }), "InvalidArgument", /dtype/);
  throwsTagged(
    () => tensorValue([[1], [2, 3]], { dtype: "int32" }),
    "InvalidInitializer",
    /values/,
  );
  throwsTagged(
    () => tensorValue([1, 2], { dtype: "int32", shape: [null as never, 2] }),
    "InvalidInitializer",
    /shape/,
  );
});

Deno.test("descriptors with invalid fields are rejected naming the field", () => {
  const cases: ReadonlyArray<readonly [unknown, string]> = [
    [{ _tag: "RandomNormal", mean: Number.NaN, stddev: 1, seed: null }, "mean"],
    [{ _tag: "RandomNormal", mean: 0, stddev: -1, seed: null }, "stddev"],
    [{ _tag: "TruncatedNormal", mean: 0, stddev: "1", seed: null }, "stddev"],
    [{ _tag: "TruncatedNormal", mean: 0, stddev: 1, seed: 1.5 }, "seed"],
    [{ _tag: "RandomUniform", minval: Infinity, maxval: null, seed: null }, "minval"],
    [{ _tag: "RandomUniform", minval: 1, maxval: 0, seed: null }, "maxval"],
    [{ _tag: "RandomUniform", minval: 0, maxval: 1, seed: "s" }, "seed"],
    [varianceScalingInitializer({ scale: 0 }), "scale"],
    [varianceScalingInitializer({ scale: -2 }), "scale"],
    [varianceScalingInitializer({ mode: "fan_x" as never }), "mode"],
    [varianceScalingInitializer({ distribution: "cauchy" as never }), "distribution"],
    [varianceScalingInitializer({ seed: 0.5 }), "seed"],
    [{ _tag: "Orthogonal", gain: Number.NaN, seed: null }, "gain"],
    [{ _tag: "Orthogonal", gain: 1, seed: 1.25 }, "seed"],
    [{ _tag: "Identity", gain: "2" }, "gain"],
    [{ _tag: "Custom", fn: 5, name: "x" }, "fn"],
    [{ _tag: "Constant", value: 1, verifyShape: "no" }, "verifyShape"],
    [{ _tag: "Value", values: "abc", shape: [3], dtype: null }, "values"],
    [{ _tag: "Value", values: [1, 2], shape: [3], dtype: null }, "shape"],
    [{ _tag: "Value", values: [1, 2], shape: [null, 2], dtype: null }, "shape"],
    [{ _tag: "Value", values: [1], shape: [1], dtype: "float" }, "dtype"],
  ];
  for (const [descriptor, field] of cases) {
    const e = left(normalizeInitializer(descriptor, "initializer"));
    assert.equal(e.tag, "InvalidInitializer", `${field}: ${e.message}`);
    assert.match(e.message, new RegExp(`"${field}"`), e.message);
    assert.equal(e.details.field, field);
    // validateInitializer gives the same answer, and getVariable reports it.
    assert.equal(left(validateInitializer(descriptor as Initializer, "initializer")).tag, e.tag);
    fails(
      getVariable("v", { shape: [1], initializer: descriptor as Initializer }),
      "InvalidInitializer",
      [field],
    );
  }
  // A Constant with a ragged value names the value problem.
  const ragged = left(
    normalizeInitializer({ _tag: "Constant", value: [[1], [2, 3]], verifyShape: false }, "init"),
  );
  assert.equal(ragged.tag, "InvalidInitializer");
  assert.match(ragged.message, /rectangular/);
});

Deno.test("valid descriptors pass validation unchanged", () => {
  const good: Initializer[] = [
    zerosInitializer(),
    onesInitializer(),
    constantInitializer([[1, 2]]),
    randomNormalInitializer({ stddev: 0 }),
    truncatedNormalInitializer({ seed: 42 }),
    randomUniformInitializer({ minval: 1, maxval: 1 }),
    glorotUniformInitializer(),
    orthogonalInitializer({ gain: -1 }),
    identityInitializer({ gain: 0 }),
    customInitializer(() => 0),
    tensorValue([1, 2], { dtype: "int32" }),
  ];
  for (const init of good) {
    assert.equal(right(validateInitializer(init, "initializer")), init);
    assert.equal(right(normalizeInitializer(init, "initializer")), init);
  }
});

Deno.test("initializers of variables are checked at getVariable, as in scopes", () => {
  fails(
    getVariable("v", { shape: [1], initializer: randomNormalInitializer({ stddev: -1 }) }),
    "InvalidInitializer",
    ['"stddev"'],
  );
  const v = single(
    ok(getVariable("v", { shape: [2, 2], initializer: constantInitializer([1, 2, 3, 4]) })).value,
  );
  assert.deepEqual(v.initializer, { _tag: "Constant", value: [1, 2, 3, 4], verifyShape: false });
  fails(
    getVariable("w", { shape: [1], initializer: constantInitializer([1, 2]) }),
    "InvalidInitializer",
    ['"w"'],
  );
  fails(
    getVariable("w", {
      shape: [2, 2],
      initializer: constantInitializer([1, 2, 3, 4], { verifyShape: true }),
    }),
    "InvalidInitializer",
    ['"w"'],
  );
});
