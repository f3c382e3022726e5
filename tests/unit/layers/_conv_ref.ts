/**
 * Float64 references for the convolution and pooling tests, written from
 * TF1's definitions (channels-last, any number of spatial axes):
 * - output size: "valid" ceil((in − k_eff + 1) / s), "same" ceil(in / s),
 *   with k_eff = (k − 1)·d + 1;
 * - "same" pads max((out − 1)·s + k_eff − in, 0) in total, the smaller half
 *   before;
 * - pooling ignores padded positions (average over the window's elements
 *   inside the input).
 */

/** A shaped Float64 array. */
export interface Nd {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const n = size(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let f = 0; f < n; f++) {
    yield idx.slice();
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
}

function at(t: Nd, idx: readonly number[]): number {
  const st = stridesOf(t.shape);
  let o = 0;
  for (let i = 0; i < idx.length; i++) o += idx[i]! * st[i]!;
  return t.data[o]!;
}

/** Output size and padding before, per spatial axis. */
export function geometry(
  inSize: number,
  k: number,
  s: number,
  d: number,
  padding: "valid" | "same",
): { out: number; before: number } {
  const ke = (k - 1) * d + 1;
  const out = padding === "valid" ? Math.ceil((inSize - ke + 1) / s) : Math.ceil(inSize / s);
  const total = padding === "valid" ? 0 : Math.max((out - 1) * s + ke - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

/** TF1 convolution: x [b, ...S, cin], w [...K, cin, cout]. */
export function convRef(
  x: Nd,
  w: Nd,
  strides: readonly number[],
  dil: readonly number[],
  padding: "valid" | "same",
  bias: readonly number[] | null = null,
): Nd {
  const r = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + r);
  const K = w.shape.slice(0, r);
  const cin = x.shape[r + 1]!;
  const cout = w.shape[r + 1]!;
  const geo = S.map((n, i) => geometry(n, K[i]!, strides[i]!, dil[i]!, padding));
  const shape = [x.shape[0]!, ...geo.map((g) => g.out), cout];
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const b = idx[0]!;
    const o = idx.slice(1, 1 + r);
    const co = idx[r + 1]!;
    let sum = bias === null ? 0 : bias[co]!;
    for (const kidx of indices(K)) {
      const pos = o.map((oi, i) => oi * strides[i]! - geo[i]!.before + kidx[i]! * dil[i]!);
      if (pos.some((p, i) => p < 0 || p >= S[i]!)) continue;
      for (let ci = 0; ci < cin; ci++) {
        sum += at(x, [b, ...pos, ci]) * at(w, [...kidx, ci, co]);
      }
    }
    data.push(sum);
  }
  return { shape, data };
}

/** TF1 depthwise convolution: w [...K, cin, dm] → channels cin·dm. */
export function depthwiseRef(
  x: Nd,
  w: Nd,
  strides: readonly number[],
  dil: readonly number[],
  padding: "valid" | "same",
): Nd {
  const r = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + r);
  const K = w.shape.slice(0, r);
  const cin = x.shape[r + 1]!;
  const dm = w.shape[r + 1]!;
  const geo = S.map((n, i) => geometry(n, K[i]!, strides[i]!, dil[i]!, padding));
  const shape = [x.shape[0]!, ...geo.map((g) => g.out), cin * dm];
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const b = idx[0]!;
    const o = idx.slice(1, 1 + r);
    const ci = Math.floor(idx[r + 1]! / dm);
    const m = idx[r + 1]! % dm;
    let sum = 0;
    for (const kidx of indices(K)) {
      const pos = o.map((oi, i) => oi * strides[i]! - geo[i]!.before + kidx[i]! * dil[i]!);
      if (pos.some((p, i) => p < 0 || p >= S[i]!)) continue;
      sum += at(x, [b, ...pos, ci]) * at(w, [...kidx, ci, m]);
    }
    data.push(sum);
  }
  return { shape, data };
}

