/**
 * Convolution and pooling kernels that behave the same on every backend.
 *
 * tfjs's `conv2d` gradient refuses dilation rates above 1 on every backend,
 * and the wasm backend has no `Conv2DBackpropFilter` kernel, so there the
 * filter gradient fails for any conv2d. In both cases `conv2d` here is a
 * `tf.customGrad` whose filter gradient is itself a forward convolution
 * (the input, padded as the forward pass pads it, convolved with the output
 * gradient: TF's `Conv2DBackpropFilter` written with `Conv2D`). wasm's
 * `MaxPool3D` starts each window at the smallest positive float instead of
 * −∞; `maxPool3d` shifts the input there. wasm's `Conv3DBackpropInputV2`
 * (conv3dTranspose, conv3d's input gradient) gives wrong values; `conv3d`
 * and `conv3dTranspose` here avoid it. tfjs refuses conv3d gradients with
 * dilation above 1; `conv3d` here gives them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

// tfjs-core does not export the type of `customGrad`'s argument.
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

type Pair = [number, number];

function samePads(input: number, out: number, k: number, s: number, d: number): Pair {
  const ke = (k - 1) * d + 1;
  const total = Math.max((out - 1) * s + ke - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** A kernel of an input and a filter, as `tf.customGrad` makes it. */
type FilterKernel<T extends tf.Tensor> = (x: T, w: T) => T;

// One `tf.customGrad` per kernel and configuration: made once, reused by
// every later call with the same key (a tfjs gradient function is a closure
// over its configuration).
const customKernels = new Map<string, FilterKernel<tf.Tensor>>();

/**
 * `forward(x, w)` whose gradients are `grads(dy, x, w)` (input gradient,
 * filter gradient): the custom-gradient form of every convolution here that
 * tfjs cannot differentiate on some backend or configuration.
 */
function withGradients<T extends tf.Tensor>(
  key: string,
  forward: (x: T, w: T) => T,
  grads: (dy: T, x: T, w: T) => [tf.Tensor, tf.Tensor],
): FilterKernel<T> {
  let f = customKernels.get(key) as FilterKernel<T> | undefined;
  if (f === undefined) {
    f = tf.customGrad(
      ((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
        save([x, w]);
        return {
          value: forward(x as T, w as T),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
            grads(dy as T, saved[0] as T, saved[1] as T),
        };
      }) as unknown as CustomGradientFunc,
    ) as unknown as FilterKernel<T>;
    customKernels.set(key, f as unknown as FilterKernel<tf.Tensor>);
  }
  return f;
}

function customConv(
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): FilterKernel<tf.Tensor4D> {
  return withGradients<tf.Tensor4D>(
    `conv2d|${strides}|${pad}|${dil}`,
    (x, w) => tf.conv2d(x, w, strides, pad, "NHWC", dil),
    (dy, x, w) => [
      inputGrad(dy, x, w, strides, pad, dil),
      filterGrad(dy, x, w, strides, pad, dil),
    ],
  );
}

function pads(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): [Pair, Pair] {
  if (pad === "valid") {
    // Rows the forward pass never reached are cut, not padded.
    return [[0, 0], [0, 0]];
  }
  return [
    samePads(x.shape[1], dy.shape[1], w.shape[0], strides[0], dil[0]),
    samePads(x.shape[2], dy.shape[2], w.shape[1], strides[1], dil[1]),
  ];
}

function filterGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  const [ph, pw] = pads(x, dy, w, strides, pad, dil);
  const [kh, kw] = [w.shape[0], w.shape[1]];
  const xp = tf.pad(x, [[0, 0], ph, pw, [0, 0]]);
  // dW[p, q, ci, co] = Σ_b,i,j xp[b, i·s + p·d, j·s + q·d, ci] · dy[b, i, j, co]:
  // a convolution over (i, j) with channels b, batch ci, stride d, dilation s.
  const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  const full = tf.conv2d(xt, dyt, dil, "valid", "NHWC", strides);
  const cut = tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]);
  return tf.transpose(cut, [1, 2, 0, 3]) as tf.Tensor4D;
}

function inputGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  if (dil[0] === 1 && dil[1] === 1) return tf.conv2dTranspose(dy, w, x.shape, strides, pad);
  // Stride 1 (TF refuses dilation with strides): dx is dy, padded, convolved
  // with the flipped kernel (in and out channels swapped) at the same dilation.
  const [kh, kw] = [w.shape[0], w.shape[1]];
  const [ph, pw] = pads(x, dy, w, strides, pad, dil);
  const keh = (kh - 1) * dil[0] + 1;
  const kew = (kw - 1) * dil[1] + 1;
  const before: Pair = [keh - 1 - ph[0], kew - 1 - pw[0]];
  const after: Pair = [
    x.shape[1] + ph[0] - dy.shape[1],
    x.shape[2] + pw[0] - dy.shape[2],
  ];
  const dyp = tf.pad(dy, [[0, 0], [before[0], after[0]], [before[1], after[1]], [0, 0]]);
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dyp, flipped, 1, "valid", "NHWC", dil);
}

/**
 * `tf.conv2d` (NHWC) whose filter gradient works on every backend.
 *
 * @internal
 */
export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  if (builtinGrad(dil)) return tf.conv2d(x, w, strides, pad, "NHWC", dil);
  return customConv(strides, pad, dil)(x, w);
}

/**
 * Whether `tf.fused.conv2d` can be used (its gradient needs
 * `Conv2DBackpropFilter` when it runs under a gradient tape).
 *
 * @internal
 */
export function canFuseConv2d(dil: Pair): boolean {
  return tf.engine().state.gradientDepth === 0 || builtinGrad(dil);
}

// tfjs's conv2d gradient needs Conv2DBackpropFilter and refuses dilation > 1.
function builtinGrad(dil: Pair): boolean {
  return dil[0] === 1 && dil[1] === 1 && hasKernel("Conv2DBackpropFilter");
}

/**
 * `tf.maxPool3d` (NDHWC) that is right for negative inputs on every
 * backend: wasm's kernel starts each window at the smallest positive float
 * (not −∞), so there the input is shifted to be ≥ 1 and shifted back.
 *
 * @internal
 */
export function maxPool3d(
  x: tf.Tensor5D,
  size: [number, number, number],
  strides: [number, number, number],
  pad: "valid" | "same",
): tf.Tensor5D {
  if (tf.getBackend() !== "wasm") return tf.maxPool3d(x, size, strides, pad);
  const shift = tf.sub(tf.min(x), 1);
  return tf.add(tf.maxPool3d(tf.sub(x, shift) as tf.Tensor5D, size, strides, pad), shift);
}

type Triple = [number, number, number];

/**
 * `tf.conv3dTranspose` (NDHWC) that is right, with gradients, on every
 * backend. tfjs has no gradient for it (`Conv3DBackpropInputV2`), so it is
 * a `tf.customGrad`: the input gradient is a forward convolution, the filter
 * gradient one matMul per kernel offset. wasm's kernel gives wrong values, so there the forward pass is
 * written as TF defines it: the input spread out by the strides, padded,
 * and convolved (stride 1) with the flipped kernel.
 *
 * @internal
 */
export function conv3dTranspose(
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  outShape: [number, number, number, number, number],
  strides: Triple,
  pad: "valid" | "same",
): tf.Tensor5D {
  return withGradients<tf.Tensor5D>(
    `conv3dTranspose|${outShape}|${strides}|${pad}`,
    (xs, ws) => conv3dTransposeValue(xs, ws, outShape, strides, pad),
    (
      g,
      sx,
      sw,
    ) => [tf.conv3d(g, sw, strides, pad, "NDHWC"), transposeFilterGrad(sx, g, sw, strides, pad)],
  )(x, w);
}

