/**
 * Reading TensorFlow checkpoints (tensor bundle V2): `<prefix>.index` plus
 * `<prefix>.data-SSSSS-of-NNNNN` shards, lazily.
 *
 * @module
 */
import { Cursor, decodeKey } from "./_bytes.ts";
import { type BundleEntry, decodeEntry, decodeHeader } from "./_bundle_proto.ts";
import { crc32c, maskCrc, unmaskCrc } from "./_crc32c.ts";
import {
  DTYPE_NUMBERS,
  dtypeNumberName,
  dtypeOfNumber,
  elementSize,
  HOST_LITTLE_ENDIAN,
  viewAs,
} from "./_dtypes.ts";
import { sliceKey } from "./_ordered_code.ts";
import type { TableEntry } from "./_sstable.ts";
import { decodeStrings, elementCount, forEachRun } from "./_tensor_bytes.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import type {
  CheckpointReader,
  StoredDType,
  StoredTensor,
  StoredTensorInfo,
  StoredValues,
} from "./stored_tensor.ts";

/**
 * A rectangular region of a tensor: a start and a length per dimension.
 * Partitioned variables are stored as such slices.
 *
 * @category checkpoint
 */
export interface TfSlice {
  /** Start index per dimension. */
  readonly start: readonly number[];
  /** Size per dimension. */
  readonly length: readonly number[];
}

/**
 * A TensorFlow checkpoint opened for reading. Opening and listing read only
 * the `.index` file; `read` and `readSlice` read only the bytes of the
 * tensors they need from the data shards (and verify their CRC32C).
 *
 * @category checkpoint
 */
export interface TfCheckpointReader extends CheckpointReader {
  /** Always "tensorflow". */
  readonly format: "tensorflow";
  /** The prefix (or in-memory name) the checkpoint was opened from. */
  readonly prefix: string;
  /** The number of data shards the header names. */
  readonly numShards: number;
  /**
   * Every variable, sorted by name. A partitioned variable is listed once
   * with its full shape; its slice entries are not listed.
   */
  list(): readonly StoredTensorInfo[];
  /** Whether the checkpoint holds a variable of this name. */
  has(name: string): boolean;
  /**
   * One variable's full values (a fresh copy). A partitioned variable is
   * reassembled from its slices.
   */
  read(name: string): StoredTensor;
  /**
   * The slices a partitioned variable is stored as, in the order of its
   * entry; an empty list for a variable stored whole.
   */
  slices(name: string): readonly TfSlice[];
  /**
   * The values of one region of a variable (any region inside its full
   * shape: one of its stored slices, or any other), read from only the
   * slices that overlap it. The result's `shape` is `slice.length`.
   */
  readSlice(name: string, slice: TfSlice): StoredTensor;
  /**
   * Where a variable's bytes lie: one range for a variable stored whole, one
   * per stored slice (in the order of {@linkcode TfCheckpointReader.slices})
   * for a partitioned one.
   */
  storage(name: string): readonly TfStorage[];
}

/**
 * One byte range of a data shard holding a tensor or one of its slices.
 *
 * @category checkpoint
 */
export interface TfStorage {
  /** The data shard's id. */
  readonly shard: number;
  /** Byte offset in that shard. */
  readonly offset: number;
  /** Number of bytes. */
  readonly size: number;
}

/** The files of a checkpoint held in memory. */
export interface TfCheckpointBytes {
  /** The `.index` file. */
  readonly index: Uint8Array;
  /** The data shards, by shard id. */
  readonly shards: readonly Uint8Array[];
}

/** Where a reader gets data shard bytes from. */
export interface ShardSource {
  /** The shard's file name (for errors). */
  name(shard: number): string;
  /** `size` fresh bytes at `offset` (byteOffset 0), or a typed error. */
  read(shard: number, offset: number, size: number): Uint8Array;
}

/** Stored values of a whole tensor or one slice, read on demand. */
export interface Piece {
  /** Reads and verifies the values (fresh). */
  load(): StoredValues;
  /** Where its bytes lie in a data shard, if they do (not in V1 files). */
  readonly storage: TfStorage | undefined;
}

