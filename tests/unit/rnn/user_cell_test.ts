// User-written RNN cells (spec O1, O7, O8; TF1 `RNNCell` subclasses): a
// "minimal GRU" cell defined here, its `call` a program making its variables
// with `variable` in nested scopes. TF1 runs such a cell through
// `RNNCell.__call__` and the base layer's `__call__` (rnn_cell_impl.py,
// layers/base.py `_set_scope`): its scope is fixed on the first call, a
// default-name scope named after the cell in the caller's scope (or the
// `scope=` given), and later calls reuse it. Names, values against a Float64
// reference written from the cell's formula, sequenceLength masking,
// training with makeTrainer, typed errors. Also (item 3 of issue 8's
// follow-ups) the built-in cells' `LayerRNNCell` behaviour: called again
// without `scope=` in another scope, a cell keeps the scope of its first call.
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import {
  of,
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  BasicRNNCell,
  bidirectionalDynamicRnn,
  callCell,
  DropoutWrapper,
  dynamicRnn,
  LSTMCell,
  MultiRNNCell,
  ResidualWrapper,
  RNNCell,
  staticRnn,
} from "varscope/rnn";
import { kerasStyleScope, Module } from "varscope/objects";
import { makeTrainer, transform, useBackend, variable } from "varscope/tfjs";
import {
  assertAllClose,
  backendTest,
  expectError,
  paramsFrom,
  RTOL,
  take,
  weights,
} from "../layers/_helpers.ts";
import { affine, dynamicRef, shape3, sigmoid } from "./_reference.ts";

/**
 * Minimal gated unit: f = σ([x, h]·Wf + bf), c = tanh([x, f∘h]·Wc + bc),
 * h' = (1 − f)∘h + f∘c; output = h'.
 */
class MinimalGRUCell extends RNNCell<tf.Tensor2D> {
  readonly stateSize: number;
  readonly outputSize: number;
  readonly name = "minimal_gru_cell";
  constructor(readonly units: number) {
    super();
    this.stateSize = this.outputSize = units;
  }
  override call(x: tf.Tensor2D, h: tf.Tensor2D): Program<readonly [tf.Tensor2D, tf.Tensor2D]> {
    const units = this.units;
    const depth = x.shape[1] + units;
    const affineIn = (name: string, a: tf.Tensor2D): Program<tf.Tensor2D> =>
      variableScope(
        name,
        scoped(function* (): ProgramGenerator<tf.Tensor2D> {
          const w = yield* variable("w", { shape: [depth, units] });
          const b = yield* variable("b", { shape: [units], initializer: zerosInitializer() });
          return tf.add(tf.matMul(a, w as tf.Tensor2D), b) as tf.Tensor2D;
        }),
      );
    return scoped(function* (): ProgramGenerator<readonly [tf.Tensor2D, tf.Tensor2D]> {
      const f = tf.sigmoid(yield* affineIn("gate", tf.concat([x, h], 1) as tf.Tensor2D));
      const c = tf.tanh(yield* affineIn("candidate", tf.concat([x, tf.mul(f, h)], 1)));
      const next = tf.add(tf.mul(tf.sub(1, f), h), tf.mul(f, c)) as tf.Tensor2D;
      return [next, next] as const;
    });
  }
}

const CELL_VARS = ["gate/w", "gate/b", "candidate/w", "candidate/b"];
const under = (scope: string): string[] => CELL_VARS.map((v) => `${scope}/${v}`);

function mguStepRef(
  units: number,
  w: { gw: number[]; gb: number[]; cw: number[]; cb: number[] },
  x: readonly number[],
  h: readonly number[],
): number[] {
  const f = affine([...x, ...h], w.gw, units, w.gb).map(sigmoid);
  const c = affine([...x, ...h.map((v, k) => f[k]! * v)], w.cw, units, w.cb).map(Math.tanh);
  return h.map((v, k) => (1 - f[k]!) * v + f[k]! * c[k]!);
}

const B = 2, T = 4, I = 3, U = 2;

