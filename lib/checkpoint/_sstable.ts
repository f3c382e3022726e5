/**
 * The SSTable container of `.index` files (TensorFlow's copy of LevelDB's
 * table format): blocks with 5-byte trailers (type, masked CRC32C),
 * prefix-compressed entries with restart points, an index block and a
 * 48-byte footer. Reading verifies everything; writing reproduces
 * TensorFlow's `TableBuilder` byte for byte.
 *
 * @module
 */
import { ByteWriter, compareBytes, Cursor, readU32 } from "./_bytes.ts";
import { crc32c, crcBegin, crcEnd, crcUpdate, maskCrc, unmaskCrc } from "./_crc32c.ts";
import { snappyDecompress } from "./_snappy.ts";
import { CheckpointError } from "./checkpoint_error.ts";

/** TensorFlow's table block size (table_options.h), not LevelDB's 4 KiB. */
export const TF_BLOCK_SIZE = 262144;
const FOOTER_SIZE = 48;
const TRAILER_SIZE = 5;
const RESTART_INTERVAL = 16;
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

/** One key/value pair of a table, with where its value lies (for errors). */
export interface TableEntry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** File offset of the value, or of its block when the block was compressed. */
  readonly offset: number;
}

interface BlockHandle {
  readonly offset: number;
  readonly size: number;
}

function readHandle(c: Cursor, what: string): BlockHandle {
  const offset = c.varint64(`${what} offset`);
  const size = c.varint64(`${what} size`);
  if (offset < 0 || size < 0) c.fail("OutOfRange", `${what}: negative offset or size`);
  return { offset, size };
}

/** Whether the last 8 bytes are the table magic. */
export function hasTableMagic(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= FOOTER_SIZE && readU32(bytes, n - 8) === MAGIC_LO &&
    readU32(bytes, n - 4) === MAGIC_HI;
}

function readBlock(
  bytes: Uint8Array,
  file: string,
  h: BlockHandle,
  what: string,
): { contents: Uint8Array; base: number; compressed: boolean } {
  const limit = bytes.length - FOOTER_SIZE;
  if (h.offset > limit || h.size > limit - h.offset || TRAILER_SIZE > limit - h.offset - h.size) {
    throw new CheckpointError(
      "OutOfRange",
      `${what} [${h.offset}, ${
        h.offset + h.size
      }) plus its 5-byte trailer runs past the ${limit} bytes before the footer`,
      { file, offset: h.offset },
    );
  }
  const end = h.offset + h.size;
  const type = bytes[end]!;
  const stored = readU32(bytes, end + 1);
  const actual = crc32c(bytes.subarray(h.offset, end + 1));
  if (unmaskCrc(stored) !== actual) {
    throw new CheckpointError(
      "CrcMismatch",
      `${what}: stored masked CRC32C 0x${stored.toString(16)} but the block's is 0x${
        maskCrc(actual).toString(16)
      }`,
      { file, offset: end + 1 },
    );
  }
  const raw = bytes.subarray(h.offset, end);
  if (type === 0) return { contents: raw, base: h.offset, compressed: false };
  if (type === 1) {
    return { contents: snappyDecompress(raw, file, h.offset), base: h.offset, compressed: true };
  }
  throw new CheckpointError("Malformed", `${what}: unknown compression type ${type}`, {
    file,
    offset: end,
  });
}

