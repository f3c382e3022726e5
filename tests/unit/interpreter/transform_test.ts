// transform(f): init materialises parameters named by TF1 full names, in
// creation order (nested scopes, default-name scopes, AUTO_REUSE sharing,
// partitioned shards), with exactly materialize's values for the seed;
// apply runs the program on the parameters under the same sharing rules
// (CreationRefused for a name init did not make, VariableExists for accidental
// sharing); bad params, tensor-code exceptions, programs failing half-way
// and untyped bad input are typed errors that leak no tensors.
//
// Every case runs on the cpu, wasm and webgpu backends and checks that
// `tf.memory().numTensors` is unchanged afterwards. Initial values are
// uploaded, not computed, so they are compared exactly. Computed outputs are
// compared with references computed by hand in Float64 from the parameter
// values read back; tolerance: error relative to the largest expected
// magnitude of 1e-5 on cpu and wasm, 1e-4 on webgpu (a software adapter
// whose float32 kernels sum in another order).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  AUTO_REUSE,
  fail,
  fixedSizePartitioner,
  getLocalVariable,
  getVariable,
  listVariables,
  materializeOrThrow,
  onesInitializer,
  type Program,
  type ProgramGenerator,
  randomNormalInitializer,
  scoped,
  scopeError,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  makeParams,
  type Params,
  readShards,
  readVariable,
  transform,
  variable,
} from "varscope/tfjs";
import {
  assertAllClose,
  backendTest,
  denseRef,
  expectError,
  RTOL,
  take,
  values,
} from "./_backends.ts";

// ---------------------------------------------------------------- helpers

type Gen<A> = ProgramGenerator<A>;

/** A dense layer in a default-name scope ("dense", "dense_1", …). */
function dense(x: tf.Tensor2D, units: number): Program<tf.Tensor2D> {
  return variableScope(
    null,
    { defaultName: "dense" },
    scoped(function* (): Gen<tf.Tensor2D> {
      const w = yield* variable("kernel", { shape: [x.shape[1], units] });
      const b = yield* variable("bias", { shape: [units], initializer: zerosInitializer() });
      return tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    }),
  );
}

/** A program touching every naming rule init must follow. */
function namingProgram(x: tf.Tensor2D): Program<tf.Tensor> {
  return scoped(function* (): Gen<tf.Tensor> {
    const h = yield* variableScope(
      "net",
      variableScope(
        "layer1",
        scoped(function* (): Gen<tf.Tensor2D> {
          const w = yield* variable("kernel", { shape: [3, 4] });
          const b = yield* variable("bias", { shape: [4], initializer: onesInitializer() });
          return tf.tanh(tf.add(tf.matMul(x, w), b)) as tf.Tensor2D;
        }),
      ),
    );
    const h1 = yield* dense(h, 4);
    const h2 = yield* dense(h1, 2);
    // Two towers, one set of weights.
    const towers: tf.Tensor[] = [];
    for (let i = 0; i < 2; i++) {
      towers.push(
        yield* variableScope(
          "tower",
          { reuse: AUTO_REUSE },
          scoped(function* (): Gen<tf.Tensor> {
            return tf.matMul(h2, yield* variable("w", { shape: [2, 2] }));
          }),
        ),
      );
    }
    const emb = yield* getVariable("emb", {
      shape: [4, 2],
      partitioner: fixedSizePartitioner(2),
    });
    const e = yield* readVariable(emb);
    const steps = yield* getLocalVariable("steps", { shape: [], initializer: zerosInitializer() });
    const s = yield* readVariable(steps);
    return tf.add(tf.add(tf.add(towers[0]!, towers[1]!), tf.sum(e)), s);
  });
}

const NAMING_NAMES = [
  "net/layer1/kernel",
  "net/layer1/bias",
  "dense/kernel",
  "dense/bias",
  "dense_1/kernel",
  "dense_1/bias",
  "tower/w",
  "emb/part_0",
  "emb/part_1",
  "steps",
];

function input23(): tf.Tensor2D {
  return tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
}

// ---------------------------------------------------------------- init: names and values

