// The TF1 base layer's naming and sharing rules (spec N1–N4, N6–N8, N12),
// checked without tensors: a layer's build and call are scope programs, so
// these cases run under the pure core's runScoped. Expected names are those
// of TF1's legacy_tf_layers/base_test.py (testScopeNaming,
// testNameScopeIsConsistentWithVariableScope) and the spec.
import * as assert from "node:assert/strict";
import {
  AUTO_REUSE,
  type CustomGetter,
  getCollection,
  getVariableScope,
  GraphKeys,
  l2Regularizer,
  nameScope,
  of,
  opName,
  type Program,
  type ProgramGenerator,
  regularizationLosses,
  runScoped,
  runScopedOrThrow,
  scoped,
  type Store,
  trainableVariables,
  type VariableLike,
  variableScope,
} from "varscope";
import { Layer, type LayerOptions, toSnakeCase } from "varscope/layers";

type Gen<A> = ProgramGenerator<A>;

/** TF1 base_test's PrivateLayer: no weights, returns its input. */
class PrivateLayer extends Layer<unknown, unknown, null> {
  constructor(options: LayerOptions = {}) {
    super(toSnakeCase("PrivateLayer"), options);
    if (new.target === PrivateLayer) Object.freeze(this);
  }
  protected build(): Program<null> {
    return of(null);
  }
  protected call(inputs: unknown): Program<unknown> {
    return of(inputs);
  }
}

/** TF1 base_test's MyLayer: one weight `my_var`, an op `my_op`. */
class MyLayer extends Layer<unknown, { readonly v: string; readonly op: string }, VariableLike> {
  constructor(options: LayerOptions = {}, readonly regularize = false) {
    super(toSnakeCase("MyLayer"), options);
    if (new.target === MyLayer) Object.freeze(this);
  }
  protected build(): Program<VariableLike> {
    return this.addWeight("my_var", {
      shape: [],
      regularizer: this.regularize ? l2Regularizer(0.1) : null,
    });
  }
  protected call(
    _: unknown,
    v: VariableLike,
  ): Program<{ readonly v: string; readonly op: string }> {
    return scoped(function* (): Gen<{ readonly v: string; readonly op: string }> {
      return { v: v.name, op: yield* opName("my_op") };
    });
  }
}

/** A layer with a kernel and a bias, like Dense, without tensors. */
class TwoWeights extends Layer<unknown, readonly string[], readonly VariableLike[]> {
  constructor(options: LayerOptions = {}) {
    super("two_weights", options);
    if (new.target === TwoWeights) Object.freeze(this);
  }
  protected build(): Program<readonly VariableLike[]> {
    return scoped(() => this.#weights());
  }
  *#weights(): ProgramGenerator<readonly VariableLike[]> {
    const k = yield* this.addWeight("kernel", { shape: [2, 2] });
    const b = yield* this.addWeight("bias", { shape: [2] });
    return [k, b];
  }
  protected call(_: unknown, w: readonly VariableLike[]): Program<readonly string[]> {
    return of(w.map((v) => v.name));
  }
}

const scopeOf = (store: Store, layer: Layer<unknown, unknown, unknown>): string | null =>
  layer.scopeName(store);

