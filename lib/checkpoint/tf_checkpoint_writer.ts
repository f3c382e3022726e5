/**
 * Writing TensorFlow checkpoints (tensor bundle V2) as TensorFlow's
 * `BundleWriter` lays them out, atomically.
 *
 * @module
 */
import { compareBytes, concatBytes, encodeUtf8 } from "./_bytes.ts";
import { type BundleEntry, encodeEntry, encodeHeader, type SliceExtent } from "./_bundle_proto.ts";
import { hasherValue, type IHasher, maskCrc, newHasher, sharedHasher } from "./_crc32c.ts";
import { DTYPE_NUMBERS, elementSize, expectedArray, HOST_LITTLE_ENDIAN } from "./_dtypes.ts";
import { sliceKey } from "./_ordered_code.ts";
import { buildTable, TF_BLOCK_SIZE } from "./_sstable.ts";
import { elementCount, encodeStrings } from "./_tensor_bytes.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { readOptions } from "./_guard.ts";
import { describeValue } from "../core/errors.ts";
import type { StoredDType, StoredTensor } from "./stored_tensor.ts";
import { shardSuffix, type TfSlice } from "./tf_checkpoint_reader.ts";

/**
 * One stored slice of a partitioned variable, as TF1's `Saver` saves each
 * partition: `shape` is the FULL variable's shape, `slice` the region this
 * partition covers and `values` the partition's values (row-major over
 * `slice.length`).
 *
 * @category checkpoint
 */
export interface TfTensorSlice extends StoredTensor {
  /** The region of the full variable these values fill. */
  readonly slice: TfSlice;
}

/**
 * Options of {@linkcode writeTfCheckpoint} and {@linkcode encodeTfCheckpoint}.
 *
 * @category checkpoint
 */
export interface TfWriteOptions {
  /**
   * Index data block size estimate at which a block is flushed. Default
   * 262144, TensorFlow's; smaller values only serve tests of multi-block
   * indexes (every SSTable reader accepts any size).
   */
  readonly blockSize?: number;
  /**
   * Flush the files to disk (fsync) before renaming them into place, so a
   * crash of the machine cannot leave a renamed but empty file. Default true.
   */
  readonly sync?: boolean;
}

/**
 * What {@linkcode writeTfCheckpoint} wrote.
 *
 * @category checkpoint
 */
export interface TfWriteResult {
  /** The `.index` file. */
  readonly indexFile: string;
  /** The data shard (one). */
  readonly dataFile: string;
  /** Number of variables written (a partitioned variable counts once). */
  readonly variables: number;
  /** Bytes of the data shard. */
  readonly dataBytes: number;
}

/** Marks a fixed-size tensor whose CRC is computed as it is written. */
const CRC_WHILE_WRITING = -1;
const CHUNK = 256 * 1024;

interface Normalized {
  readonly name: string;
  readonly dtype: StoredDType;
  readonly shape: readonly number[];
  readonly slice: TfSlice | undefined;
  readonly parts: readonly Uint8Array[];
  readonly size: number;
  readonly crc: number;
}

function bad(label: string, what: string, cause?: unknown): never {
  throw new CheckpointError("InvalidArgument", what, { file: label, cause });
}

function readInts(v: unknown, what: string, label: string): number[] {
  if (!Array.isArray(v)) bad(label, `${what} must be an array of non-negative integers`);
  const out: number[] = [];
  for (const x of v as unknown[]) {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
      bad(label, `${what} must be an array of non-negative integers, got ${String(x)}`);
    }
    out.push(x);
  }
  return out;
}

