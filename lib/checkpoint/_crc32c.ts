/**
 * CRC32C (Castagnoli) and TensorFlow's CRC masking, on hash-wasm's
 * WebAssembly CRC32 with the Castagnoli polynomial.
 *
 * @module
 */
import { createCRC32, type IHasher } from "hash-wasm";

export type { IHasher };

// hash-wasm's one-shot functions are async; a hasher instance is
// synchronous once made, and the readers and writers are synchronous.
const hasher: IHasher = await createCRC32(0x82f63b78);

const MASK_DELTA = 0xa282ead8;

/** The shared hasher of synchronous code (never held across an await). */
export const sharedHasher: IHasher = hasher;

/** A private hasher, for a running CRC held across awaits. */
export function newHasher(): Promise<IHasher> {
  return createCRC32(0x82f63b78);
}

/** The CRC32C a hasher has accumulated, as an unsigned 32-bit number. */
export function hasherValue(h: IHasher): number {
  const d = h.digest("binary");
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

/** Starts a running CRC32C (one at a time: the hasher is shared). */
export function crcBegin(): void {
  hasher.init();
}

/** Feeds bytes to the running CRC32C. */
export function crcUpdate(bytes: Uint8Array): void {
  if (bytes.length > 0) hasher.update(bytes);
}

/** The running CRC32C as an unsigned 32-bit number. */
export function crcEnd(): number {
  return hasherValue(hasher);
}

/** CRC32C of one byte array. */
export function crc32c(bytes: Uint8Array): number {
  crcBegin();
  crcUpdate(bytes);
  return crcEnd();
}

/** TensorFlow's stored form of a CRC: rotate right 15, add a constant. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@linkcode maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