/** One variable of an opened checkpoint. */
export interface Tensor {
  readonly name: string;
  readonly dtype: StoredDType;
  readonly shape: readonly number[];
  readonly count: number;
  /** The stored tensor (undefined for a partitioned variable). */
  readonly whole: Piece | undefined;
  readonly at: number;
  readonly slices: readonly StoredSlice[];
}

/** One stored slice of a partitioned variable. */
export interface StoredSlice extends TfSlice, Piece {
  readonly at: number;
}

/** Zero-padded shard number as in `model.ckpt.data-00000-of-00001`. */
export function shardSuffix(shard: number, numShards: number): string {
  const pad = (n: number): string => String(n).padStart(5, "0");
  return `.data-${pad(shard)}-of-${pad(numShards)}`;
}

function checkEntry(
  e: BundleEntry,
  dtype: StoredDType,
  shape: readonly number[],
  numShards: number,
  file: string,
  at: number,
  what: string,
): number {
  const fail = (code: ConstructorParameters<typeof CheckpointError>[0], msg: string): never => {
    throw new CheckpointError(code, `${what}: ${msg}`, { file, offset: at });
  };
  const count = elementCount(shape, (m) => fail("TooLarge", m));
  if (e.shardId >= numShards) {
    fail("OutOfRange", `shard ${e.shardId} but the header names ${numShards} shard(s)`);
  }
  if (e.offset + e.size > Number.MAX_SAFE_INTEGER) fail("TooLarge", "offset + size beyond 2^53");
  if (dtype === "string") {
    if (e.size < count + 4) {
      fail(
        "ShapeSizeMismatch",
        `${count} string element(s) need at least ${count + 4} bytes, the entry has ${e.size}`,
      );
    }
  } else {
    const want = count * elementSize(dtype);
    if (want > Number.MAX_SAFE_INTEGER) fail("TooLarge", `${count} elements of ${dtype}`);
    if (want !== e.size) {
      fail(
        "ShapeSizeMismatch",
        `shape [${shape.join(", ")}] of ${dtype} needs ${want} bytes, the entry has ${e.size}`,
      );
    }
  }
  return count;
}

function keyString(k: Uint8Array): string {
  let s = "";
  for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]!);
  return s;
}

/**
 * The reader of a V2 bundle from its verified index entries.
 *
 * @param table the index entries
 * @param indexFile the index file, for errors
 * @param prefix the prefix or name the checkpoint was opened from
 * @param makeSource the data shards, once their number is known
 * @returns the reader
 */
export function buildReader(
  table: readonly TableEntry[],
  indexFile: string,
  prefix: string,
  makeSource: (numShards: number) => ShardSource,
): TfCheckpointReader {
  const first = table[0];
  if (first === undefined || first.key.length !== 0) {
    throw new CheckpointError("Malformed", 'the index has no header entry (key "")', {
      file: indexFile,
      offset: first?.offset ?? 0,
    });
  }
  const header = decodeHeader(new Cursor(first.value, indexFile, first.offset));
  if (header.numShards < 1) {
    throw new CheckpointError("Malformed", `header num_shards is ${header.numShards}`, {
      file: indexFile,
      offset: first.offset,
    });
  }
  if (header.endianness !== 0) {
    throw new CheckpointError(
      header.endianness === 1 ? "Unsupported" : "Malformed",
      header.endianness === 1
        ? "big-endian bundles are not supported"
        : `header endianness ${header.endianness} is neither LITTLE nor BIG`,
      { file: indexFile, offset: first.offset },
    );
  }
  if (header.producer < 0 || header.minConsumer > 1 || header.badConsumers.includes(1)) {
    throw new CheckpointError(
      "Unsupported",
      `bundle version (producer ${header.producer}, min_consumer ${header.minConsumer}) is newer than this reader (consumer 1)`,
      { file: indexFile, offset: first.offset },
    );
  }
  const numShards = header.numShards;
  const source = makeSource(numShards);
  const sliceEntries = new Map<string, TableEntry>();
  const pending: TableEntry[] = [];
  for (let i = 1; i < table.length; i++) {
    const t = table[i]!;
    if (t.key[0] === 0) sliceEntries.set(keyString(t.key), t);
    else pending.push(t);
  }
  const tensors = new Map<string, Tensor>();
  for (const t of pending) {
    const name = decodeKey(t.key);
    const e = decodeEntry(new Cursor(t.value, indexFile, t.offset));
    const dtype = dtypeOfNumber(e.dtype);
    if (dtype === undefined) {
      throw new CheckpointError(
        "UnknownDType",
        `tensor ${JSON.stringify(name)} has dtype ${
          dtypeNumberName(e.dtype)
        }, which this reader does not support`,
        { file: indexFile, offset: t.offset },
      );
    }
    let count: number;
    const slices: StoredSlice[] = [];
    if (e.slices.length === 0) {
      count = checkEntry(
        e,
        dtype,
        e.shape,
        numShards,
        indexFile,
        t.offset,
        `tensor ${JSON.stringify(name)}`,
      );
    } else {
      count = elementCount(e.shape, (m) => {
        throw new CheckpointError("TooLarge", `tensor ${JSON.stringify(name)}: ${m}`, {
          file: indexFile,
          offset: t.offset,
        });
      });
      for (const s of e.slices) {
        slices.push(
          resolveSlice(name, t, e.shape, dtype, s, sliceEntries, numShards, indexFile, source),
        );
      }
      checkNoOverlap(name, slices, indexFile, t.offset);
    }
    if (tensors.has(name)) {
      throw new CheckpointError(
        "DuplicateKey",
        `two keys decode to the name ${JSON.stringify(name)}`,
        {
          file: indexFile,
          offset: t.offset,
        },
      );
    }
    tensors.set(name, {
      name,
      dtype,
      shape: Object.freeze([...e.shape]),
      count,
      whole: e.slices.length === 0 ? entryPiece(source, e, dtype, count) : undefined,
      at: t.offset,
      slices: Object.freeze(slices),
    });
  }
  return makeReader(prefix, numShards, indexFile, tensors);
}

