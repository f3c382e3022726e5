// Ported from tensorflow's rnn_cell_test.py (testBasicRNNCell, testGRUCell,
// testBasicLSTMCell): cells called under variable_scope("root",
// initializer=constant_initializer(0.5)) with x = [[1, 1]] and states of
// 0.1. The expected numbers are the ones TensorFlow's own test asserts
// (computed by TensorFlow), and so are the variable names (O1, O2–O4, O6).
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import {
  constantInitializer,
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
} from "varscope";
import {
  BasicLSTMCell,
  BasicRNNCell,
  bidirectionalDynamicRnn,
  dynamicRnn,
  GRUCell,
  MultiRNNCell,
  staticRnn,
} from "varscope/rnn";
import { transform, useBackend } from "varscope/tfjs";
import { assertAllClose, backendTest, RTOL, take } from "../layers/_helpers.ts";

const half = { initializer: constantInitializer(0.5) };

backendTest(
  import.meta.url,
  "O2 (testBasicRNNCell): root/basic_rnn_cell/{kernel,bias}, output shape [1, 2]",
  () => {
    const cell = new BasicRNNCell(2);
    const model = transform((_: null) =>
      variableScope(
        "root",
        half,
        cell.call(tf.tensor2d([[1, 1]]), tf.tensor2d([[0.1, 0.1]])),
      )
    );
    const { params } = model.init(null);
    assert.deepEqual(params.names, ["root/basic_rnn_cell/kernel", "root/basic_rnn_cell/bias"]);
    assert.deepEqual(cell.variables(params.store).map((v) => v.name), [
      "root/basic_rnn_cell/kernel:0",
      "root/basic_rnn_cell/bias:0",
    ]);
    const [g, s] = model.apply(params, null);
    assert.deepEqual(g.shape, [1, 2]);
    tf.dispose([g, s]);
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O3 (testGRUCell): outputs 0.175991 (input depth 2) and 0.156736 (input depth 3)",
  async (backend) => {
    const model = transform((_: null) =>
      scoped(function* (): ProgramGenerator<readonly [tf.Tensor2D, tf.Tensor2D]> {
        const [a] = yield* variableScope(
          "root",
          half,
          new GRUCell(2).call(tf.tensor2d([[1, 1]]), tf.tensor2d([[0.1, 0.1]])),
        );
        const [b] = yield* variableScope(
          "other",
          half,
          new GRUCell(2).call(tf.tensor2d([[1, 1, 1]]), tf.tensor2d([[0.1, 0.1]])),
        );
        return [a, b] as const;
      })
    );
    const { params } = model.init(null);
    assert.deepEqual(params.names.slice(0, 4), [
      "root/gru_cell/gates/kernel",
      "root/gru_cell/gates/bias",
      "root/gru_cell/candidate/kernel",
      "root/gru_cell/candidate/bias",
    ]);
    const [a, b] = model.apply(params, null);
    assertAllClose(await take(a), [0.175991, 0.175991], Math.max(RTOL[backend], 1e-5), "root");
    assertAllClose(await take(b), [0.156736, 0.156736], Math.max(RTOL[backend], 1e-5), "other");
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O4, O6 (testBasicLSTMCell): MultiRNNCell of two BasicLSTMCell(2): TF's numbers and names",
  async (backend) => {
    const cell = new MultiRNNCell([
      new BasicLSTMCell(2, { stateIsTuple: false }),
      new BasicLSTMCell(2, { stateIsTuple: false }),
    ]);
    const model = transform((_: null) =>
      variableScope(
        "root",
        half,
        cell.call(tf.tensor2d([[1, 1]]), [
          tf.fill([1, 4], 0.1) as tf.Tensor2D,
          tf.fill([1, 4], 0.1) as tf.Tensor2D,
        ]),
      )
    );
    const { params } = model.init(null);
    assert.deepEqual(params.names, [
      "root/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
      "root/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
      "root/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
      "root/multi_rnn_cell/cell_1/basic_lstm_cell/bias",
    ]);
    const [g, state] = model.apply(params, null);
    const [m0, m1] = state as readonly tf.Tensor2D[];
    const rtol = Math.max(RTOL[backend], 1e-5);
    assertAllClose(await take(g), [0.24024698, 0.24024698], rtol, "output");
    assertAllClose(
      await take(m0!),
      [0.68967271, 0.68967271, 0.44848421, 0.44848421],
      rtol,
      "cell 0 state",
    );
    assertAllClose(
      await take(m1!),
      [0.39897051, 0.39897051, 0.24024698, 0.24024698],
      rtol,
      "cell 1 state",
    );
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O6 (testBasicLSTMCell, state_is_tuple=False): one concatenated state of both cells",
  async (backend) => {
    const cell = new MultiRNNCell([
      new BasicLSTMCell(2, { stateIsTuple: false }),
      new BasicLSTMCell(2, { stateIsTuple: false }),
    ], { stateIsTuple: false });
    assert.equal(cell.stateSize as unknown, 8);
    const model = transform((_: null) =>
      variableScope(
        "root",
        half,
        cell.call(tf.tensor2d([[1, 1]]), tf.fill([1, 8], 0.1) as unknown as readonly tf.Tensor2D[]),
      )
    );
    const { params } = model.init(null);
    const [g, state] = model.apply(params, null);
    const rtol = Math.max(RTOL[backend], 1e-5);
    assertAllClose(await take(g), [0.24024698, 0.24024698], rtol, "output");
    assertAllClose(
      await take(state as unknown as tf.Tensor),
      [
        0.68967271,
        0.68967271,
        0.44848421,
        0.44848421,
        0.39897051,
        0.39897051,
        0.24024698,
        0.24024698,
      ],
      rtol,
      "state",
    );
    params.dispose();
  },
);

// rnn_test.py `_testScope`: every variable of a loop lives under the scope it
// was given (a name or a captured scope), or under TF1's default.
Deno.test("O7, O8 (rnn_test _testScope): variables under the given scope or 'rnn' / 'bidirectional_rnn'", async () => {
  await useBackend({ backend: "cpu" });
  const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
  const names = (fn: (x: tf.Tensor3D) => Program<unknown>): string[] => {
    const { params } = transform(fn).init(x);
    const n = params.names.slice();
    params.dispose();
    return n;
  };
  const cases: [string, (x: tf.Tensor3D) => Program<unknown>][] = [
    ["prefix/", (x) => dynamicRnn(new GRUCell(2), x, { dtype: "float32", scope: "prefix" })],
    [
      "prefix/",
      (x) =>
        variableScope(
          "prefix",
          (vs) => dynamicRnn(new GRUCell(2), x, { dtype: "float32", scope: vs }),
        ),
    ],
    ["rnn/", (x) => dynamicRnn(new GRUCell(2), x, { dtype: "float32" })],
    [
      "prefix/",
      (x) =>
        bidirectionalDynamicRnn(new GRUCell(2), new GRUCell(2), x, {
          dtype: "float32",
          scope: "prefix",
        }),
    ],
    [
      "bidirectional_rnn/",
      (x) => bidirectionalDynamicRnn(new GRUCell(2), new GRUCell(2), x, { dtype: "float32" }),
    ],
    [
      "prefix/",
      (x) =>
        staticRnn(new GRUCell(2), tf.unstack(x, 1) as tf.Tensor2D[], {
          dtype: "float32",
          scope: "prefix",
        }),
    ],
  ];
  for (const [prefix, fn] of cases) {
    const got = names(fn);
    assert.ok(got.length >= 4);
    assert.ok(got.every((n) => n.startsWith(prefix)), `${prefix}: ${got.join(", ")}`);
  }
  x.dispose();
});
