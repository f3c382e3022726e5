// Into and out of varscope: a model inited and trained with transform saves
// its params by TF1 name, restores them into a fresh init with an exact
// report and bit-identical values; partitioned variables save whole under
// their TF1 name and restore into shards (and into an unpartitioned model,
// and back); a file that does not fit is reported variable by variable,
// fails typed without `initial`, and keeps `initial`'s values with it;
// initFromCheckpoint follows TF1 checkpoint_utils.init_from_checkpoint
// (scope maps, "/" root, single names, variables, shard lists, pairs sorted
// by checkpoint name, TF1's errors). No case leaks tensors.
//
// Expected values are the saved params read back (the round trip must be
// exact) or slices computed here by index arithmetic on the full tensor.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  AUTO_REUSE,
  fixedSizePartitioner,
  getLocalVariable,
  getVariable,
  listVariables,
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import { makeTrainer, readVariable, transform, useBackend, variable } from "varscope/tfjs";
import {
  CheckpointError,
  type CheckpointErrorCode,
  type CheckpointReader,
  decodeTfjsWeights,
  encodeTfjsWeights,
  formatRestoreReport,
  initFromCheckpoint,
  paramsToStoredTensors,
  restore,
  type RestoreReport,
  saveTfjsWeights,
  type StoredTensor,
  writeTfjsWeights,
} from "varscope/checkpoint";
import { backendTest, values } from "../interpreter/_backends.ts";

type Gen<A> = ProgramGenerator<A>;

/** A regression model touching the naming rules: scopes, default names, AUTO_REUSE, partitions, locals. */
function net(x: tf.Tensor2D, partitioned = true): Program<tf.Scalar> {
  return scoped(function* (): Gen<tf.Scalar> {
    const h = yield* variableScope(
      "net",
      variableScope(
        "layer1",
        scoped(function* (): Gen<tf.Tensor2D> {
          const w = yield* variable("kernel", { shape: [3, 4] });
          const b = yield* variable("bias", { shape: [4], initializer: zerosInitializer() });
          return tf.tanh(tf.add(tf.matMul(x, w), b)) as tf.Tensor2D;
        }),
      ),
    );
    let out = h;
    for (let i = 0; i < 2; i++) {
      out = yield* variableScope(
        "tower",
        { reuse: AUTO_REUSE },
        scoped(function* (): Gen<tf.Tensor2D> {
          return tf.matMul(out, yield* variable("w", { shape: [4, 4] })) as tf.Tensor2D;
        }),
      );
    }
    const emb = yield* getVariable("emb", {
      shape: [4, 2],
      ...(partitioned ? { partitioner: fixedSizePartitioner(2) } : {}),
    });
    const e = yield* readVariable(emb);
    const steps = yield* getLocalVariable("steps", { shape: [], initializer: zerosInitializer() });
    const s = yield* readVariable(steps);
    return tf.add(tf.mean(tf.square(tf.matMul(out, e))), s) as tf.Scalar;
  });
}

const NAMES = [
  "net/layer1/kernel",
  "net/layer1/bias",
  "tower/w",
  "emb/part_0",
  "emb/part_1",
  "steps",
];

function input(): tf.Tensor2D {
  return tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
}

function tmpDir(): string {
  return Deno.makeTempDirSync({ prefix: "varscope-restore-test-" });
}

function expectCode(
  f: () => unknown,
  code: CheckpointErrorCode,
  message?: RegExp,
): CheckpointError {
  let err: CheckpointError | undefined;
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message !== undefined) assert.match(e.message, message);
    err = e;
    return true;
  });
  return err!;
}

/** A reader over tensors in memory (an independent stand-in for a file). */
function memoryReader(tensors: readonly StoredTensor[]): CheckpointReader {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return {
    format: "tfjs",
    list: () =>
      tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })).sort((a, b) =>
        a.name < b.name ? -1 : 1
      ),
    has: (n) => byName.has(n),
    read: (n) => byName.get(n)!,
  };
}

