/**
 * Float64 references of TF1's cells, written from the formulas of spec O2–O5
 * (tensorflow `rnn_cell_impl.py`), independent of the code under test.
 * Arrays are row-major; x is batch-major [B][T][I].
 */

export type M = number[][];

export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** [a, b] · W + bias for one row. */
export function affine(
  a: readonly number[],
  w: readonly number[],
  cols: number,
  bias?: readonly number[],
): number[] {
  const out = bias ? bias.slice() : new Array(cols).fill(0);
  for (let k = 0; k < a.length; k++) {
    for (let j = 0; j < cols; j++) out[j] += a[k]! * w[k * cols + j]!;
  }
  return out;
}

export interface LstmRef {
  readonly units: number;
  readonly kernel: readonly number[];
  readonly bias: readonly number[];
  readonly forgetBias: number;
  readonly peep?: { wf: readonly number[]; wi: readonly number[]; wo: readonly number[] };
  readonly cellClip?: number;
  readonly proj?: { kernel: readonly number[]; size: number };
  readonly projClip?: number;
}

const clip = (v: number, c: number | undefined): number =>
  c === undefined ? v : Math.max(-c, Math.min(c, v));

/** One LSTMCell step (O5): returns [c', m']. */
export function lstmStepRef(
  p: LstmRef,
  x: readonly number[],
  c: readonly number[],
  h: readonly number[],
): [number[], number[]] {
  const U = p.units;
  const z = affine([...x, ...h], p.kernel, 4 * U, p.bias);
  const i = z.slice(0, U), j = z.slice(U, 2 * U), f = z.slice(2 * U, 3 * U), o = z.slice(3 * U);
  const c2 = c.map((cv, k) => {
    const fg = sigmoid(f[k]! + p.forgetBias + (p.peep ? p.peep.wf[k]! * cv : 0));
    const ig = sigmoid(i[k]! + (p.peep ? p.peep.wi[k]! * cv : 0));
    return clip(fg * cv + ig * Math.tanh(j[k]!), p.cellClip);
  });
  let m = c2.map((cv, k) => sigmoid(o[k]! + (p.peep ? p.peep.wo[k]! * cv : 0)) * Math.tanh(cv));
  if (p.proj) m = affine(m, p.proj.kernel, p.proj.size).map((v) => clip(v, p.projClip));
  return [c2, m];
}

/** One GRUCell step (O3). */
export function gruStepRef(
  units: number,
  gk: readonly number[],
  gb: readonly number[],
  ck: readonly number[],
  cb: readonly number[],
  x: readonly number[],
  h: readonly number[],
): number[] {
  const g = affine([...x, ...h], gk, 2 * units, gb).map(sigmoid);
  const r = g.slice(0, units), u = g.slice(units);
  const cand = affine([...x, ...h.map((v, k) => r[k]! * v)], ck, units, cb).map(Math.tanh);
  return h.map((v, k) => u[k]! * v + (1 - u[k]!) * cand[k]!);
}

/** One BasicRNNCell step (O2). */
export function rnnStepRef(
  units: number,
  k: readonly number[],
  b: readonly number[],
  x: readonly number[],
  h: readonly number[],
): number[] {
  return affine([...x, ...h], k, units, b).map(Math.tanh);
}

/**
 * TF1 dynamic_rnn over a batch with a step function on state arrays, with
 * `_rnn_step` masking: outputs zero past each length, state carried.
 */
export function dynamicRef<S>(
  x: readonly (readonly (readonly number[])[])[],
  init: (b: number) => S,
  step: (x: readonly number[], s: S) => [number[], S],
  lengths?: readonly number[],
): { outputs: number[][][]; states: S[] } {
  const outputs: number[][][] = [];
  const states: S[] = [];
  x.forEach((seq, b) => {
    let s = init(b);
    const outs: number[][] = [];
    seq.forEach((xt, t) => {
      const [o, s2] = step(xt, s);
      if (lengths !== undefined && t >= lengths[b]!) {
        outs.push(o.map(() => 0));
      } else {
        outs.push(o);
        s = s2;
      }
    });
    outputs.push(outs);
    states.push(s);
  });
  return { outputs, states };
}

/** [B][T][I] from a flat array. */
export function shape3(data: readonly number[], b: number, t: number, i: number): number[][][] {
  return Array.from(
    { length: b },
    (_, bi) =>
      Array.from({ length: t }, (_, ti) => data.slice((bi * t + ti) * i, (bi * t + ti + 1) * i)),
  );
}