// conv3dTranspose(x, W) spreads x[b, i, ci]·W[k, co, ci] to y[b, i·s − pb + k, co],
// so dW[k, co, ci] = Σ_b,i x[b, i, ci] · dy[b, i·s − pb + k, co]: one matMul
// per kernel offset over a strided slice of the padded dy. Plain ops, right
// on every backend (webgpu's Conv3D leaves its output unwritten for the
// folded shapes conv3dFilterGrad would use here).
function transposeFilterGrad(
  x: tf.Tensor5D,
  dy: tf.Tensor5D,
  w: tf.Tensor5D,
  strides: Triple,
  pad: "valid" | "same",
): tf.Tensor5D {
  const [k0, k1, k2, co, ci] = w.shape;
  const k: Triple = [k0, k1, k2];
  const n: Triple = [x.shape[1], x.shape[2], x.shape[3]];
  const lo = [0, 1, 2].map((a) =>
    pad === "same" ? samePads(dy.shape[a + 1]!, n[a]!, k[a]!, strides[a]!, 1)[0] : 0
  );
  const hi = [0, 1, 2].map((a) =>
    Math.max(0, (n[a]! - 1) * strides[a]! + k[a]! - lo[a]! - dy.shape[a + 1]!)
  );
  const dyp = tf.pad(dy, [[0, 0], [lo[0]!, hi[0]!], [lo[1]!, hi[1]!], [lo[2]!, hi[2]!], [0, 0]]);
  const rows = x.shape[0] * n[0] * n[1] * n[2];
  const xt = tf.transpose(tf.reshape(x, [rows, ci]));
  const parts: tf.Tensor[] = [];
  for (let a = 0; a < k0; a++) {
    for (let b = 0; b < k1; b++) {
      for (let c = 0; c < k2; c++) {
        const taps = tf.stridedSlice(
          dyp,
          [0, a, b, c, 0],
          [
            x.shape[0],
            a + (n[0] - 1) * strides[0] + 1,
            b + (n[1] - 1) * strides[1] + 1,
            c + (n[2] - 1) * strides[2] + 1,
            co,
          ],
          [1, strides[0], strides[1], strides[2], 1],
        );
        parts.push(tf.transpose(tf.matMul(xt, tf.reshape(taps, [rows, co]))));
      }
    }
  }
  return tf.reshape(tf.stack(parts), [k0, k1, k2, co, ci]) as tf.Tensor5D;
}

function conv3dTransposeValue(
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  outShape: [number, number, number, number, number],
  strides: Triple,
  pad: "valid" | "same",
): tf.Tensor5D {
  if (tf.getBackend() !== "wasm") return tf.conv3dTranspose(x, w, outShape, strides, pad);
  const spatial: Triple = [x.shape[1], x.shape[2], x.shape[3]];
  const spread = spreadSpatial(x, strides);
  const k: Triple = [w.shape[0], w.shape[1], w.shape[2]];
  const pads = spatial.map((n, i): Pair => {
    const out = outShape[i + 1]!;
    const before = pad === "same" ? samePads(out, n, k[i]!, strides[i]!, 1)[0] : 0;
    const lo = k[i]! - 1 - before;
    return [lo, out + k[i]! - 1 - lo - ((n - 1) * strides[i]! + 1)];
  });
  const padded = tf.pad(spread, [[0, 0], pads[0]!, pads[1]!, pads[2]!, [0, 0]]);
  const flipped = tf.transpose(tf.reverse(w, [0, 1, 2]), [0, 1, 2, 4, 3]) as tf.Tensor5D;
  return tf.conv3d(padded as tf.Tensor5D, flipped, 1, "valid");
}

// Each element of the three spatial axes followed by stride − 1 zeros, the
// trailing zeros cut: TF's view of a strided gradient as a dense one. One
// axis at a time (wasm pads tensors of rank 6 at most).
function spreadSpatial(x: tf.Tensor, strides: Triple): tf.Tensor {
  let spread = x;
  for (let a = 1; a <= 3; a++) {
    const s = strides[a - 1]!;
    if (s === 1) continue;
    const shape = spread.shape;
    const n = shape[a]!;
    const split = [...shape.slice(0, a + 1), 1, ...shape.slice(a + 1)];
    const paddings = split.map((_, i): Pair => (i === a + 1 ? [0, s - 1] : [0, 0]));
    const grown = tf.pad(tf.reshape(spread, split), paddings);
    const merged = tf.reshape(grown, [...shape.slice(0, a), n * s, ...shape.slice(a + 1)]);
    const size = shape.map((d, i) => (i === a ? (n - 1) * s + 1 : d));
    spread = tf.slice(merged, shape.map(() => 0), size);
  }
  return spread;
}