function parseBlock(
  contents: Uint8Array,
  file: string,
  base: number,
  compressed: boolean,
  what: string,
  out: TableEntry[],
): void {
  const size = contents.length;
  const fail = (pos: number, msg: string): never => {
    throw new CheckpointError(
      "Malformed",
      compressed ? `${what} (decompressed byte ${pos}): ${msg}` : `${what}: ${msg}`,
      { file, offset: compressed ? base : base + pos },
    );
  };
  if (size < 4) fail(0, `block of ${size} bytes has no restart count`);
  const n = readU32(contents, size - 4);
  if (n < 1 || n > (size - 4) / 4) fail(size - 4, `restart count ${n} does not fit the block`);
  const restartsAt = size - 4 - 4 * n;
  for (let i = 0; i < n; i++) {
    const r = readU32(contents, restartsAt + 4 * i);
    if (r >= restartsAt && !(r === 0 && restartsAt === 0)) {
      fail(restartsAt + 4 * i, `restart offset ${r} is past the entries (${restartsAt})`);
    }
  }
  const c = new Cursor(contents, file, compressed ? 0 : base, 0, restartsAt);
  let prev: Uint8Array = new Uint8Array(0);
  while (c.pos < restartsAt) {
    const at = c.pos;
    let shared: number, nonShared: number, valueLength: number;
    try {
      shared = c.varint32("entry shared length");
      nonShared = c.varint32("entry key length");
      valueLength = c.varint32("entry value length");
    } catch (e) {
      if (compressed && e instanceof CheckpointError) {
        fail(at, e.message);
      }
      throw e;
    }
    if (shared > prev.length) {
      fail(at, `entry shares ${shared} bytes with a ${prev.length}-byte previous key`);
    }
    if (nonShared > c.remaining() || valueLength > c.remaining() - nonShared) {
      fail(at, `entry of ${nonShared}+${valueLength} bytes runs past the entries`);
    }
    const key = new Uint8Array(shared + nonShared);
    key.set(prev.subarray(0, shared));
    key.set(contents.subarray(c.pos, c.pos + nonShared), shared);
    c.pos += nonShared;
    const valueAt = c.pos;
    const value = contents.subarray(valueAt, valueAt + valueLength);
    c.pos += valueLength;
    out.push({ key, value, offset: compressed ? base : base + valueAt });
    prev = key;
  }
}

/**
 * Reads every entry of a table, verifying the footer, every block's CRC and
 * structure, and that keys strictly increase across the whole table.
 *
 * @param bytes the whole `.index` file
 * @param file its name, for errors
 * @returns the entries in key order
 */
export function readTable(bytes: Uint8Array, file: string): TableEntry[] {
  const n = bytes.length;
  if (n < FOOTER_SIZE) {
    throw new CheckpointError(
      "Truncated",
      `${n} bytes is shorter than the 48-byte table footer`,
      { file, offset: n },
    );
  }
  if (!hasTableMagic(bytes)) {
    throw new CheckpointError(
      "BadMagic",
      "the last 8 bytes are not the table magic 0xdb4775248b80fb57 (not a checkpoint index, or truncated)",
      { file, offset: n - 8 },
    );
  }
  const footer = new Cursor(bytes, file, 0, n - FOOTER_SIZE, n - 8);
  const metaHandle = readHandle(footer, "footer metaindex handle");
  const indexHandle = readHandle(footer, "footer index handle");
  const meta = readBlock(bytes, file, metaHandle, "metaindex block");
  parseBlock(meta.contents, file, meta.base, meta.compressed, "metaindex block", []);
  const index = readBlock(bytes, file, indexHandle, "index block");
  const handles: TableEntry[] = [];
  parseBlock(index.contents, file, index.base, index.compressed, "index block", handles);
  const entries: TableEntry[] = [];
  let nextBlockAt = 0;
  for (const h of handles) {
    const hc = new Cursor(h.value, file, index.compressed ? index.base : h.offset);
    const handle = readHandle(hc, "index entry block handle");
    // Data blocks follow each other: a handle going back (or repeating a
    // block) could make parsing cost far more than the file's size.
    if (handle.offset < nextBlockAt) {
      throw new CheckpointError(
        "Malformed",
        `index entry points at a data block at ${handle.offset}, before the end of the previous one (${nextBlockAt})`,
        { file, offset: h.offset },
      );
    }
    nextBlockAt = handle.offset + handle.size + TRAILER_SIZE;
    const block = readBlock(bytes, file, handle, `data block at ${handle.offset}`);
    const before = entries.length;
    parseBlock(block.contents, file, block.base, block.compressed, "data block", entries);
    for (let i = Math.max(1, before); i < entries.length; i++) {
      const cmp = compareBytes(entries[i - 1]!.key, entries[i]!.key);
      if (cmp >= 0) {
        throw new CheckpointError(
          cmp === 0 ? "DuplicateKey" : "UnsortedKeys",
          cmp === 0
            ? `key ${JSON.stringify(keyText(entries[i]!.key))} appears twice`
            : `key ${JSON.stringify(keyText(entries[i]!.key))} sorts before the previous key ${
              JSON.stringify(keyText(entries[i - 1]!.key))
            }`,
          { file, offset: entries[i]!.offset },
        );
      }
    }
  }
  return entries;
}

