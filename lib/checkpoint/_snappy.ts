/**
 * Raw Snappy decompression of index blocks: snappyjs does the work after a
 * validating pass, because snappyjs trusts its input (it does not bound
 * writes by the declared length, does not check that the output is
 * complete, and a crafted 4-byte literal length makes it walk backwards).
 *
 * @module
 */
import { uncompress } from "snappyjs";
import { CheckpointError } from "./checkpoint_error.ts";

/**
 * Decompresses one raw Snappy block.
 *
 * @param input the compressed bytes
 * @param file the file, for errors
 * @param base the file offset of `input[0]`, for errors
 * @returns the decompressed bytes (fresh)
 */
export function snappyDecompress(input: Uint8Array, file: string, base: number): Uint8Array {
  const fail = (what: string, pos: number): never => {
    throw new CheckpointError("Malformed", `Snappy block: ${what}`, { file, offset: base + pos });
  };
  let pos = 0;
  let declared = 0;
  for (let i = 0;; i++) {
    if (pos >= input.length) fail("uncompressed length runs past the end", 0);
    if (i === 4 && input[pos]! > 0x0f) fail("uncompressed length overflows 32 bits", 0);
    const c = input[pos++]!;
    declared += (c & 0x7f) * 2 ** (7 * i);
    if (c < 0x80) break;
    if (i === 4) fail("uncompressed length longer than 5 bytes", 0);
  }
  // A copy element of 3 bytes yields at most 64 bytes: anything claiming more
  // than that ratio cannot be honest, so refuse before allocating.
  if (declared > 22 * input.length + 64) {
    throw new CheckpointError(
      "TooLarge",
      `Snappy block declares ${declared} bytes from ${input.length} compressed bytes`,
      { file, offset: base },
    );
  }
  let produced = 0;
  while (pos < input.length) {
    const tagAt = pos;
    const c = input[pos++]!;
    const kind = c & 3;
    let len: number;
    if (kind === 0) {
      len = (c >>> 2) + 1;
      if (len > 60) {
        const extra = len - 60;
        if (pos + extra > input.length) fail("literal length runs past the end", tagAt);
        len = 0;
        for (let k = 0; k < extra; k++) len += input[pos + k]! * 2 ** (8 * k);
        len += 1;
        pos += extra;
      }
      if (len > input.length - pos) fail("literal runs past the end", tagAt);
      pos += len;
    } else {
      let offset: number;
      if (kind === 1) {
        if (pos + 1 > input.length) fail("copy runs past the end", tagAt);
        len = ((c >>> 2) & 7) + 4;
        offset = ((c >>> 5) << 8) | input[pos]!;
        pos += 1;
      } else if (kind === 2) {
        if (pos + 2 > input.length) fail("copy runs past the end", tagAt);
        len = (c >>> 2) + 1;
        offset = input[pos]! | (input[pos + 1]! << 8);
        pos += 2;
      } else {
        if (pos + 4 > input.length) fail("copy runs past the end", tagAt);
        len = (c >>> 2) + 1;
        offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) |
          (input[pos + 3]! << 24)) >>> 0;
        pos += 4;
      }
      // snappyjs reads a 4-byte offset as a signed number.
      if (offset === 0 || offset > produced || offset > 0x7fffffff) {
        fail(`copy offset ${offset} outside the ${produced} bytes produced`, tagAt);
      }
    }
    produced += len;
    if (produced > declared) fail(`output exceeds the declared ${declared} bytes`, tagAt);
  }
  if (produced !== declared) {
    fail(`output is ${produced} bytes, the block declares ${declared}`, input.length);
  }
  try {
    return uncompress(input) as Uint8Array;
  } catch (e) {
    throw new CheckpointError("Malformed", "Snappy block rejected by the decompressor", {
      file,
      offset: base,
      cause: e,
    });
  }
}
