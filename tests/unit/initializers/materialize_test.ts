// Initial values without a tensor library (decision 3; TF1 E9, D10, G6):
// exact values of the deterministic initializers, determinism, independence
// of creation order, seeds, shards, statistics of the random ones, errors.
import * as assert from "node:assert/strict";
import {
  constantInitializer,
  customInitializer,
  type DType,
  fixedSizePartitioner,
  getVariable,
  glorotNormalInitializer,
  glorotUniformInitializer,
  heNormalInitializer,
  heUniformInitializer,
  identityInitializer,
  type Initializer,
  type InitializerLike,
  type InitialValue,
  lecunNormalInitializer,
  lecunUniformInitializer,
  materialize,
  materializeOrThrow,
  onesInitializer,
  type PartitionInfo,
  randomNormalInitializer,
  randomUniformInitializer,
  runScopedOrThrow,
  scoped,
  ScopeError,
  type Seed,
  tensorValue,
  truncatedNormalInitializer,
  type Variable,
  variableScope,
  varianceScalingInitializer,
  zerosInitializer,
} from "varscope";
import { fnv1a64, philox, roundBFloat16, roundFloat16 } from "../../../lib/initializers/_random.ts";
import type { Gen } from "../core/_helpers.ts";
import { partitioned, variable } from "../_variables.ts";

// ---------------------------------------------------------------- helpers

function numbers(value: InitialValue): number[] {
  return Array.from(value.values as ArrayLike<number>);
}

function values(v: Variable, seed?: number): number[] {
  return numbers(materializeOrThrow(v, seed === undefined ? {} : { seed }));
}

function errorOf(v: Variable, seed?: number): ScopeError {
  const r = materialize(v, seed === undefined ? {} : { seed });
  assert.ok(r._tag === "Left", "expected a Left");
  assert.ok(r.left instanceof ScopeError);
  return r.left;
}

/** The same variable with another initializer (descriptors the core would reject). */
function withInit(v: Variable, initializer: Initializer): Variable {
  return { ...v, initializer };
}