function normalize(item: unknown, label: string): Normalized {
  let name: unknown, dtype: unknown, shape: unknown, values: unknown, slice: unknown;
  try {
    if (typeof item !== "object" || item === null) throw new Error(`got ${String(item)}`);
    const t = item as Record<string, unknown>;
    name = t.name;
    dtype = t.dtype;
    shape = t.shape;
    values = t.values;
    slice = "slice" in t ? t.slice : undefined;
  } catch (e) {
    bad(label, "each tensor must be an object { name, dtype, shape, values }", e);
  }
  try {
    if (typeof name !== "string" || name.length === 0 || name.charCodeAt(0) === 0) {
      bad(
        label,
        `a tensor name must be a non-empty string not starting with NUL, got ${String(name)}`,
      );
    }
    const what = `tensor ${JSON.stringify(name)}`;
    if (typeof dtype !== "string" || !Object.hasOwn(DTYPE_NUMBERS, dtype)) {
      bad(label, `${what}: unknown dtype ${String(dtype)}`);
    }
    const d = dtype as StoredDType;
    const full = readInts(shape, `${what}: shape`, label);
    let region: TfSlice | undefined;
    let count: number;
    const fail = (m: string): never => {
      throw new CheckpointError("TooLarge", `${what}: ${m}`, { file: label });
    };
    if (slice !== undefined) {
      const s = slice as TfSlice;
      const start = readInts(s.start, `${what}: slice.start`, label);
      const length = readInts(s.length, `${what}: slice.length`, label);
      if (start.length !== full.length || length.length !== full.length) {
        bad(
          label,
          `${what}: slice has ${start.length}/${length.length} extents for rank ${full.length}`,
        );
      }
      for (let i = 0; i < full.length; i++) {
        if (start[i]! + length[i]! > full[i]!) {
          bad(
            label,
            `${what}: slice extent ${start[i]},${length[i]} outside dimension ${i} of ${full[i]}`,
          );
        }
      }
      region = { start, length };
      count = elementCount(length, fail);
      elementCount(full, fail);
    } else count = elementCount(full, fail);
    let parts: Uint8Array[];
    let crc: number;
    if (d === "string") {
      if (!Array.isArray(values)) bad(label, `${what}: string values must be an array`);
      const elems = (values as unknown[]).map((v) => {
        if (v instanceof Uint8Array) return v;
        if (typeof v === "string") return encodeUtf8(v);
        return bad(label, `${what}: string elements must be Uint8Array or string`);
      });
      if (elems.length !== count) {
        bad(label, `${what}: ${elems.length} values for ${count} elements`);
      }
      const enc = encodeStrings(elems);
      parts = enc.parts;
      crc = enc.crc;
    } else {
      const want = expectedArray(d);
      if (
        !ArrayBuffer.isView(values) ||
        Object.prototype.toString.call(values) !== `[object ${want}]`
      ) {
        bad(label, `${what}: ${d} values must be a ${want}`);
      }
      const v = values as Uint8Array;
      if (v.length !== count) bad(label, `${what}: ${v.length} values for ${count} elements`);
      if (!HOST_LITTLE_ENDIAN) {
        throw new CheckpointError("Unsupported", "this writer needs a little-endian host");
      }
      const bytes = new Uint8Array(v.buffer, v.byteOffset, count * elementSize(d));
      parts = [bytes];
      crc = CRC_WHILE_WRITING;
    }
    let size = 0;
    for (const p of parts) size += p.length;
    return { name: name as string, dtype: d, shape: full, slice: region, parts, size, crc };
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    return bad(label, "a tensor could not be read", e);
  }
}

function isFull(s: TfSlice, shape: readonly number[]): boolean {
  return s.start.every((x) => x === 0) && s.length.every((x, i) => x === shape[i]);
}

function overlaps(a: TfSlice, b: TfSlice): boolean {
  for (let d = 0; d < a.start.length; d++) {
    if (
      Math.min(a.start[d]! + a.length[d]!, b.start[d]! + b.length[d]!) <=
        Math.max(a.start[d]!, b.start[d]!)
    ) return false;
  }
  return true;
}

interface Partitioned {
  readonly key: Uint8Array;
  readonly dtype: StoredDType;
  readonly shape: readonly number[];
  readonly slices: TfSlice[];
}

interface Encoded {
  readonly entries: [Uint8Array, Uint8Array][];
  readonly variables: number;
  readonly size: number;
}

/**
 * Yields the data shard's bytes chunk by chunk, tensors in the order given,
 * and returns the sorted index entries: the writer's core, shared by the
 * in-memory, synchronous and asynchronous writers. A fixed-size tensor's
 * CRC is computed chunk by chunk just before each chunk is yielded, with
 * `hasher` (private to one save when the driver awaits between chunks).
 */
