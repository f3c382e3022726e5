/**
 * The one shape a tensor has between a weight file and varscope: its TF1
 * name, the file's dtype, its shape and its values as the file holds them
 * (no conversion). Every reader yields it and every writer takes it, so the
 * TensorFlow checkpoint and TensorFlow.js weight formats meet here.
 *
 * @module
 */

/**
 * The dtypes a weight file can hold (TensorFlow's names).
 *
 * @category checkpoint
 */
export type StoredDType =
  | "float32"
  | "float64"
  | "float16"
  | "bfloat16"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "bool"
  | "string";

/**
 * A tensor's values as stored: float16 and bfloat16 as their raw 16-bit
 * patterns, bool as one byte per element, string as one byte array per
 * element.
 *
 * @category checkpoint
 */
export type StoredValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | readonly Uint8Array[];

/**
 * What a file says about one tensor, without its values.
 *
 * @category checkpoint
 */
export interface StoredTensorInfo {
  /** The TF1 variable name, without ":0" (for example "dense/kernel"). */
  readonly name: string;
  /** The dtype in the file. */
  readonly dtype: StoredDType;
  /** The full shape. */
  readonly shape: readonly number[];
}

/**
 * One tensor with its values.
 *
 * @category checkpoint
 */
export interface StoredTensor extends StoredTensorInfo {
  /** The values in row-major order. */
  readonly values: StoredValues;
}

/**
 * A weight file opened for reading: listing reads only the index or
 * manifest, `read` only the bytes of one tensor.
 *
 * @category checkpoint
 */
export interface CheckpointReader {
  /** Which format the file is in. */
  readonly format: "tensorflow" | "tfjs";
  /** Every tensor, sorted by name. */
  list(): readonly StoredTensorInfo[];
  /** Whether the file holds a tensor of this name. */
  has(name: string): boolean;
  /** One tensor's values (a fresh copy). */
  read(name: string): StoredTensor;
}
