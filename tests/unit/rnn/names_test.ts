// TF1 names of cells and loops (spec O1, O5–O8), ported from tensorflow's
// rnn_cell_test.py / rnn_test.py expectations (variable names under
// rnn/..., bidirectional_rnn/fw|bw/..., multi_rnn_cell/cell_i/...), the
// "already exists" error of a second dynamic_rnn with a new cell, sharing by
// the same cell object, and typed errors for bad arguments.
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import { type Program, type ProgramGenerator, scoped, variableScope } from "varscope";
import {
  BasicLSTMCell,
  DropoutWrapper,
  dynamicRnn,
  GRUCell,
  LSTMCell,
  MultiRNNCell,
  ResidualWrapper,
  staticRnn,
} from "varscope/rnn";
import { transform, useBackend } from "varscope/tfjs";
import { expectError } from "../interpreter/_backends.ts";

await useBackend({ backend: "cpu" });

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

Deno.test("O7: dynamic_rnn opens 'rnn'; BasicLSTMCell variables rnn/basic_lstm_cell/{kernel,bias}", () => {
  assert.deepEqual(
    names((x) => dynamicRnn(new BasicLSTMCell(2), x, { dtype: "float32" })),
    ["rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias"],
  );
});

Deno.test("O7: a second dynamicRnn with a new cell in the same scope: 'already exists'", () => {
  const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
  const model = transform((x: tf.Tensor3D) =>
    scoped(function* (): ProgramGenerator<unknown> {
      yield* dynamicRnn(new BasicLSTMCell(2), x, { dtype: "float32" });
      return yield* dynamicRnn(new BasicLSTMCell(2), x, { dtype: "float32" });
    })
  );
  expectError(() => model.init(x), "VariableExists", [
    "rnn/basic_lstm_cell/kernel",
    "already exists",
  ]);
  x.dispose();
});

Deno.test("O7: the same cell object in two dynamicRnn calls shares its variables", () => {
  const cell = new LSTMCell(2);
  assert.deepEqual(
    names((x) =>
      scoped(function* (): ProgramGenerator<unknown> {
        yield* dynamicRnn(cell, x, { dtype: "float32" });
        return yield* dynamicRnn(cell, x, { dtype: "float32" });
      })
    ),
    ["rnn/lstm_cell/kernel", "rnn/lstm_cell/bias"],
  );
});

Deno.test("O7: scope option and a new cell under reuse", () => {
  assert.deepEqual(
    names((x) =>
      scoped(function* (): ProgramGenerator<unknown> {
        yield* dynamicRnn(new GRUCell(2), x, { dtype: "float32", scope: "encoder" });
        return yield* variableScope("encoder", { reuse: true }, (vs) =>
          dynamicRnn(new GRUCell(2), x, { dtype: "float32", scope: vs }));
      })
    ),
    [
      "encoder/gru_cell/gates/kernel",
      "encoder/gru_cell/gates/bias",
      "encoder/gru_cell/candidate/kernel",
      "encoder/gru_cell/candidate/bias",
    ],
  );
});

Deno.test("O1: cells called directly get default-name scopes lstm_cell, lstm_cell_1", () => {
  assert.deepEqual(
    names((x) =>
      scoped(function* (): ProgramGenerator<unknown> {
        const x2 = tf.reshape(x, [2, 12]) as tf.Tensor2D;
        const a = new LSTMCell(2), b = new LSTMCell(2);
        yield* a.call(x2, a.zeroState(2));
        yield* b.call(x2, b.zeroState(2));
        return yield* a.call(x2, a.zeroState(2)); // reuses lstm_cell
      })
    ),
    ["lstm_cell/kernel", "lstm_cell/bias", "lstm_cell_1/kernel", "lstm_cell_1/bias"],
  );
});

Deno.test("O6: MultiRNNCell names rnn/multi_rnn_cell/cell_i/<cell>/...; empty list refused", () => {
  assert.deepEqual(
    names((x) =>
      dynamicRnn(new MultiRNNCell([new BasicLSTMCell(2), new BasicLSTMCell(2)]), x, {
        dtype: "float32",
      })
    ),
    [
      "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
      "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
      "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
      "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias",
    ],
  );
  expectError(() => new MultiRNNCell([]), "InvalidArgument", ["Must specify at least one cell"]);
});

Deno.test("O5: numUnitShards / numProjShards partition kernel and projection/kernel", () => {
  const cell = new LSTMCell(4, { numProj: 2, numUnitShards: 2, numProjShards: 2 });
  assert.deepEqual(
    names((x) => dynamicRnn(cell, x, { dtype: "float32" })),
    [
      "rnn/lstm_cell/kernel/part_0",
      "rnn/lstm_cell/kernel/part_1",
      "rnn/lstm_cell/bias",
      "rnn/lstm_cell/projection/kernel/part_0",
      "rnn/lstm_cell/projection/kernel/part_1",
    ],
  );
});

Deno.test("O8: static_rnn uses 'rnn'; wrappers add no scope", () => {
  assert.deepEqual(
    names((x) =>
      staticRnn(
        new DropoutWrapper(new ResidualWrapper(new GRUCell(4)), { inputKeepProb: 0.9, seed: 3 }),
        tf.unstack(x, 1) as tf.Tensor2D[],
        { dtype: "float32" },
      )
    ),
    [
      "rnn/gru_cell/gates/kernel",
      "rnn/gru_cell/gates/bias",
      "rnn/gru_cell/candidate/kernel",
      "rnn/gru_cell/candidate/bias",
    ],
  );
});

Deno.test("O7: typed errors: no dtype and no initial state; bad sequenceLength; bad cells", () => {
  const before = tf.memory().numTensors;
  const x = tf.ones([2, 3, 4]) as tf.Tensor3D;
  expectError(
    () => transform((x: tf.Tensor3D) => dynamicRnn(new LSTMCell(2), x)).init(x),
    "InvalidArgument",
    [
      "If there is no initialState, you must give a dtype",
    ],
  );
  expectError(
    () =>
      transform((x: tf.Tensor3D) =>
        dynamicRnn(new LSTMCell(2), x, { dtype: "float32", sequenceLength: [1, 2, 3] })
      ).init(x),
    "InvalidArgument",
    ["sequenceLength must be a vector of length batch_size"],
  );
  expectError(
    () =>
      transform((x: tf.Tensor3D) => dynamicRnn({} as LSTMCell, x, { dtype: "float32" })).init(x),
    "InvalidArgument",
    ["expected an RNN cell"],
  );
  const empty = tf.zeros([2, 0, 4]) as tf.Tensor3D;
  expectError(
    () =>
      transform((x: tf.Tensor3D) => dynamicRnn(new LSTMCell(2), x, { dtype: "float32" })).init(
        empty,
      ),
    "InvalidArgument",
    ["empty axis"],
  );
  empty.dispose();
  expectError(
    () =>
      transform((x: tf.Tensor3D) =>
        dynamicRnn(new LSTMCell(2), x, {
          initialState: { c: tf.zeros([2, 2]) } as never,
        })
      ).init(x),
    "InvalidArgument",
    ["Invalid initialState", "LSTMStateTuple"],
  );
  expectError(() => new LSTMCell(0), "InvalidArgument", ["numUnits"]);
  expectError(() => new DropoutWrapper(new LSTMCell(2), { inputKeepProb: 0 }), "InvalidArgument", [
    "inputKeepProb",
  ]);
  x.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor leaked by failed passes");
});
