// Loops and wrappers (spec O7, O8 and TF1's DropoutWrapper / ResidualWrapper)
// against Float64 references written from TF1's formulas, on cpu, wasm and
// webgpu, no leaked tensors: staticRnn and static_bidirectional_rnn, time-major
// inputs, initial states, concatenated LSTM states, dropout masks, residual
// outputs, compiled applies, and training through time with makeTrainer.
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import { type Program, type ProgramGenerator, scoped } from "varscope";
import {
  BasicLSTMCell,
  bidirectionalDynamicRnn,
  DropoutWrapper,
  dynamicRnn,
  GRUCell,
  LSTMCell,
  lstmStateTuple,
  ResidualWrapper,
  staticBidirectionalRnn,
  staticRnn,
} from "varscope/rnn";
import { makeTrainer, transform, variable } from "varscope/tfjs";
import {
  arr,
  assertAllClose,
  backendTest,
  paramsFrom,
  RTOL,
  take,
  values,
  weights,
} from "../layers/_helpers.ts";
import { dynamicRef, gruStepRef, type LstmRef, lstmStepRef, shape3 } from "./_reference.ts";

const B = 2, T = 3, I = 3;
const X = weights(B * T * I, 7);
const xRef = shape3(X, B, T, I);
const small = (n: number, seed: number): number[] =>
  weights(n, seed).map((v) => Math.fround(v / 2));
const K = small((I + 3) * 12, 5), BIAS = small(12, 6);
const P: LstmRef = { units: 3, kernel: K, bias: BIAS, forgetBias: 1 };

function lstmRef(
  x: readonly (readonly (readonly number[])[])[],
  p: LstmRef,
  init?: (b: number) => [number[], number[]],
  lengths?: readonly number[],
): { outputs: number[][][]; states: [number[], number[]][] } {
  return dynamicRef<[number[], number[]]>(
    x,
    init ?? (() => [[0, 0, 0], [0, 0, 0]]),
    (xt, [c, h]) => {
      const [c2, m] = lstmStepRef(p, xt, c, h);
      return [m, [c2, m]];
    },
    lengths,
  );
}

const named = (prefix: string) => ({
  [`${prefix}/kernel`]: arr([I + 3, 12], K),
  [`${prefix}/bias`]: arr([12], BIAS),
});