const f32 = (name: string, shape: number[], values: number[]): StoredTensor => ({
  name,
  dtype: "float32",
  shape,
  values: new Float32Array(values),
});

const iota = (n: number, scale = 1): number[] => Array.from({ length: n }, (_, i) => i * scale);

/** Rows [r0, r0+rows) of a row-major [*, cols] array. */
const rows = (v: readonly number[], cols: number, r0: number, n: number): number[] =>
  v.slice(r0 * cols, (r0 + n) * cols);

backendTest(
  import.meta.url,
  "save then restore: exact report and identical values by TF1 name (trained model, tfjs weights)",
  async () => {
    const model = transform((x: tf.Tensor2D) => net(x));
    const x = input();
    const { params: p0 } = model.init(x, { seed: 1 });
    const opt = tf.train.sgd(0.1);
    const trainer = makeTrainer(model, { optimizer: opt });
    const r = trainer.step(p0, x);
    r.loss.dispose();
    const trained = r.params;
    try {
      // In memory (the WebGPU child may not write files): the bytes a
      // saveTfjsWeights would write, read back by the format decoder.
      const { modelJson, shards } = encodeTfjsWeights(await paramsToStoredTensors(trained));
      const ckpt = memoryReader(
        decodeTfjsWeights(modelJson, Object.fromEntries(shards.map((s) => [s.path, s.bytes]))),
      );
      assert.deepEqual(ckpt.list().map((t) => [t.name, t.shape]), [
        ["emb", [4, 2]],
        ["net/layer1/bias", [4]],
        ["net/layer1/kernel", [3, 4]],
        ["steps", []],
        ["tower/w", [4, 4]],
      ]);
      const { params: fresh } = model.init(x, { seed: 2 });
      const { params, report } = restore(fresh.store, ckpt);
      assert.deepEqual(report, {
        matched: [
          {
            variable: "net/layer1/kernel",
            key: "net/layer1/kernel",
            fileDType: "float32",
            slice: null,
          },
          {
            variable: "net/layer1/bias",
            key: "net/layer1/bias",
            fileDType: "float32",
            slice: null,
          },
          { variable: "tower/w", key: "tower/w", fileDType: "float32", slice: null },
          {
            variable: "emb/part_0",
            key: "emb",
            fileDType: "float32",
            slice: { offset: [0, 0], shape: [2, 2] },
          },
          {
            variable: "emb/part_1",
            key: "emb",
            fileDType: "float32",
            slice: { offset: [2, 0], shape: [2, 2] },
          },
          { variable: "steps", key: "steps", fileDType: "float32", slice: null },
        ],
        missingInFile: [],
        unusedInFile: [],
        shapeMismatches: [],
        dtypeMismatches: [],
        keptInitial: [],
        complete: true,
      });
      assert.ok(Object.isFrozen(report) && Object.isFrozen(report.matched[0]));
      assert.deepEqual(params.names, NAMES);
      for (const n of NAMES) {
        assert.deepEqual(await values(params.get(n)), await values(trained.get(n)), n);
      }
      // The restored params run the model.
      const loss = model.apply(params, x);
      const expected = model.apply(trained, x);
      assert.deepEqual(await values(loss), await values(expected));
      tf.dispose([loss, expected]);
      params.dispose();
      fresh.dispose();
    } finally {
      trained.dispose();
      p0.dispose();
      trainer.dispose();
      opt.dispose();
      x.dispose();
    }
  },
);