/**
 * `tf.conv3d` (NDHWC) whose gradients are right on every backend and for
 * every dilation. tfjs refuses conv3d gradients with dilation above 1, and
 * on wasm `Conv3DBackpropInputV2` is wrong; in either case this is a
 * `tf.customGrad` whose gradients are forward convolutions: the input
 * gradient is {@linkcode conv3dTranspose} (no dilation) or, dilated (TF
 * refuses dilation with strides, so stride 1), the padded output gradient
 * convolved with the flipped kernel at the same dilation; the filter
 * gradient is a convolution of the padded input with the (spread) output
 * gradient, with the dilation as its stride.
 *
 * @internal
 */
export function conv3d(
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  strides: Triple,
  pad: "valid" | "same",
  dil: Triple = [1, 1, 1],
): tf.Tensor5D {
  const dilated = dil.some((d) => d !== 1);
  if (!dilated && tf.getBackend() !== "wasm") return tf.conv3d(x, w, strides, pad, "NDHWC");
  // webgpu's Conv3D with dilation leaves outputs unwritten: there the kernel
  // is spread instead (zeros between its taps), whose convolution is the same.
  if (dilated && tf.getBackend() === "webgpu") return conv3d(x, dilateKernel(w, dil), strides, pad);
  return withGradients<tf.Tensor5D>(
    `conv3d|${strides}|${pad}|${dil}`,
    (xs, ws) => tf.conv3d(xs, ws, strides, pad, "NDHWC", dil),
    (g, sx, sw) => [
      dilated
        ? dilatedConv3dInputGrad(g, sx, sw, pad, dil)
        : conv3dTranspose(g, sw, sx.shape, strides, pad),
      conv3dFilterGrad(g, sx, sw, strides, pad, dil),
    ],
  )(x, w);
}

// The kernel's taps d apart, zeros between (one spatial axis at a time, in
// rank 4 at most: webgpu pads rank-6 tensors wrong).
function dilateKernel(w: tf.Tensor5D, dil: Triple): tf.Tensor5D {
  let t: tf.Tensor = w;
  for (let a = 0; a < 3; a++) {
    const d = dil[a]!;
    if (d === 1) continue;
    const shape = t.shape;
    const before = shape.slice(0, a).reduce((p, n) => p * n, 1);
    const after = shape.slice(a + 1).reduce((p, n) => p * n, 1);
    const k = shape[a]!;
    const grown = tf.pad(tf.reshape(t, [before, k, 1, after]), [[0, 0], [0, 0], [0, d - 1], [
      0,
      0,
    ]]);
    const cut = tf.slice(tf.reshape(grown, [before, k * d, after]), 0, [
      before,
      (k - 1) * d + 1,
      after,
    ]);
    t = tf.reshape(cut, shape.map((n, i) => (i === a ? (k - 1) * d + 1 : n)));
  }
  return t as tf.Tensor5D;
}