/** TF1 transposed 2-D convolution: x [b, h, w, cin], w [kh, kw, cout, cin]. */
export function convTransposeRef(
  x: Nd,
  w: Nd,
  strides: readonly number[],
  padding: "valid" | "same",
  bias: readonly number[] | null,
): Nd {
  const [b, h, wd, cin] = x.shape as [number, number, number, number];
  const [kh, kw, cout] = w.shape as [number, number, number, number];
  const outLen = (n: number, k: number, s: number): number =>
    padding === "same" ? n * s : n * s + Math.max(k - s, 0);
  const H = outLen(h, kh, strides[0]!);
  const W = outLen(wd, kw, strides[1]!);
  // The forward convolution maps [H, W] to [h, w]: its padding places the taps.
  const gh = geometry(H, kh, strides[0]!, 1, padding);
  const gw = geometry(W, kw, strides[1]!, 1, padding);
  const data = new Array<number>(b * H * W * cout).fill(0);
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < wd; j++) {
        for (let p = 0; p < kh; p++) {
          for (let q = 0; q < kw; q++) {
            const oi = i * strides[0]! - gh.before + p;
            const oj = j * strides[1]! - gw.before + q;
            if (oi < 0 || oi >= H || oj < 0 || oj >= W) continue;
            for (let co = 0; co < cout; co++) {
              let s = 0;
              for (let ci = 0; ci < cin; ci++) s += at(x, [n, i, j, ci]) * at(w, [p, q, co, ci]);
              data[((n * H + oi) * W + oj) * cout + co]! += s;
            }
          }
        }
      }
    }
  }
  if (bias !== null) { for (let f = 0; f < data.length; f++) data[f]! += bias[f % cout]!; }
  return { shape: [b, H, W, cout], data };
}

/** TF1 max or average pooling (padding never counted). */
export function poolRef(
  x: Nd,
  kind: "max" | "avg",
  pool: readonly number[],
  strides: readonly number[],
  padding: "valid" | "same",
): Nd {
  const r = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + r);
  const c = x.shape[r + 1]!;
  const geo = S.map((n, i) => geometry(n, pool[i]!, strides[i]!, 1, padding));
  const shape = [x.shape[0]!, ...geo.map((g) => g.out), c];
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const o = idx.slice(1, 1 + r);
    let acc = kind === "max" ? -Infinity : 0;
    let count = 0;
    for (const kidx of indices(pool)) {
      const pos = o.map((oi, i) => oi * strides[i]! - geo[i]!.before + kidx[i]!);
      if (pos.some((p, i) => p < 0 || p >= S[i]!)) continue;
      const v = at(x, [idx[0]!, ...pos, idx[r + 1]!]);
      acc = kind === "max" ? Math.max(acc, v) : acc + v;
      count++;
    }
    data.push(kind === "max" ? acc : acc / count);
  }
  return { shape, data };
}

/** Permutes axes of a shaped array. */
export function permute(t: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => t.shape[p]!);
  const data: number[] = [];
  for (const idx of indices(shape)) {
    const src = new Array<number>(perm.length);
    perm.forEach((p, i) => (src[p] = idx[i]!));
    data.push(at(t, src));
  }
  return { shape, data };
}

/** channels-last → channels-first permutation for rank `n`. */
export function toFirst(n: number): number[] {
  return [0, n - 1, ...Array.from({ length: n - 2 }, (_, i) => i + 1)];
}

/** TF1 transposed convolution, any number of spatial axes: w [...K, cout, cin]. */
export function convTransposeNdRef(
  x: Nd,
  w: Nd,
  strides: readonly number[],
  padding: "valid" | "same",
  bias: readonly number[] | null,
): Nd {
  const r = x.shape.length - 2;
  const S = x.shape.slice(1, 1 + r);
  const K = w.shape.slice(0, r);
  const cout = w.shape[r]!;
  const cin = w.shape[r + 1]!;
  const O = S.map((n, i) =>
    padding === "same" ? n * strides[i]! : n * strides[i]! + Math.max(K[i]! - strides[i]!, 0)
  );
  // The forward convolution maps O to S: its padding places the taps.
  const before = O.map((n, i) => geometry(n, K[i]!, strides[i]!, 1, padding).before);
  const shape = [x.shape[0]!, ...O, cout];
  const st = stridesOf(shape);
  const data = new Array<number>(size(shape)).fill(0);
  for (const idx of indices(x.shape.slice(0, 1 + r))) {
    const b = idx[0]!;
    const pos = idx.slice(1);
    for (const kidx of indices(K)) {
      const o = pos.map((p, i) => p * strides[i]! - before[i]! + kidx[i]!);
      if (o.some((v, i) => v < 0 || v >= O[i]!)) continue;
      for (let co = 0; co < cout; co++) {
        let s = 0;
        for (let ci = 0; ci < cin; ci++) s += at(x, [b, ...pos, ci]) * at(w, [...kidx, co, ci]);
        let off = b * st[0]! + co;
        o.forEach((v, i) => (off += v * st[i + 1]!));
        data[off]! += s;
      }
    }
  }
  if (bias !== null) { for (let f = 0; f < data.length; f++) data[f]! += bias[f % cout]!; }
  return { shape, data };
}
