// Ported from tensorflow's rnn_cell_test.py (testBasicRNNCell, testGRUCell,
// testBasicLSTMCell): cells called under variable_scope("root",
// initializer=constant_initializer(0.5)) with x = [[1, 1]] and states of
// 0.1. The expected numbers are the ones TensorFlow's own test asserts
// (computed by TensorFlow), and so are the variable names (O1, O2–O4, O6).
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import { constantInitializer, type ProgramGenerator, scoped, variableScope } from "varscope";
import { BasicLSTMCell, BasicRNNCell, GRUCell, MultiRNNCell } from "varscope/rnn";
import { transform } from "varscope/tfjs";
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
