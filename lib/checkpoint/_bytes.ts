/**
 * Bounded byte reading and writing: varints, fixed-width little-endian
 * integers, and a growable output buffer. Every read names its file and
 * absolute offset when it fails.
 *
 * @module
 */
import { CheckpointError } from "./checkpoint_error.ts";

/** Reads a slice of a file; `base` is the file offset of `bytes[0]`. */
export class Cursor {
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    readonly base = 0,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** The absolute file offset of the current position. */
  at(): number {
    return this.base + this.pos;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  fail(
    code: ConstructorParameters<typeof CheckpointError>[0],
    what: string,
    pos = this.pos,
  ): never {
    throw new CheckpointError(code, what, { file: this.file, offset: this.base + pos });
  }

  /** Unsigned varint of at most 5 bytes that fits 32 bits. */
  varint32(what: string): number {
    const b = this.bytes;
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) this.fail("BadVarint", `${what}: varint runs past the end`, start);
      const c = b[this.pos++]!;
      if (i === 4 && c > 0x0f) this.fail("BadVarint", `${what}: varint32 overflows 32 bits`, start);
      result += (c & 0x7f) * 2 ** (7 * i);
      if (c < 0x80) return result;
    }
    return this.fail("BadVarint", `${what}: varint32 longer than 5 bytes`, start);
  }

  /**
   * Varint of at most 10 bytes as a signed 64-bit value (protobuf int64);
   * values outside ±(2^53 - 1) are refused as TooLarge.
   */
  varint64(what: string): number {
    const b = this.bytes;
    const start = this.pos;
    let lo = 0; // the first 7 bytes (49 bits), exact as a number
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) this.fail("BadVarint", `${what}: varint runs past the end`, start);
      const c = b[this.pos++]!;
      lo += (c & 0x7f) * 2 ** (7 * i);
      if (c < 0x80) return lo;
    }
    let big = BigInt(lo);
    for (let i = 7; i < 10; i++) {
      if (this.pos >= this.end) this.fail("BadVarint", `${what}: varint runs past the end`, start);
      const c = b[this.pos++]!;
      if (i === 9 && c > 1) this.fail("BadVarint", `${what}: varint overflows 64 bits`, start);
      big |= BigInt(c & 0x7f) << BigInt(7 * i);
      if (c < 0x80) {
        const v = BigInt.asIntN(64, big);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
          this.fail("TooLarge", `${what}: ${v} is beyond 2^53`, start);
        }
        return Number(v);
      }
    }
    return this.fail("BadVarint", `${what}: varint longer than 10 bytes`, start);
  }

  /** Varint of at most 10 bytes as a signed 64-bit bigint (protobuf int64). */
  varintBig(what: string): bigint {
    const start = this.pos;
    let v = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("BadVarint", `${what}: varint runs past the end`, start);
      const c = this.bytes[this.pos++]!;
      if (i === 9 && c > 1) this.fail("BadVarint", `${what}: varint overflows 64 bits`, start);
      v |= BigInt(c & 0x7f) << BigInt(7 * i);
      if (c < 0x80) return BigInt.asIntN(64, v);
    }
    return this.fail("BadVarint", `${what}: varint longer than 10 bytes`, start);
  }

  fixed32(what: string): number {
    if (this.end - this.pos < 4) this.fail("Truncated", `${what}: 4 bytes needed`);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.end - this.pos) {
      this.fail("Truncated", `${what}: ${n} bytes announced, ${this.end - this.pos} left`);
    }
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** Reads a little-endian uint32 at `p` (caller checked bounds). */
export function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** A growable byte buffer for building index blocks and protos. */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** Protobuf int64: negative values as 10-byte two's complement. */
  varintSigned(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    let x = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (x >= 0x80n) {
      this.buf[this.length++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.length++] = Number(x);
  }

  fixed32(v: number): void {
    this.ensure(4);
    const p = this.length;
    this.buf[p] = v & 0xff;
    this.buf[p + 1] = (v >>> 8) & 0xff;
    this.buf[p + 2] = (v >>> 16) & 0xff;
    this.buf[p + 3] = (v >>> 24) & 0xff;
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** The bytes written so far (a view; copy before reusing the writer). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** Byte-wise comparison (memcmp order, shorter prefix first). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8Lossy = new TextDecoder("utf-8");

/** UTF-8 bytes of a string. */
export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}

/** A key as text: UTF-8 if valid, else with replacement characters. */
export function decodeKey(b: Uint8Array): string {
  // Nearly every TF name is ASCII: skip the decoder call for those.
  if (b.length <= 256) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) {
      if (b[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, b as unknown as number[]);
  }
  try {
    return utf8Strict.decode(b);
  } catch {
    return utf8Lossy.decode(b);
  }
}