backendTest(
  import.meta.url,
  "O7: a user-written cell in dynamicRnn: rnn/minimal_gru_cell/... names, values, sequenceLength masking",
  async (backend) => {
    const X = weights(B * T * I, 21);
    const w = {
      gw: weights((I + U) * U, 22),
      gb: weights(U, 23),
      cw: weights((I + U) * U, 24),
      cb: weights(U, 25),
    };
    const lengths = [4, 2];
    const ref = dynamicRef(
      shape3(X, B, T, I),
      () => new Array(U).fill(0) as number[],
      (xt, h) => {
        const n = mguStepRef(U, w, xt, h);
        return [n, n];
      },
      lengths,
    );
    const cell = new MinimalGRUCell(U);
    const model = transform((x: tf.Tensor3D) =>
      dynamicRnn(cell, x, { dtype: "float32", sequenceLength: lengths })
    );
    const x = tf.tensor3d(X, [B, T, I]);
    const { store, params: init } = model.init(x);
    assert.deepEqual(init.names, under("rnn/minimal_gru_cell"));
    assert.deepEqual(
      cell.variables(store).map((v) => v.name),
      under("rnn/minimal_gru_cell").map((n) => `${n}:0`),
    );
    init.dispose();
    const s = "rnn/minimal_gru_cell";
    const params = paramsFrom(store, {
      [`${s}/gate/w`]: { shape: [I + U, U], data: w.gw },
      [`${s}/gate/b`]: { shape: [U], data: w.gb },
      [`${s}/candidate/w`]: { shape: [I + U, U], data: w.cw },
      [`${s}/candidate/b`]: { shape: [U], data: w.cb },
    });
    const [outputs, state] = model.apply(params, x);
    params.dispose();
    x.dispose();
    assert.deepEqual(outputs.shape, [B, T, U]);
    assertAllClose(await take(outputs), ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(await take(state), ref.states.flat(), RTOL[backend], "final state");
  },
);

backendTest(
  import.meta.url,
  "O5/O7: training a user-written cell through time with makeTrainer lowers the loss",
  async (backend) => {
    const steps = backend === "webgpu" ? 6 : 30;
    const xs = tf.tensor3d(weights(8 * 5 * 1, 4), [8, 5, 1]);
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.cumsum(xs, 1), 0), "float32"));
    const cell = new MinimalGRUCell(4);
    const loss = transform(({ x, y }: { x: tf.Tensor3D; y: tf.Tensor }) =>
      scoped(function* (): ProgramGenerator<tf.Scalar> {
        const [o] = yield* dynamicRnn(cell, x, { dtype: "float32" });
        const w = yield* variable("out/kernel", { shape: [4, 1] });
        const logits = tf.reshape(tf.matMul(tf.reshape(o, [-1, 4]), w as tf.Tensor2D), y.shape);
        return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
      })
    );
    const batch = { x: xs, y: ys };
    let { params } = loss.init(batch, { seed: 3 });
    const optimizer = tf.train.adam(0.05);
    const trainer = makeTrainer(loss, { optimizer });
    let first = 0, last = 0;
    for (let i = 0; i < steps; i++) {
      const r = trainer.step(params, batch);
      params.dispose();
      params = r.params;
      const v = (await take(r.loss))[0]!;
      if (i === 0) first = v;
      last = v;
    }
    assert.ok(last < first * (backend === "webgpu" ? 0.99 : 0.8), `loss ${first} -> ${last}`);
    trainer.dispose();
    optimizer.dispose();
    params.dispose();
    tf.dispose([xs, ys]);
  },
);

function names(fn: (x: tf.Tensor3D) => Program<unknown>): string[] {
  const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
  try {
    const { params } = transform(fn).init(x);
    const n = params.names.slice();
    params.dispose();
    return n;
  } finally {
    x.dispose();
  }
}