/** Row-major slice of a full value. */
function slice(
  full: readonly number[],
  fullShape: readonly number[],
  offset: readonly number[],
  shape: readonly number[],
): number[] {
  const out: number[] = [];
  const strides = fullShape.map((_, d) => fullShape.slice(d + 1).reduce((a, b) => a * b, 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = shape.map(() => 0);
  for (let k = 0; k < n; k++) {
    out.push(full[idx.reduce((f, x, d) => f + (x + offset[d]!) * strides[d]!, 0)]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

interface Stats {
  readonly mean: number;
  readonly variance: number;
  readonly min: number;
  readonly max: number;
}

function stats(xs: readonly number[]): Stats {
  let sum = 0, min = Infinity, max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, variance: ss / xs.length, min, max };
}

/**
 * Checks mean and variance against the expected ones: the mean within 5
 * standard errors, the variance within `relVar` (relative).
 */
function assertMoments(
  xs: readonly number[],
  mean: number,
  variance: number,
  relVar = 0.03,
): Stats {
  const s = stats(xs);
  const se = Math.sqrt(variance / xs.length);
  assert.ok(
    Math.abs(s.mean - mean) < 5 * se,
    `mean ${s.mean}, expected ${mean} ± ${5 * se}`,
  );
  assert.ok(
    Math.abs(s.variance / variance - 1) < relVar,
    `variance ${s.variance}, expected ${variance} (±${relVar * 100}%)`,
  );
  return s;
}

// Variance of a standard normal truncated to (-2, 2).
const TRUNCATED_VARIANCE = 0.87962566103423978 ** 2;
const N = 100_000;

// ---------------------------------------------------------------- PRNG

Deno.test("Philox4x32-10 matches the Random123 known-answer vectors", () => {
  const hex = (b: Uint32Array): string[] => Array.from(b, (x) => x.toString(16).padStart(8, "0"));
  assert.deepEqual(hex(philox(0, 0, 0, 0, 0, 0)), ["6627e8d5", "e169c58d", "bc57ac4c", "9b00dbd8"]);
  const f = 0xffffffff;
  assert.deepEqual(hex(philox(f, f, f, f, f, f)), ["408f276d", "41c83b0e", "a20bc7c6", "6d5451fd"]);
  assert.deepEqual(
    hex(philox(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0)),
    ["d16cfe09", "94fdcceb", "5001e420", "24126ea1"],
  );
});

Deno.test("FNV-1a 64 of names matches the reference values", () => {
  assert.deepEqual(fnv1a64(""), [0x84222325, 0xcbf29ce4]);
  assert.deepEqual(fnv1a64("a"), [0x8601ec8c, 0xaf63dc4c]);
  assert.deepEqual(fnv1a64("foobar"), [0xf73967e8, 0x85944171]);
});

Deno.test("float16 and bfloat16 rounding: nearest, ties to even, subnormals, overflow", () => {
  assert.equal(roundFloat16(1 + 2 ** -11), 1); // tie → even
  assert.equal(roundFloat16(1 + 3 * 2 ** -11), 1 + 2 ** -9); // tie → even (up)
  assert.equal(roundFloat16(65504), 65504);
  assert.equal(roundFloat16(65519), 65504);
  assert.equal(roundFloat16(65520), Infinity);
  assert.equal(roundFloat16(2 ** -25), 0); // half the smallest subnormal, tie → 0
  assert.equal(roundFloat16(3 * 2 ** -25), 2 ** -23);
  assert.equal(roundBFloat16(1 + 2 ** -8), 1);
  assert.equal(roundBFloat16(1 + 3 * 2 ** -8), 1 + 2 ** -6);
  assert.equal(roundBFloat16(-Math.PI), -3.140625);
  assert.equal(roundBFloat16(3.4e38), Infinity);
  const f16round = (Math as unknown as { f16round?: (x: number) => number }).f16round;
  if (f16round !== undefined) {
    for (let i = 0; i < 20_000; i++) {
      const x = Math.sin(i * 12.9898) * 2 ** ((i % 50) - 30);
      assert.equal(roundFloat16(x), f16round(x), `x = ${x}`);
    }
  }
});

// ---------------------------------------------------------------- deterministic initializers

Deno.test("zeros and ones in every supported dtype, with the documented arrays", () => {
  const cases: ReadonlyArray<readonly [DType, string, number[]]> = [
    ["float32", "Float32Array", [0, 0]],
    ["float64", "Float64Array", [0, 0]],
    ["float16", "Float32Array", [0, 0]],
    ["bfloat16", "Float32Array", [0, 0]],
    ["int8", "Int8Array", [0, 0]],
    ["int16", "Int16Array", [0, 0]],
    ["int32", "Int32Array", [0, 0]],
    ["int64", "Float64Array", [0, 0]],
    ["uint8", "Uint8Array", [0, 0]],
    ["uint16", "Uint16Array", [0, 0]],
    ["uint32", "Uint32Array", [0, 0]],
    ["uint64", "Float64Array", [0, 0]],
    ["bool", "Uint8Array", [0, 0]],
  ];
  for (const [dtype, ctor, zeros] of cases) {
    const z = materializeOrThrow(variable("z", zerosInitializer(), { shape: [2], dtype }));
    assert.equal(z.values.constructor.name, ctor, dtype);
    assert.equal(z.dtype, dtype);
    assert.deepEqual(z.shape, [2]);
    assert.deepEqual(numbers(z), zeros);
    const o = materializeOrThrow(variable("o", onesInitializer(), { shape: [2], dtype }));
    assert.equal(o.values.constructor.name, ctor, dtype);
    assert.deepEqual(numbers(o), [1, 1]);
  }
  const s = materializeOrThrow(variable("s", zerosInitializer(), { shape: [3], dtype: "string" }));
  assert.deepEqual(s.values, ["", "", ""]);
  // Default initializers (E8): zeros for non-floating dtypes.
  assert.deepEqual(
    materializeOrThrow(
      runScopedOrThrow(getVariable("d", { shape: [2], dtype: "bool" })).value as Variable,
    ).values,
    new Uint8Array([0, 0]),
  );
  assert.deepEqual(values(variable("scalar", onesInitializer(), { shape: [] })), [1]);
  assert.deepEqual(values(variable("empty", onesInitializer(), { shape: [0, 3] })), []);
});

Deno.test("constant: TF1 fill rules (scalar fills, shorter list repeats its last element)", () => {
  assert.deepEqual(values(variable("a", constantInitializer(0.5), { shape: [2, 2] })), [
    0.5,
    0.5,
    0.5,
    0.5,
  ]);
  assert.deepEqual(values(variable("b", constantInitializer([1, 2, 3]), { shape: [2, 3] })), [
    1,
    2,
    3,
    3,
    3,
    3,
  ]);
  assert.deepEqual(
    values(variable("c", constantInitializer([[1, 2], [3, 4]]), { shape: [4] })),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    values(
      variable("d", constantInitializer([[1, 2], [3, 4]], { verifyShape: true }), {
        shape: [2, 2],
      }),
    ),
    [1, 2, 3, 4],
  );
  // An empty list gives zeros (TF's empty tensor proto).
  assert.deepEqual(values(variable("e", constantInitializer([]), { shape: [3] })), [0, 0, 0]);
  // float32 rounding, int and bool dtypes, strings.
  assert.deepEqual(values(variable("f", constantInitializer(0.1), { shape: [1] })), [
    Math.fround(0.1),
  ]);
  assert.deepEqual(
    materializeOrThrow(variable("g", constantInitializer([7, -3]), { shape: [3], dtype: "int8" }))
      .values,
    new Int8Array([7, -3, -3]),
  );
  assert.deepEqual(
    materializeOrThrow(
      variable("h", constantInitializer([true, false]), { shape: [3], dtype: "bool" }),
    ).values,
    new Uint8Array([1, 0, 0]),
  );
  assert.deepEqual(
    materializeOrThrow(variable("i", constantInitializer("x"), { shape: [2], dtype: "string" }))
      .values,
    ["x", "x"],
  );
});

Deno.test("constant: errors for too many elements, verifyShape and mismatched kinds", () => {
  const v = variable("v", zerosInitializer(), { shape: [2, 2] });
  const tooMany = errorOf(
    withInit(v, { _tag: "Constant", value: [1, 2, 3, 4, 5], verifyShape: false }),
  );
  assert.equal(tooMany.tag, "InvalidInitializer");
  assert.match(tooMany.message, /"v".*5 elements, more than 4/);
  assert.match(
    errorOf(withInit(v, { _tag: "Constant", value: [1, 2, 3, 4], verifyShape: true })).message,
    /verifyShape/,
  );
  assert.match(
    errorOf(withInit(v, { _tag: "Constant", value: true, verifyShape: false })).message,
    /element 0 is true, not a number/,
  );
  const i32 = variable("i", zerosInitializer(), { shape: [2], dtype: "int32" });
  assert.match(
    errorOf(withInit(i32, { _tag: "Constant", value: [1, 1.5], verifyShape: false })).message,
    /element 1 is 1.5, not an integer/,
  );
  const u8 = variable("u", zerosInitializer(), { shape: [1], dtype: "uint8" });
  assert.match(
    errorOf(withInit(u8, { _tag: "Constant", value: 256, verifyShape: false })).message,
    /not an integer in \[0, 255\]/,
  );
  const b = variable("b", zerosInitializer(), { shape: [1], dtype: "bool" });
  assert.match(
    errorOf(withInit(b, { _tag: "Constant", value: 1, verifyShape: false })).message,
    /not a boolean/,
  );
});

Deno.test("value initializers keep their values and dtype; shards hold their slice (G6)", () => {
  const a = materializeOrThrow(variable("a", [[1, 2], [3, 4]]));
  assert.deepEqual(a.values, new Float32Array([1, 2, 3, 4]));
  assert.deepEqual(a.shape, [2, 2]);
  const i = materializeOrThrow(variable("i", tensorValue([5, 6], { dtype: "int32" })));
  assert.deepEqual(i, { dtype: "int32", shape: [2], values: new Int32Array([5, 6]) });
  assert.deepEqual(materializeOrThrow(variable("s", ["p", "q"])).values, ["p", "q"]);
  assert.deepEqual(materializeOrThrow(variable("b", [true, false])).values, new Uint8Array([1, 0]));
  assert.deepEqual(
    materializeOrThrow(variable("f64", new Float64Array([0.1, 0.2]))).values,
    new Float64Array([0.1, 0.2]),
  );
  const full = [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]];
  const p = partitioned("p", [5, 2], full, 2);
  assert.deepEqual(p.parts.map((s) => values(s)), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10]]);
});

Deno.test("identity: gain on the diagonal, non-square allowed, rank 2 only", () => {
  assert.deepEqual(values(variable("a", identityInitializer({ gain: 2 }), { shape: [2, 3] })), [
    2,
    0,
    0,
    0,
    2,
    0,
  ]);
  assert.deepEqual(values(variable("b", identityInitializer(), { shape: [3, 2] })), [
    1,
    0,
    0,
    1,
    0,
    0,
  ]);
  assert.deepEqual(
    materializeOrThrow(variable("c", identityInitializer(), { shape: [2, 2], dtype: "int32" }))
      .values,
    new Int32Array([1, 0, 0, 1]),
  );
  assert.match(
    errorOf(variable("d", identityInitializer(), { shape: [2, 2, 2] })).message,
    /rank 2/,
  );
  assert.match(errorOf(variable("e", identityInitializer(), { shape: [2] })).message, /rank 2/);
  // Shards are slices of the full identity (TF1 slices by partition_info).
  const p = partitioned("p", [4, 3], identityInitializer(), 2);
  assert.deepEqual(p.parts.map((s) => values(s)), [[1, 0, 0, 0, 1, 0], [0, 0, 1, 0, 0, 0]]);
});

Deno.test("custom initializers get the (shard) shape, dtype and partition info (D10)", () => {
  const calls: Array<{ shape: readonly number[]; dtype: DType; info: PartitionInfo | null }> = [];
  const init = customInitializer((shape, { dtype, partitionInfo }) => {
    calls.push({ shape, dtype, info: partitionInfo });
    const n = shape.reduce((a, b) => a * b, 1);
    const off = partitionInfo === null ? 0 : partitionInfo.varOffset[0]! * shape[1]!;
    return Array.from({ length: n }, (_, i) => off + i);
  });
  assert.deepEqual(values(variable("a", init, { shape: [2, 2] })), [0, 1, 2, 3]);
  assert.deepEqual(calls[0], { shape: [2, 2], dtype: "float32", info: null });
  const p = partitioned("p", [3, 2], init, 2, 0, "float64");
  assert.deepEqual(p.parts.map((s) => values(s)), [[0, 1, 2, 3], [4, 5]]);
  assert.deepEqual(calls.slice(1).map((c) => c.info), [
    { fullShape: [3, 2], varOffset: [0, 0] },
    { fullShape: [3, 2], varOffset: [2, 0] },
  ]);
  // Typed arrays and nested arrays convert; the element count must match.
  const typed = customInitializer((shape) => new Int32Array(shape[0]!).fill(7));
  assert.deepEqual(
    materializeOrThrow(variable("t", typed, { shape: [3], dtype: "int32" })).values,
    new Int32Array([7, 7, 7]),
  );
  const nested = customInitializer(() => [[1, 2], [3, 4]]);
  assert.deepEqual(values(variable("n", nested, { shape: [2, 2] })), [1, 2, 3, 4]);
  assert.match(errorOf(variable("w", nested, { shape: [3] })).message, /returned 4 elements/);
  const throws = customInitializer(() => {
    throw new Error("boom");
  });
  assert.match(errorOf(variable("x", throws, { shape: [1] })).message, /threw: boom/);
  const bad = customInitializer(() => ({ a: 1 }));
  assert.equal(errorOf(variable("y", bad, { shape: [1] })).tag, "InvalidInitializer");
});

// ---------------------------------------------------------------- determinism and seeds

const RANDOM_INITIALIZERS: ReadonlyArray<readonly [string, (seed: Seed) => Initializer]> = [
  ["randomNormal", (seed) => randomNormalInitializer({ seed })],
  ["truncatedNormal", (seed) => truncatedNormalInitializer({ seed })],
  ["randomUniform", (seed) => randomUniformInitializer({ minval: -1, maxval: 1, seed })],
  ["glorotUniform", (seed) => glorotUniformInitializer({ seed })],
  ["heNormal", (seed) => heNormalInitializer({ seed })],
  ["orthogonal", (seed) => ({ _tag: "Orthogonal", gain: 1, seed })],
];

Deno.test("the same inputs give identical values (and a fresh array each call)", () => {
  for (const [label, make] of RANDOM_INITIALIZERS) {
    const v = variable("w", make(null), { shape: [7, 5] });
    const a = materializeOrThrow(v);
    const b = materializeOrThrow(variable("w", make(null), { shape: [7, 5] }));
    assert.deepEqual(a, b, label);
    assert.notEqual(a.values, b.values);
    assert.ok(numbers(a).some((x) => x !== numbers(a)[0]), `${label} is not constant`);
  }
});

Deno.test("values do not depend on creation order or on sibling variables", () => {
  const make = (order: readonly string[]): Map<string, number[]> => {
    const program = variableScope(
      "model",
      scoped(function* (): Gen<Map<string, number[]>> {
        const out = new Map<string, number[]>();
        for (const name of order) {
          const v = yield* getVariable(name, {
            shape: name === "b" ? [4] : [3, 4],
            initializer: name === "c" ? randomNormalInitializer() : null,
          });
          assert.ok(v._tag === "Variable");
          assert.equal(v.fullName, `model/${name}`);
          out.set(name, values(v));
        }
        return out;
      }),
    );
    return runScopedOrThrow(program).value;
  };
  const first = make(["a", "b", "c"]);
  const second = make(["extra", "c", "other", "b", "a"]);
  for (const name of ["a", "b", "c"]) assert.deepEqual(first.get(name), second.get(name), name);
  assert.notDeepEqual(first.get("a"), second.get("extra"));
});

Deno.test("a null seed derives from the full name; an explicit seed ignores the name", () => {
  for (const [label, make] of RANDOM_INITIALIZERS) {
    const a = values(variable("a", make(null), { shape: [6, 4] }));
    const b = values(variable("b", make(null), { shape: [6, 4] }));
    assert.notDeepEqual(a, b, `${label}: names give different values`);
    const sa = values(variable("a", make(42), { shape: [6, 4] }));
    const sb = values(variable("b", make(42), { shape: [6, 4] }));
    assert.deepEqual(sa, sb, `${label}: the explicit seed gives the same values`);
    assert.notDeepEqual(sa, a, label);
    assert.notDeepEqual(sa, values(variable("a", make(43), { shape: [6, 4] })), label);
    // Large, negative and zero seeds are all distinct keys.
    const seeds = [0, -1, 2 ** 40, -(2 ** 52)].map((s) =>
      values(variable("a", make(s), { shape: [6, 4] }))
    );
    assert.equal(new Set(seeds.map((s) => s.join())).size, seeds.length, label);
  }
});

Deno.test("the global seed changes every random value, and only random ones", () => {
  for (const [label, make] of RANDOM_INITIALIZERS) {
    for (const seed of [null, 7]) {
      const v = variable("w", make(seed), { shape: [5, 5] });
      assert.deepEqual(values(v), values(v, 0), label);
      assert.notDeepEqual(values(v, 0), values(v, 1), label);
      assert.notDeepEqual(values(v, 1), values(v, -1), label);
      assert.deepEqual(values(v, 123), values(v, 123), label);
    }
  }
  const c = variable("c", constantInitializer(3), { shape: [2] });
  assert.deepEqual(values(c, 0), values(c, 99));
});

Deno.test("the variable's full name counts, not its last component", () => {
  const a = runScopedOrThrow(variableScope("s1", getVariable("w", { shape: [8] }))).value;
  const b = runScopedOrThrow(variableScope("s2", getVariable("w", { shape: [8] }))).value;
  assert.ok(a._tag === "Variable" && b._tag === "Variable");
  assert.notDeepEqual(values(a), values(b));
});

// ---------------------------------------------------------------- shards

Deno.test("a shard's values are the slice of the full variable's values (fans from the full shape)", () => {
  const cases: ReadonlyArray<
    readonly [string, InitializerLike | null, readonly number[], number, number]
  > = [
    ["default glorot", null, [10, 4], 3, 0],
    ["glorot along axis 1", glorotUniformInitializer(), [10, 6], 4, 1],
    ["he normal rank 3", heNormalInitializer(), [6, 5, 4], 2, 1],
    ["lecun uniform", lecunUniformInitializer(), [9, 3], 3, 0],
    ["normal", randomNormalInitializer({ mean: 1, stddev: 2 }), [7, 3], 2, 0],
    ["truncated", truncatedNormalInitializer({ seed: 5 }), [7, 3], 3, 0],
    ["uniform", randomUniformInitializer({ minval: -2, maxval: 3 }), [11], 4, 0],
    ["orthogonal", { _tag: "Orthogonal", gain: 1.5, seed: null }, [8, 5], 3, 0],
    ["orthogonal wide", { _tag: "Orthogonal", gain: 1, seed: null }, [3, 8], 2, 1],
    ["identity", identityInitializer(), [5, 5], 2, 0],
  ];
  for (const [label, init, shape, shards, axis] of cases) {
    const full = values(
      runScopedOrThrow(
        variableScope("scope", getVariable("emb", { shape, initializer: init })),
      ).value as Variable,
    );
    const p = runScopedOrThrow(
      variableScope(
        "scope",
        getVariable("emb", {
          shape,
          initializer: init,
          partitioner: fixedSizePartitioner(shards, axis),
        }),
      ),
    ).value;
    assert.ok(p._tag === "PartitionedVariable");
    assert.equal(p.parts.length, shards, label);
    for (const part of p.parts) {
      const info = part.saveSliceInfo!;
      assert.deepEqual(
        values(part),
        slice(full, info.fullShape, info.varOffset, info.varShape),
        `${label}: ${part.fullName}`,
      );
      assert.deepEqual(
        values(part, 9),
        slice(
          values(
            runScopedOrThrow(
              variableScope("scope", getVariable("emb", { shape, initializer: init })),
            )
              .value as Variable,
            9,
          ),
          info.fullShape,
          info.varOffset,
          info.varShape,
        ),
        `${label}: global seed`,
      );
    }
  }
});

Deno.test("shard fans come from the full shape: the glorot limit of [1000, 10] in 10 shards", () => {
  const p = partitioned("emb", [1000, 10], null, 10);
  const limit = Math.sqrt(6 / (1000 + 10));
  const all = p.parts.flatMap((s) => values(s));
  const s = stats(all);
  assert.ok(s.max < limit && s.min >= -limit);
  // A shard's own shape [100, 10] would give limit sqrt(6/110) ≈ 0.234, far wider.
  assert.ok(s.max > 0.99 * limit && s.min < -0.99 * limit);
});

// ---------------------------------------------------------------- statistics

Deno.test("random normal: mean and variance", () => {
  const s = assertMoments(
    values(variable("n", randomNormalInitializer({ mean: 1.5, stddev: 2, seed: 1 }), {
      shape: [N],
    })),
    1.5,
    4,
  );
  assert.ok(s.max > 1.5 + 8 && s.min < 1.5 - 8, "tails reach beyond 4 stddev");
  assertMoments(
    values(variable("n64", randomNormalInitializer(), { shape: [400, 250], dtype: "float64" })),
    0,
    1,
  );
});

Deno.test("truncated normal: variance of the truncated law, bound of two stddev", () => {
  const xs = values(
    variable("t", truncatedNormalInitializer({ mean: -1, stddev: 0.5, seed: 2 }), { shape: [N] }),
  );
  const s = assertMoments(xs, -1, 0.25 * TRUNCATED_VARIANCE);
  assert.ok(s.min >= -2 && s.max <= 0, `range [${s.min}, ${s.max}]`);
  assert.ok(s.min < -1.99 && s.max > -0.01, "the bound is approached");
  const t64 = values(variable("t64", truncatedNormalInitializer(), {
    shape: [N],
    dtype: "float64",
  }));
  const s64 = assertMoments(t64, 0, TRUNCATED_VARIANCE);
  assert.ok(s64.max < 2 && s64.min > -2);
});

Deno.test("random uniform: moments and bounds, float and integer dtypes", () => {
  const xs = values(
    variable("u", randomUniformInitializer({ minval: -3, maxval: 5, seed: 3 }), { shape: [N] }),
  );
  const s = assertMoments(xs, 1, 64 / 12);
  assert.ok(s.min >= -3 && s.max < 5);
  const d = values(variable("d", randomUniformInitializer(), { shape: [N], dtype: "float64" }));
  const sd = assertMoments(d, 0.5, 1 / 12);
  assert.ok(sd.min >= 0 && sd.max < 1, "maxval null means 1");
  const ints = materializeOrThrow(
    variable("i", randomUniformInitializer({ minval: -2, maxval: 8, seed: 4 }), {
      shape: [N],
      dtype: "int32",
    }),
  );
  assert.ok(ints.values instanceof Int32Array);
  const iv = numbers(ints);
  assertMoments(iv, 2.5, (10 ** 2 - 1) / 12);
  const counts = new Map<number, number>();
  for (const x of iv) counts.set(x, (counts.get(x) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7]);
  for (const c of counts.values()) assert.ok(Math.abs(c - N / 10) < 5 * Math.sqrt(N / 10 * 0.9));
  const big = numbers(materializeOrThrow(
    variable("big", randomUniformInitializer({ minval: -(2 ** 40), maxval: 2 ** 40 }), {
      shape: [1000],
      dtype: "int64",
    }),
  ));
  assert.ok(big.every((x) => Number.isSafeInteger(x) && x >= -(2 ** 40) && x < 2 ** 40));
  // minval = maxval gives minval.
  assert.deepEqual(
    values(variable("c", randomUniformInitializer({ minval: 2, maxval: 2 }), { shape: [3] })),
    [2, 2, 2],
  );
});

Deno.test("variance scaling: every mode and distribution has variance scale / fan", () => {
  const shape = [250, 400]; // fan_in 250, fan_out 400, fan_avg 325
  const fan = { fan_in: 250, fan_out: 400, fan_avg: 325 } as const;
  for (const mode of ["fan_in", "fan_out", "fan_avg"] as const) {
    for (
      const distribution of ["normal", "truncated_normal", "untruncated_normal", "uniform"] as const
    ) {
      const scale = 2;
      const xs = values(
        variable("w", varianceScalingInitializer({ scale, mode, distribution, seed: 11 }), {
          shape,
        }),
      );
      const variance = scale / fan[mode];
      const s = assertMoments(xs, 0, variance);
      if (distribution === "uniform") {
        const limit = Math.sqrt(3 * variance);
        assert.ok(s.max < limit && s.min >= -limit, `${mode} ${distribution}`);
      } else if (distribution !== "untruncated_normal") {
        const bound = 2 * Math.sqrt(variance) / 0.87962566103423978;
        assert.ok(s.max < bound && s.min > -bound, `${mode} ${distribution}`);
      } else {
        assert.ok(s.max > 2.5 * Math.sqrt(variance) / 0.87962566103423978, "untruncated tails");
      }
    }
  }
});

Deno.test("He, LeCun and Glorot constructors: TF1 fans of a conv kernel (rank 4)", () => {
  const shape = [3, 3, 64, 96]; // receptive 9: fan_in 576, fan_out 864
  const fanIn = 576, fanOut = 864;
  const cases: ReadonlyArray<readonly [string, Initializer, number, "uniform" | "truncated"]> = [
    ["he_normal", heNormalInitializer({ seed: 1 }), 2 / fanIn, "truncated"],
    ["he_uniform", heUniformInitializer({ seed: 1 }), 2 / fanIn, "uniform"],
    ["lecun_normal", lecunNormalInitializer({ seed: 1 }), 1 / fanIn, "truncated"],
    ["lecun_uniform", lecunUniformInitializer({ seed: 1 }), 1 / fanIn, "uniform"],
    ["glorot_normal", glorotNormalInitializer({ seed: 1 }), 2 / (fanIn + fanOut), "truncated"],
    ["glorot_uniform", glorotUniformInitializer({ seed: 1 }), 2 / (fanIn + fanOut), "uniform"],
  ];
  for (const [label, init, variance, kind] of cases) {
    const xs = values(variable("k", init, { shape }));
    const s = assertMoments(xs, 0, variance);
    const bound = kind === "uniform"
      ? Math.sqrt(3 * variance)
      : 2 * Math.sqrt(variance) / 0.87962566103423978;
    assert.ok(s.max < bound && s.min >= -bound, label);
    assert.ok(s.max > 0.98 * bound && s.min < -0.98 * bound, `${label} fills its range`);
  }
});

Deno.test("variance scaling fans of rank 0 and 1 (E9)", () => {
  // Rank 0: fan 1, so glorot uniform limit sqrt(6 / 2) = sqrt(3).
  const scalars = Array.from(
    { length: 200 },
    (_, i) => values(variable("s", glorotUniformInitializer({ seed: i }), { shape: [] }))[0]!,
  );
  assert.ok(scalars.every((x) => Math.abs(x) < Math.sqrt(3)));
  assert.ok(scalars.some((x) => Math.abs(x) > 1.5));
  // Rank 1: fan_in = fan_out = n.
  const xs = values(variable("b", heUniformInitializer({ seed: 2 }), { shape: [N] }));
  const s = assertMoments(xs, 0, 2 / N);
  assert.ok(s.max < Math.sqrt(6 / N));
});

// ---------------------------------------------------------------- orthogonal

function gram(m: readonly number[], rows: number, cols: number, byRows: boolean): number[][] {
  const k = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (i: number, t: number): number => byRows ? m[i * cols + t]! : m[t * cols + i]!;
  return Array.from({ length: k }, (_, i) =>
    Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let t = 0; t < len; t++) s += at(i, t) * at(j, t);
      return s;
    }));
}