function* encodeChunks(
  tensors: Iterable<StoredTensor | TfTensorSlice>,
  label: string,
  hasher: IHasher,
): Generator<Uint8Array, Encoded, void> {
  const plain = new Map<string, [Uint8Array, Uint8Array]>();
  const partitioned = new Map<string, Partitioned>();
  const seenSliceKeys = new Set<string>();
  let offset = 0;
  let iterator: Iterator<StoredTensor | TfTensorSlice>;
  try {
    iterator = tensors[Symbol.iterator]();
  } catch (e) {
    return bad(label, "tensors must be iterable", e);
  }
  for (;;) {
    const step = iterator.next();
    if (step.done === true) break;
    const t = normalize(step.value, label);
    const nameBytes = encodeUtf8(t.name);
    let key: Uint8Array;
    let shape = t.shape;
    if (t.slice !== undefined && !isFull(t.slice, t.shape)) {
      if (plain.has(t.name)) {
        throw new CheckpointError("DuplicateKey", `${JSON.stringify(t.name)} is given twice`, {
          file: label,
        });
      }
      let p = partitioned.get(t.name);
      if (p === undefined) {
        p = { key: nameBytes, dtype: t.dtype, shape: t.shape, slices: [] };
        partitioned.set(t.name, p);
      } else if (p.dtype !== t.dtype || p.shape.join() !== t.shape.join()) {
        bad(label, `slices of ${JSON.stringify(t.name)} disagree on dtype or full shape`);
      }
      for (const s of p.slices) {
        if (overlaps(s, t.slice)) {
          throw new CheckpointError(
            "BadSlices",
            `slices of ${JSON.stringify(t.name)} overlap`,
            { file: label },
          );
        }
      }
      p.slices.push(t.slice);
      key = sliceKey(nameBytes, t.slice.start, t.slice.length);
      shape = t.slice.length;
      const ks = String.fromCharCode(...key);
      if (seenSliceKeys.has(ks)) {
        throw new CheckpointError(
          "DuplicateKey",
          `a slice of ${JSON.stringify(t.name)} is given twice`,
          {
            file: label,
          },
        );
      }
      seenSliceKeys.add(ks);
    } else {
      if (plain.has(t.name) || partitioned.has(t.name)) {
        throw new CheckpointError("DuplicateKey", `${JSON.stringify(t.name)} is given twice`, {
          file: label,
        });
      }
      key = nameBytes;
      if (t.slice !== undefined) shape = t.slice.length;
    }
    let crc = t.crc;
    if (crc === CRC_WHILE_WRITING) {
      // CRC each chunk just before writing it, while it is still in cache.
      const bytes = t.parts[0]!;
      hasher.init();
      for (let at = 0; at < bytes.length; at += CHUNK) {
        const chunk = bytes.subarray(at, at + CHUNK);
        hasher.update(chunk);
        yield chunk;
      }
      crc = maskCrc(hasherValue(hasher));
    } else {
      for (const part of t.parts) yield part;
    }
    const entry: BundleEntry = {
      dtype: DTYPE_NUMBERS[t.dtype],
      shape,
      shardId: 0,
      offset,
      size: t.size,
      crc32c: crc,
      slices: [],
    };
    offset += t.size;
    plain.set(key === nameBytes ? t.name : `\0${String.fromCharCode(...key)}`, [
      key,
      encodeEntry(entry),
    ]);
  }
  const entries: [Uint8Array, Uint8Array][] = [
    [new Uint8Array(0), encodeHeader(1)],
    ...plain.values(),
  ];
  for (const p of partitioned.values()) {
    const slices: SliceExtent[][] = p.slices.map((s) =>
      s.start.map((start, d) => ({ start, length: s.length[d]! }))
    );
    entries.push([
      p.key,
      encodeEntry({
        dtype: DTYPE_NUMBERS[p.dtype],
        shape: p.shape,
        shardId: 0,
        offset: 0,
        size: 0,
        crc32c: 0,
        slices,
      }),
    ]);
  }
  entries.sort((a, b) => compareBytes(a[0], b[0]));
  const variables = [...plain.keys()].filter((k) => !k.startsWith("\0")).length + partitioned.size;
  return { entries, variables, size: offset };
}

/** The options, read once (a getter or proxy trap is an InvalidArgument). */
function optionsOf(options: unknown): { blockSize?: unknown; sync?: unknown } {
  return readOptions(options, ["blockSize", "sync"], "checkpoint write options");
}

function blockSizeOf(options: { blockSize?: unknown }, label: string): number {
  const b = options.blockSize ?? TF_BLOCK_SIZE;
  if (typeof b !== "number" || !Number.isSafeInteger(b) || b < 1) {
    bad(label, `blockSize must be a positive integer, got ${describeValue(b)}`);
  }
  return b as number;
}

