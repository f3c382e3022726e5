/**
 * TensorFlow's OrderedCode encoding of partitioned-variable slice keys
 * (`checkpoint::EncodeTensorNameSlice`): number 0, the escaped name, the
 * rank, then each dimension's start and length as signed numbers (-1 for a
 * whole dimension).
 *
 * @module
 */
import { ByteWriter } from "./_bytes.ts";

const HEADER: readonly (readonly [number, number])[] = [
  [0, 0],
  [0x80, 0],
  [0xc0, 0],
  [0xe0, 0],
  [0xf0, 0],
  [0xf8, 0],
  [0xfc, 0],
  [0xfe, 0],
  [0xff, 0],
  [0xff, 0x80],
  [0xff, 0xc0],
];

function unsigned(w: ByteWriter, v: number): void {
  const bytes: number[] = [];
  let x = v;
  while (x > 0) {
    bytes.unshift(x % 256);
    x = Math.floor(x / 256);
  }
  w.byte(bytes.length);
  for (const b of bytes) w.byte(b);
}

function signed(w: ByteWriter, v: number): void {
  const big = BigInt(v);
  const x = big < 0n ? ~big : big;
  if (x < 64n) {
    w.byte((0x80 ^ v) & 0xff);
    return;
  }
  const bits = x.toString(2).length;
  let n = 2;
  while (7 * n - 1 < bits) n++;
  const enc = BigInt.asUintN(8 * n, big);
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Number((enc >> BigInt(8 * i)) & 0xffn));
  out[0] = out[0]! ^ HEADER[n]![0];
  out[1] = out[1]! ^ HEADER[n]![1];
  for (const b of out) w.byte(b);
}

/**
 * The table key of one slice of a partitioned variable.
 *
 * @param name the full variable's key bytes
 * @param starts start per dimension
 * @param lengths length per dimension, -1 for a whole dimension
 * @returns the key bytes
 */
export function sliceKey(
  name: Uint8Array,
  starts: readonly number[],
  lengths: readonly number[],
): Uint8Array {
  const w = new ByteWriter(name.length + 8 + 4 * starts.length);
  unsigned(w, 0);
  for (const b of name) {
    if (b === 0x00) {
      w.byte(0x00);
      w.byte(0xff);
    } else if (b === 0xff) {
      w.byte(0xff);
      w.byte(0x00);
    } else w.byte(b);
  }
  w.byte(0x00);
  w.byte(0x01);
  unsigned(w, starts.length);
  for (let d = 0; d < starts.length; d++) {
    signed(w, starts[d]!);
    signed(w, lengths[d]!);
  }
  return w.view().slice();
}