function maxDeviation(g: number[][], diag: number): number {
  let worst = 0;
  g.forEach((row, i) =>
    row.forEach((x, j) => {
      worst = Math.max(worst, Math.abs(x - (i === j ? diag : 0)));
    })
  );
  return worst;
}

Deno.test("orthogonal: orthonormal columns (tall) or rows (wide), times the gain", () => {
  const cases: ReadonlyArray<readonly [DType, readonly number[], number, number]> = [
    ["float64", [300, 60], 1, 1e-12],
    ["float32", [300, 60], 1, 1e-5],
    ["float64", [3, 4, 50], 2, 1e-12], // rows 12 < cols 50
    ["float32", [3, 4, 50], 2, 1e-5],
    ["float64", [40, 40], 1, 1e-12],
  ];
  for (const [dtype, shape, gain, tol] of cases) {
    const init: Initializer = { _tag: "Orthogonal", gain, seed: null };
    const r = materializeOrThrow(variable("q", init, { shape, dtype }));
    assert.ok(
      dtype === "float64" ? r.values instanceof Float64Array : r.values instanceof Float32Array,
    );
    const cols = shape.at(-1)!;
    const rows = shape.reduce((a, b) => a * b, 1) / cols;
    const g = gram(numbers(r), rows, cols, rows < cols);
    const dev = maxDeviation(g, gain * gain);
    assert.ok(dev < tol * gain * gain, `${dtype} ${shape}: deviation ${dev}`);
  }
  // The entries of a random orthogonal matrix have variance 1 / rows.
  const big = values(variable("big", { _tag: "Orthogonal", gain: 1, seed: 3 }, {
    shape: [400, 250],
    dtype: "float64",
  }));
  assertMoments(big, 0, 1 / 400);
});

