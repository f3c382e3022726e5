/**
 * The checkpoint fuzzer's corpus, mutations and per-file check. Case `i` of
 * seed `s` is a pure function of (s, i), so any finding replays alone:
 * `deno task fuzz:checkpoint --seed s --from i --count 1 --verbose`.
 *
 * @module
 */
import {
  CheckpointError,
  encodeTfCheckpoint,
  openTfCheckpoint,
  openTfCheckpointBytes,
  splitTensor,
  type StoredTensor,
  type TfCheckpointReader,
  toTfjsValues,
} from "varscope/checkpoint";
import { Cursor } from "../../lib/checkpoint/_bytes.ts";
import { decodeEntry, encodeEntry } from "../../lib/checkpoint/_bundle_proto.ts";
import { crc32c, maskCrc } from "../../lib/checkpoint/_crc32c.ts";
import { buildTable, readTable } from "../../lib/checkpoint/_sstable.ts";
import { bytesField, intField, v1File } from "../unit/checkpoint/_v1_build.ts";

/** Slots of the fuzz worker's shared progress array. */
export const CURRENT = 0, DONE = 1, OK = 2, TYPED = 3, CRASHES = 4, MAX_US = 5;

/** One checkpoint: an index and its shards. */
export interface Files {
  readonly label: string;
  readonly index: Uint8Array;
  readonly shards: readonly Uint8Array[];
}

const FIXTURES = new URL("../fixtures/tf-checkpoints/", import.meta.url).pathname;
const enc = new TextEncoder();

function fixtureFiles(): Files[] {
  const out: Files[] = [];
  for (const d of [...Deno.readDirSync(FIXTURES)].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!d.isDirectory) continue;
    const p = `${FIXTURES}${d.name}/variables`;
    try {
      out.push({
        label: d.name,
        index: Deno.readFileSync(`${p}.index`),
        shards: [Deno.readFileSync(`${p}.data-00000-of-00001`)],
      });
    } catch {
      const v1 = `${FIXTURES}${d.name}/export-00000-of-00001`;
      out.push({ label: d.name, index: Deno.readFileSync(v1), shards: [] });
    }
  }
  return out;
}

function writerFiles(): Files[] {
  const all: StoredTensor[] = [
    { name: "f32", dtype: "float32", shape: [2, 3], values: new Float32Array([1, 2, 3, 4, 5, 6]) },
    { name: "f64", dtype: "float64", shape: [2], values: new Float64Array([0.25, 1e300]) },
    { name: "f16", dtype: "float16", shape: [2], values: new Uint16Array([0x3c00, 0x7c00]) },
    { name: "bf16", dtype: "bfloat16", shape: [1], values: new Uint16Array([0x3f80]) },
    { name: "i8", dtype: "int8", shape: [2], values: new Int8Array([-1, 1]) },
    { name: "i16", dtype: "int16", shape: [1], values: new Int16Array([7]) },
    { name: "i32", dtype: "int32", shape: [], values: new Int32Array([9]) },
    { name: "i64", dtype: "int64", shape: [2], values: new BigInt64Array([3n, 2n ** 40n]) },
    { name: "u8", dtype: "uint8", shape: [1], values: new Uint8Array([200]) },
    { name: "u16", dtype: "uint16", shape: [1], values: new Uint16Array([60000]) },
    { name: "b", dtype: "bool", shape: [2], values: new Uint8Array([0, 1]) },
    {
      name: "s",
      dtype: "string",
      shape: [3],
      values: [enc.encode("ab"), new Uint8Array(0), new Uint8Array(130).fill(7)],
    },
    { name: "e", dtype: "float32", shape: [0, 3], values: new Float32Array(0) },
  ];
  const emb: StoredTensor = {
    name: "emb",
    dtype: "float32",
    shape: [7, 3],
    values: Float32Array.from({ length: 21 }, (_, i) => i),
  };
  const words: StoredTensor = {
    name: "vocab",
    dtype: "string",
    shape: [4],
    values: ["x", "yy", "", "zzz"].map((w) => enc.encode(w)),
  };
  const many: StoredTensor[] = [];
  for (let i = 0; i < 60; i++) {
    many.push({
      name: `scope/layer_${i}/kernel`,
      dtype: "int32",
      shape: [1],
      values: new Int32Array([i]),
    });
  }
  const files = (label: string, ts: Iterable<StoredTensor>, blockSize?: number): Files => {
    const f = encodeTfCheckpoint(ts, blockSize === undefined ? {} : { blockSize });
    return { label, index: f.index, shards: [f.data] };
  };
  const f32 = (xs: number[]): number[] => [...new Uint8Array(new Float32Array(xs).buffer)];
  const v1 = v1File([
    {
      name: "emb",
      dtype: 3,
      shape: [4, 2],
      slices: [
        { ext: [[0, 3], null], proto: bytesField(7, [0, 1, 2, 3, 4, 5]) },
        { ext: [[3, 1], null], proto: bytesField(7, [6, 7]) },
      ],
    },
    {
      name: "f",
      dtype: 1,
      shape: [2],
      slices: [{ ext: [null], proto: bytesField(5, f32([1, 2])) }],
    },
    { name: "l", dtype: 9, shape: [], slices: [{ ext: [], proto: intField(10, -5) }] },
    {
      name: "s",
      dtype: 7,
      shape: [1],
      slices: [{ ext: [null], proto: bytesField(8, [104, 105]) }],
    },
    { name: "c", dtype: 1, shape: [1], slices: [{ ext: [null], proto: bytesField(4, f32([9])) }] },
  ]);
  return [
    { label: "v1-built", index: v1, shards: [] },
    files("writer-all-dtypes", all),
    files("writer-partitioned", [...splitTensor(emb, 0, 3), ...splitTensor(words, 0, 2), all[0]!]),
    files("writer-multi-block", many, 200),
  ];
}

