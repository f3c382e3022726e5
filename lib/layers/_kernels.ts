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
 * −∞; `maxPool3d` shifts the input there.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

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

const customConvs = new Map<string, (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D>();

function customConv(
  strides: Pair,
  pad: "valid" | "same",
  dil: Pair,
): (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D {
  const key = `${strides}|${pad}|${dil}`;
  let f = customConvs.get(key);
  if (f !== undefined) return f;
  // deno-lint-ignore no-explicit-any
  f = tf.customGrad(
    ((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
      save([x, w]);
      const value = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad, "NHWC", dil);
      return {
        value,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
          return [
            inputGrad(dy as tf.Tensor4D, xs, ws, strides, pad, dil),
            filterGrad(dy as tf.Tensor4D, xs, ws, strides, pad, dil),
          ];
        },
      };
    }) as any,
  ) as unknown as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
  customConvs.set(key, f);
  return f;
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