Deno.test("N2: base_test testScopeNaming (default names, given names, name scopes, var scopes)", () => {
  const layers = {
    d0: new PrivateLayer(),
    d1: new PrivateLayer(),
    m0: new PrivateLayer({ name: "my_layer" }),
    m1: new PrivateLayer({ name: "my_layer" }),
    m2: new PrivateLayer({ name: "my_layer" }),
    d2: new PrivateLayer(),
    m3: new PrivateLayer({ name: "my_layer" }),
    other: new PrivateLayer({ name: "other_layer" }),
    ds: new PrivateLayer(),
    ms: new PrivateLayer({ name: "my_layer" }),
    ms1: new PrivateLayer({ name: "my_layer" }),
  };
  const { store } = runScopedOrThrow(scoped(function* (): Gen<void> {
    yield* layers.d0.apply(1);
    yield* layers.d1.apply(1);
    yield* layers.m0.apply(1);
    yield* layers.m1.apply(1);
    yield* layers.m2.apply(1);
    // Name scope shouldn't affect names.
    yield* nameScope(
      "some_name_scope",
      scoped(function* (): Gen<void> {
        yield* layers.d2.apply(1);
        yield* layers.m3.apply(1);
        yield* layers.other.apply(1);
      }),
    );
    // Variable scope gets added to scope names.
    yield* variableScope(
      "var_scope",
      scoped(function* (): Gen<void> {
        yield* layers.ds.apply(1);
        yield* layers.ms.apply(1);
        yield* layers.ms1.apply(1);
      }),
    );
  }));
  const names = Object.fromEntries(Object.entries(layers).map(([k, l]) => [k, scopeOf(store, l)]));
  assert.deepEqual(names, {
    d0: "private_layer",
    d1: "private_layer_1",
    m0: "my_layer",
    m1: "my_layer_1",
    m2: "my_layer_2",
    d2: "private_layer_2",
    m3: "my_layer_3",
    other: "other_layer",
    ds: "var_scope/private_layer",
    ms: "var_scope/my_layer",
    ms1: "var_scope/my_layer_1",
  });
});

Deno.test("N1: object names are the given name, or the class name made unique per store", () => {
  const a = new PrivateLayer();
  const b = new PrivateLayer();
  const named = new PrivateLayer({ name: "mine" });
  const c = new PrivateLayer();
  const { store } = runScopedOrThrow(scoped(function* (): Gen<void> {
    yield* a.apply(0);
    yield* variableScope("elsewhere", b.apply(0)); // independent of variable scopes
    yield* named.apply(0);
    yield* c.apply(0);
  }));
  assert.deepEqual(
    [a, b, named, c].map((l) => l.objectName(store)),
    ["private_layer", "private_layer_1", "mine", "private_layer_2"],
  );
  assert.equal(new PrivateLayer().objectName(store), null, "null before the first call");
  assert.equal(toSnakeCase("Conv2DTranspose"), "conv2d_transpose");
  assert.equal(toSnakeCase("BatchNormalization"), "batch_normalization");
  assert.equal(toSnakeCase("_Hidden"), "private__hidden"); // Keras: "private" + "__hidden"
});

Deno.test("N7: base_test testNameScopeIsConsistentWithVariableScope (variables and ops)", () => {
  const gen = (names: readonly (string | undefined)[]): { v: string; op: string }[] =>
    runScopedOrThrow(scoped(function* (): Gen<{ v: string; op: string }[]> {
      const out: { v: string; op: string }[] = [];
      for (const name of names) {
        out.push(yield* new MyLayer(name === undefined ? {} : { name }).apply(0));
      }
      return out;
    })).value;
  assert.deepEqual(gen([undefined, undefined, undefined]), [
    { v: "my_layer/my_var:0", op: "my_layer/my_op:0" },
    { v: "my_layer_1/my_var:0", op: "my_layer_1/my_op:0" },
    { v: "my_layer_2/my_var:0", op: "my_layer_2/my_op:0" },
  ]);
  assert.deepEqual(gen(["name", "name_1", "name_2"]).map((r) => r.op), [
    "name/my_op:0",
    "name_1/my_op:0",
    "name_2/my_op:0",
  ]);
  assert.deepEqual(gen(["name_1", "name_2", "name_3"]).map((r) => r.v), [
    "name_1/my_var:0",
    "name_2/my_var:0",
    "name_3/my_var:0",
  ]);
});