backendTest(
  import.meta.url,
  "O8: staticRnn over a list of steps = the TF1 LSTM, with sequenceLength",
  async (backend) => {
    const lengths = [3, 1];
    const model = transform((xs: tf.Tensor2D[]) =>
      staticRnn(new LSTMCell(3), xs, { dtype: "float32", sequenceLength: lengths })
    );
    const x = tf.tensor3d(X, [B, T, I]);
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    const init = model.init(xs);
    init.params.dispose();
    const params = paramsFrom(init.store, named("rnn/lstm_cell"));
    const [outs, s] = model.apply(params, xs);
    const ref = lstmRef(xRef, P, undefined, lengths);
    for (let t = 0; t < T; t++) {
      assertAllClose(
        await take(outs[t]!),
        ref.outputs.flatMap((seq) => seq[t]!),
        RTOL[backend],
        `step ${t}`,
      );
    }
    assertAllClose(await take(s.h), ref.states.flatMap((q) => q[1]), RTOL[backend], "h");
    tf.dispose([s.c, x, ...xs]);
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O8: staticBidirectionalRnn: per step [fw, bw] concatenated, bw over each reversed sequence",
  async (backend) => {
    const lengths = [2, 3];
    const cell = new LSTMCell(3);
    // One cell object for both directions: bw re-enters its scope and shares.
    const model = transform((xs: tf.Tensor2D[]) =>
      staticBidirectionalRnn(cell, new LSTMCell(3), xs, {
        dtype: "float32",
        sequenceLength: lengths,
      })
    );
    const x = tf.tensor3d(X, [B, T, I]);
    const xs = tf.unstack(x, 1) as tf.Tensor2D[];
    const init = model.init(xs);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      ...named("bidirectional_rnn/fw/lstm_cell"),
      ...named("bidirectional_rnn/bw/lstm_cell"),
    });
    const [outs, sf, sb] = model.apply(params, xs);
    const fw = lstmRef(xRef, P, undefined, lengths);
    const rev = xRef.map((seq, b) => [
      ...seq.slice(0, lengths[b]).reverse(),
      ...seq.slice(lengths[b]),
    ]);
    const bwr = lstmRef(rev, P, undefined, lengths);
    const bw = bwr.outputs.map((seq, b) => [
      ...seq.slice(0, lengths[b]).reverse(),
      ...seq.slice(lengths[b]),
    ]);
    for (let t = 0; t < T; t++) {
      const expected = xRef.flatMap((_, b) => [...fw.outputs[b]![t]!, ...bw[b]![t]!]);
      assertAllClose(await take(outs[t]!), expected, RTOL[backend], `step ${t}`);
    }
    tf.dispose([sf.c, sf.h, sb.c, sb.h, x, ...xs]);
    params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O7: timeMajor inputs and a given initial state",
  async (backend) => {
    const c0 = small(B * 3, 8), h0 = small(B * 3, 9);
    const model = transform((x: tf.Tensor3D) =>
      scoped(function* (): ProgramGenerator<readonly [tf.Tensor3D, tf.Tensor2D]> {
        const state = lstmStateTuple(tf.tensor2d(c0, [B, 3]), tf.tensor2d(h0, [B, 3]));
        const [o, s] = yield* dynamicRnn(new LSTMCell(3), x, {
          initialState: state,
          timeMajor: true,
        });
        return [o, s.c] as const;
      })
    );
    const x = tf.tidy(() => tf.transpose(tf.tensor3d(X, [B, T, I]), [1, 0, 2])) as tf.Tensor3D;
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, named("rnn/lstm_cell"));
    const [o, c] = model.apply(params, x);
    assert.deepEqual(o.shape, [T, B, 3]);
    const ref = lstmRef(xRef, P, (b) => [c0.slice(b * 3, b * 3 + 3), h0.slice(b * 3, b * 3 + 3)]);
    const tm = Array.from({ length: T }, (_, t) => xRef.map((_, b) => ref.outputs[b]![t]!));
    assertAllClose(await take(o), tm.flat(2), RTOL[backend], "outputs");
    assertAllClose(await take(c), ref.states.flatMap((q) => q[0]), RTOL[backend], "c");
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "O4: BasicLSTMCell with stateIsTuple false: state is [c, h] concatenated",
  async (backend) => {
    const cell = new BasicLSTMCell(3, { stateIsTuple: false, forgetBias: 0.5 });
    assert.equal(cell.stateSize as unknown, 6);
    const model = transform((x: tf.Tensor3D) =>
      dynamicRnn(cell, x, { dtype: "float32" }) as unknown as Program<
        readonly [tf.Tensor3D, tf.Tensor2D]
      >
    );
    const x = tf.tensor3d(X, [B, T, I]);
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, named("rnn/basic_lstm_cell"));
    const [o, s] = model.apply(params, x);
    const ref = lstmRef(xRef, { ...P, forgetBias: 0.5 });
    assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(
      await take(s),
      ref.states.flatMap((q) => [...q[0], ...q[1]]),
      RTOL[backend],
      "state",
    );
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "ResidualWrapper: output = input + cell output; names unchanged",
  async (backend) => {
    const gk = small(6 * 6, 11), gb = small(6, 12), ck = small(6 * 3, 13), cb = small(3, 14);
    const model = transform((x: tf.Tensor3D) =>
      dynamicRnn(new ResidualWrapper(new GRUCell(3)), x, { dtype: "float32" })
    );
    const x = tf.tensor3d(X, [B, T, I]);
    const init = model.init(x);
    init.params.dispose();
    const params = paramsFrom(init.store, {
      "rnn/gru_cell/gates/kernel": arr([6, 6], gk),
      "rnn/gru_cell/gates/bias": arr([6], gb),
      "rnn/gru_cell/candidate/kernel": arr([6, 3], ck),
      "rnn/gru_cell/candidate/bias": arr([3], cb),
    });
    const [o, s] = model.apply(params, x);
    const ref = dynamicRef<number[]>(xRef, () => [0, 0, 0], (xt, h) => {
      const h2 = gruStepRef(3, gk, gb, ck, cb, xt, h);
      return [h2.map((v, k) => v + xt[k]!), h2];
    });
    assertAllClose(await take(o), ref.outputs.flat(2), RTOL[backend], "outputs");
    assertAllClose(await take(s), ref.states.flat(), RTOL[backend], "state");
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "DropoutWrapper: outputs 0 or value/keep; variational masks repeat over steps and rows; masks from the pass seed",
  async () => {
    const x = tf.tensor3d(weights(4 * 5 * 3, 3), [4, 5, 3]);
    const base = transform((x: tf.Tensor3D) =>
      dynamicRnn(new LSTMCell(8), x, { dtype: "float32" })
    );
    const init = base.init(x, { seed: 2 });
    const [ref, rs] = base.apply(init.params, x);
    const plain = await values(ref);
    for (const variational of [false, true]) {
      const cell = new DropoutWrapper(new LSTMCell(8), {
        outputKeepProb: 0.5,
        variationalRecurrent: variational,
        seed: 9,
      });
      const model = transform((x: tf.Tensor3D) => dynamicRnn(cell, x, { dtype: "float32" }));
      const [o, s] = model.apply(init.params, x, { seed: 4 });
      const got = await take(o);
      tf.dispose([s.c, s.h]);
      let dropped = 0;
      got.forEach((v, i) => {
        if (v === 0) dropped++;
        else assert.ok(Math.abs(v - plain[i]! / 0.5) <= 1e-5 * Math.abs(plain[i]! / 0.5) + 1e-7);
      });
      assert.ok(dropped > 40 && dropped < 120, `dropped ${dropped} of 160`);
      if (variational) {
        // Element (b, t, k) is dropped iff unit k is dropped: one [1, size] mask.
        for (let i = 0; i < got.length; i++) {
          assert.equal(got[i] === 0, got[i % 8] === 0, `variational mask at ${i}`);
        }
      }
      // The same pass seed gives the same masks on another pass; another seed others.
      const [o2, s2] = model.apply(init.params, x, { seed: 4 });
      assert.deepEqual(await take(o2), got);
      const [o3, s3] = model.apply(init.params, x, { seed: 5 });
      assert.notDeepEqual(await take(o3), got);
      tf.dispose([s2.c, s2.h, s3.c, s3.h]);
    }
    tf.dispose([ref, rs.c, rs.h, x]);
    init.params.dispose();
  },
);

backendTest(
  import.meta.url,
  "O5: training an LSTM through time with makeTrainer lowers the loss",
  async (backend) => {
    // The webgpu child runs on a software adapter: a few steps there.
    const steps = backend === "webgpu" ? 6 : 40;
    // Predict the running sign of the sum of a sequence at every step.
    const xs = tf.tensor3d(weights(16 * 6 * 1, 4), [16, 6, 1]);
    const ys = tf.tidy(() => tf.cast(tf.greater(tf.cumsum(xs, 1), 0), "float32"));
    const cell = new LSTMCell(6);
    const loss = transform(({ x, y }: { x: tf.Tensor3D; y: tf.Tensor }) =>
      scoped(function* (): ProgramGenerator<tf.Scalar> {
        const [o] = yield* dynamicRnn(cell, x, { dtype: "float32" });
        const w = yield* variableOut();
        const logits = tf.reshape(tf.matMul(tf.reshape(o, [-1, 6]), w), y.shape);
        return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
      })
    );
    const batch = { x: xs, y: ys };
    let { params } = loss.init(batch, { seed: 5 });
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
    assert.ok(last < first * (backend === "webgpu" ? 0.97 : 0.7), `loss ${first} -> ${last}`);
    trainer.dispose();
    optimizer.dispose();
    params.dispose();
    tf.dispose([xs, ys]);
  },
);

function variableOut(): Program<tf.Tensor2D> {
  return variable("out/kernel", { shape: [6, 1] }) as Program<tf.Tensor2D>;
}

backendTest(
  import.meta.url,
  "O7: a compiled apply (replayed) equals a full run; bidirectional with one shared cell",
  async () => {
    const cell = new GRUCell(4);
    const fn = (x: tf.Tensor3D) =>
      bidirectionalDynamicRnn(cell, cell, x, { dtype: "float32", sequenceLength: [3, 2] });
    const compiled = transform(fn);
    const full = transform(fn, { compile: false });
    const x = tf.tensor3d(X, [B, T, I]);
    const { params } = compiled.init(x);
    // TF1: the second call of the same cell re-enters bidirectional_rnn/fw/gru_cell.
    assert.deepEqual(params.names, [
      "bidirectional_rnn/fw/gru_cell/gates/kernel",
      "bidirectional_rnn/fw/gru_cell/gates/bias",
      "bidirectional_rnn/fw/gru_cell/candidate/kernel",
      "bidirectional_rnn/fw/gru_cell/candidate/bias",
    ]);
    const read = async (r: ReturnType<typeof fn> extends Program<infer O> ? O : never) => {
      const [[a, b], [c, d]] = r;
      return [await take(a), await take(b), await take(c), await take(d)];
    };
    const one = await read(compiled.apply(params, x));
    const two = await read(compiled.apply(params, x)); // replayed
    const three = await read(full.apply(params, x));
    assert.deepEqual(two, one);
    assert.deepEqual(three, one);
    params.dispose();
    x.dispose();
  },
);