backendTest(
  import.meta.url,
  "init names params by TF1 full names, in creation order",
  async (backend) => {
    const model = transform(namingProgram);
    const x = input23();
    const { params, store } = model.init(x, { seed: 3 });
    assert.deepEqual(params.names, NAMING_NAMES);
    assert.equal(params.size, NAMING_NAMES.length);
    assert.equal(params.store, store);
    assert.deepEqual(listVariables(store).map((v) => v.fullName), NAMING_NAMES);
    assert.deepEqual(params.entries().map(([n]) => n), NAMING_NAMES);
    assert.deepEqual(Object.keys(params.toRecord()), NAMING_NAMES);
    // ":0" suffixes are accepted; shapes are the variables' (shards' own).
    assert.ok(params.has("tower/w:0") && params.has("tower/w") && !params.has("tower_1/w"));
    assert.equal(params.get("dense_1/kernel:0"), params.get("dense_1/kernel"));
    assert.deepEqual(params.get("net/layer1/kernel").shape, [3, 4]);
    assert.deepEqual(params.get("dense_1/kernel").shape, [4, 2]);
    assert.deepEqual(params.get("emb/part_0").shape, [2, 2]);
    assert.deepEqual(params.get("emb/part_1").shape, [2, 2]);
    assert.deepEqual(params.get("steps").shape, []);
    expectError(() => params.get("tower_1/w"), "InvalidParams", ['"tower_1/w"', "tower/w"]);
    // The towers share: the two tower outputs are equal, so the output is
    // twice one tower plus the embedding sum.
    const y = await take(model.apply(params, x));
    const v = async (name: string): Promise<number[]> => await values(params.get(name));
    const h = denseRef(
      await values(x),
      await v("net/layer1/kernel"),
      await v("net/layer1/bias"),
      2,
      3,
      4,
    )
      .map(Math.tanh);
    const h1 = denseRef(h, await v("dense/kernel"), await v("dense/bias"), 2, 4, 4);
    const h2 = denseRef(h1, await v("dense_1/kernel"), await v("dense_1/bias"), 2, 4, 2);
    const embSum = [...await v("emb/part_0"), ...await v("emb/part_1")].reduce((a, b) => a + b, 0);
    const tower = denseRef(h2, await v("tower/w"), [0, 0], 2, 2, 2);
    assertAllClose(y, tower.map((t) => 2 * t + embSum), RTOL[backend], "output");
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "init values are materialize's for the seed; the seed changes them",
  async () => {
    const model = transform(namingProgram);
    const x = input23();
    for (const seed of [0, 7]) {
      const { params, store } = model.init(x, seed === 0 ? undefined : { seed });
      for (const v of listVariables(store)) {
        const expected = Array.from(materializeOrThrow(v, { seed }).values as Float32Array);
        assert.deepEqual(await values(params.get(v.fullName)), expected, `${v.fullName} (${seed})`);
      }
      params.dispose();
    }
    const a = model.init(x, { seed: 1 }).params;
    const b = model.init(x, { seed: 1 }).params;
    const c = model.init(x, { seed: 2 }).params;
    for (const name of NAMING_NAMES) {
      const va = await values(a.get(name));
      assert.deepEqual(await values(b.get(name)), va, `${name}: same seed, same values`);
      const vc = await values(c.get(name));
      // Random initializers (glorot uniform by default) depend on the seed;
      // constant ones do not.
      if (name.endsWith("bias") || name === "steps") assert.deepEqual(vc, va, name);
      else assert.notDeepEqual(vc, va, `${name}: another seed, other values`);
    }
    for (const p of [a, b, c]) p.dispose();
    x.dispose();
  },
);

// ---------------------------------------------------------------- apply

backendTest(
  import.meta.url,
  "apply computes a two-layer MLP exactly as the hand reference",
  async (backend) => {
    const mlp = (x: tf.Tensor2D): Program<tf.Tensor2D> =>
      scoped(function* (): Gen<tf.Tensor2D> {
        const h = yield* variableScope(
          "hidden",
          scoped(function* (): Gen<tf.Tensor2D> {
            const w = yield* variable("w", { shape: [3, 5] });
            const b = yield* variable("b", { shape: [5], initializer: randomNormalInitializer() });
            return tf.relu(tf.add(tf.matMul(x, w), b)) as tf.Tensor2D;
          }),
        );
        return yield* variableScope(
          "out",
          scoped(function* (): Gen<tf.Tensor2D> {
            const w = yield* variable("w", { shape: [5, 2] });
            const b = yield* variable("b", { shape: [2], initializer: randomNormalInitializer() });
            return tf.add(tf.matMul(h, w), b) as tf.Tensor2D;
          }),
        );
      });
    const model = transform(mlp);
    const x = input23();
    const { params } = model.init(x, { seed: 11 });
    assert.deepEqual(params.names, ["hidden/w", "hidden/b", "out/w", "out/b"]);
    const xs = await values(x);
    const hidden = denseRef(
      xs,
      await values(params.get("hidden/w")),
      await values(params.get("hidden/b")),
      2,
      3,
      5,
    ).map((v) => Math.max(0, v));
    const expected = denseRef(
      hidden,
      await values(params.get("out/w")),
      await values(params.get("out/b")),
      2,
      5,
      2,
    );
    // The first apply records, the next ones replay: all equal the reference.
    for (let i = 0; i < 3; i++) {
      const y = model.apply(params, x);
      assert.deepEqual(y.shape, [2, 2]);
      assertAllClose(await take(y), expected, RTOL[backend], `apply #${i + 1}`);
    }
    // The same params work with weights loaded from a record (makeParams).
    const loaded = makeParams(params.store, params.toRecord());
    assertAllClose(await take(model.apply(loaded, x)), expected, RTOL[backend], "loaded");
    loaded.dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "apply of a variable init did not create is CreationRefused",
  async () => {
    let extra = false;
    const model = transform((x: tf.Tensor1D) =>
      variableScope(
        "m",
        scoped(function* (): Gen<tf.Tensor> {
          const w = yield* variable("w", { shape: [3], initializer: onesInitializer() });
          if (!extra) return tf.mul(x, w);
          return tf.add(tf.mul(x, w), yield* variable("brand_new", { shape: [3] }));
        }),
      )
    );
    const x = tf.tensor1d([1, 2, 3]);
    const { params } = model.init(x);
    assert.deepEqual(await take(model.apply(params, x)), [1, 2, 3]);
    extra = true;
    for (const m of [model, transform(model.fn, { compile: false })]) {
      const e = expectError(() => m.apply(params, x), "CreationRefused", [
        '"m/brand_new"',
        "init did not create it",
      ]);
      assert.equal(e.details.name, "m/brand_new");
    }
    extra = false;
    assert.deepEqual(await take(model.apply(params, x)), [1, 2, 3]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "accidental sharing in apply is VariableExists, as in init",
  async () => {
    const model = transform(({ x, twice }: { x: tf.Tensor1D; twice: boolean }) =>
      variableScope(
        "layer",
        scoped(function* (): Gen<tf.Tensor> {
          const a = yield* variable("w", { shape: [2], initializer: onesInitializer() });
          if (!twice) return tf.mul(x, a);
          const b = yield* variable("w", { shape: [2] });
          return tf.mul(tf.mul(x, a), b);
        }),
      )
    );
    const x = tf.tensor1d([2, 3]);
    expectError(() => model.init({ x, twice: true }), "VariableExists", ['"layer/w"']);
    const { params } = model.init({ x, twice: false });
    assert.deepEqual(await take(model.apply(params, { x, twice: false })), [2, 3]);
    expectError(() => model.apply(params, { x, twice: true }), "VariableExists", [
      '"layer/w"',
      "already exists",
    ]);
    // The failed signature is not cached: it fails again, the other still works.
    expectError(() => model.apply(params, { x, twice: true }), "VariableExists", ['"layer/w"']);
    assert.deepEqual(await take(model.apply(params, { x, twice: false })), [2, 3]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "apply with disposed params or a non-Params value is InvalidParams",
  () => {
    const model = transform((x: tf.Tensor1D) =>
      scoped(function* (): Gen<tf.Tensor> {
        return tf.mul(x, yield* variable("w", { shape: [2] }));
      })
    );
    const x = tf.tensor1d([1, 2]);
    const { params } = model.init(x);
    for (const bad of [{}, null, undefined, 42, params.toRecord()]) {
      expectError(() => model.apply(bad as unknown as Params, x), "InvalidParams", [
        "Invalid params: expected Params from init",
      ]);
    }
    params.dispose();
    assert.equal(params.isDisposed, true);
    params.dispose(); // idempotent
    expectError(() => model.apply(params, x), "InvalidParams", ["disposed"]);
    expectError(() => params.get("w"), "InvalidParams", ["disposed"]);
    expectError(() => params.entries(), "InvalidParams", ["disposed"]);
    // Params of another program: its names are not in this store.
    const other = transform((x: tf.Tensor1D) =>
      scoped(function* (): Gen<tf.Tensor> {
        return tf.mul(x, yield* variable("v", { shape: [2] }));
      })
    );
    const theirs = other.init(x).params;
    expectError(() => model.apply(theirs, x), "CreationRefused", ['"w"']);
    theirs.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "a tfjs error in tensor code is ComputeError with the cause, no leaks",
  async () => {
    const model = transform((x: tf.Tensor2D) =>
      variableScope(
        "lin",
        scoped(function* (): Gen<tf.Tensor> {
          const w = yield* variable("w", { shape: [3, 2] });
          const h = tf.relu(x); // an intermediate the failure must free
          return tf.matMul(h, w);
        }),
      )
    );
    const good = input23();
    const bad = tf.ones([2, 4]) as tf.Tensor2D;
    // In init: the parameters made so far are freed too.
    let e = expectError(() => model.init(bad), "ComputeError", [
      "Tensor code in the program threw",
    ]);
    assert.ok(e.details.cause instanceof Error);
    assert.equal((e as { cause?: unknown }).cause, e.details.cause);
    const { params } = model.init(good);
    for (const m of [model, transform(model.fn, { compile: false })]) {
      assert.equal((await take(m.apply(params, good))).length, 4);
      e = expectError(() => m.apply(params, bad), "ComputeError", [
        "Tensor code in the program threw",
      ]);
      assert.ok(e.details.cause instanceof Error);
      assert.match((e.details.cause as Error).message, /inner|shape|match/i);
    }
    // The model still works after the failure.
    assert.equal((await take(model.apply(params, good))).length, 4);
    params.dispose();
    tf.dispose([good, bad]);
  },
);

backendTest(
  import.meta.url,
  "a program failing half-way leaks nothing, in init and in apply",
  async () => {
    const model = transform(({ x, boom }: { x: tf.Tensor1D; boom: "no" | "fail" | "throw" }) =>
      scoped(function* (): Gen<tf.Tensor> {
        const a = yield* variableScope("a", variable("w", { shape: [3] }));
        const t = tf.square(tf.mul(x, a)); // intermediates
        if (boom === "fail") {
          return yield* fail(scopeError("InvalidArgument", "boom after tensors", {}));
        }
        if (boom === "throw") throw new RangeError("thrown after tensors");
        return tf.add(t, yield* variableScope("b", variable("w", { shape: [3] })));
      })
    );
    const x = tf.tensor1d([1, -2, 3]);
    expectError(() => model.init({ x, boom: "fail" }), "InvalidArgument", ["boom after tensors"]);
    const e = expectError(() => model.init({ x, boom: "throw" }), "ComputeError", [
      "thrown after tensors",
    ]);
    assert.ok(e.details.cause instanceof RangeError);
    const { params } = model.init({ x, boom: "no" });
    assert.deepEqual(params.names, ["a/w", "b/w"]);
    for (let i = 0; i < 2; i++) {
      expectError(() => model.apply(params, { x, boom: "fail" }), "InvalidArgument", [
        "boom after tensors",
      ]);
      expectError(() => model.apply(params, { x, boom: "throw" }), "ComputeError", [
        "thrown after tensors",
      ]);
      assert.equal((await take(model.apply(params, { x, boom: "no" }))).length, 3);
    }
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "a parameter returned as is comes back as a separate handle",
  async () => {
    const model = transform((_: null) =>
      scoped(function* (): Gen<{ w: tf.Tensor; list: tf.Tensor[]; shards: readonly tf.Tensor[] }> {
        const wv = yield* getVariable("w", { shape: [2], initializer: randomNormalInitializer() });
        const w = yield* readVariable(wv);
        const emb = yield* getVariable("emb", {
          shape: [4, 1],
          partitioner: fixedSizePartitioner(2),
        });
        return { w, list: [w, tf.neg(w)], shards: yield* readShards(emb) };
      })
    );
    const { params } = model.init(null, { seed: 5 });
    const w0 = await values(params.get("w"));
    for (const m of [model, transform(model.fn, { compile: false })]) {
      for (let i = 0; i < 2; i++) {
        const out = m.apply(params, null);
        assert.notEqual(out.w, params.get("w"));
        assert.notEqual(out.list[0], params.get("w"));
        assert.notEqual(out.shards[0], params.get("emb/part_0"));
        assert.notEqual(out.shards[1], params.get("emb/part_1"));
        assert.deepEqual(await values(out.w), w0);
        assert.deepEqual(await values(out.list[1]!), w0.map((v) => -v));
        tf.dispose([out.w, ...out.list, ...out.shards]);
        assert.deepEqual(await values(params.get("w")), w0, "params still readable");
        assert.equal((await values(params.get("emb/part_1"))).length, 2);
      }
    }
    params.dispose();
  },
);

// ---------------------------------------------------------------- untyped input

backendTest(import.meta.url, "untyped bad input to transform and init is a typed error", () => {
  const f = (x: tf.Tensor1D): Program<tf.Tensor> =>
    scoped(function* (): Gen<tf.Tensor> {
      return tf.mul(x, yield* variable("w", { shape: [1] }));
    });
  const untyped = transform as unknown as (...args: unknown[]) => unknown;
  let e = expectError(() => untyped(42), "InvalidArgument", [
    "Invalid transform: expected a function returning a Program, got 42",
  ]);
  assert.equal(e.details.argument, "fn");
  expectError(() => untyped(undefined), "InvalidArgument", ["got undefined"]);
  e = expectError(() => untyped(f, { bogus: 1 }), "InvalidArgument", [
    'Invalid transform option "bogus"',
    "compile",
  ]);
  assert.equal(e.details.argument, "bogus");
  expectError(() => untyped(f, "fast"), "InvalidArgument", [
    "Invalid transform options: expected an object",
  ]);
  expectError(() => untyped(f, { compile: "yes" }), "InvalidArgument", [
    'Invalid compile: expected a boolean, got "yes"',
  ]);
  const model = transform(f);
  assert.equal(model.compile, true);
  assert.equal(transform(f, { compile: false }).compile, false);
  assert.ok(Object.isFrozen(model));
  const x = tf.tensor1d([1]);
  const init = model.init as unknown as (input: unknown, options: unknown) => unknown;
  for (const seed of [1.5, Number.NaN, Infinity, 2 ** 60, "1", true]) {
    e = expectError(() => init(x, { seed }), "InvalidArgument", ["Invalid seed", "safe integer"]);
    assert.equal(e.details.argument, "seed");
  }
  expectError(() => init(x, { nope: 1 }), "InvalidArgument", ['Invalid init option "nope"']);
  expectError(() => init(x, 3), "InvalidArgument", ["Invalid init options: expected an object"]);
  // A function returning something else than a Program, in init and apply.
  const notProgram = transform((x: tf.Tensor1D) =>
    (x.shape[0] === 1 ? f(x) : tf.mul(x, 2)) as unknown as Program<tf.Tensor>
  );
  const x3 = tf.tensor1d([1, 2, 3]);
  e = expectError(() => notProgram.init(x3), "InvalidArgument", [
    "The model function must return a Program, got",
  ]);
  expectError(() => transform((() => 42) as never).init(x), "InvalidArgument", [
    "must return a Program, got 42",
  ]);
  const { params } = notProgram.init(x);
  expectError(() => notProgram.apply(params, x3), "InvalidArgument", [
    "must return a Program",
  ]);
  // A model function that throws is reported, not rethrown raw.
  const throwing = transform((_: null): Program<null> => {
    throw new TypeError("not today");
  });
  e = expectError(() => throwing.init(null), "ComputeError", ["not today"]);
  assert.ok(e.details.cause instanceof TypeError);
  params.dispose();
  tf.dispose([x, x3]);
});