Deno.test("N7: a layer's ops go to its original name scope on every call, also under other name scopes", () => {
  const layer = new MyLayer();
  const { value } = runScopedOrThrow(scoped(function* (): Gen<string[]> {
    const a = yield* nameScope("outer", layer.apply(0));
    const b = yield* layer.apply(0);
    const c = yield* variableScope("vs", layer.apply(0));
    return [a.op, b.op, c.op, a.v, c.v];
  }));
  assert.deepEqual(value, [
    "outer/my_layer/my_op:0",
    "outer/my_layer/my_op_1:0",
    "outer/my_layer/my_op_2:0",
    "my_layer/my_var:0",
    "my_layer/my_var:0",
  ]);
});

Deno.test("N4: later calls of the same object reuse its variables, wherever they are called", () => {
  const layer = new TwoWeights();
  const { value, store } = runScopedOrThrow(scoped(function* (): Gen<(readonly string[])[]> {
    const a = yield* layer.apply(0);
    const b = yield* variableScope("other", layer.apply(0));
    return [a, b];
  }));
  assert.deepEqual(value, [
    ["two_weights/kernel:0", "two_weights/bias:0"],
    ["two_weights/kernel:0", "two_weights/bias:0"],
  ]);
  assert.deepEqual(layer.variables(store).map((v) => v.name), [
    "two_weights/kernel:0",
    "two_weights/bias:0",
  ]);
  assert.equal(layer.state(store)?.built, true);
});

Deno.test("N4: the same object in a second run on the same store reuses (its state is in the store)", () => {
  const layer = new TwoWeights();
  const first = runScopedOrThrow(layer.apply(0));
  const second = runScoped(layer.apply(0), first.store);
  assert.equal(second._tag, "Right");
  if (second._tag === "Right") {
    assert.deepEqual(second.right.value, ["two_weights/kernel:0", "two_weights/bias:0"]);
    assert.equal(trainableVariables(second.right.store).length, 2, "no new variables");
  }
  // A new object in a second run opens a fresh default-name scope: counts are per run.
  const other = runScoped(new TwoWeights().apply(0), first.store);
  assert.equal(other._tag === "Left" && other.left.tag, "VariableExists");
  assert.equal(layer.state(runScopedOrThrow(of(0)).store), null, "the object itself holds nothing");
});

Deno.test("N3: reuse: true enters the scope named `name` (not made unique) and finds existing variables", () => {
  const creator = new TwoWeights({ name: "shared" });
  const reuser = new TwoWeights({ name: "shared", reuse: true });
  const { value, store } = runScopedOrThrow(scoped(function* (): Gen<(readonly string[])[]> {
    const a = yield* creator.apply(0);
    const b = yield* reuser.apply(0);
    return [a, b];
  }));
  assert.deepEqual(value[0], value[1]);
  assert.equal(reuser.scopeName(store), "shared");
  const missing = runScoped(new TwoWeights({ name: "nothing", reuse: true }).apply(0));
  assert.equal(missing._tag === "Left" && missing.left.tag, "VariableMissing");
});

Deno.test("N2/N5: an explicit `scope` (TF1 _scope) is used exactly: a second layer there clashes", () => {
  const r = runScoped(scoped(function* (): Gen<void> {
    yield* new TwoWeights({ scope: "fixed" }).apply(0);
    yield* new TwoWeights({ scope: "fixed" }).apply(0);
  }));
  assert.equal(r._tag === "Left" && r.left.tag, "VariableExists");
  assert.ok(r._tag === "Left" && r.left.message.includes("fixed/kernel"));
  const shared = runScopedOrThrow(scoped(function* (): Gen<readonly string[]> {
    yield* new TwoWeights({ scope: "fixed" }).apply(0);
    return yield* new TwoWeights({ scope: "fixed", reuse: true }).apply(0);
  }));
  assert.deepEqual(shared.value, ["fixed/kernel:0", "fixed/bias:0"]);
});

Deno.test("N6: a captured VariableScope as `name` is the layer's scope", () => {
  const { value } = runScopedOrThrow(scoped(function* (): Gen<readonly string[]> {
    const scope = yield* variableScope("test1", getVariableScope());
    return yield* variableScope("elsewhere", new TwoWeights({ name: scope }).apply(0));
  }));
  assert.deepEqual(value, ["test1/kernel:0", "test1/bias:0"]);
});

