/**
 * Tensor byte layouts of data files: element counts with overflow checks,
 * string tensors (varint lengths, masked length checksum, bytes) and the
 * CRCs TensorFlow stores for them, and row-major region copies.
 *
 * @module
 */
import { ByteWriter, Cursor } from "./_bytes.ts";
import { crcBegin, crcEnd, crcUpdate, maskCrc, unmaskCrc } from "./_crc32c.ts";
import { CheckpointError } from "./checkpoint_error.ts";

/**
 * Product of dims, or TooLarge beyond 2^53.
 *
 * @param shape the dims (non-negative safe integers)
 * @param fail raises the error
 * @returns the element count
 */
export function elementCount(shape: readonly number[], fail: (what: string) => never): number {
  let n = 1;
  for (const d of shape) if (d === 0) return 0;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) {
      fail(`shape [${shape.join(", ")}] has more than 2^53 elements`);
    }
  }
  return n;
}

const scratch = new Uint8Array(8);

function crcLength(len: number): void {
  // TensorFlow feeds each length to the CRC as a little-endian uint32, or a
  // uint64 when it does not fit.
  let x = len;
  const width = len > 0xffffffff ? 8 : 4;
  for (let i = 0; i < width; i++) {
    scratch[i] = x % 256;
    x = Math.floor(x / 256);
  }
  crcUpdate(scratch.subarray(0, width));
}

/**
 * Decodes a string tensor's bytes, checking the layout consumes exactly the
 * bytes and both checksums match.
 *
 * @param bytes the tensor's bytes (fresh)
 * @param count element count
 * @param storedCrc the entry's masked crc32c
 * @param file the data file, for errors
 * @param base the tensor's offset in that file
 * @returns one byte array per element (views of `bytes`)
 */
export function decodeStrings(
  bytes: Uint8Array,
  count: number,
  storedCrc: number,
  file: string,
  base: number,
): Uint8Array[] {
  const c = new Cursor(bytes, file, base);
  const lengths: number[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const len = c.varint64("string length");
    if (len < 0 || len > bytes.length) {
      c.fail(
        "ShapeSizeMismatch",
        `string element ${i} claims ${len} bytes of a ${bytes.length}-byte tensor`,
      );
    }
    total += len;
    lengths.push(len);
  }
  const lengthsEnd = c.pos;
  const checksum = c.fixed32("string length checksum");
  if (total !== c.remaining()) {
    c.fail(
      "ShapeSizeMismatch",
      `string lengths add up to ${total} bytes but ${c.remaining()} bytes follow them`,
    );
  }
  crcBegin();
  for (const len of lengths) crcLength(len);
  const lengthCrc = crcEnd();
  if (unmaskCrc(checksum) !== lengthCrc) {
    throw new CheckpointError(
      "CrcMismatch",
      `string length checksum 0x${checksum.toString(16)} does not match 0x${
        maskCrc(lengthCrc).toString(16)
      }`,
      { file, offset: base + lengthsEnd },
    );
  }
  crcBegin();
  for (const len of lengths) crcLength(len);
  crcUpdate(bytes.subarray(lengthsEnd, lengthsEnd + 4));
  crcUpdate(bytes.subarray(lengthsEnd + 4));
  const actual = crcEnd();
  if (unmaskCrc(storedCrc) !== actual) {
    throw new CheckpointError(
      "CrcMismatch",
      `tensor's stored masked CRC32C 0x${storedCrc.toString(16)} does not match its bytes (0x${
        maskCrc(actual).toString(16)
      })`,
      { file, offset: base },
    );
  }
  const out: Uint8Array[] = [];
  let p = c.pos;
  for (const len of lengths) {
    out.push(bytes.subarray(p, p + len));
    p += len;
  }
  return out;
}

/**
 * Encodes a string tensor as TensorFlow writes it.
 *
 * @param values the elements
 * @returns the bytes and the masked CRC for the entry
 */
export function encodeStrings(values: readonly Uint8Array[]): { parts: Uint8Array[]; crc: number } {
  const head = new ByteWriter(values.length * 2 + 4);
  for (const v of values) head.varint(v.length);
  crcBegin();
  for (const v of values) crcLength(v.length);
  const lengthChecksum = maskCrc(crcEnd());
  head.fixed32(lengthChecksum);
  crcBegin();
  for (const v of values) crcLength(v.length);
  crcUpdate(head.view().subarray(head.length - 4));
  for (const v of values) crcUpdate(v);
  return { parts: [head.view().slice(), ...values], crc: maskCrc(crcEnd()) };
}

/**
 * Calls `run(srcIndex, dstIndex, n)` for every contiguous run of a region
 * copy between two row-major arrays (element indices).
 *
 * @param srcShape shape of the source
 * @param srcStart where the region starts in the source
 * @param dstShape shape of the destination
 * @param dstStart where the region starts in the destination
 * @param length the region's size per dimension
 * @param run the copy of one run
 */
export function forEachRun(
  srcShape: readonly number[],
  srcStart: readonly number[],
  dstShape: readonly number[],
  dstStart: readonly number[],
  length: readonly number[],
  run: (src: number, dst: number, n: number) => void,
): void {
  const r = length.length;
  if (r === 0) {
    run(0, 0, 1);
    return;
  }
  for (const l of length) if (l === 0) return;
  const stride = (shape: readonly number[]): number[] => {
    const s = new Array<number>(r).fill(1);
    for (let d = r - 2; d >= 0; d--) s[d] = s[d + 1]! * shape[d + 1]!;
    return s;
  };
  const ss = stride(srcShape), ds = stride(dstShape);
  const idx = new Array<number>(r).fill(0);
  const inner = length[r - 1]!;
  for (;;) {
    let so = 0, dO = 0;
    for (let d = 0; d < r; d++) {
      so += (srcStart[d]! + idx[d]!) * ss[d]!;
      dO += (dstStart[d]! + idx[d]!) * ds[d]!;
    }
    run(so, dO, inner);
    let d = r - 2;
    while (d >= 0) {
      idx[d]!++;
      if (idx[d]! < length[d]!) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
  }
}
