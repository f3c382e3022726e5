/**
 * TF1's convolution and pooling arguments: integer tuples, padding and
 * data format, checked once at construction.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { layerOptionError } from "./layer.ts";

/** TF1 `padding` (case-insensitive in TF1). */
export type Padding = "valid" | "same";
/** TF1 `data_format`. */
export type DataFormat = "channels_last" | "channels_first";

/** TF1 `conv_utils.normalize_tuple`: an int or `n` positive ints. */
export function normalizeTuple(value: unknown, n: number, what: string): number[] {
  const list = typeof value === "number" ? Array.from({ length: n }, () => value) : value;
  if (
    !Array.isArray(list) || list.length !== n ||
    !list.every((v) => Number.isSafeInteger(v) && v > 0)
  ) {
    throw layerOptionError(what, `expected a positive integer or ${n} of them`, value);
  }
  return list.slice() as number[];
}

/** Parses `padding`. */
export function parsePadding(value: unknown): Padding {
  const p = value ?? "valid";
  const lower = typeof p === "string" ? p.toLowerCase() : p;
  if (lower !== "valid" && lower !== "same") {
    throw layerOptionError("padding", 'expected "valid" or "same"', value);
  }
  return lower;
}

/** Parses `dataFormat`. */
export function parseDataFormat(value: unknown): DataFormat {
  const f = value ?? "channels_last";
  if (f !== "channels_last" && f !== "channels_first") {
    throw layerOptionError("dataFormat", 'expected "channels_last" or "channels_first"', value);
  }
  return f;
}

/** Moves the channel axis of a channels_first tensor last. */
export function toChannelsLast(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  return tf.transpose(x, [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1]);
}

/** Moves the last (channel) axis to position 1. */
export function toChannelsFirst(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  return tf.transpose(x, [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
}

/** TF1 `conv_utils.deconv_output_length` without output padding. */
export function deconvOutputLength(
  input: number,
  kernel: number,
  padding: Padding,
  stride: number,
): number {
  return padding === "same" ? input * stride : input * stride + Math.max(kernel - stride, 0);
}
