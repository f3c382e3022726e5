// Cell and loop values against Float64 references written from TF1's
// formulas (spec O2–O8; `_reference.ts`), on fixed weights set by TF1 name
// with makeParams; every case on cpu, wasm and webgpu, no leaked tensors.
// Tolerance: 1e-5 relative to the largest magnitude (1e-4 webgpu).
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import { map, type Program, type ProgramGenerator, scoped } from "varscope";
import {
  BasicLSTMCell,
  BasicRNNCell,
  bidirectionalDynamicRnn,
  dynamicRnn,
  GRUCell,
  LSTMCell,
  type LSTMCellOptions,
  type LSTMStateTuple,
  MultiRNNCell,
} from "varscope/rnn";
import { type Params, transform, variable } from "varscope/tfjs";
import {
  arr,
  assertAllClose,
  backendTest,
  gradients,
  paramsFrom,
  RTOL,
  take,
  weights,
} from "../layers/_helpers.ts";
import {
  dynamicRef,
  gruStepRef,
  type LstmRef,
  lstmStepRef,
  rnnStepRef,
  shape3,
} from "./_reference.ts";

const B = 3, T = 4, I = 2;
const X = weights(B * T * I, 11);
const xRef = shape3(X, B, T, I);
const small = (n: number, seed: number): number[] =>
  weights(n, seed).map((v) => Math.fround(v / 2));

function input(): tf.Tensor3D {
  return tf.tensor3d(X, [B, T, I]);
}

/** Runs an LSTMCell dynamicRnn with given weights; returns outputs, c, h. */
async function runLstm(
  opts: LSTMCellOptions,
  named: (rows: number) => Record<string, { shape: readonly number[]; data: readonly number[] }>,
  sequenceLength?: number[],
): Promise<{ out: number[]; c: number[]; h: number[] }> {
  const cell = new LSTMCell(3, opts);
  const model = transform((x: tf.Tensor3D) =>
    dynamicRnn(cell, x, {
      dtype: "float32",
      ...(sequenceLength === undefined ? {} : { sequenceLength }),
    })
  );
  const x = input();
  const init = model.init(x);
  init.params.dispose();
  const params = paramsFrom(init.store, named(I + (opts.numProj ?? 3)));
  try {
    const [o, s] = model.apply(params, x);
    return { out: await take(o), c: await take(s.c), h: await take(s.h) };
  } finally {
    params.dispose();
    x.dispose();
  }
}

function lstmCase(
  p: LstmRef,
  lengths?: number[],
): { outputs: number[][][]; states: [number[], number[]][] } {
  const H = p.proj?.size ?? p.units;
  return dynamicRef<[number[], number[]]>(
    xRef,
    () => [new Array(p.units).fill(0), new Array(H).fill(0)],
    (x, [c, h]) => {
      const [c2, m] = lstmStepRef(p, x, c, h);
      return [m, [c2, m]];
    },
    lengths,
  );
}