/**
 * Encodes a TensorFlow checkpoint in memory: the exact bytes
 * {@linkcode writeTfCheckpoint} writes to `<prefix>.index` and
 * `<prefix>.data-00000-of-00001`.
 *
 * @example
 * ```ts
 * import { encodeTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const { index, data } = encodeTfCheckpoint([
 *   { name: "a", dtype: "float32", shape: [], values: new Float32Array([0.5]) },
 * ]);
 * assert.deepEqual([...data], [0, 0, 0, 0x3f]);
 * assert.deepEqual([...index.subarray(-8)], [0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
 * ```
 *
 * @param tensors the tensors (and partition slices), data laid out in this order
 * @param options index block size
 * @returns the index file and the one data shard
 * @category checkpoint
 */
export function encodeTfCheckpoint(
  tensors: Iterable<StoredTensor | TfTensorSlice>,
  options?: TfWriteOptions,
): { readonly index: Uint8Array; readonly data: Uint8Array } {
  const label = "<memory>";
  const blockSize = blockSizeOf(optionsOf(options), label);
  const parts: Uint8Array[] = [];
  const chunks = encodeChunks(tensors, label, sharedHasher);
  let step = chunks.next();
  for (; step.done !== true; step = chunks.next()) parts.push(step.value);
  return { index: buildTable(step.value.entries, blockSize), data: concatBytes(parts) };
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function io<T>(what: string, file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      "IoError",
      `${what} failed: ${e instanceof Error ? e.message : String(e)}`,
      {
        file,
        cause: e,
      },
    );
  }
}

function writeAll(f: Deno.FsFile, bytes: Uint8Array, file: string): void {
  let done = 0;
  while (done < bytes.length) {
    const n = io("write", file, () => f.writeSync(bytes.subarray(done)));
    if (n <= 0) throw new CheckpointError("IoError", "write made no progress", { file });
    done += n;
  }
}

function syncDir(dir: string): void {
  // Makes the renames durable where the platform allows opening a directory.
  try {
    const d = Deno.openSync(dir, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
  } catch {
    // Not supported here (e.g. Windows); the renames are still atomic.
  }
}

function tempName(path: string): string {
  const rand = crypto.getRandomValues(new Uint32Array(2));
  return `${path}.tmp-${rand[0]!.toString(16)}${rand[1]!.toString(16)}`;
}

/**
 * Writes a TensorFlow checkpoint: `<prefix>.index` and
 * `<prefix>.data-00000-of-00001`, byte for byte as TensorFlow's
 * `BundleWriter` (index entries sorted, header first, uncompressed blocks,
 * TensorFlow's block size, restart interval and separator keys, masked
 * CRC32C on every block and tensor). Tensor bytes are laid out in the order
 * given. Partition slices ({@linkcode TfTensorSlice}) are written as TF1's
 * `Saver` writes a partitioned variable: one entry under the variable's name
 * with its full shape and the list of slices, plus one entry per slice.
 *
 * Atomic: both files are written to temporary files in the same directory,
 * flushed, then renamed into place, data first and index last. An exception
 * (from the tensors iterable, a bad tensor, a full disk) removes the
 * temporary files and leaves any previous checkpoint at `prefix` as it was;
 * a killed process leaves at most stray `*.tmp-*` files beside it.
 *
 * @example
 * ```ts
 * import { openTfCheckpoint, writeTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * writeTfCheckpoint(`${dir}/model.ckpt`, [
 *   { name: "dense/kernel", dtype: "float32", shape: [2, 1], values: new Float32Array([1, 2]) },
 *   { name: "global_step", dtype: "int64", shape: [], values: new BigInt64Array([100n]) },
 * ]);
 * const ckpt = openTfCheckpoint(`${dir}/model.ckpt`);
 * assert.deepEqual(ckpt.list().map((t) => t.name), ["dense/kernel", "global_step"]);
 * assert.deepEqual([...ckpt.read("global_step").values], [100n]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param prefix the checkpoint prefix, e.g. `dir/model.ckpt-1000`
 * @param tensors the tensors and partition slices
 * @param options index block size, fsync
 * @returns the files written and their sizes
 * @throws {CheckpointError} InvalidArgument, DuplicateKey, BadSlices, TooLarge, IoError; an
 *   exception thrown by `tensors` itself propagates unchanged
 * @category checkpoint
 */
export function writeTfCheckpoint(
  prefix: string,
  tensors: Iterable<StoredTensor | TfTensorSlice>,
  options?: TfWriteOptions,
): TfWriteResult {
  if (typeof prefix !== "string" || prefix.length === 0) {
    bad("<prefix>", "the checkpoint prefix must be a non-empty string");
  }
  const o = optionsOf(options);
  const blockSize = blockSizeOf(o, prefix);
  const sync = o.sync ?? true;
  const indexFile = `${prefix}.index`;
  const dataFile = `${prefix}${shardSuffix(0, 1)}`;
  const dataTmp = tempName(dataFile);
  const indexTmp = tempName(indexFile);
  let data: Deno.FsFile | undefined;
  let index: Deno.FsFile | undefined;
  try {
    data = io("create", dataTmp, () => Deno.openSync(dataTmp, { write: true, createNew: true }));
    const d = data;
    const chunks = encodeChunks(tensors, prefix, sharedHasher);
    let step = chunks.next();
    for (; step.done !== true; step = chunks.next()) writeAll(d, step.value, dataTmp);
    const { entries, variables, size } = step.value;
    if (sync) io("fsync", dataTmp, () => d.syncSync());
    d.close();
    data = undefined;
    const indexBytes = buildTable(entries, blockSize);
    index = io("create", indexTmp, () => Deno.openSync(indexTmp, { write: true, createNew: true }));
    const x = index;
    writeAll(x, indexBytes, indexTmp);
    if (sync) io("fsync", indexTmp, () => x.syncSync());
    x.close();
    index = undefined;
    io("rename", dataFile, () => Deno.renameSync(dataTmp, dataFile));
    io("rename", indexFile, () => Deno.renameSync(indexTmp, indexFile));
    if (sync) syncDir(dirOf(prefix));
    return Object.freeze({ indexFile, dataFile, variables, dataBytes: size });
  } catch (e) {
    for (const f of [data, index]) {
      try {
        f?.close();
      } catch {
        // already closed
      }
    }
    for (const p of [dataTmp, indexTmp]) {
      try {
        Deno.removeSync(p);
      } catch {
        // never created, or already renamed
      }
    }
    throw e;
  }
}

async function ioAsync<T>(what: string, file: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      "IoError",
      `${what} failed: ${e instanceof Error ? e.message : String(e)}`,
      {
        file,
        cause: e,
      },
    );
  }
}

