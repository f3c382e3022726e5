/**
 * trackTf1StyleVariables on varscope Modules (spec Q1–Q10, decision 4),
 * with the TF shim tests test_module_get_variable and
 * test_module_compat_v1_layer ported (keras variable_scope_shim_test.py).
 *
 * Keras' `regularizers.L2(f)` is `f * sum(w²)`; TF1's `l2Regularizer(s)`
 * is `s * sum(w²) / 2`, so Keras' default L2 (0.01) is `l2Regularizer(0.02)`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import {
  AUTO_REUSE,
  fixedSizePartitioner,
  getVariable,
  l2Regularizer,
  makeTemplate,
  onesInitializer,
  ownedByObject,
  type Program,
  type ProgramGenerator,
  runScoped,
  scoped,
  ScopeError,
  variableScope,
  zerosInitializer,
} from "varscope";
import { Dense, dense } from "varscope/layers";
import {
  callInScope,
  getOrCreateLayer,
  Module,
  runTf1,
  trackTf1StyleVariables,
} from "varscope/objects";
import { assign, readVariable, variable } from "varscope/tfjs";
import { cpu, leaked, sumOf, take } from "./_helpers.ts";

const KERAS_L2 = l2Regularizer(0.02);

function* denseBody(x: tf.Tensor, units: number, scope: string): ProgramGenerator<tf.Tensor> {
  return yield* variableScope(
    scope,
    scoped(function* (): ProgramGenerator<tf.Tensor> {
      const kernel = yield* getVariable("kernel", {
        shape: [x.shape[1]!, units],
        regularizer: KERAS_L2,
        initializer: onesInitializer(),
      });
      const bias = yield* getVariable("bias", { shape: [units], initializer: zerosInitializer() });
      return tf.add(tf.matMul(x, yield* readVariable(kernel)), yield* readVariable(bias));
    }),
  );
}

class WrappedDenseModule extends Module {
  constructor(readonly units: number) {
    super();
  }
  @trackTf1StyleVariables
  forwardPass(inputs: tf.Tensor): tf.Tensor {
    const units = this.units;
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      const out = yield* denseBody(inputs, units, "dense_one");
      return yield* variableScope(
        "nested_scope",
        scoped(function* (): ProgramGenerator<tf.Tensor> {
          return yield* denseBody(out, units, "dense_two");
        }),
      );
    }));
  }
}

function byName(m: Module): Map<string, tf.Variable> {
  return new Map(m.variables.map((v) => [v.name, v.variable]));
}

Deno.test("test_module_get_variable (Q1, Q4, Q5, Q6): names, output, losses 1.5 then 6 after doubling", async () => {
  await cpu();
  const layer = new WrappedDenseModule(10);
  const x = tf.ones([5, 5]);
  assert.deepEqual(take(layer.forwardPass(x)), new Array(50).fill(50));
  const w = byName(layer);
  assert.deepEqual([...w.keys()].sort(), [
    "dense_one/bias:0",
    "dense_one/kernel:0",
    "nested_scope/dense_two/bias:0",
    "nested_scope/dense_two/kernel:0",
  ]);
  // 0.01 * (50 ones) + 0.01 * (100 ones)
  assert.ok(Math.abs(sumOf(layer.losses) - 1.5) < 1e-6);
  assert.deepEqual([...layer.regularizers.keys()].sort(), [
    "dense_one/kernel",
    "nested_scope/dense_two/kernel",
  ]);
  w.get("dense_one/kernel:0")!.assign(tf.mul(tf.ones([5, 10]), 2));
  w.get("nested_scope/dense_two/kernel:0")!.assign(tf.mul(tf.ones([10, 10]), 2));
  assert.deepEqual(take(layer.forwardPass(x)), new Array(50).fill(200));
  // Q6: still one callable per variable, recomputed from the current value.
  assert.equal(layer.lossFunctions.length, 2);
  assert.ok(Math.abs(sumOf(layer.losses) - 6) < 1e-5);
  assert.equal(layer.variables.length, 4);
  layer.dispose();
  x.dispose();
});

class CompatV1DenseModule extends Module {
  constructor(readonly units: number) {
    super();
  }
  @trackTf1StyleVariables
  forwardPass(inputs: tf.Tensor): tf.Tensor {
    const units = this.units;
    const opts = { kernelInitializer: onesInitializer(), kernelRegularizer: KERAS_L2 };
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      const out = yield* dense(inputs, units, { name: "dense_one", ...opts });
      return yield* variableScope(
        "nested_scope",
        dense(out, units, { name: "dense_two", ...opts }),
      );
    }));
  }
}

Deno.test("test_module_compat_v1_layer (Q4, Q6): compat.v1 dense layers inside a Module", async () => {
  await cpu();
  const layer = new CompatV1DenseModule(10);
  const x = tf.ones([5, 5]);
  assert.deepEqual(take(layer.forwardPass(x)), new Array(50).fill(50));
  const w = byName(layer);
  assert.deepEqual([...w.keys()].sort(), [
    "dense_one/bias:0",
    "dense_one/kernel:0",
    "nested_scope/dense_two/bias:0",
    "nested_scope/dense_two/kernel:0",
  ]);
  assert.ok(Math.abs(sumOf(layer.losses) - 1.5) < 1e-6);
  w.get("dense_one/kernel:0")!.assign(tf.mul(tf.ones([5, 10]), 2));
  w.get("nested_scope/dense_two/kernel:0")!.assign(tf.mul(tf.ones([10, 10]), 2));
  assert.deepEqual(take(layer.forwardPass(x)), new Array(50).fill(200));
  assert.ok(Math.abs(sumOf(layer.losses) - 6) < 1e-5);
  layer.dispose();
  x.dispose();
});

class Generic extends Module {
  constructor(readonly body: (x: tf.Tensor) => Program<tf.Tensor>) {
    super();
  }
  @trackTf1StyleVariables
  call(x: tf.Tensor): tf.Tensor {
    return runTf1(this.body(x));
  }
}

Deno.test("Q1: each object gets its own store on its first call", async () => {
  await cpu();
  const body = (x: tf.Tensor) =>
    scoped(function* (): ProgramGenerator<tf.Tensor> {
      return tf.add(x, yield* variable("b", { shape: [2], initializer: zerosInitializer() }));
    });
  const a = new Generic(body);
  const b = new Generic(body);
  assert.equal(a.variables.length, 0);
  tf.dispose([a.call(tf.ones([1, 2])), b.call(tf.ones([1, 2]))]);
  assert.equal(a.variables.length, 1);
  assert.notEqual(a.variables[0]!.variable, b.variables[0]!.variable);
  a.variables[0]!.variable.assign(tf.ones([2]));
  assert.deepEqual(take(a.call(tf.zeros([1, 2]))), [1, 1]);
  assert.deepEqual(take(b.call(tf.zeros([1, 2]))), [0, 0]);
  a.dispose();
  b.dispose();
});

Deno.test("Q1: decorating a method of anything else is the typed 'does not extend Module, Layer, or Model' error", () => {
  // The plain function form type-checks for a Module only; call it on something else at run time.
  const tracked = trackTf1StyleVariables(function (this: Module): number {
    return 1;
  });
  const notAModule = { f: tracked } as unknown as { f: () => number };
  assert.throws(
    () => notAModule.f(),
    (e: unknown) =>
      e instanceof ScopeError && e.tag === "ObjectError" &&
      /does not extend Module, Layer, or Model/.test(e.message),
  );
  // The decorator refuses at construction (its initializer checks the instance).
  const decorate = trackTf1StyleVariables as unknown as (
    m: () => number,
    c: ClassMethodDecoratorContext,
  ) => () => number;
  class Plain {
    f(): number {
      return 1;
    }
  }
  let initializer: ((this: unknown) => void) | undefined;
  decorate(Plain.prototype.f, {
    kind: "method",
    name: "f",
    static: false,
    private: false,
    metadata: {},
    access: { has: () => true, get: () => Plain.prototype.f },
    addInitializer: (f: (this: unknown) => void) => {
      initializer = f;
    },
  } as unknown as ClassMethodDecoratorContext);
  assert.throws(
    () => initializer!.call(new Plain()),
    (e: unknown) =>
      e instanceof ScopeError && /does not extend Module, Layer, or Model/.test(e.message),
  );
});

Deno.test("Q2: reuse false / inherit act as AUTO_REUSE (testVarScopeGetOrCreateReuseIgnoreFalse); values assigned stick", async () => {
  await cpu();
  const m = new Generic((x) =>
    scoped(function* (): ProgramGenerator<tf.Tensor> {
      const v1 = yield* variableScope("bar", { reuse: false }, getVariable("var", { shape: [] }));
      yield* assign(v1, x);
      const v2 = yield* variableScope("bar", { reuse: false }, getVariable("var", { shape: [] }));
      const v3 = yield* variableScope(
        "bar",
        { reuse: AUTO_REUSE },
        getVariable("var", { shape: [] }),
      );
      assert.equal(v1, v2);
      assert.equal(v1, v3);
      return tf.clone(x);
    })
  );
  for (const value of [42, 13, 17]) {
    tf.dispose(m.call(tf.scalar(value)));
    assert.deepEqual(Array.from(m.variables[0]!.variable.dataSync()), [value]);
  }
  assert.equal(m.variables.length, 1);
  assert.equal(m.variables[0]!.name, "bar/var:0");
  m.dispose();
});

Deno.test("Q2: reuse=true with a missing name is still 'does not exist'", async () => {
  await cpu();
  const m = new Generic(() =>
    variableScope("foo", { reuse: true }, variable("nope", { shape: [1] }))
  );
  assert.throws(
    () => m.call(tf.scalar(0)),
    (e: unknown) => e instanceof ScopeError && e.tag === "VariableMissing",
  );
  assert.equal(m.variables.length, 0);
  m.dispose();
});

Deno.test("Q3: shape and dtype mismatches are still errors; a failed call leaves the object as it was", async () => {
  await cpu();
  let shape = [2];
  let dtype: "float32" | "int32" = "float32";
  const m = new Generic(() => variable("v", { shape, dtype }));
  tf.dispose(m.call(tf.scalar(0)));
  shape = [3];
  assert.throws(
    () => m.call(tf.scalar(0)),
    (e: unknown) => e instanceof ScopeError && e.tag === "ShapeMismatch",
  );
  shape = [2];
  dtype = "int32";
  assert.throws(
    () => m.call(tf.scalar(0)),
    (e: unknown) => e instanceof ScopeError && e.tag === "DTypeMismatch",
  );
  assert.equal(m.variables.length, 1);
  m.dispose();
});

Deno.test("Q4: the object's own name never prefixes the variables", async () => {
  await cpu();
  class Named extends Module {
    @trackTf1StyleVariables
    call(): tf.Tensor {
      return runTf1(variable("w", { shape: [1] }));
    }
  }
  const m = new Named({ name: "my_module" });
  assert.equal(m.name, "my_module");
  tf.dispose(m.call());
  assert.deepEqual(m.variables.map((v) => v.name), ["w:0"]);
  assert.equal(new Named().name, "named");
  m.dispose();
});

Deno.test("decision 4: default-name counters start fresh in every call, so unnamed layers reuse", async () => {
  await cpu();
  const m = new Generic((x) => dense(x, 2));
  for (let i = 0; i < 3; i++) tf.dispose(m.call(tf.ones([1, 3])));
  assert.deepEqual(m.variables.map((v) => v.name), ["dense/kernel:0", "dense/bias:0"]);
  m.dispose();
});

Deno.test("Q7: a partitioner is refused with TF2's message", async () => {
  await cpu();
  const m = new Generic(() =>
    variable("p", { shape: [4, 2], partitioner: fixedSizePartitioner(2) })
  );
  assert.throws(
    () => m.call(tf.scalar(0)),
    (e: unknown) =>
      e instanceof ScopeError && e.tag === "PartitionerUnsupported" &&
      /`partitioner` arg for `get_variable` is unsupported in TF2/.test(e.message),
  );
  const s = new Generic(() =>
    variableScope("s", { partitioner: fixedSizePartitioner(2) }, variable("p", { shape: [4, 2] }))
  );
  assert.throws(() => s.call(tf.scalar(0)), /unsupported in TF2/);
  m.dispose();
  s.dispose();
});

class CompatV1TemplateScaleByY extends Module {
  @trackTf1StyleVariables
  call(inputs: tf.Tensor): tf.Tensor {
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      const scaleByY = yield* makeTemplate(
        "scale_by_y",
        (x: tf.Tensor) =>
          scoped(function* (): ProgramGenerator<tf.Tensor> {
            const y = yield* getVariable("y", {
              shape: [],
              initializer: onesInitializer(),
              regularizer: KERAS_L2,
            });
            return tf.mul(x, yield* readVariable(y));
          }),
      );
      return yield* variableScope(
        "foo",
        scoped(function* (): ProgramGenerator<tf.Tensor> {
          const once = yield* scaleByY.call(inputs);
          once.dispose();
          return yield* scaleByY.call(tf.mul(inputs, 1.5));
        }),
      );
    }));
  }
}

Deno.test("Q10: makeTemplate inside a decorated call works, is reused across calls and tracked (foo/scale_by_y/y:0)", async () => {
  await cpu();
  const layer = new CompatV1TemplateScaleByY();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(take(layer.call(tf.ones([2, 3]))), new Array(6).fill(1.5));
  }
  assert.deepEqual(layer.weights.map((w) => w.name), ["foo/scale_by_y/y:0"]);
  // Keras L2 of y = 1: 0.01 * 1.
  assert.ok(Math.abs(sumOf(layer.losses) - 0.01) < 1e-7);
  layer.dispose();
});

class NestedModule extends Module {
  constructor(readonly units: number, name: string) {
    super({ name });
  }
  @trackTf1StyleVariables
  call(inputs: tf.Tensor): tf.Tensor {
    const units = this.units;
    return runTf1(variableScope(
      this.name,
      scoped(function* (): ProgramGenerator<tf.Tensor> {
        const kernel = yield* getVariable("kernel", {
          shape: [inputs.shape[1]!, units],
          regularizer: l2Regularizer(2), // Keras L2(1.0)
          initializer: onesInitializer(),
        });
        const bias = yield* getVariable("bias", {
          shape: [units],
          initializer: zerosInitializer(),
        });
        return tf.add(tf.matMul(inputs, yield* readVariable(kernel)), yield* readVariable(bias));
      }),
    ));
  }
}

class WrappedNesting extends Module {
  denseLayerA: NestedModule | null = null;
  denseLayerB: NestedModule | null = null;
  constructor(readonly units: number, readonly outer: string | null = null) {
    super();
  }
  @trackTf1StyleVariables
  call(inputs: tf.Tensor): tf.Tensor {
    this.denseLayerA ??= new NestedModule(this.units * 2, "dense_one");
    this.denseLayerB ??= new NestedModule(this.units, "dense_two");
    const [a, b] = [this.denseLayerA, this.denseLayerB];
    const body = scoped(function* (): ProgramGenerator<tf.Tensor> {
      const h = yield* callInScope(() => a.call(inputs));
      const out = yield* callInScope(() => b.call(h));
      h.dispose();
      return out;
    });
    return runTf1(this.outer === null ? body : variableScope(this.outer, body));
  }
}

Deno.test("test_shim_nesting (Q8): own stores, each weight once, losses 30 + 50 = 80, then 320", async () => {
  await cpu();
  const layer = new WrappedNesting(5);
  assert.deepEqual(take(layer.call(tf.ones([1, 3]))), new Array(5).fill(30));
  assert.deepEqual(layer.trainableWeights.map((v) => v.name).sort(), [
    "dense_one/bias:0",
    "dense_one/kernel:0",
    "dense_two/bias:0",
    "dense_two/kernel:0",
  ]);
  assert.deepEqual(layer.denseLayerA!.weights.map((v) => v.name), [
    "dense_one/kernel:0",
    "dense_one/bias:0",
  ]);
  assert.deepEqual(layer.denseLayerB!.weights.map((v) => v.name), [
    "dense_two/kernel:0",
    "dense_two/bias:0",
  ]);
  assert.ok(Math.abs(sumOf(layer.denseLayerA!.losses) - 30) < 1e-4);
  assert.ok(Math.abs(sumOf(layer.denseLayerB!.losses) - 50) < 1e-4);
  assert.ok(Math.abs(sumOf(layer.losses) - 80) < 1e-4);
  // The outer object's own store holds none of them.
  assert.equal(layer.regularizers.size, 0);
  const w = byName(layer);
  w.get("dense_one/kernel:0")!.assign(tf.mul(tf.ones([3, 10]), 2));
  w.get("dense_two/kernel:0")!.assign(tf.mul(tf.ones([10, 5]), 2));
  assert.deepEqual(take(layer.call(tf.ones([1, 3]))), new Array(5).fill(120));
  assert.ok(Math.abs(sumOf(layer.losses) - 320) < 1e-3);
  assert.deepEqual(layer.submodules, [layer.denseLayerA, layer.denseLayerB]);
  layer.dispose();
});

Deno.test("Q8: inner names get the outer variable scope open at call time", async () => {
  await cpu();
  const layer = new WrappedNesting(2, "outer");
  tf.dispose(layer.call(tf.ones([1, 3])));
  assert.deepEqual(layer.variables.map((v) => v.name), [
    "outer/dense_one/kernel:0",
    "outer/dense_one/bias:0",
    "outer/dense_two/kernel:0",
    "outer/dense_two/bias:0",
  ]);
  layer.dispose();
});

Deno.test("Q9: objects made inside the method are not tracked; fields and getOrCreateLayer are", async () => {
  await cpu();
  class MadeInside extends Module {
    @trackTf1StyleVariables
    call(x: tf.Tensor): tf.Tensor {
      const inner = new Generic((t) => dense(t, 10, { kernelInitializer: onesInitializer() }));
      return inner.call(x);
    }
  }
  const a = new MadeInside();
  assert.deepEqual(take(a.call(tf.ones([5, 5]))), new Array(50).fill(5));
  assert.equal(a.weights.length, 0); // test_only_track_get_variable
  class Cached extends Module {
    @trackTf1StyleVariables
    call(x: tf.Tensor): tf.Tensor {
      return runTf1(variableScope(
        "outer",
        scoped(function* (): ProgramGenerator<tf.Tensor> {
          const inner = yield* getOrCreateLayer(
            "inner",
            () => new Generic((t) => dense(t, 10, { kernelInitializer: onesInitializer() })),
          );
          return inner.call(x);
        }),
      ));
    }
  }
  const c = new Cached();
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(take(c.call(tf.ones([5, 5]))), new Array(50).fill(5));
  }
  assert.deepEqual(c.weights.map((w) => w.name), ["dense/kernel:0", "dense/bias:0"]);
  assert.equal(c.submodules.length, 1);
  c.dispose();
});

Deno.test("Q9: getOrCreateLayer outside a decorated call is ObjectError; runTf1 too", () => {
  assert.throws(
    () => runTf1(getOrCreateLayer("x", () => 1)),
    (e: unknown) => e instanceof ScopeError && e.tag === "ObjectError",
  );
});

Deno.test("Q11: the training argument reaches the method and dropout / batch norm inside honour it", async () => {
  await cpu();
  const { Dropout, BatchNormalization } = await import("varscope/layers");
  class Net extends Module {
    @trackTf1StyleVariables
    call(x: tf.Tensor, training: boolean): tf.Tensor {
      return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
        const d = yield* new Dropout({ rate: 0.5 }).apply(x, { training });
        return yield* new BatchNormalization({ name: "bn" }).apply(d, { training });
      }));
    }
  }
  const m = new Net();
  const x = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  // Inference: dropout off, BN with moving stats (mean 0, var 1): y = x / sqrt(1 + 1e-3).
  const y = take(m.call(x, false));
  assert.ok(
    y.every((v, i) => Math.abs(v - [1, 2, 3, 4, 5, 6, 7, 8][i]! / Math.sqrt(1.001)) < 1e-4),
  );
  const mean = () =>
    Array.from(m.variables.find((v) => v.name === "bn/moving_mean:0")!.variable.dataSync());
  assert.deepEqual(mean(), [0, 0]);
  tf.dispose(m.call(x, true));
  // Moving mean = 0.99 * 0 + 0.01 * batch mean of the dropped-out input (nonzero).
  assert.ok(mean().some((v) => v !== 0));
  assert.deepEqual(m.nonTrainableWeights.map((v) => v.name), [
    "bn/moving_mean:0",
    "bn/moving_variance:0",
  ]);
  m.dispose();
  x.dispose();
});

Deno.test("memory: creating, calling and disposing 100 modules leaks no tensor", async () => {
  await cpu();
  const x = tf.ones([2, 3]);
  const n = await leaked(() => {
    for (let i = 0; i < 100; i++) {
      const m = new CompatV1DenseModule(4);
      tf.dispose(m.forwardPass(x));
      tf.dispose(m.forwardPass(x));
      tf.dispose(m.losses);
      m.dispose();
    }
  });
  assert.equal(n, 0);
  x.dispose();
});

Deno.test("Module.dispose frees its variables; a disposed module refuses calls", async () => {
  await cpu();
  const m = new Generic((x) => dense(x, 2));
  tf.dispose(m.call(tf.ones([1, 2])));
  const v = m.variables[0]!.variable;
  m.dispose();
  assert.equal(v.isDisposed, true);
  assert.throws(
    () => m.call(tf.ones([1, 2])),
    (e: unknown) => e instanceof ScopeError && e.tag === "ObjectError",
  );
  // Unused so the import list stays honest.
  assert.ok(Dense);
});

Deno.test("Q2, Q7: the ownedByObject creation policy on its own (runScoped)", () => {
  const twice = scoped(function* (): ProgramGenerator<boolean> {
    const a = yield* variableScope("s", getVariable("v", { shape: [2] }));
    const b = yield* variableScope("s", getVariable("v", { shape: [2] }));
    return a === b;
  });
  const owned = runScoped(twice, undefined, { creation: ownedByObject() });
  assert.ok(owned._tag === "Right" && owned.right.value === true);
  const graph = runScoped(twice);
  assert.ok(graph._tag === "Left" && graph.left.tag === "VariableExists");
  const parted = runScoped(
    getVariable("p", { shape: [4], partitioner: fixedSizePartitioner(2) }),
    undefined,
    { creation: ownedByObject() },
  );
  assert.ok(parted._tag === "Left" && parted.left.tag === "PartitionerUnsupported");
});

Deno.test("Module.submodules: modules in fields, with or without variables, each once", () => {
  class Leaf extends Module {}
  class Tree extends Module {
    leaf = new Leaf();
    pair = [new Leaf(), this.leaf];
  }
  const t = new Tree();
  assert.deepEqual(t.submodules, [t.leaf, t.pair[0]]);
  assert.equal(t.variables.length, 0);
});