let corpus: Files[] | undefined;

/** The unmutated files every case starts from. */
export function baseCorpus(): readonly Files[] {
  corpus ??= [...fixtureFiles(), ...writerFiles()];
  return corpus;
}

/** A small fast PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);

const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x40];
const LIES: readonly number[][] = [
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x80, 0x80, 0x80, 0x10],
  [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
];

/** One byte-level mutation of `b` (a fresh array is returned). */
function mutateBytes(r: Rand, b: Uint8Array, other: Uint8Array): Uint8Array {
  if (b.length === 0) return new Uint8Array([int(r, 256)]);
  const at = int(r, b.length);
  switch (int(r, 8)) {
    case 0: { // bit flip
      const c = b.slice();
      c[at] = c[at]! ^ (1 << int(r, 8));
      return c;
    }
    case 1: { // interesting byte
      const c = b.slice();
      c[at] = INTERESTING[int(r, INTERESTING.length)]!;
      return c;
    }
    case 2: // truncation
      return b.slice(0, at);
    case 3: { // lying varint
      const lie = LIES[int(r, LIES.length)]!;
      const c = b.slice();
      c.set(lie.slice(0, c.length - at), at);
      return c;
    }
    case 4: { // lying 32-bit length
      const c = b.slice();
      const v = [0xffffffff, 0x7fffffff, 0x10000000, b.length + 1, 0][int(r, 5)]!;
      for (let k = 0; k < 4 && at + k < c.length; k++) c[at + k] = (v >>> (8 * k)) & 0xff;
      return c;
    }
    case 5: { // splice in bytes from another file
      const from = int(r, Math.max(1, other.length));
      const n = 1 + int(r, 16);
      const c = b.slice();
      c.set(other.subarray(from, from + n).subarray(0, c.length - at), at);
      return c;
    }
    case 6: { // delete a range
      const n = 1 + int(r, 8);
      const c = new Uint8Array(Math.max(0, b.length - n));
      const a = Math.min(at, c.length);
      c.set(b.subarray(0, a));
      c.set(b.subarray(a + n), a);
      return c;
    }
    default: { // insert bytes
      const n = 1 + int(r, 8);
      const c = new Uint8Array(b.length + n);
      c.set(b.subarray(0, at));
      for (let k = 0; k < n; k++) c[at + k] = int(r, 256);
      c.set(b.subarray(at), at + n);
      return c;
    }
  }
}

/** Best effort: recompute every reachable block's trailer CRC after a mutation. */
function fixBlockCrcs(b: Uint8Array): void {
  const n = b.length;
  if (n < 48) return;
  const fix = (off: number, size: number): boolean => {
    if (off < 0 || size < 0 || off + size + 5 > n - 48) return false;
    const m = maskCrc(crc32c(b.subarray(off, off + size + 1)));
    new DataView(b.buffer, b.byteOffset).setUint32(off + size + 1, m, true);
    return true;
  };
  try {
    const c = new Cursor(b, "", 0, n - 48, n - 8);
    const mo = c.varint64(""), ms = c.varint64(""), io = c.varint64(""), is = c.varint64("");
    fix(mo, ms);
    if (!fix(io, is)) return;
    // Data block handles: parse the index block leniently (restart interval 1).
    const block = b.subarray(io, io + is);
    if (block.length < 4) return;
    const nr = new DataView(block.buffer, block.byteOffset).getUint32(block.length - 4, true);
    const end = block.length - 4 - 4 * nr;
    const e = new Cursor(block, "", 0, 0, Math.max(0, end));
    while (e.pos < e.end) {
      e.varint32("");
      const ns = e.varint32(""), vl = e.varint32("");
      e.take(ns, "");
      const h = new Cursor(e.take(vl, ""), "");
      fix(h.varint64(""), h.varint64(""));
    }
  } catch {
    // An unparseable table stays as mutated.
  }
}