// Stride 1: dx[b, i, ci] = Σ_k,co dy[b, i + pb − k·d, co] · W[k, ci, co], a
// "valid" convolution of dy padded by (k_eff − 1 − pb) before and the rest
// after, with the kernel flipped (in and out channels swapped), dilation d.
function dilatedConv3dInputGrad(
  dy: tf.Tensor5D,
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  pad: "valid" | "same",
  dil: Triple,
): tf.Tensor5D {
  const paddings = [1, 2, 3].map((a, i): Pair => {
    const ke = (w.shape[i]! - 1) * dil[i]! + 1;
    const before = pad === "same"
      ? samePads(x.shape[a]!, dy.shape[a]!, w.shape[i]!, 1, dil[i]!)[0]
      : 0;
    const lo = ke - 1 - before;
    return [lo, x.shape[a]! + ke - 1 - lo - dy.shape[a]!];
  });
  const dyp = tf.pad(dy, [[0, 0], paddings[0]!, paddings[1]!, paddings[2]!, [0, 0]]);
  const flipped = tf.transpose(tf.reverse(w, [0, 1, 2]), [0, 1, 2, 4, 3]) as tf.Tensor5D;
  return tf.conv3d(dyp as tf.Tensor5D, flipped, 1, "valid", "NDHWC", dil);
}

function conv3dFilterGrad(
  dy: tf.Tensor5D,
  x: tf.Tensor5D,
  w: tf.Tensor5D,
  strides: Triple,
  pad: "valid" | "same",
  dil: Triple,
): tf.Tensor5D {
  const k: Triple = [w.shape[0], w.shape[1], w.shape[2]];
  const pads = [1, 2, 3].map((a, i): Pair =>
    pad === "same" ? samePads(x.shape[a]!, dy.shape[a]!, k[i]!, strides[i]!, dil[i]!) : [0, 0]
  );
  const xp = tf.pad(x, [[0, 0], pads[0]!, pads[1]!, pads[2]!, [0, 0]]);
  // dW[k, ci, co] = Σ_b,o xp[b, o·s + k·d, ci] · dy[b, o, co]: the batch as
  // channels, the input channels as batch, dy spread by the strides, the
  // dilation as the stride.
  const xt = tf.transpose(xp, [4, 1, 2, 3, 0]) as tf.Tensor5D;
  const dyt = tf.transpose(spreadSpatial(dy, strides), [1, 2, 3, 0, 4]) as tf.Tensor5D;
  const full = tf.conv3d(xt, dyt, dil, "valid");
  const cut = tf.slice(full, [0, 0, 0, 0, 0], [-1, k[0], k[1], k[2], -1]);
  return tf.transpose(cut, [1, 2, 3, 0, 4]) as tf.Tensor5D;
}

/**
 * `tf.conv2dTranspose` whose filter gradient works where
 * `Conv2DBackpropFilter` is missing (wasm): the transposed convolution is
 * the input gradient of a convolution, so its filter gradient is that
 * convolution's filter gradient with the roles of input and output
 * gradient exchanged.
 *
 * @internal
 */
export function conv2dTranspose(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  outShape: [number, number, number, number],
  strides: Pair,
  pad: "valid" | "same",
): tf.Tensor4D {
  if (hasKernel("Conv2DBackpropFilter")) return tf.conv2dTranspose(x, w, outShape, strides, pad);
  return withGradients<tf.Tensor4D>(
    `conv2dTranspose|${outShape}|${strides}|${pad}`,
    (xs, ws) => tf.conv2dTranspose(xs, ws, outShape, strides, pad),
    (g, sx, sw) => [tf.conv2d(g, sw, strides, pad), filterGrad(sx, g, sw, strides, pad, [1, 1])],
  )(x, w);
}

/**
 * `tf.depthwiseConv2d` (NHWC) with gradients on every backend and for
 * every dilation: tfjs's gradient refuses dilation above 1, and wasm has
 * no depthwise backprop kernels. Where either applies it is a
 * `tf.customGrad` whose gradients are forward depthwise convolutions: the
 * input gradient convolves the output gradient (spread by the strides,
 * padded) with the flipped kernel; the filter gradient convolves the padded
 * input with the output gradient, batch and channels folded together.
 *
 * @internal
 */
export function depthwiseConv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  if (
    dil[0] === 1 && dil[1] === 1 && hasKernel("DepthwiseConv2dNativeBackpropFilter") &&
    hasKernel("DepthwiseConv2dNativeBackpropInput")
  ) {
    return tf.depthwiseConv2d(x, w, strides, pad, "NHWC", dil);
  }
  return withGradients<tf.Tensor4D>(
    `depthwise|${strides}|${pad}|${dil}`,
    (xs, ws) => tf.depthwiseConv2d(xs, ws, strides, pad, "NHWC", dil),
    (g, sx, sw) => [
      depthwiseInputGrad(g, sx, sw, strides, pad, dil),
      depthwiseFilterGrad(g, sx, sw, strides, pad, dil),
    ],
  )(x, w);
}