function entryPiece(
  source: ShardSource,
  e: BundleEntry,
  dtype: StoredDType,
  count: number,
): Piece {
  return {
    load: () => readEntry(source, e, dtype, count),
    storage: Object.freeze({ shard: e.shardId, offset: e.offset, size: e.size }),
  };
}

/**
 * The reader over resolved variables (shared by the V2 bundle and the V1
 * table formats).
 *
 * @param prefix the prefix or name the checkpoint was opened from
 * @param numShards data shards
 * @param indexFile the index (or V1) file, for errors
 * @param tensors the variables by name
 * @returns the frozen reader
 */
export function makeReader(
  prefix: string,
  numShards: number,
  indexFile: string,
  tensors: ReadonlyMap<string, Tensor>,
): TfCheckpointReader {
  const listing = Object.freeze(
    [...tensors.values()].map((t) =>
      Object.freeze({ name: t.name, dtype: t.dtype, shape: t.shape })
    ),
  );
  const get = (name: string): Tensor => {
    const t = typeof name === "string" ? tensors.get(name) : undefined;
    if (t === undefined) {
      throw new CheckpointError(
        typeof name === "string" ? "NotFound" : "InvalidArgument",
        typeof name === "string"
          ? `no tensor named ${JSON.stringify(name)}`
          : `a tensor name must be a string, got ${typeof name}`,
        { file: indexFile },
      );
    }
    return t;
  };
  const reader: TfCheckpointReader = {
    format: "tensorflow",
    prefix,
    numShards,
    list: () => listing,
    has: (name) => typeof name === "string" && tensors.has(name),
    read: (name) => {
      const t = get(name);
      if (t.whole !== undefined) return frozenTensor(t.name, t.dtype, t.shape, t.whole.load());
      return regionOf(t, { start: t.shape.map(() => 0), length: t.shape }, indexFile);
    },
    slices: (name) => {
      const t = get(name);
      return Object.freeze(
        t.slices.map((s) => Object.freeze({ start: s.start, length: s.length })),
      );
    },
    storage: (name) => {
      const t = get(name);
      const pieces: readonly Piece[] = t.whole !== undefined ? [t.whole] : t.slices;
      return Object.freeze(
        pieces.flatMap((p) => (p.storage === undefined ? [] : [p.storage])),
      );
    },
    readSlice: (name, slice) => {
      const t = get(name);
      return regionOf(t, checkRegion(t, slice, indexFile), indexFile);
    },
  };
  return Object.freeze(reader);
}

