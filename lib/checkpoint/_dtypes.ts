/**
 * TensorFlow DataType numbers, element sizes, and the typed array each
 * stored dtype uses.
 *
 * @module
 */
import type { StoredDType, StoredValues } from "./stored_tensor.ts";

/** TensorFlow's DataType enum numbers (types.proto) for the supported dtypes. */
export const DTYPE_NUMBERS: Readonly<Record<StoredDType, number>> = Object.freeze({
  float32: 1,
  float64: 2,
  int32: 3,
  uint8: 4,
  int16: 5,
  int8: 6,
  string: 7,
  int64: 9,
  bool: 10,
  bfloat16: 14,
  uint16: 17,
  float16: 19,
});

const BY_NUMBER = new Map<number, StoredDType>(
  Object.entries(DTYPE_NUMBERS).map(([k, v]) => [v, k as StoredDType]),
);

const KNOWN_UNSUPPORTED: Readonly<Record<number, string>> = {
  0: "DT_INVALID",
  8: "DT_COMPLEX64",
  11: "DT_QINT8",
  12: "DT_QUINT8",
  13: "DT_QINT32",
  15: "DT_QINT16",
  16: "DT_QUINT16",
  18: "DT_COMPLEX128",
  20: "DT_RESOURCE",
  21: "DT_VARIANT",
  22: "DT_UINT32",
  23: "DT_UINT64",
};

/** The stored dtype of a DataType number, or undefined. */
export function dtypeOfNumber(n: number): StoredDType | undefined {
  return BY_NUMBER.get(n);
}

/** A readable name of an unsupported DataType number. */
export function dtypeNumberName(n: number): string {
  return KNOWN_UNSUPPORTED[n] ?? `DataType ${n}`;
}

/** Bytes per element; 0 for string (variable). */
export function elementSize(d: StoredDType): number {
  switch (d) {
    case "float64":
    case "int64":
      return 8;
    case "float32":
    case "int32":
      return 4;
    case "float16":
    case "bfloat16":
    case "int16":
    case "uint16":
      return 2;
    case "int8":
    case "uint8":
    case "bool":
      return 1;
    case "string":
      return 0;
  }
}

/** Views fresh, 8-byte-aligned bytes as the dtype's typed array (no copy). */
export function viewAs(d: Exclude<StoredDType, "string">, bytes: Uint8Array): StoredValues {
  const { buffer, byteOffset, byteLength } = bytes;
  const n = byteLength / elementSize(d);
  switch (d) {
    case "float32":
      return new Float32Array(buffer, byteOffset, n);
    case "float64":
      return new Float64Array(buffer, byteOffset, n);
    case "int32":
      return new Int32Array(buffer, byteOffset, n);
    case "int64":
      return new BigInt64Array(buffer, byteOffset, n);
    case "int16":
      return new Int16Array(buffer, byteOffset, n);
    case "int8":
      return new Int8Array(buffer, byteOffset, n);
    case "float16":
    case "bfloat16":
    case "uint16":
      return new Uint16Array(buffer, byteOffset, n);
    case "uint8":
    case "bool":
      return new Uint8Array(buffer, byteOffset, n);
  }
}

/** The typed array constructor each fixed-size dtype's values must be. */
export function expectedArray(d: Exclude<StoredDType, "string">): string {
  switch (d) {
    case "float32":
      return "Float32Array";
    case "float64":
      return "Float64Array";
    case "int32":
      return "Int32Array";
    case "int64":
      return "BigInt64Array";
    case "int16":
      return "Int16Array";
    case "int8":
      return "Int8Array";
    case "float16":
    case "bfloat16":
    case "uint16":
      return "Uint16Array";
    case "uint8":
    case "bool":
      return "Uint8Array";
  }
}

/** Whether the host stores multi-byte numbers little-endian (as the files do). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