async function writeAllAsync(f: Deno.FsFile, bytes: Uint8Array, file: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const n = await ioAsync("write", file, () => f.write(bytes.subarray(done)));
    if (n <= 0) throw new CheckpointError("IoError", "write made no progress", { file });
    done += n;
  }
}

/**
 * {@linkcode writeTfCheckpoint}, asynchronously: the same files, byte for
 * byte, with the same atomicity, but the writes run on Deno's I/O threads
 * while the next chunk's CRC32C is computed, so a large save costs about
 * the larger of the two instead of their sum, and the event loop is not
 * blocked by the disk. Do not modify the tensors' values until the promise
 * settles.
 *
 * @example
 * ```ts
 * import { openTfCheckpoint, writeTfCheckpointAsync } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const r = await writeTfCheckpointAsync(`${dir}/model.ckpt`, [
 *   { name: "w", dtype: "float32", shape: [3], values: new Float32Array([1, 2, 3]) },
 * ]);
 * assert.equal(r.dataBytes, 12);
 * assert.deepEqual([...openTfCheckpoint(`${dir}/model.ckpt`).read("w").values], [1, 2, 3]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param prefix the checkpoint prefix
 * @param tensors the tensors and partition slices
 * @param options index block size, fsync
 * @returns the files written and their sizes
 * @throws {CheckpointError} as {@linkcode writeTfCheckpoint}
 * @category checkpoint
 */