backendTest(
  import.meta.url,
  "O5: LSTMCell dynamicRnn = TF1 formula (gates i, j, f, o; forgetBias added at run time)",
  async (backend) => {
    const kernel = small((I + 3) * 12, 21);
    const bias = small(12, 22);
    const got = await runLstm({ forgetBias: 0.7 }, () => ({
      "rnn/lstm_cell/kernel": arr([I + 3, 12], kernel),
      "rnn/lstm_cell/bias": arr([12], bias),
    }));
    const ref = lstmCase({ units: 3, kernel, bias, forgetBias: 0.7 });
    assertAllClose(got.out, ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(got.c, ref.states.flatMap((s) => s[0]), RTOL[backend], "c");
    assertAllClose(got.h, ref.states.flatMap((s) => s[1]), RTOL[backend], "h");
    // A different forgetBias gives a different result: it is not baked in.
    const other = lstmCase({ units: 3, kernel, bias, forgetBias: 1 });
    assert.ok(Math.abs(other.outputs[0]![3]![0]! - ref.outputs[0]![3]![0]!) > 1e-4);
  },
);

backendTest(
  import.meta.url,
  "O5: peepholes, cellClip, numProj and projClip where TF1 puts them",
  async (backend) => {
    const kernel = small((I + 2) * 12, 31);
    const bias = small(12, 32);
    const wf = small(3, 33), wi = small(3, 34), wo = small(3, 35);
    const pk = small(3 * 2, 36);
    const got = await runLstm(
      { usePeepholes: true, cellClip: 0.3, numProj: 2, projClip: 0.05 },
      () => ({
        "rnn/lstm_cell/kernel": arr([I + 2, 12], kernel),
        "rnn/lstm_cell/bias": arr([12], bias),
        "rnn/lstm_cell/w_f_diag": arr([3], wf),
        "rnn/lstm_cell/w_i_diag": arr([3], wi),
        "rnn/lstm_cell/w_o_diag": arr([3], wo),
        "rnn/lstm_cell/projection/kernel": arr([3, 2], pk),
      }),
    );
    const ref = lstmCase({
      units: 3,
      kernel,
      bias,
      forgetBias: 1,
      peep: { wf, wi, wo },
      cellClip: 0.3,
      proj: { kernel: pk, size: 2 },
      projClip: 0.05,
    });
    assertAllClose(got.out, ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(got.c, ref.states.flatMap((s) => s[0]), RTOL[backend], "c");
    assert.ok(got.c.some((v) => Math.abs(Math.abs(v) - 0.3) < 1e-6), "cellClip reached");
    assert.ok(got.out.some((v) => Math.abs(Math.abs(v) - 0.05) < 1e-6), "projClip reached");
  },
);

backendTest(
  import.meta.url,
  "O7: sequenceLength: outputs zero past each length, state carried through",
  async (backend) => {
    const kernel = small((I + 3) * 12, 41);
    const bias = small(12, 42);
    const lengths = [4, 1, 2];
    const got = await runLstm({}, () => ({
      "rnn/lstm_cell/kernel": arr([I + 3, 12], kernel),
      "rnn/lstm_cell/bias": arr([12], bias),
    }), lengths);
    const ref = lstmCase({ units: 3, kernel, bias, forgetBias: 1 }, lengths);
    assertAllClose(got.out, ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(got.c, ref.states.flatMap((s) => s[0]), RTOL[backend], "c");
    assertAllClose(got.h, ref.states.flatMap((s) => s[1]), RTOL[backend], "h");
    // Sequence 1 (length 1): steps 1..3 are exactly zero; its state is step 0's.
    assert.deepEqual(got.out.slice(T * 3 + 3, 2 * T * 3), new Array(9).fill(0));
    assert.deepEqual(got.h.slice(3, 6), got.out.slice(T * 3, T * 3 + 3));
  },
);

backendTest(import.meta.url, "O3: GRUCell = TF1 formula (gates r then u)", async (backend) => {
  const gk = small((I + 3) * 6, 51), gb = small(6, 52), ck = small((I + 3) * 3, 53);
  const cb = small(3, 54);
  const model = transform((x: tf.Tensor3D) => dynamicRnn(new GRUCell(3), x, { dtype: "float32" }));
  const x = input();
  const init = model.init(x);
  init.params.dispose();
  const params = paramsFrom(init.store, {
    "rnn/gru_cell/gates/kernel": arr([I + 3, 6], gk),
    "rnn/gru_cell/gates/bias": arr([6], gb),
    "rnn/gru_cell/candidate/kernel": arr([I + 3, 3], ck),
    "rnn/gru_cell/candidate/bias": arr([3], cb),
  });
  const [o, s] = model.apply(params, x);
  const ref = dynamicRef<number[]>(xRef, () => [0, 0, 0], (xt, h) => {
    const h2 = gruStepRef(3, gk, gb, ck, cb, xt, h);
    return [h2, h2];
  });
  assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
  assertAllClose(await take(s), ref.states.flat(), RTOL[backend], "state");
  params.dispose();
  x.dispose();
});

backendTest(import.meta.url, "O2: BasicRNNCell = tanh([x, h]·W + b)", async (backend) => {
  const k = small((I + 3) * 3, 61), b = small(3, 62);
  const model = transform((x: tf.Tensor3D) =>
    dynamicRnn(new BasicRNNCell(3), x, { dtype: "float32" })
  );
  const x = input();
  const init = model.init(x);
  init.params.dispose();
  const params = paramsFrom(init.store, {
    "rnn/basic_rnn_cell/kernel": arr([I + 3, 3], k),
    "rnn/basic_rnn_cell/bias": arr([3], b),
  });
  const [o, s] = model.apply(params, x);
  const ref = dynamicRef<number[]>(xRef, () => [0, 0, 0], (xt, h) => {
    const h2 = rnnStepRef(3, k, b, xt, h);
    return [h2, h2];
  });
  assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
  assertAllClose(await take(s), ref.states.flat(), RTOL[backend], "state");
  params.dispose();
  x.dispose();
});

backendTest(
  import.meta.url,
  "O4, O6: MultiRNNCell of BasicLSTMCells = the cells chained; state per cell",
  async (backend) => {
    const k0 = small((I + 3) * 12, 71), b0 = small(12, 72);
    const k1 = small((3 + 2) * 8, 73), b1 = small(8, 74);
    const cell = new MultiRNNCell([new BasicLSTMCell(3), new BasicLSTMCell(2)]);
    const model = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
    const x = input();
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel": arr([I + 3, 12], k0),
      "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias": arr([12], b0),
      "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel": arr([5, 8], k1),
      "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias": arr([8], b1),
    });
    const [o, s] = model.apply(params, x);
    const p0: LstmRef = { units: 3, kernel: k0, bias: b0, forgetBias: 1 };
    const p1: LstmRef = { units: 2, kernel: k1, bias: b1, forgetBias: 1 };
    type St = [number[], number[], number[], number[]];
    const ref = dynamicRef<St>(xRef, () => [[0, 0, 0], [0, 0, 0], [0, 0], [0, 0]], (xt, st) => {
      const [c0, h0] = lstmStepRef(p0, xt, st[0], st[1]);
      const [c1, h1] = lstmStepRef(p1, h0, st[2], st[3]);
      return [h1, [c0, h0, c1, h1]];
    });
    const states = s as readonly LSTMStateTuple[];
    assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(await take(states[0]!.c), ref.states.flatMap((q) => q[0]), RTOL[backend], "c0");
    assertAllClose(await take(states[1]!.h), ref.states.flatMap((q) => q[3]), RTOL[backend], "h1");
    tf.dispose([states[0]!.h, states[1]!.c]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "O8: bidirectionalDynamicRnn: bw runs on each sequence reversed within its length",
  async (backend) => {
    const kf = small((I + 3) * 12, 81), kb = small((I + 3) * 12, 82), bias = small(12, 83);
    const lengths = [4, 2, 3];
    const model = transform((x: tf.Tensor3D) =>
      bidirectionalDynamicRnn(new LSTMCell(3), new LSTMCell(3), x, {
        dtype: "float32",
        sequenceLength: lengths,
      })
    );
    const x = input();
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      "bidirectional_rnn/fw/lstm_cell/kernel": arr([I + 3, 12], kf),
      "bidirectional_rnn/fw/lstm_cell/bias": arr([12], bias),
      "bidirectional_rnn/bw/lstm_cell/kernel": arr([I + 3, 12], kb),
      "bidirectional_rnn/bw/lstm_cell/bias": arr([12], bias),
    });
    const [[of, ob], [sf, sb]] = model.apply(params, x);
    const fw = dynamicRef<[number[], number[]]>(
      xRef,
      () => [[0, 0, 0], [0, 0, 0]],
      (xt, [c, h]) => {
        const [c2, m] = lstmStepRef({ units: 3, kernel: kf, bias, forgetBias: 1 }, xt, c, h);
        return [m, [c2, m]];
      },
      lengths,
    );
    const rev = xRef.map((
      seq,
      b,
    ) => [...seq.slice(0, lengths[b]).reverse(), ...seq.slice(lengths[b])]);
    const bwRev = dynamicRef<[number[], number[]]>(
      rev,
      () => [[0, 0, 0], [0, 0, 0]],
      (xt, [c, h]) => {
        const [c2, m] = lstmStepRef({ units: 3, kernel: kb, bias, forgetBias: 1 }, xt, c, h);
        return [m, [c2, m]];
      },
      lengths,
    );
    const bw = bwRev.outputs.map((
      seq,
      b,
    ) => [...seq.slice(0, lengths[b]).reverse(), ...seq.slice(lengths[b])]);
    assertAllClose(await take(of), fw.outputs.flat(2), RTOL[backend], "fw outputs");
    assertAllClose(await take(ob), bw.flat(2), RTOL[backend], "bw outputs");
    assertAllClose(await take(sb.h), bwRev.states.flatMap((q) => q[1]), RTOL[backend], "bw h");
    tf.dispose([sf.c, sf.h, sb.c]);
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "O5: gradients through time (makeTrainer) = Float64 finite differences",
  async (backend) => {
    const kernel = small((I + 3) * 12, 91);
    const bias = small(12, 92);
    const cell = new LSTMCell(3);
    const fn = (x: tf.Tensor3D) => dynamicLoss(cell, x);
    const x = input();
    const model = transform(fn);
    const init = model.init(x);
    init.params.dispose();
    const params: Params = paramsFrom(init.store, {
      "rnn/lstm_cell/kernel": arr([I + 3, 12], kernel),
      "rnn/lstm_cell/bias": arr([12], bias),
    });
    const g = await gradients(fn, params, x);
    const loss = (k: readonly number[], b: readonly number[]): number =>
      lstmCase({ units: 3, kernel: k, bias: b, forgetBias: 1 }).outputs.flat(2)
        .reduce((a, v, i) => a + v * ((i % 5) - 2), 0);
    const eps = 1e-6;
    const fd = (arrIn: readonly number[], which: "k" | "b") =>
      arrIn.map((_, i) => {
        const plus = arrIn.slice(), minus = arrIn.slice();
        plus[i]! += eps;
        minus[i]! -= eps;
        return which === "k"
          ? (loss(plus, bias) - loss(minus, bias)) / (2 * eps)
          : (loss(kernel, plus) - loss(kernel, minus)) / (2 * eps);
      });
    const tol = backend === "webgpu" ? 1e-3 : 1e-4;
    assertAllClose(g["rnn/lstm_cell/kernel"]!, fd(kernel, "k"), tol, "d kernel");
    assertAllClose(g["rnn/lstm_cell/bias"]!, fd(bias, "b"), tol, "d bias");
    params.dispose();
    x.dispose();
  },
);

/** sum(outputs · w) with fixed weights w[i] = (i mod 5) − 2. */
function dynamicLoss(cell: LSTMCell, x: tf.Tensor3D): Program<tf.Scalar> {
  return map(([o]: readonly [tf.Tensor3D, LSTMStateTuple]) => {
    const n = o.size;
    const w = tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 5) - 2));
    return tf.sum(tf.mul(tf.reshape(o, [n]), w)) as tf.Scalar;
  })(dynamicRnn(cell, x, { dtype: "float32" }));
}