Deno.test("O7/O8: a user-written cell's names in every loop, and TF1's reuse rules", async (t) => {
  await useBackend({ backend: "cpu" });
  await t.step("scope option", () => {
    assert.deepEqual(
      names((x) => dynamicRnn(new MinimalGRUCell(2), x, { dtype: "float32", scope: "encoder" })),
      under("encoder/minimal_gru_cell"),
    );
  });
  await t.step("staticRnn calls it per step, reusing from the second", () => {
    assert.deepEqual(
      names((x) =>
        staticRnn(new MinimalGRUCell(2), tf.unstack(x, 1) as tf.Tensor2D[], {
          dtype: "float32",
        })
      ),
      under("rnn/minimal_gru_cell"),
    );
  });
  await t.step("bidirectionalDynamicRnn: bidirectional_rnn/fw|bw/minimal_gru_cell", () => {
    assert.deepEqual(
      names((x) =>
        bidirectionalDynamicRnn(new MinimalGRUCell(2), new MinimalGRUCell(3), x, {
          dtype: "float32",
          sequenceLength: [3, 1],
        })
      ),
      [
        ...under("bidirectional_rnn/fw/minimal_gru_cell"),
        ...under("bidirectional_rnn/bw/minimal_gru_cell"),
      ],
    );
  });
  await t.step("the same cell in two dynamicRnn calls shares its variables", () => {
    const cell = new MinimalGRUCell(2);
    assert.deepEqual(
      names((x) =>
        scoped(function* (): ProgramGenerator<unknown> {
          yield* dynamicRnn(cell, x, { dtype: "float32" });
          return yield* dynamicRnn(cell, x, { dtype: "float32" });
        })
      ),
      under("rnn/minimal_gru_cell"),
    );
  });
  await t.step("a second dynamicRnn with a new cell in the same scope: 'already exists'", () => {
    const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
    const model = transform((x: tf.Tensor3D) =>
      scoped(function* (): ProgramGenerator<unknown> {
        yield* dynamicRnn(new MinimalGRUCell(2), x, { dtype: "float32" });
        return yield* dynamicRnn(new MinimalGRUCell(2), x, { dtype: "float32" });
      })
    );
    expectError(() => model.init(x), "VariableExists", [
      "rnn/minimal_gru_cell/gate/w",
      "already exists",
    ]);
    x.dispose();
  });
  await t.step(
    "callCell: the first call fixes the scope; a later call elsewhere reuses it; scope= is used as given",
    () => {
      const a = new MinimalGRUCell(2), c = new MinimalGRUCell(2), d = new MinimalGRUCell(2);
      assert.deepEqual(
        names((x) =>
          scoped(function* (): ProgramGenerator<unknown> {
            const x2 = tf.reshape(x, [2, 12]) as tf.Tensor2D;
            const h = tf.zeros([2, 2]) as tf.Tensor2D;
            yield* callCell(a, x2, h);
            yield* variableScope("elsewhere", callCell(a, x2, h)); // reuses minimal_gru_cell
            yield* variableScope("other", callCell(d, x2, h));
            return yield* variableScope("outer", callCell(c, x2, h, { scope: "mine" }));
          })
        ),
        [...under("minimal_gru_cell"), ...under("other/minimal_gru_cell"), ...under("outer/mine")],
      );
    },
  );
  await t.step(
    "RNNCell.__call__ re-enters the caller's scope: a second new cell there takes the same default name, 'already exists'",
    () => {
      // TF1: `with rnncell_scope:` enters the caller's VariableScope object,
      // whose exit restores the default-name counters (variable_scope.py
      // _pure_variable_scope.__exit__), so the second cell's _set_scope picks
      // "minimal_gru_cell" again; its get_variable then clashes.
      const x = tf.ones([2, 12]) as tf.Tensor2D;
      const model = transform((x: tf.Tensor2D) =>
        scoped(function* (): ProgramGenerator<unknown> {
          const h = tf.zeros([2, 2]) as tf.Tensor2D;
          yield* callCell(new MinimalGRUCell(2), x, h);
          return yield* callCell(new MinimalGRUCell(2), x, h);
        })
      );
      expectError(() => model.init(x), "VariableExists", [
        "minimal_gru_cell/gate/w",
        "already exists",
      ]);
      x.dispose();
    },
  );
  await t.step("an object implementing the interface (no subclass)", () => {
    const plain = {
      stateSize: 2,
      outputSize: 2,
      name: "plain_cell",
      call: (x: tf.Tensor2D, h: tf.Tensor2D): Program<readonly [tf.Tensor2D, tf.Tensor2D]> =>
        scoped(function* (): ProgramGenerator<readonly [tf.Tensor2D, tf.Tensor2D]> {
          const w = yield* variable("w", { shape: [x.shape[1], 2] });
          const n = tf.add(h, tf.matMul(x, w as tf.Tensor2D)) as tf.Tensor2D;
          return [n, n] as const;
        }),
    };
    assert.deepEqual(
      names((x) => dynamicRnn(plain as unknown as RNNCell<tf.Tensor2D>, x, { dtype: "float32" })),
      ["rnn/plain_cell/w"],
    );
  });
});