Deno.test("orthogonal: R's diagonal is positive (Q times sign(diag R)) and rank >= 2", () => {
  // For a tall Q = QR(A), Qᵀ A = R is upper triangular with a positive diagonal.
  const v = variable("q", { _tag: "Orthogonal", gain: 1, seed: 8 }, {
    shape: [6, 3],
    dtype: "float64",
  });
  const q = values(v);
  // A is the normal matrix with the same key: the RandomNormal values of the same seed.
  const a = values(variable("a", randomNormalInitializer({ seed: 8 }), {
    shape: [6, 3],
    dtype: "float64",
  }));
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let r = 0;
      for (let t = 0; t < 6; t++) r += q[t * 3 + i]! * a[t * 3 + j]!;
      if (i === j) assert.ok(r > 0, `R[${i}][${i}] = ${r}`);
      if (i > j) assert.ok(Math.abs(r) < 1e-12, `R[${i}][${j}] = ${r}`);
    }
  }
  assert.match(
    errorOf(variable("v", { _tag: "Orthogonal", gain: 1, seed: null }, { shape: [4] })).message,
    /rank 2 or more/,
  );
});

// ---------------------------------------------------------------- other dtypes and errors

Deno.test("float16 and bfloat16 values are exactly representable in their format", () => {
  const h = materializeOrThrow(
    variable("h", randomNormalInitializer(), { shape: [1000], dtype: "float16" }),
  );
  assert.ok(h.values instanceof Float32Array);
  assert.ok(numbers(h).every((x) => roundFloat16(x) === x));
  assert.ok(new Set(numbers(h)).size > 500);
  const b = materializeOrThrow(
    variable("b", glorotUniformInitializer(), { shape: [30, 30], dtype: "bfloat16" }),
  );
  assert.ok(numbers(b).every((x) => roundBFloat16(x) === x));
  // Bounds are those of the dtype: [round(-limit), limit).
  const limit = Math.sqrt(6 / 60);
  assert.ok(numbers(b).every((x) => x >= roundBFloat16(-limit) && x < limit));
  // A narrow uniform range that rounds up to maxval stays below it.
  const u = numbers(materializeOrThrow(
    variable("u", randomUniformInitializer({ minval: 1, maxval: 1.0078125 }), {
      shape: [1000],
      dtype: "bfloat16",
    }),
  ));
  assert.ok(u.every((x) => x >= 1 && x < 1.0078125));
});