backendTest(
  import.meta.url,
  "O5: gradients flow back into the inputs (an input made from a variable)",
  async (backend) => {
    const kernel = small((I + 3) * 12, 93);
    const bias = small(12, 94);
    const cell = new LSTMCell(3);
    const fn = (_: null) =>
      scoped(function* (): ProgramGenerator<tf.Scalar> {
        const e = yield* variable("inputs", { shape: [B, T, I] });
        return yield* dynamicLoss(cell, e as tf.Tensor3D);
      });
    const model = transform(fn);
    const init = model.init(null);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      "inputs": arr([B, T, I], X),
      "rnn/lstm_cell/kernel": arr([I + 3, 12], kernel),
      "rnn/lstm_cell/bias": arr([12], bias),
    });
    const g = await gradients(fn, params, null);
    const p: LstmRef = { units: 3, kernel, bias, forgetBias: 1 };
    const loss = (xs: readonly number[]): number =>
      dynamicRef<[number[], number[]]>(
        shape3(xs, B, T, I),
        () => [[0, 0, 0], [0, 0, 0]],
        (x, [c, h]) => {
          const [c2, m] = lstmStepRef(p, x, c, h);
          return [m, [c2, m]];
        },
      ).outputs.flat(2).reduce((a, v, i) => a + v * ((i % 5) - 2), 0);
    const eps = 1e-6;
    const fd = X.map((_, i) => {
      const plus = X.slice(), minus = X.slice();
      plus[i]! += eps;
      minus[i]! -= eps;
      return (loss(plus) - loss(minus)) / (2 * eps);
    });
    assertAllClose(g["inputs"]!, fd, backend === "webgpu" ? 1e-3 : 1e-4, "d inputs");
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O5, O7: batch 9 (the loop's hoisted form on cpu/webgpu): peepholes, clips, projection, lengths",
  async (backend) => {
    const b = 9, t = 5, i = 2;
    const xs = weights(b * t * i, 101);
    const kernel = small((i + 2) * 12, 102), bias = small(12, 103);
    const wf = small(3, 104), wi = small(3, 105), wo = small(3, 106), pk = small(6, 107);
    const lengths = [5, 0, 1, 2, 3, 4, 5, 3, 1];
    const cell = new LSTMCell(3, { usePeepholes: true, cellClip: 0.4, numProj: 2, projClip: 0.3 });
    const model = transform((x: tf.Tensor3D) =>
      dynamicRnn(cell, x, { dtype: "float32", sequenceLength: lengths })
    );
    const x = tf.tensor3d(xs, [b, t, i]);
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      "rnn/lstm_cell/kernel": arr([i + 2, 12], kernel),
      "rnn/lstm_cell/bias": arr([12], bias),
      "rnn/lstm_cell/w_f_diag": arr([3], wf),
      "rnn/lstm_cell/w_i_diag": arr([3], wi),
      "rnn/lstm_cell/w_o_diag": arr([3], wo),
      "rnn/lstm_cell/projection/kernel": arr([3, 2], pk),
    });
    const [o, s] = model.apply(params, x);
    const p: LstmRef = {
      units: 3,
      kernel,
      bias,
      forgetBias: 1,
      peep: { wf, wi, wo },
      cellClip: 0.4,
      proj: { kernel: pk, size: 2 },
      projClip: 0.3,
    };
    const ref = dynamicRef<[number[], number[]]>(
      shape3(xs, b, t, i),
      () => [[0, 0, 0], [0, 0]],
      (xt, [c, h]) => {
        const [c2, m] = lstmStepRef(p, xt, c, h);
        return [m, [c2, m]];
      },
      lengths,
    );
    assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(await take(s.c), ref.states.flatMap((q) => q[0]), RTOL[backend], "c");
    assertAllClose(await take(s.h), ref.states.flatMap((q) => q[1]), RTOL[backend], "h");
    // Gradients through the hoisted form: d(weighted sum of outputs)/d(bias, kernel).
    const lossFn = (x: tf.Tensor3D) =>
      map(([out]: readonly [tf.Tensor3D, unknown]) => {
        const n = out.size;
        const w = tf.tensor1d(Array.from({ length: n }, (_, k) => (k % 5) - 2));
        return tf.sum(tf.mul(tf.reshape(out, [n]), w)) as tf.Scalar;
      })(dynamicRnn(cell, x, { dtype: "float32", sequenceLength: lengths }));
    const g = await gradients(lossFn, params, x);
    const lossRef = (k: readonly number[], bb: readonly number[]): number =>
      dynamicRef<[number[], number[]]>(
        shape3(xs, b, t, i),
        () => [[0, 0, 0], [0, 0]],
        (xt, [c, h]) => {
          const [c2, m] = lstmStepRef({ ...p, kernel: k, bias: bb }, xt, c, h);
          return [m, [c2, m]];
        },
        lengths,
      ).outputs.flat(2).reduce((a, v, k2) => a + v * ((k2 % 5) - 2), 0);
    const eps = 1e-6;
    const fdBias = bias.map((_, k) => {
      const plus = bias.slice(), minus = bias.slice();
      plus[k]! += eps;
      minus[k]! -= eps;
      return (lossRef(kernel, plus) - lossRef(kernel, minus)) / (2 * eps);
    });
    const fdKernel = kernel.map((_, k) => {
      const plus = kernel.slice(), minus = kernel.slice();
      plus[k]! += eps;
      minus[k]! -= eps;
      return (lossRef(plus, bias) - lossRef(minus, bias)) / (2 * eps);
    });
    const tol = backend === "webgpu" ? 1e-3 : 1e-4;
    assertAllClose(g["rnn/lstm_cell/bias"]!, fdBias, tol, "d bias");
    assertAllClose(g["rnn/lstm_cell/kernel"]!, fdKernel, tol, "d kernel");
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "O5: numUnitShards: kernel/part_0, part_1 (rows 3 + 2, G4) read as one kernel",
  async (backend) => {
    const kernel = small((I + 3) * 12, 111);
    const bias = small(12, 112);
    const got = await runLstm({ numUnitShards: 2 }, () => ({
      "rnn/lstm_cell/kernel/part_0": arr([3, 12], kernel.slice(0, 36)),
      "rnn/lstm_cell/kernel/part_1": arr([2, 12], kernel.slice(36)),
      "rnn/lstm_cell/bias": arr([12], bias),
    }));
    const ref = lstmCase({ units: 3, kernel, bias, forgetBias: 1 });
    assertAllClose(got.out, ref.outputs.flat(2), RTOL[backend], "outputs");
  },
);
