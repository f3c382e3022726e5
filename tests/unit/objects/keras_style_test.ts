/**
 * Keras style (spec P1–P4) and the keras_style_scope seed example
 * (shared/seeds/000, 001).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import {
  getVariableScope,
  nameScope,
  type Program,
  type ProgramGenerator,
  scoped,
  ScopeError,
  variableScope,
} from "varscope";
import { Dense, dense } from "varscope/layers";
import { LSTMCell, MultiRNNCell, type RNNState } from "varscope/rnn";
import { isKerasStyle, kerasStyleScope, Module } from "varscope/objects";
import { transform, type Transformed } from "varscope/tfjs";
import { cpu, leaked } from "./_helpers.ts";

class RNNModel extends Module {
  readonly rnn: MultiRNNCell;
  constructor(name: string) {
    super({ name });
    this.rnn = new MultiRNNCell([new LSTMCell(64), new LSTMCell(64)]);
  }
  call(
    input: tf.Tensor2D,
    state: readonly RNNState[],
  ): Program<readonly [tf.Tensor2D, readonly RNNState[]]> {
    // TF1's RNNCell.__call__ without scope= re-enters the current variable
    // scope (its `rnncell_scope`); leaving it resets the default-name
    // counters under it, so a second MultiRNNCell is "multi_rnn_cell" again.
    const rnn = this.rnn;
    return scoped(function* (): ProgramGenerator<readonly [tf.Tensor2D, readonly RNNState[]]> {
      const current = yield* getVariableScope();
      return yield* variableScope(current, rnn.call(input, state));
    });
  }
}

function callBoth(m1: RNNModel, m2: RNNModel): Transformed<tf.Tensor2D, tf.Tensor[]> {
  return transform((x: tf.Tensor2D) =>
    scoped(function* (): ProgramGenerator<tf.Tensor[]> {
      const s1 = m1.rnn.zeroState(x.shape[0]);
      const s2 = m2.rnn.zeroState(x.shape[0]);
      const [o1] = yield* m1.call(x, s1);
      const [o2] = yield* m2.call(x, s2);
      return [o1, o2];
    })
  );
}

Deno.test("seed 000/001: without keras style, the second RNNModel's call fails with already exists", async () => {
  await cpu();
  const m1 = new RNNModel("model_1");
  const m2 = new RNNModel("model_2");
  const x = tf.ones([2, 8]) as tf.Tensor2D;
  assert.throws(
    () => callBoth(m1, m2).init(x),
    (e: unknown) =>
      e instanceof ScopeError && e.tag === "VariableExists" && /already exists/.test(e.message),
  );
  assert.equal(m1.weights.length, 0);
  x.dispose();
});

Deno.test("seed 000/001, P1, P2: with keras style both models own distinct weights with distinct values", async () => {
  await cpu();
  const [m1, m2] = kerasStyleScope(() => [new RNNModel("model_1"), new RNNModel("model_2")]);
  const x = tf.ones([2, 8]) as tf.Tensor2D;
  const { params, store } = callBoth(m1, m2).init(x);
  // Nothing went to the run's store (P2).
  assert.deepEqual(params.names, []);
  assert.equal(store.variables.size, 0);
  assert.ok(m1.weights.length > 0);
  assert.ok(m2.weights.length > 0);
  assert.equal(m1.weights.length, 4); // two LSTM cells: kernel, bias each
  assert.deepEqual(
    m1.weights.map((w) => w.name),
    [
      "multi_rnn_cell/cell_0/lstm_cell/kernel:0",
      "multi_rnn_cell/cell_0/lstm_cell/bias:0",
      "multi_rnn_cell/cell_1/lstm_cell/kernel:0",
      "multi_rnn_cell/cell_1/lstm_cell/bias:0",
    ],
  );
  for (let i = 0; i < 4; i++) {
    assert.notEqual(m1.weights[i]!.variable, m2.weights[i]!.variable);
  }
  const k1 = Array.from(m1.weights[0]!.variable.dataSync());
  const k2 = Array.from(m2.weights[0]!.variable.dataSync());
  assert.notDeepEqual(k1, k2);
  // Calling again reuses the models' own variables.
  const again = callBoth(m1, m2).init(x);
  assert.equal(m1.weights.length, 4);
  assert.deepEqual(Array.from(m1.weights[0]!.variable.dataSync()), k1);
  params.dispose();
  again.params.dispose();
  m1.dispose();
  m2.dispose();
  x.dispose();
});

Deno.test("P1: the flag is on only while the construction callback runs; a promise is refused", () => {
  assert.equal(isKerasStyle(), false);
  const layer = kerasStyleScope(() => {
    assert.equal(isKerasStyle(), true);
    return new Dense(2);
  });
  assert.equal(isKerasStyle(), false);
  assert.equal(layer.kerasStyle, true);
  assert.equal(new Dense(2).kerasStyle, false);
  // Nested scopes restore the outer value; a throw restores it too.
  assert.throws(() =>
    kerasStyleScope(() => {
      kerasStyleScope(() => undefined);
      assert.equal(isKerasStyle(), true);
      throw new Error("boom");
    }), /boom/);
  assert.equal(isKerasStyle(), false);
  assert.throws(
    () => kerasStyleScope(() => Promise.resolve(new Dense(2))),
    (e: unknown) => e instanceof ScopeError && e.tag === "ObjectError" && /promise/.test(e.message),
  );
  assert.equal(isKerasStyle(), false);
});

Deno.test("P1: an interleaved await never sees another task's keras style", async () => {
  const seen: boolean[] = [];
  const other = (async () => {
    await Promise.resolve();
    seen.push(isKerasStyle());
    await new Promise((r) => setTimeout(r, 1));
    seen.push(isKerasStyle());
  })();
  const made = kerasStyleScope(() => new Dense(1));
  await Promise.resolve();
  await other;
  assert.equal(made.kerasStyle, true);
  assert.deepEqual(seen, [false, false]);
});

Deno.test("P2: two keras-style layers from the same code never share by name and never raise already exists", async () => {
  await cpu();
  const [a, b] = kerasStyleScope(() => [new Dense(3), new Dense(3)]);
  const net = transform((x: tf.Tensor) =>
    scoped(function* (): ProgramGenerator<tf.Tensor[]> {
      const y1 = yield* a.apply(x);
      const y2 = yield* b.apply(x);
      const y3 = yield* a.apply(x); // a reuses its own
      return [y1, y2, y3];
    })
  );
  const x = tf.ones([1, 2]);
  const { params } = net.init(x);
  assert.deepEqual(params.names, []);
  assert.deepEqual(a.kerasStyle && b.kerasStyle, true);
  const out = net.apply(params, x);
  const [y1, y2, y3] = out.map((t) => Array.from(t.dataSync()));
  assert.deepEqual(y1, y3);
  assert.notDeepEqual(y1, y2);
  tf.dispose(out);
  params.dispose();
  class Holder extends Module {
    constructor(readonly a: Dense, readonly b: Dense) {
      super();
    }
  }
  const h = new Holder(a, b);
  assert.equal(h.weights.length, 4);
  assert.equal(new Set(h.weights.map((w) => w.variable)).size, 4);
  h.dispose();
  x.dispose();
});

Deno.test("P3: keras-style variable names follow the name scope, not variable scopes", async () => {
  await cpu();
  const layer = kerasStyleScope(() => new Dense(2, { name: "my_layer" }));
  const net = transform((x: tf.Tensor) => nameScope("bar", layer.apply(x)));
  const x = tf.ones([1, 2]);
  const { params } = net.init(x);
  class H extends Module {
    l = layer;
  }
  const h = new H();
  assert.deepEqual(h.weights.map((w) => w.name), ["bar/my_layer/kernel:0", "bar/my_layer/bias:0"]);
  params.dispose();
  h.dispose();
  x.dispose();
});

Deno.test("P4: scope, name given as scope, reuse (even false) and calling with scope are KerasStyle errors", async () => {
  await cpu();
  const isScopeError = (e: unknown) =>
    e instanceof ScopeError && e.tag === "KerasStyle" &&
    /scope argument not allowed when keras style layers are enabled, but saw: foo/.test(e.message);
  const isReuseError = (e: unknown) =>
    e instanceof ScopeError && e.tag === "KerasStyle" &&
    /reuse argument not allowed when keras style layers are enabled/.test(e.message);
  assert.throws(() => kerasStyleScope(() => new Dense(2, { scope: "foo" })), isScopeError);
  assert.throws(() => kerasStyleScope(() => new Dense(2, { reuse: true })), isReuseError);
  assert.throws(() => kerasStyleScope(() => new Dense(2, { reuse: false })), isReuseError);
  assert.throws(() => kerasStyleScope(() => new LSTMCell(4, { reuse: true })), isReuseError);
  // The functional form passes name= as the scope.
  const x = tf.ones([1, 2]);
  assert.throws(
    () => kerasStyleScope(() => transform((t: tf.Tensor) => dense(t, 2, { name: "foo" })).init(x)),
    isScopeError,
  );
  const layer = kerasStyleScope(() => new Dense(2));
  assert.throws(
    () => transform((t: tf.Tensor) => layer.apply(t, { scope: "foo" })).init(x),
    isScopeError,
  );
  x.dispose();
});

Deno.test("memory: creating, calling and disposing 100 keras-style modules leaks no tensor", async () => {
  await cpu();
  class M extends Module {
    d = new Dense(4);
  }
  const x = tf.ones([2, 3]);
  const n = await leaked(() => {
    for (let i = 0; i < 100; i++) {
      const m = kerasStyleScope(() => new M());
      const net = transform((t: tf.Tensor) => m.d.apply(t));
      const { params } = net.init(x);
      tf.dispose(net.apply(params, x));
      params.dispose();
      m.dispose();
    }
  });
  assert.equal(n, 0);
  x.dispose();
});