Deno.test("O1 (TF1 LayerRNNCell): a built-in cell called again without scope= elsewhere keeps its first scope", async () => {
  // TF1 LayerRNNCell.__call__ goes straight to the base layer's __call__,
  // whose _set_scope fixes the scope on the first call only.
  await useBackend({ backend: "cpu" });
  const cell = new BasicRNNCell(2);
  const named = new BasicRNNCell(2);
  assert.deepEqual(
    names((x) =>
      scoped(function* (): ProgramGenerator<unknown> {
        const x2 = tf.reshape(x, [2, 12]) as tf.Tensor2D;
        const h = tf.zeros([2, 2]) as tf.Tensor2D;
        yield* variableScope("a", cell.call(x2, h));
        yield* variableScope("b", cell.call(x2, h));
        yield* variableScope("c", named.call(x2, h, { scope: "mine" }));
        return yield* variableScope("d", named.call(x2, h));
      })
    ),
    ["a/basic_rnn_cell/kernel", "a/basic_rnn_cell/bias", "c/mine/kernel", "c/mine/bias"],
  );
});

Deno.test("O1/O6 (TF1 RNNCell.__call__): two new MultiRNNCells called directly in one scope clash, as in TF1", async () => {
  // MultiRNNCell is a plain RNNCell in TF1, not a LayerRNNCell: its
  // __call__ re-enters the caller's scope, so the default name
  // "multi_rnn_cell" is not counted and a second new MultiRNNCell takes it
  // again: "Variable multi_rnn_cell/cell_0/lstm_cell/kernel already exists"
  // (the keras_style_scope documentation's RNNModel example). The same
  // object called twice shares; LSTMCells (LayerRNNCell) are counted.
  await useBackend({ backend: "cpu" });
  const x = tf.ones([2, 4]) as tf.Tensor2D;
  const clash = transform((x: tf.Tensor2D) =>
    scoped(function* (): ProgramGenerator<unknown> {
      const m1 = new MultiRNNCell([new LSTMCell(2)]);
      const m2 = new MultiRNNCell([new LSTMCell(2)]);
      yield* m1.call(x, m1.zeroState(2));
      return yield* m2.call(x, m2.zeroState(2));
    })
  );
  expectError(() => clash.init(x), "VariableExists", [
    "multi_rnn_cell/cell_0/lstm_cell/kernel",
    "already exists",
  ]);
  const m = new MultiRNNCell([new LSTMCell(2)]);
  const shared = transform((x: tf.Tensor2D) =>
    scoped(function* (): ProgramGenerator<unknown> {
      yield* m.call(x, m.zeroState(2));
      yield* variableScope("elsewhere", m.call(x, m.zeroState(2)));
      const a = new LSTMCell(2), b = new LSTMCell(2);
      yield* a.call(x, a.zeroState(2));
      return yield* b.call(x, b.zeroState(2));
    })
  );
  const { params } = shared.init(x);
  assert.deepEqual(params.names, [
    "multi_rnn_cell/cell_0/lstm_cell/kernel",
    "multi_rnn_cell/cell_0/lstm_cell/bias",
    "lstm_cell/kernel",
    "lstm_cell/bias",
    "lstm_cell_1/kernel",
    "lstm_cell_1/bias",
  ]);
  params.dispose();
  x.dispose();
});