function keyText(k: Uint8Array): string {
  let s = "";
  for (const b of k) {
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return s;
}

class BlockBuilder {
  readonly buf = new ByteWriter(1024);
  restarts: number[] = [0];
  counter = 0;
  last: Uint8Array = new Uint8Array(0);

  constructor(readonly interval: number) {}

  empty(): boolean {
    return this.buf.length === 0;
  }

  add(key: Uint8Array, value: Uint8Array): void {
    let shared = 0;
    if (this.counter < this.interval) {
      const m = Math.min(this.last.length, key.length);
      while (shared < m && this.last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buf.length);
      this.counter = 0;
    }
    this.buf.varint(shared);
    this.buf.varint(key.length - shared);
    this.buf.varint(value.length);
    this.buf.bytes(key.subarray(shared));
    this.buf.bytes(value);
    this.last = key;
    this.counter++;
  }

  sizeEstimate(): number {
    return this.buf.length + this.restarts.length * 4 + 4;
  }

  finish(): Uint8Array {
    for (const r of this.restarts) this.buf.fixed32(r);
    this.buf.fixed32(this.restarts.length);
    const out = this.buf.view().slice();
    this.buf.reset();
    this.restarts = [0];
    this.counter = 0;
    this.last = new Uint8Array(0);
    return out;
  }
}

function shortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const m = Math.min(start.length, limit.length);
  let d = 0;
  while (d < m && start[d] === limit[d]) d++;
  if (d >= m) return start;
  const b = start[d]!;
  if (b < 0xff && b + 1 < limit[d]!) {
    const out = start.slice(0, d + 1);
    out[d] = b + 1;
    return out;
  }
  return start;
}

function shortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    if (key[i] !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = key[i]! + 1;
      return out;
    }
  }
  return key;
}

/**
 * Builds a table exactly as TensorFlow's `TableBuilder` with no compression:
 * data blocks flushed at `blockSize` (and before an entry of twice that),
 * restart interval 16 (1 in the index block), shortened separators, an
 * empty metaindex block and the footer.
 *
 * @param entries key/value pairs in strictly increasing key order (checked by the caller)
 * @param blockSize the data block size estimate that triggers a flush
 * @returns the file's bytes
 */
export function buildTable(
  entries: Iterable<readonly [Uint8Array, Uint8Array]>,
  blockSize = TF_BLOCK_SIZE,
): Uint8Array {
  const out = new ByteWriter(4096);
  const data = new BlockBuilder(RESTART_INTERVAL);
  const index = new BlockBuilder(1);
  let last: Uint8Array = new Uint8Array(0);
  let count = 0;
  let pending: BlockHandle | undefined;

  const writeBlock = (contents: Uint8Array): BlockHandle => {
    const handle = { offset: out.length, size: contents.length };
    out.bytes(contents);
    out.byte(0);
    crcBegin();
    crcUpdate(out.buf.subarray(handle.offset, out.length));
    out.fixed32(maskCrc(crcEnd()));
    return handle;
  };
  const handleBytes = (h: BlockHandle): Uint8Array => {
    const w = new ByteWriter(20);
    w.varint(h.offset);
    w.varint(h.size);
    return w.view().slice();
  };
  const flush = (): void => {
    if (data.empty()) return;
    pending = writeBlock(data.finish());
  };

  for (const [key, value] of entries) {
    if (count > 0 && key.length + value.length >= 2 * blockSize) flush();
    if (pending !== undefined) {
      index.add(shortestSeparator(last, key), handleBytes(pending));
      pending = undefined;
    }
    last = key;
    count++;
    data.add(key, value);
    if (data.sizeEstimate() >= blockSize) flush();
  }
  flush();
  const metaHandle = writeBlock(new BlockBuilder(RESTART_INTERVAL).finish());
  if (pending !== undefined) index.add(shortSuccessor(last), handleBytes(pending));
  const indexHandle = writeBlock(index.finish());
  const footerAt = out.length;
  out.varint(metaHandle.offset);
  out.varint(metaHandle.size);
  out.varint(indexHandle.offset);
  out.varint(indexHandle.size);
  while (out.length < footerAt + 40) out.byte(0);
  out.fixed32(MAGIC_LO);
  out.fixed32(MAGIC_HI);
  return out.view().slice();
}