Deno.test("N2: the call option `scope` replaces the default name on the first call (RNN cells)", () => {
  const layer = new TwoWeights();
  const { value } = runScopedOrThrow(scoped(function* (): Gen<(readonly string[])[]> {
    const a = yield* layer.apply(0, { scope: "cell" });
    const b = yield* layer.apply(0, { scope: "ignored_later" });
    return [a, b];
  }));
  assert.deepEqual(value, [["cell/kernel:0", "cell/bias:0"], ["cell/kernel:0", "cell/bias:0"]]);
});

Deno.test("N8: the scope's custom getter runs once per weight, not again on later calls", () => {
  let calls = 0;
  const counting: CustomGetter = (next, args) => {
    calls++;
    return next(args);
  };
  const layer = new TwoWeights();
  runScopedOrThrow(variableScope(
    "test",
    { customGetter: counting },
    scoped(function* (): Gen<void> {
      yield* layer.apply(0);
      yield* layer.apply(0);
    }),
  ));
  assert.equal(calls, 2);
});

Deno.test("N8: trainable: false makes every weight non-trainable", () => {
  const layer = new TwoWeights({ trainable: false });
  const { store } = runScopedOrThrow(layer.apply(0));
  assert.equal(trainableVariables(store).length, 0);
  assert.equal(getCollection(store, GraphKeys.GLOBAL_VARIABLES).length, 2);
  assert.deepEqual(layer.nonTrainableVariables(store).map((v) => v.name), [
    "two_weights/kernel:0",
    "two_weights/bias:0",
  ]);
  assert.deepEqual(layer.trainableVariables(store), []);
});

Deno.test("N12: a weight regularizer adds one loss, not one per call or per reusing layer", () => {
  const layer = new MyLayer({ name: "reg" }, true);
  const { store } = runScopedOrThrow(scoped(function* (): Gen<void> {
    yield* layer.apply(0);
    yield* layer.apply(0);
    yield* new MyLayer({ scope: "reg", reuse: true }, true).apply(0);
  }));
  assert.deepEqual(regularizationLosses(store).map((l) => l.name), [
    "reg/my_var/Regularizer/l2_regularizer:0",
  ]);
});

Deno.test("N4: reuse AUTO_REUSE in the caller's scope lets a new object share a default-name scope", () => {
  const { value } = runScopedOrThrow(variableScope(
    "s",
    { reuse: AUTO_REUSE },
    scoped(function* (): Gen<(readonly string[])[]> {
      const a = yield* new TwoWeights({ scope: "t" }).apply(0);
      const b = yield* new TwoWeights({ scope: "t" }).apply(0);
      return [a, b];
    }),
  ));
  assert.deepEqual(value[0], value[1]);
});

Deno.test("layers: bad options and arguments are typed InvalidArgument errors", () => {
  const bad: unknown[] = [
    { nme: "x" },
    { name: 3 },
    { name: "" },
    { trainable: "yes" },
    { reuse: "yes" },
    { scope: {} },
    [],
  ];
  for (const o of bad) {
    assert.throws(
      () => new TwoWeights(o as LayerOptions),
      (e) => e instanceof Error && (e as { tag?: string }).tag !== undefined,
      JSON.stringify(o),
    );
  }
  const throwing = new Proxy({}, {
    ownKeys: () => {
      throw new Error("boom");
    },
  });
  assert.throws(
    () => new TwoWeights(throwing as LayerOptions),
    (e) => (e as { tag?: string }).tag === "InvalidArgument",
  );
  const r = runScoped(new TwoWeights().apply(0, { scope: 5 } as never));
  assert.equal(r._tag === "Left" && r.left.tag, "InvalidArgument");
  assert.ok(Object.isFrozen(new TwoWeights()));
});