export async function writeTfCheckpointAsync(
  prefix: string,
  tensors: Iterable<StoredTensor | TfTensorSlice>,
  options?: TfWriteOptions,
): Promise<TfWriteResult> {
  if (typeof prefix !== "string" || prefix.length === 0) {
    bad("<prefix>", "the checkpoint prefix must be a non-empty string");
  }
  const o = optionsOf(options);
  const blockSize = blockSizeOf(o, prefix);
  const sync = o.sync ?? true;
  const indexFile = `${prefix}.index`;
  const dataFile = `${prefix}${shardSuffix(0, 1)}`;
  const dataTmp = tempName(dataFile);
  const indexTmp = tempName(indexFile);
  // A running CRC is held across awaits: it needs a hasher of its own.
  const hasher = await newHasher();
  let data: Deno.FsFile | undefined;
  let index: Deno.FsFile | undefined;
  let inflight: Promise<void> | undefined;
  try {
    data = await ioAsync(
      "create",
      dataTmp,
      () => Deno.open(dataTmp, { write: true, createNew: true }),
    );
    const d = data;
    const chunks = encodeChunks(tensors, prefix, hasher);
    let step: IteratorResult<Uint8Array, Encoded>;
    for (;;) {
      // The next chunk is produced (and its CRC computed) while the
      // previous one is being written.
      step = chunks.next();
      if (inflight !== undefined) {
        const w = inflight;
        inflight = undefined;
        await w;
      }
      if (step.done === true) break;
      inflight = writeAllAsync(d, step.value, dataTmp);
    }
    const { entries, variables, size } = step.value;
    if (sync) await ioAsync("fsync", dataTmp, () => d.sync());
    d.close();
    data = undefined;
    const indexBytes = buildTable(entries, blockSize);
    index = await ioAsync(
      "create",
      indexTmp,
      () => Deno.open(indexTmp, { write: true, createNew: true }),
    );
    const x = index;
    await writeAllAsync(x, indexBytes, indexTmp);
    if (sync) await ioAsync("fsync", indexTmp, () => x.sync());
    x.close();
    index = undefined;
    await ioAsync("rename", dataFile, () => Deno.rename(dataTmp, dataFile));
    await ioAsync("rename", indexFile, () => Deno.rename(indexTmp, indexFile));
    if (sync) syncDir(dirOf(prefix));
    return Object.freeze({ indexFile, dataFile, variables, dataBytes: size });
  } catch (e) {
    if (inflight !== undefined) await inflight.catch(() => {});
    for (const f of [data, index]) {
      try {
        f?.close();
      } catch {
        // already closed
      }
    }
    for (const p of [dataTmp, indexTmp]) {
      await Deno.remove(p).catch(() => {});
    }
    throw e;
  }
}

/**
 * Splits a tensor into `count` slices along `axis` as TF1's
 * `fixed_size_partitioner` does (the first `dim % count` slices one row
 * longer), ready for {@linkcode writeTfCheckpoint}.
 *
 * @example
 * ```ts
 * import { splitTensor } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const parts = splitTensor(
 *   { name: "emb", dtype: "float32", shape: [5, 2], values: new Float32Array(10).map((_, i) => i) },
 *   0,
 *   2,
 * );
 * assert.deepEqual(parts.map((p) => p.slice), [
 *   { start: [0, 0], length: [3, 2] },
 *   { start: [3, 0], length: [2, 2] },
 * ]);
 * assert.deepEqual([...parts[1]!.values], [6, 7, 8, 9]);
 * ```
 *
 * @param t the full tensor
 * @param axis the dimension to split
 * @param count the number of slices (at most the dimension's size)
 * @returns the slices, in order
 * @category checkpoint
 */
export function splitTensor(t: StoredTensor, axis: number, count: number): TfTensorSlice[] {
  const label = "<splitTensor>";
  const n = normalize(t, label);
  const shape = n.shape;
  if (!Number.isSafeInteger(axis) || axis < 0 || axis >= shape.length) {
    bad(label, `axis ${describeValue(axis)} is not a dimension of rank ${shape.length}`);
  }
  const dim = shape[axis]!;
  if (!Number.isSafeInteger(count) || count < 1 || count > Math.max(dim, 1)) {
    bad(label, `cannot split a dimension of ${dim} into ${describeValue(count)} slices`);
  }
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const base = Math.floor(dim / count), extra = dim % count;
  const out: TfTensorSlice[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = base + (i < extra ? 1 : 0);
    const length = shape.map((s, d) => (d === axis ? len : s));
    const start = shape.map((_, d) => (d === axis ? at : 0));
    const idx: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < len * inner; k++) idx.push(o * dim * inner + at * inner + k);
    }
    const src = t.values;
    const values = Array.isArray(src) ? Object.freeze(idx.map((j) => src[j]!)) : (() => {
      const v = src as Float32Array;
      const ctor = v.constructor as new (n: number) => Float32Array;
      const o = new ctor(idx.length);
      idx.forEach((j, k) => (o[k] = v[j]!));
      return o;
    })();
    out.push(Object.freeze({
      name: n.name,
      dtype: n.dtype,
      shape: Object.freeze([...shape]),
      slice: Object.freeze({ start: Object.freeze(start), length: Object.freeze(length) }),
      values,
    }));
    at += len;
  }
  return out;
}