/** Entry-level mutation: rebuild a valid table around mutated keys/values. */
function mutateEntries(r: Rand, f: Files): Files | undefined {
  let entries: [Uint8Array, Uint8Array][];
  try {
    entries = readTable(f.index, "").map((e) => [e.key, e.value.slice()]);
  } catch {
    return undefined;
  }
  if (entries.length === 0) return undefined;
  const i = int(r, entries.length);
  const e = entries[i]!;
  switch (int(r, 5)) {
    case 0:
      e[1] = mutateBytes(r, e[1], f.index);
      break;
    case 1: { // swap two keys (unsorted) or duplicate one
      const j = int(r, entries.length);
      if (int(r, 2) === 0) entries[j] = [e[0], entries[j]![1]];
      else [entries[i], entries[j]] = [entries[j]!, entries[i]!];
      break;
    }
    case 2: // mutate the key
      e[0] = mutateBytes(r, e[0], f.index);
      break;
    case 3: { // lying varint inside the value
      const v = e[1].slice();
      const at = int(r, Math.max(1, v.length));
      const lie = LIES[int(r, LIES.length)]!;
      const c = new Uint8Array(Math.max(v.length, at + lie.length));
      c.set(v);
      c.set(lie, at);
      e[1] = c;
      break;
    }
    default: { // data mutation with the tensor CRC fixed up, to reach the layout checks
      try {
        const entry = decodeEntry(new Cursor(e[1], ""));
        const shard = f.shards[entry.shardId];
        if (shard === undefined || entry.offset + entry.size > shard.length) return undefined;
        const data = mutateBytes(
          r,
          shard.subarray(entry.offset, entry.offset + entry.size),
          f.index,
        );
        const shards = f.shards.slice();
        const s = new Uint8Array(shard.length - entry.size + data.length);
        s.set(shard.subarray(0, entry.offset));
        s.set(data, entry.offset);
        s.set(shard.subarray(entry.offset + entry.size), entry.offset + data.length);
        shards[entry.shardId] = s;
        e[1] = encodeEntry({ ...entry, crc32c: maskCrc(crc32c(data)) });
        return { label: f.label, index: buildTable(entries), shards };
      } catch {
        return undefined;
      }
    }
  }
  return { label: f.label, index: buildTable(entries), shards: f.shards };
}

/**
 * The mutated checkpoint of case `i` under `seed`.
 *
 * @param seed the run's seed
 * @param i the case number
 * @returns the files to read
 */
export function mutatedCase(seed: number, i: number): Files {
  const r = rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0);
  const base = baseCorpus();
  let f = base[int(r, base.length)]!;
  const other = base[int(r, base.length)]!;
  const rounds = 1 + int(r, 3);
  for (let k = 0; k < rounds; k++) {
    const kind = int(r, 10);
    if (kind < 4) {
      const index = mutateBytes(r, f.index, other.index);
      if (int(r, 2) === 0) fixBlockCrcs(index);
      f = { ...f, index };
    } else if (kind < 6 && f.shards.length > 0) {
      const s = int(r, f.shards.length);
      const shards = f.shards.slice();
      shards[s] = mutateBytes(r, f.shards[s]!, other.shards[0] ?? other.index);
      f = { ...f, shards };
    } else {
      f = mutateEntries(r, f) ?? f;
    }
  }
  return f;
}

/** The outcome of reading one file fully: "ok", an error code, or a crash. */
export type Outcome =
  | { readonly kind: "ok" }
  | { readonly kind: "typed"; readonly code: string }
  | {
    readonly kind: "crash";
    readonly error: string;
  };

function readAll(ckpt: TfCheckpointReader): void {
  for (const info of ckpt.list()) {
    const t = ckpt.read(info.name);
    try {
      toTfjsValues(t);
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
    }
    for (const s of ckpt.slices(info.name)) ckpt.readSlice(info.name, s);
    ckpt.storage(info.name);
  }
}

/**
 * Opens `f`, lists it and reads every tensor (and every slice); every
 * non-CheckpointError is a crash.
 *
 * @param f the files
 * @param dir when given, the files are written there and read through the file path
 * @returns the outcome
 */
export function runCase(f: Files, dir?: string): Outcome {
  try {
    if (dir === undefined) {
      readAll(openTfCheckpointBytes({ index: f.index, shards: f.shards }));
    } else {
      const n = f.shards.length;
      const pad = (x: number): string => String(x).padStart(5, "0");
      for (const e of Deno.readDirSync(dir)) Deno.removeSync(`${dir}/${e.name}`);
      Deno.writeFileSync(`${dir}/c.index`, f.index);
      for (let s = 0; s < n; s++) {
        Deno.writeFileSync(`${dir}/c.data-${pad(s)}-of-${pad(n)}`, f.shards[s]!);
      }
      readAll(openTfCheckpoint(`${dir}/c`));
    }
    return { kind: "ok" };
  } catch (e) {
    if (e instanceof CheckpointError) {
      // A typed error must name a file (and its message must start with it).
      if (e.file === undefined || !e.message.startsWith(e.file)) {
        return { kind: "crash", error: `CheckpointError without its file: ${e.message}` };
      }
      return { kind: "typed", code: e.code };
    }
    return {
      kind: "crash",
      error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e),
    };
  }
}