function resolveSlice(
  name: string,
  t: TableEntry,
  full: readonly number[],
  dtype: StoredDType,
  extents: readonly { readonly start: number; readonly length: number | undefined }[],
  sliceEntries: ReadonlyMap<string, TableEntry>,
  numShards: number,
  file: string,
  source: ShardSource,
): StoredSlice {
  const fail = (msg: string): never => {
    throw new CheckpointError("BadSlices", `partitioned tensor ${JSON.stringify(name)}: ${msg}`, {
      file,
      offset: t.offset,
    });
  };
  if (extents.length !== full.length) {
    fail(`a slice has ${extents.length} extents for a rank-${full.length} tensor`);
  }
  const start: number[] = [], length: number[] = [], keyLengths: number[] = [];
  extents.forEach((x, d) => {
    const len = x.length === undefined ? full[d]! : x.length;
    const st = x.length === undefined ? 0 : x.start;
    if (st < 0 || len < 0 || st + len > full[d]!) {
      fail(`slice extent ${st},${len} lies outside dimension ${d} of size ${full[d]}`);
    }
    start.push(st);
    length.push(len);
    keyLengths.push(x.length === undefined ? -1 : len);
  });
  const key = sliceKey(t.key, start, keyLengths);
  const se = sliceEntries.get(keyString(key));
  if (se === undefined) fail(`no entry for the slice ${describe({ start, length })}`);
  const e = decodeEntry(new Cursor(se!.value, file, se!.offset));
  if (e.slices.length !== 0) fail("a slice entry has slices itself");
  if (e.dtype !== DTYPE_NUMBERS[dtype]) {
    fail(`slice dtype ${dtypeNumberName(e.dtype)} differs from the tensor's`);
  }
  if (e.shape.length !== length.length || e.shape.some((d, i) => d !== length[i])) {
    fail(`slice ${describe({ start, length })} is stored with shape [${e.shape.join(", ")}]`);
  }
  const count = checkEntry(
    e,
    dtype,
    e.shape,
    numShards,
    file,
    se!.offset,
    `slice of ${JSON.stringify(name)}`,
  );
  return {
    start: Object.freeze(start),
    length: Object.freeze(length),
    ...entryPiece(source, e, dtype, count),
    at: se!.offset,
  };
}

const MAX_SLICES = 4096;

/** Refuses overlapping slices, and more than 4096 of them (the check is quadratic). */
export function checkNoOverlap(
  name: string,
  slices: readonly TfSlice[],
  file: string,
  at: number,
): void {
  if (slices.length > MAX_SLICES) {
    throw new CheckpointError(
      "TooLarge",
      `partitioned tensor ${
        JSON.stringify(name)
      } has ${slices.length} slices (at most ${MAX_SLICES} are read)`,
      { file, offset: at },
    );
  }
  for (let i = 0; i < slices.length; i++) {
    for (let j = i + 1; j < slices.length; j++) {
      if (intersect(slices[i]!, slices[j]!) !== undefined) {
        throw new CheckpointError(
          "BadSlices",
          `partitioned tensor ${JSON.stringify(name)}: slices ${describe(slices[i]!)} and ${
            describe(slices[j]!)
          } overlap`,
          { file, offset: at },
        );
      }
    }
  }
}

function describe(s: TfSlice): string {
  return `[${s.start.map((st, d) => `${st}:${st + s.length[d]!}`).join(", ")}]`;
}

function intersect(a: TfSlice, b: TfSlice): TfSlice | undefined {
  const start: number[] = [], length: number[] = [];
  for (let d = 0; d < a.start.length; d++) {
    const lo = Math.max(a.start[d]!, b.start[d]!);
    const hi = Math.min(a.start[d]! + a.length[d]!, b.start[d]! + b.length[d]!);
    if (hi <= lo) return undefined;
    start.push(lo);
    length.push(hi - lo);
  }
  return { start, length };
}