Deno.test("partitioned <-> full: a partitioned model's file restores an unpartitioned model, and back", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const x = input();
  const part = transform((x: tf.Tensor2D) => net(x, true));
  const full = transform((x: tf.Tensor2D) => net(x, false));
  const a = part.init(x, { seed: 5 }).params;
  const b = full.init(x, { seed: 6 }).params;
  const emb = await values(b.get("emb"));
  const dirA = tmpDir(), dirB = tmpDir();
  try {
    await saveTfjsWeights(a, dirA);
    await saveTfjsWeights(b, dirB);
    // Shards of the partitioned model from the full "emb".
    const r1 = restore(a.store, dirB);
    assert.deepEqual(await values(r1.params.get("emb/part_0")), rows(emb, 2, 0, 2));
    assert.deepEqual(await values(r1.params.get("emb/part_1")), rows(emb, 2, 2, 2));
    assert.equal(r1.report.complete, true);
    // The unpartitioned model from the partitioned one's file.
    const r2 = restore(b.store, dirA);
    assert.deepEqual(await values(r2.params.get("emb")), [
      ...(await values(a.get("emb/part_0"))),
      ...(await values(a.get("emb/part_1"))),
    ]);
    assert.deepEqual(r2.report.matched.find((m) => m.variable === "emb"), {
      variable: "emb",
      key: "emb",
      fileDType: "float32",
      slice: null,
    });
    r1.params.dispose();
    r2.params.dispose();
  } finally {
    Deno.removeSync(dirA, { recursive: true });
    Deno.removeSync(dirB, { recursive: true });
    a.dispose();
    b.dispose();
    x.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("the report lists every variable and every file tensor; no initial is RestoreIncomplete, with it the values are kept", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const x = input();
  const model = transform((x: tf.Tensor2D) => net(x));
  const { params: initial } = model.init(x, { seed: 4 });
  const file = memoryReader([
    f32("net/layer1/kernel", [4, 3], iota(12)), // transposed: shape mismatch
    { name: "net/layer1/bias", dtype: "int32", shape: [4], values: new Int32Array(4) }, // dtype mismatch
    f32("emb", [4, 2], iota(8, 0.5)),
    f32("steps", [], [7]),
    f32("global_step", [], [100]),
    f32("old/x", [1], [1]),
  ]); // tower/w is missing
  const e = expectCode(() => restore(initial.store, file), "RestoreIncomplete", /3 of 6 variables/);
  const expected: RestoreReport = {
    matched: [
      {
        variable: "emb/part_0",
        key: "emb",
        fileDType: "float32",
        slice: { offset: [0, 0], shape: [2, 2] },
      },
      {
        variable: "emb/part_1",
        key: "emb",
        fileDType: "float32",
        slice: { offset: [2, 0], shape: [2, 2] },
      },
      { variable: "steps", key: "steps", fileDType: "float32", slice: null },
    ],
    missingInFile: [{ variable: "tower/w", key: "tower/w" }],
    unusedInFile: ["global_step", "old/x"],
    shapeMismatches: [{
      variable: "net/layer1/kernel",
      key: "net/layer1/kernel",
      variableShape: [3, 4],
      fileShape: [4, 3],
    }],
    dtypeMismatches: [{
      variable: "net/layer1/bias",
      key: "net/layer1/bias",
      variableDType: "float32",
      fileDType: "int32",
      reason: "dtypes differ (castDTypes is off)",
    }],
    keptInitial: [],
    complete: false,
  };
  assert.deepEqual(e.details.report, expected);
  assert.equal(tf.memory().numTensors, before + NAMES.length + 1, "the failed restore leaked");

  const { params, report } = restore(initial.store, file, { initial });
  assert.deepEqual(report, {
    ...expected,
    keptInitial: ["net/layer1/kernel", "net/layer1/bias", "tower/w"],
  });
  for (const n of ["net/layer1/kernel", "net/layer1/bias", "tower/w"]) {
    assert.deepEqual(await values(params.get(n)), await values(initial.get(n)), n);
  }
  assert.deepEqual(await values(params.get("emb/part_1")), [2, 2.5, 3, 3.5]);
  assert.deepEqual(await values(params.get("steps")), [7]);
  assert.equal(
    formatRestoreReport(report),
    [
      "restored 3 of 6 variables",
      "missing in file: tower/w (kept its initial value)",
      'shape mismatch: net/layer1/kernel is [3,4], "net/layer1/kernel" in the file is [4,3] (kept its initial value)',
      'dtype mismatch: net/layer1/bias is float32, "net/layer1/bias" in the file is int32: dtypes differ (castDTypes is off) (kept its initial value)',
      "unused in file: global_step, old/x",
    ].join("\n"),
  );
  // Disposing the restored params leaves the initial ones readable.
  params.dispose();
  assert.deepEqual((await values(initial.get("tower/w"))).length, 16);
  initial.dispose();
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("castDTypes converts what tfjs holds alike, and reports what does not fit", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const model = transform((_: null) =>
    scoped(function* (): Gen<null> {
      yield* variable("w", { shape: [2] });
      yield* variable("n", { shape: [2], dtype: "int32", initializer: zerosInitializer() });
      return null;
    })
  );
  const { params: initial } = model.init(null);
  const file = memoryReader([
    { name: "w", dtype: "float64", shape: [2], values: new Float64Array([0.1, -2]) },
    { name: "n", dtype: "int64", shape: [2], values: new BigInt64Array([3n, 2n ** 40n]) },
  ]);
  const strict = restore(initial.store, file, { initial });
  assert.deepEqual(strict.report.dtypeMismatches.map((m) => [m.variable, m.fileDType]), [
    ["w", "float64"],
    ["n", "int64"],
  ]);
  const cast = restore(initial.store, file, { initial, castDTypes: true });
  assert.deepEqual(await values(cast.params.get("w")), [Math.fround(0.1), -2]);
  assert.deepEqual(cast.report.matched.map((m) => [m.variable, m.fileDType]), [["w", "float64"]]);
  assert.equal(cast.report.dtypeMismatches[0]!.variable, "n");
  assert.match(cast.report.dtypeMismatches[0]!.reason, /int64 value 1099511627776 at element 1/);
  strict.params.dispose();
  cast.params.dispose();
  initial.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("restore with an assignment map reads the mapped variables from other names; bad input is typed", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const model = transform((_: null) =>
    variableScope(
      "new",
      scoped(function* (): Gen<null> {
        yield* variable("a", { shape: [1] });
        yield* variable("b", { shape: [1] });
        return null;
      }),
    )
  );
  const { params: initial } = model.init(null);
  const file = memoryReader([
    f32("old/a", [1], [1]),
    f32("new/b", [1], [2]),
    f32("old/b", [1], [3]),
  ]);
  const { params, report } = restore(initial.store, file, { assignmentMap: { "old/a": "new/a" } });
  assert.deepEqual(await values(params.get("new/a")), [1]);
  assert.deepEqual(await values(params.get("new/b")), [2]);
  assert.deepEqual(report.unusedInFile, ["old/b"]);
  params.dispose();
  const scoped2 = restore(initial.store, file, { assignmentMap: { "old/": "new/" } });
  assert.deepEqual(await values(scoped2.params.get("new/b")), [3]);
  assert.deepEqual(scoped2.report.unusedInFile, ["new/b"]);
  scoped2.params.dispose();
  const miss = expectCode(
    () => restore(initial.store, file, { assignmentMap: { "gone/": "new/" } }),
    "RestoreIncomplete",
  );
  assert.deepEqual((miss.details.report as RestoreReport).missingInFile, [
    { variable: "new/a", key: "gone/a" },
    { variable: "new/b", key: "gone/b" },
  ]);
  expectCode(() => restore(null as never, file), "InvalidArgument", /store/);
  expectCode(() => restore(initial.store, {} as never), "InvalidArgument", /checkpoint/);
  expectCode(
    () => restore(initial.store, file, { initial: {} as never }),
    "InvalidArgument",
    /initial/,
  );
  expectCode(() => restore(initial.store, file, { nope: 1 } as never), "InvalidArgument", /"nope"/);
  expectCode(() => restore(initial.store, "no/such/path"), "NotFound", /no\/such\/path/);
  const trap = new Proxy({}, {
    ownKeys: () => {
      throw new Error("trap");
    },
  });
  expectCode(() => restore(initial.store, file, trap), "InvalidArgument", /unreadable/);
  expectCode(() => restore(initial.store, file, { castDTypes: "yes" as never }), "InvalidArgument");
  expectCode(
    () => restore(initial.store, file, { assignmentMap: trap as never }),
    "AssignmentMap",
  );
  initial.dispose();
  assert.equal(tf.memory().numTensors, before);
});

// ---------------------------------------------------------------- initFromCheckpoint (TF1 docstring example)

function tf1DocModel(): Program<null> {
  return scoped(function* (): Gen<null> {
    yield* variableScope(
      "new_scope_1",
      variable("var1", { shape: [20, 2], initializer: zerosInitializer() }),
    );
    yield* variableScope(
      "new_scope_2",
      scoped(function* (): Gen<null> {
        yield* variable("var2", { shape: [50, 4], initializer: zerosInitializer() });
        yield* getVariable("var3", {
          shape: [100, 100],
          initializer: zerosInitializer(),
          partitioner: () => [5, 1],
        });
        return null;
      }),
    );
    return null;
  });
}

const OLD1 = iota(40, 0.5), OLD2 = iota(200, 0.25), OLD3 = iota(10000);
const TF1_DOC_FILE = [
  f32("old_scope_1/var1", [20, 2], OLD1),
  f32("old_scope_1/var2", [50, 4], OLD2),
  f32("old_scope_2/var3", [100, 100], OLD3),
];

async function withDocModel(
  body: (p: import("varscope/tfjs").Params, dir: string) => Promise<void>,
): Promise<void> {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const { params } = transform((_: null) => tf1DocModel()).init(null);
  const dir = tmpDir();
  try {
    writeTfjsWeights(dir, TF1_DOC_FILE);
    await body(params, dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
    params.dispose();
  }
  assert.equal(tf.memory().numTensors, before, "leaked tensors");
}

const zeros = (n: number): number[] => new Array(n).fill(0);

Deno.test("initFromCheckpoint {'old_scope_1/': 'new_scope_1/'}: the scope's variables, the rest kept", () =>
  withDocModel(async (p, dir) => {
    const r = initFromCheckpoint(p, dir, { "old_scope_1/": "new_scope_1/" });
    assert.deepEqual(await values(r.params.get("new_scope_1/var1")), OLD1);
    assert.deepEqual(await values(r.params.get("new_scope_2/var2")), zeros(200));
    assert.deepEqual(r.report.matched.map((m) => [m.variable, m.key]), [[
      "new_scope_1/var1",
      "old_scope_1/var1",
    ]]);
    assert.deepEqual(r.report.keptInitial, [
      "new_scope_2/var2",
      ...iota(5).map((i) => `new_scope_2/var3/part_${i}`),
    ]);
    assert.deepEqual(r.report.unusedInFile, ["old_scope_1/var2", "old_scope_2/var3"]);
    r.params.dispose();
  }));

Deno.test("initFromCheckpoint by names, by Variable objects, and a partitioned variable from a full tensor", () =>
  withDocModel(async (p, dir) => {
    const r = initFromCheckpoint(p, dir, {
      "old_scope_1/var1": "new_scope_1/var1",
      "old_scope_1/var2": "new_scope_2/var2",
      "old_scope_2/var3": "new_scope_2/var3",
    });
    assert.deepEqual(await values(r.params.get("new_scope_1/var1")), OLD1);
    assert.deepEqual(await values(r.params.get("new_scope_2/var2")), OLD2);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(
        await values(r.params.get(`new_scope_2/var3/part_${i}`)),
        rows(OLD3, 100, 20 * i, 20),
      );
    }
    assert.deepEqual(r.report.matched[2], {
      variable: "new_scope_2/var3/part_0",
      key: "old_scope_2/var3",
      fileDType: "float32",
      slice: { offset: [0, 0], shape: [20, 100] },
    });
    r.params.dispose();
    const vars = new Map(listVariables(p.store).map((v) => [v.fullName, v]));
    const shards = iota(5).map((i) => vars.get(`new_scope_2/var3/part_${i}`)!);
    const r2 = initFromCheckpoint(p, dir, [
      ["old_scope_1/var2", vars.get("new_scope_2/var2")!],
      ["old_scope_2/var3", shards],
    ]);
    assert.deepEqual(await values(r2.params.get("new_scope_2/var2")), OLD2);
    assert.deepEqual(
      await values(r2.params.get("new_scope_2/var3/part_4")),
      rows(OLD3, 100, 80, 20),
    );
    r2.params.dispose();
    expectCode(
      () =>
        initFromCheckpoint(p, dir, {
          "old_scope_2/var3": [shards[0]!, vars.get("new_scope_1/var1")!],
        }),
      "AssignmentMap",
      /same partitioned variable/,
    );
  }));

Deno.test("initFromCheckpoint: '/' root, pair lists, later checkpoint names win, and TF1's errors", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const { params } = transform((_: null) =>
    scoped(function* (): Gen<null> {
      yield* variableScope("s", variable("v", { shape: [2] }));
      yield* variableScope("t", variable("v", { shape: [2] }));
      yield* variable("v", { shape: [2] });
      return null;
    })
  ).init(null);
  const file = memoryReader([
    f32("v", [2], [1, 2]),
    f32("x/v", [2], [3, 4]),
    f32("big", [3], [0, 0, 0]),
    { name: "n", dtype: "int32", shape: [2], values: new Int32Array(2) },
  ]);
  const r = initFromCheckpoint(params, file, { "/": "s/" });
  assert.deepEqual(await values(r.params.get("s/v")), [1, 2]);
  assert.deepEqual(r.report.matched.map((m) => m.variable), ["s/v"]);
  r.params.dispose();
  const r2 = initFromCheckpoint(params, file, [["v", "s/v"], ["v", "t/v"]]);
  assert.deepEqual(await values(r2.params.get("s/v")), [1, 2]);
  assert.deepEqual(await values(r2.params.get("t/v")), [1, 2]);
  r2.params.dispose();
  // Pairs apply sorted by checkpoint name: "x/v" after "v".
  const r3 = initFromCheckpoint(params, file, [["x/v", "s/v"], ["v", "s/v"]]);
  assert.deepEqual(await values(r3.params.get("s/v")), [3, 4]);
  r3.params.dispose();
  expectCode(
    () => initFromCheckpoint(params, file, { "x/": "/" }),
    "NotFound",
    /Tensor x\/s\/v \(s\/v in x\/\) is not found/,
  );
  expectCode(
    () => initFromCheckpoint(params, file, { nope: "s/v" }),
    "NotFound",
    /Tensor nope is not found/,
  );
  expectCode(
    () => initFromCheckpoint(params, file, { v: "s/nosuch" }),
    "AssignmentMap",
    /scope only/,
  );
  expectCode(
    () => initFromCheckpoint(params, file, { big: "s/v" }),
    "ShapeMismatch",
    /Shape of variable s\/v \(\[2\]\) doesn't match with shape of tensor big \(\[3\]\)/,
  );
  expectCode(
    () => initFromCheckpoint(params, file, { n: "s/v" }),
    "DTypeMismatch",
    /s\/v is float32; tensor n .* is int32/,
  );
  expectCode(() => initFromCheckpoint(params, file, 5 as never), "AssignmentMap");
  expectCode(() => initFromCheckpoint(params, file, { v: 5 as never }), "AssignmentMap");
  expectCode(() => initFromCheckpoint({} as never, file, {}), "InvalidArgument");
  params.dispose();
  assert.equal(tf.memory().numTensors, before);
});