// Zeros after each element of axes 1 and 2 (stride − 1 of them), trailing ones cut.
function spread2d(x: tf.Tensor4D, strides: Pair): tf.Tensor4D {
  let t: tf.Tensor = x;
  for (let a = 1; a <= 2; a++) {
    const s = strides[a - 1]!;
    if (s === 1) continue;
    const shape = t.shape;
    const n = shape[a]!;
    const split = [...shape.slice(0, a + 1), 1, ...shape.slice(a + 1)];
    const paddings = split.map((_, i): Pair => (i === a + 1 ? [0, s - 1] : [0, 0]));
    const merged = tf.reshape(tf.pad(tf.reshape(t, split), paddings), [
      ...shape.slice(0, a),
      n * s,
      ...shape.slice(a + 1),
    ]);
    t = tf.slice(merged, shape.map(() => 0), shape.map((d, i) => (i === a ? (n - 1) * s + 1 : d)));
  }
  return t as tf.Tensor4D;
}

function depthwiseInputGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  const [kh, kw, ci, dm] = w.shape;
  const [ph, pw] = pads(x, dy, w, strides, pad, dil);
  const keh = (kh - 1) * dil[0] + 1;
  const kew = (kw - 1) * dil[1] + 1;
  const spreadDy = spread2d(dy, strides);
  const lo: Pair = [keh - 1 - ph[0], kew - 1 - pw[0]];
  const hi: Pair = [
    x.shape[1] + keh - 1 - lo[0] - spreadDy.shape[1],
    x.shape[2] + kew - 1 - lo[1] - spreadDy.shape[2],
  ];
  const padded = tf.pad(spreadDy, [[0, 0], [lo[0], hi[0]], [lo[1], hi[1]], [0, 0]]);
  // Each of the ci·dm output channels back through its own flipped filter,
  // then the dm channels of each input channel summed.
  const flipped = tf.reshape(tf.reverse(w, [0, 1]), [kh, kw, ci * dm, 1]) as tf.Tensor4D;
  const per = tf.depthwiseConv2d(padded as tf.Tensor4D, flipped, 1, "valid", "NHWC", dil);
  return tf.sum(tf.reshape(per, [x.shape[0], x.shape[1], x.shape[2], ci, dm]), 4) as tf.Tensor4D;
}

function depthwiseFilterGrad(
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): tf.Tensor4D {
  const [kh, kw, ci, dm] = w.shape;
  const b = x.shape[0];
  const [ph, pw] = pads(x, dy, w, strides, pad, dil);
  const xp = tf.pad(x, [[0, 0], ph, pw, [0, 0]]);
  // dW[p, q, c, m] = Σ_b,i,j xp[b, i·s + p·d, j·s + q·d, c] · dy[b, i, j, c·dm + m]: a
  // depthwise convolution of xp (batch and channels folded into b·ci
  // channels) with dy as the filter, stride d and dilation s.
  const xf = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1], xp.shape[2], b * ci]);
  const dyf = tf.reshape(
    tf.transpose(tf.reshape(dy, [b, dy.shape[1], dy.shape[2], ci, dm]), [1, 2, 0, 3, 4]),
    [dy.shape[1], dy.shape[2], b * ci, dm],
  );
  const full = tf.depthwiseConv2d(
    xf as tf.Tensor4D,
    dyf as tf.Tensor4D,
    dil,
    "valid",
    "NHWC",
    strides,
  );
  const cut = tf.slice(full, [0, 0, 0, 0], [1, kh, kw, -1]);
  return tf.sum(tf.reshape(cut, [kh, kw, b, ci, dm]), 2) as tf.Tensor4D;
}