Deno.test("P1/P2: a user-written cell made in keras style owns its variables (Module.weights)", async () => {
  await useBackend({ backend: "cpu" });
  class Model extends Module {
    readonly cell = new MinimalGRUCell(2);
  }
  const [m1, m2] = kerasStyleScope(() => [new Model(), new Model()]);
  const x = tf.ones([1, 3, 4]) as tf.Tensor3D;
  const { params, store } = transform((x: tf.Tensor3D) =>
    scoped(function* (): ProgramGenerator<unknown> {
      yield* dynamicRnn(m1.cell, x, { dtype: "float32" });
      // Without keras style this second new cell in "rnn" would clash.
      return yield* dynamicRnn(m2.cell, x, { dtype: "float32" });
    })
  ).init(x);
  assert.deepEqual(params.names, []);
  assert.equal(store.variables.size, 0);
  assert.equal(m1.weights.length, 4);
  assert.ok(m1.weights.every((w) => /minimal_gru_cell\/(gate|candidate)\/[wb]:0$/.test(w.name)));
  assert.notEqual(m1.weights[0]!.variable, m2.weights[0]!.variable);
  params.dispose();
  m1.dispose();
  m2.dispose();
  x.dispose();
});

Deno.test("O7: typed errors for user-written cells that break the contract", async (t) => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
  const run = (cell: unknown) => () =>
    transform((x: tf.Tensor3D) => dynamicRnn(cell as RNNCell<tf.Tensor2D>, x, { dtype: "float32" }))
      .init(x);
  const base = {
    stateSize: 2,
    outputSize: 2,
    name: "bad_cell",
    call: (_x: tf.Tensor2D, h: tf.Tensor2D) => of([h, h] as const),
  };
  await t.step("not a cell", () => {
    expectError(run({ stateSize: 2, outputSize: 2 }), "InvalidArgument", ["expected an RNN cell"]);
  });
  await t.step("bad stateSize / outputSize", () => {
    expectError(run({ ...base, stateSize: 0 }), "InvalidArgument", ["stateSize"]);
    expectError(run({ ...base, outputSize: 1.5 }), "InvalidArgument", ["outputSize"]);
  });
  await t.step("call returns no program, throws, or yields the wrong shapes", () => {
    expectError(run({ ...base, call: () => 3 }), "InvalidArgument", ["must return a program"]);
    expectError(
      run({
        ...base,
        call: () => {
          throw new Error("boom");
        },
      }),
      "InvalidArgument",
      ["bad_cell.call threw: boom"],
    );
    expectError(
      run({
        ...base,
        call: (x: tf.Tensor2D, h: tf.Tensor2D) => of([x, h]),
      }),
      "InvalidArgument",
      ["output must have shape [2, 2]"],
    );
    expectError(
      run({
        ...base,
        call: (_x: tf.Tensor2D, h: tf.Tensor2D) => of([h, [h]]),
      }),
      "InvalidArgument",
      ["new state must match stateSize"],
    );
  });
  await t.step("a subclass that does not override call", () => {
    class NoCall extends RNNCell<tf.Tensor2D> {
      readonly stateSize = 2;
      readonly outputSize = 2;
      readonly name = "no_call";
    }
    expectError(run(new NoCall()), "InvalidArgument", ["must override call"]);
  });
  await t.step("wrappers take the built-in cells only", () => {
    const user = new MinimalGRUCell(2);
    for (
      const make of [
        () => new MultiRNNCell([user]),
        () => new DropoutWrapper(user),
        () => new ResidualWrapper(user),
      ]
    ) {
      assert.throws(make, (e) =>
        (e as { tag?: string }).tag === "InvalidArgument" &&
        (e as Error).message.includes("built-in cells only"));
    }
  });
  x.dispose();
  assert.equal(tf.memory().numTensors, before, "failed runs leak no tensors");
});