function checkRegion(t: Tensor, slice: TfSlice, file: string): TfSlice {
  const bad = (msg: string): never => {
    throw new CheckpointError("InvalidArgument", `readSlice(${JSON.stringify(t.name)}): ${msg}`, {
      file,
    });
  };
  let start: number[] = [], length: number[] = [];
  try {
    start = Array.from(slice.start);
    length = Array.from(slice.length);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    bad("the slice must have `start` and `length` arrays");
  }
  if (start.length !== t.shape.length || length.length !== t.shape.length) {
    bad(`a rank-${t.shape.length} tensor needs ${t.shape.length} starts and lengths`);
  }
  for (let d = 0; d < t.shape.length; d++) {
    const s = start[d], l = length[d];
    if (
      !Number.isSafeInteger(s) || !Number.isSafeInteger(l) || s! < 0 || l! < 0 ||
      s! + l! > t.shape[d]!
    ) {
      bad(`extent ${String(s)},${String(l)} lies outside dimension ${d} of size ${t.shape[d]}`);
    }
  }
  return { start, length };
}

function frozenTensor(
  name: string,
  dtype: StoredDType,
  shape: readonly number[],
  values: StoredValues,
): StoredTensor {
  return Object.freeze({
    name,
    dtype,
    shape: Object.freeze([...shape]),
    values: Array.isArray(values) ? Object.freeze(values) : values,
  });
}

function readEntry(
  source: ShardSource,
  e: BundleEntry,
  dtype: StoredDType,
  count: number,
): StoredValues {
  const bytes = source.read(e.shardId, e.offset, e.size);
  const file = source.name(e.shardId);
  if (dtype === "string") return decodeStrings(bytes, count, e.crc32c, file, e.offset);
  const actual = crc32c(bytes);
  if (actual !== unmaskCrc(e.crc32c)) {
    throw new CheckpointError(
      "CrcMismatch",
      `tensor's stored masked CRC32C 0x${e.crc32c.toString(16)} does not match its bytes (0x${
        maskCrc(actual).toString(16)
      })`,
      { file, offset: e.offset },
    );
  }
  if (!HOST_LITTLE_ENDIAN) {
    throw new CheckpointError("Unsupported", "this reader needs a little-endian host", { file });
  }
  return viewAs(dtype, bytes);
}

function regionOf(t: Tensor, region: TfSlice, file: string): StoredTensor {
  const pieces: { slice: TfSlice; inter: TfSlice; piece: Piece }[] = [];
  if (t.whole !== undefined) {
    pieces.push({
      slice: { start: t.shape.map(() => 0), length: t.shape },
      inter: region,
      piece: t.whole,
    });
  } else {
    let covered = 0;
    for (const s of t.slices) {
      const inter = intersect(s, region);
      if (inter === undefined) continue;
      covered += inter.length.reduce((a, b) => a * b, 1);
      pieces.push({ slice: s, inter, piece: s });
    }
    const want = region.length.reduce((a, b) => a * b, 1);
    // Slices never overlap (checked on open), so counting is enough; this
    // also bounds the allocation below by bytes the shards hold.
    if (want > 0 && covered !== want) {
      throw new CheckpointError(
        "BadSlices",
        `partitioned tensor ${
          JSON.stringify(t.name)
        }: its slices cover ${covered} of the ${want} elements of ${describe(region)}`,
        { file, offset: t.at },
      );
    }
  }
  const count = region.length.reduce((a, b) => a * b, 1);
  const size = elementSize(t.dtype);
  const strings: Uint8Array[] | undefined = t.dtype === "string" ? new Array(count) : undefined;
  const out = t.dtype === "string" ? new Uint8Array(0) : new Uint8Array(count * size);
  for (const p of pieces) {
    const values = p.piece.load();
    const srcStart = p.inter.start.map((s, d) => s - p.slice.start[d]!);
    const dstStart = p.inter.start.map((s, d) => s - region.start[d]!);
    if (strings !== undefined) {
      const src = values as Uint8Array[];
      forEachRun(p.slice.length, srcStart, region.length, dstStart, p.inter.length, (so, dO, n) => {
        for (let k = 0; k < n; k++) strings[dO + k] = src[so + k]!;
      });
    } else {
      const v = values as Exclude<StoredValues, readonly Uint8Array[]>;
      const src = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      forEachRun(p.slice.length, srcStart, region.length, dstStart, p.inter.length, (so, dO, n) => {
        out.set(src.subarray(so * size, (so + n) * size), dO * size);
      });
    }
  }
  const values = strings !== undefined
    ? strings
    : viewAs(t.dtype as Exclude<StoredDType, "string">, out);
  return frozenTensor(t.name, t.dtype, region.length, values);
}