Deno.test("errors are typed ScopeError values", () => {
  const i32 = variable("i", zerosInitializer(), { shape: [2], dtype: "int32" });
  assert.match(errorOf(withInit(i32, randomNormalInitializer())).message, /floating dtype/);
  assert.match(errorOf(withInit(i32, glorotUniformInitializer())).message, /floating dtype/);
  assert.match(
    errorOf(withInit(i32, { _tag: "Orthogonal", gain: 1, seed: null })).message,
    /floating dtype/,
  );
  assert.match(errorOf(withInit(i32, randomUniformInitializer())).message, /maxval is required/);
  assert.match(
    errorOf(withInit(i32, randomUniformInitializer({ minval: 0.5, maxval: 3 }))).message,
    /integers minval < maxval/,
  );
  const i8 = variable("i8", zerosInitializer(), { shape: [2], dtype: "int8" });
  assert.match(
    errorOf(withInit(i8, randomUniformInitializer({ minval: 0, maxval: 300 }))).message,
    /does not fit in int8/,
  );
  const s = variable("s", zerosInitializer(), { shape: [2], dtype: "string" });
  assert.match(errorOf(withInit(s, onesInitializer())).message, /no ones/);
  assert.match(errorOf(withInit(s, randomUniformInitializer())).message, /numeric dtype/);
  const b = variable("b", zerosInitializer(), { shape: [2, 2], dtype: "bool" });
  assert.match(errorOf(withInit(b, identityInitializer())).message, /numeric dtype/);
  const c = variable("c", zerosInitializer(), { shape: [2], dtype: "complex64" });
  assert.match(errorOf(c).message, /complex dtypes are not supported/);
  const f = variable("f", zerosInitializer(), { shape: [2] });
  assert.equal(
    errorOf(withInit(f, randomNormalInitializer({ stddev: -1 }))).tag,
    "InvalidInitializer",
  );
  assert.equal(
    errorOf(withInit(f, { _tag: "Value", values: [1, 2, 3], shape: [3], dtype: null })).tag,
    "InvalidInitializer",
  );
  for (const seed of [1.5, NaN, 2 ** 60]) assert.equal(errorOf(f, seed).tag, "InvalidArgument");
  const notVariable = materialize({ _tag: "PartitionedVariable" } as unknown as Variable);
  assert.ok(notVariable._tag === "Left" && notVariable.left.tag === "InvalidArgument");
  assert.throws(
    () => materializeOrThrow(withInit(i32, randomNormalInitializer())),
    (e: unknown) =>
      e instanceof ScopeError && e.tag === "InvalidInitializer" && /"i"/.test(e.message),
  );
  // The error carries the facts.
  const e = errorOf(withInit(i32, randomNormalInitializer()));
  assert.deepEqual(
    { name: e.details.name, dtype: e.details.dtype, shape: e.details.shape },
    { name: "i", dtype: "int32", shape: [2] },
  );
});
