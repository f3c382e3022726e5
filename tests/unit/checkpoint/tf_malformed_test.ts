// Malformed checkpoints: every corruption is a CheckpointError with a stable
// code whose message names the file and the byte offset (issue 10,
// "Reliability"; spec §8 "Reader must verify").
import * as assert from "node:assert/strict";
import {
  CheckpointError,
  type CheckpointErrorCode,
  openTfCheckpoint,
  openTfCheckpointBytes,
} from "varscope/checkpoint";
import {
  type BundleEntry,
  encodeEntry,
  encodeHeader,
} from "../../../lib/checkpoint/_bundle_proto.ts";
import { crc32c, maskCrc } from "../../../lib/checkpoint/_crc32c.ts";
import { buildTable } from "../../../lib/checkpoint/_sstable.ts";
import { fixtureBytes, tempDir, throwsCode } from "./_helpers.ts";

const enc = new TextEncoder();
// tf1-half-plus-two (README): data block [0, 66), metaindex [71, 79), index
// block [84, 98), footer [103, 151); data file: a, b, c at 0, 4, 8.
const HPT = fixtureBytes("tf1-half-plus-two");

function mutate(bytes: Uint8Array, f: (b: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice();
  f(copy);
  return copy;
}

function flip(b: Uint8Array, i: number, mask: number): void {
  b[i] = b[i]! ^ mask;
}

/** Recomputes the trailer CRC of the block at [off, off + size). */
function recrc(b: Uint8Array, off: number, size: number): void {
  const m = maskCrc(crc32c(b.subarray(off, off + size + 1)));
  new DataView(b.buffer, b.byteOffset).setUint32(off + size + 1, m, true);
}

/** A table whose one data block is stored as given with type 1 (Snappy). */
function snappyTable(stored: Uint8Array): Uint8Array {
  const out: number[] = [];
  const block = (bytes: Uint8Array | number[], type: number): [number, number] => {
    const at = out.length;
    out.push(...bytes, type);
    const crc = maskCrc(crc32c(new Uint8Array(out.slice(at))));
    out.push(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24);
    return [at, bytes.length];
  };
  const varint = (v: number): number[] => {
    const b: number[] = [];
    while (v >= 0x80) b.push((v & 0x7f) | 0x80), (v = Math.floor(v / 0x80));
    b.push(v);
    return b;
  };
  const [dOff, dSize] = block(stored, 1);
  const [mOff, mSize] = block([0, 0, 0, 0, 1, 0, 0, 0], 0);
  const handle = [...varint(dOff), ...varint(dSize)];
  const [iOff, iSize] = block([0, 1, handle.length, 0x64, ...handle, 0, 0, 0, 0, 1, 0, 0, 0], 0);
  const footer = [...varint(mOff), ...varint(mSize), ...varint(iOff), ...varint(iSize)];
  while (footer.length < 40) footer.push(0);
  footer.push(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
  return new Uint8Array([...out, ...footer]);
}

function entry(e: Partial<BundleEntry>): Uint8Array {
  return encodeEntry({
    dtype: 1,
    shape: [],
    shardId: 0,
    offset: 0,
    size: 4,
    crc32c: 0,
    slices: [],
    ...e,
  });
}

/** An index of hand-made entries (keys in the order given, not sorted). */
function index(entries: [string, Uint8Array][], numShards = 1): Uint8Array {
  return buildTable([
    [new Uint8Array(0), encodeHeader(numShards)],
    ...entries.map(([k, v]): [Uint8Array, Uint8Array] => [enc.encode(k), v]),
  ]);
}

interface Case {
  readonly what: string;
  readonly code: CheckpointErrorCode;
  readonly index: Uint8Array;
  readonly shards?: readonly Uint8Array[];
  /** Read this tensor after opening (the error comes from the read). */
  readonly read?: string;
  readonly file?: string;
  readonly offset?: number;
}

const CASES: readonly Case[] = [
  {
    what: "bad magic",
    code: "BadMagic",
    index: mutate(HPT.index, (b) => flip(b, 150, 1)),
    offset: 143,
  },
  { what: "truncated footer", code: "Truncated", index: HPT.index.subarray(0, 40), offset: 40 },
  {
    what: "file cut before the footer's end (magic gone)",
    code: "BadMagic",
    index: HPT.index.subarray(0, 150),
  },
  {
    what: "bad varint in the footer",
    code: "BadVarint",
    index: mutate(HPT.index, (b) => b.fill(0xff, 103, 143)),
    offset: 103,
  },
  {
    what: "CRC flip in the data block",
    code: "CrcMismatch",
    index: mutate(HPT.index, (b) => flip(b, 20, 0x10)),
    offset: 67,
  },
  {
    what: "CRC flip in the index block trailer",
    code: "CrcMismatch",
    index: mutate(HPT.index, (b) => flip(b, 99, 1)),
    offset: 99,
  },
  {
    what: "block handle past the end",
    code: "OutOfRange",
    // Footer handles 47 08 54 0e -> index block size 1000 (e8 07).
    index: mutate(HPT.index, (b) => b.set([0x47, 0x08, 0x54, 0xe8, 0x07], 103)),
    offset: 84,
  },
  {
    what: "index pointing twice at the same data block",
    code: "Malformed",
    index: (() => {
      // Rebuild tf1-half-plus-two's index block with two entries for block (0, 66).
      const b = HPT.index;
      const handle = [0x00, 0x42];
      const block = [
        0,
        1,
        2,
        0x63,
        ...handle,
        0,
        1,
        2,
        0x64,
        ...handle,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        2,
        0,
        0,
        0,
      ];
      const out = new Uint8Array(84 + block.length + 5 + 48);
      out.set(b.subarray(0, 84));
      out.set(block, 84);
      recrc(out, 84, block.length);
      const footer = [0x47, 0x08, 0x54, block.length];
      out.set(footer, 84 + block.length + 5);
      out.set(b.subarray(143), out.length - 8);
      return out;
    })(),
    offset: 84 + 10,
  },
  {
    what: "unknown block compression type",
    code: "Malformed",
    index: mutate(HPT.index, (b) => {
      b[66] = 7;
      recrc(b, 0, 66);
    }),
    offset: 66,
  },
  {
    what: "restart count larger than the block",
    code: "Malformed",
    index: mutate(HPT.index, (b) => {
      b[62] = 200;
      recrc(b, 0, 66);
    }),
  },
  {
    what: "entry sharing more bytes than the previous key has",
    code: "Malformed",
    // Entry "a" starts at 9 (after the header's 3 length bytes + 6 value bytes).
    index: mutate(HPT.index, (b) => {
      b[9] = 5;
      recrc(b, 0, 66);
    }),
  },
  {
    what: "CRC flip in a tensor",
    code: "CrcMismatch",
    index: HPT.index,
    shards: [mutate(HPT.data, (b) => flip(b, 5, 1))],
    read: "b",
    file: "<memory>.data-00000-of-00001",
    offset: 4,
  },
  {
    what: "tensor range past the end of the shard",
    code: "OutOfRange",
    index: HPT.index,
    shards: [HPT.data.subarray(0, 10)],
    read: "c",
    file: "<memory>.data-00000-of-00001",
    offset: 8,
  },
  {
    what: "shape/byte-size mismatch",
    code: "ShapeSizeMismatch",
    index: index([["a", entry({ shape: [2], size: 4 })]]),
  },
  {
    what: "huge dims (element count beyond 2^53)",
    code: "TooLarge",
    index: index([["a", entry({ shape: [2 ** 40, 2 ** 40], size: 4 })]]),
  },
  {
    what: "huge but consistent size, refused before allocating",
    code: "OutOfRange",
    index: index([["a", entry({ dtype: 6, shape: [2 ** 50], size: 2 ** 50 })]]),
    shards: [HPT.data],
    read: "a",
    file: "<memory>.data-00000-of-00001",
    offset: 0,
  },
  {
    what: "string tensor claiming more elements than bytes",
    code: "ShapeSizeMismatch",
    index: index([["s", entry({ dtype: 7, shape: [1000], size: 12 })]]),
  },
  {
    what: "unknown dtype (DT_COMPLEX64)",
    code: "UnknownDType",
    index: index([["a", entry({ dtype: 8 })]]),
  },
  {
    what: "missing shard",
    code: "MissingShard",
    index: index([["a", entry({ shardId: 1 })]], 2),
    shards: [HPT.data],
    read: "a",
    file: "<memory>.data-00001-of-00002",
  },
  {
    what: "shard id beyond num_shards",
    code: "OutOfRange",
    index: index([["a", entry({ shardId: 3 })]], 2),
  },
  {
    what: "unsorted keys",
    code: "UnsortedKeys",
    index: index([["b", entry({})], ["a", entry({})]]),
  },
  {
    what: "duplicate keys",
    code: "DuplicateKey",
    index: index([["a", entry({})], ["a", entry({})]]),
  },
  {
    what: "no header entry",
    code: "Malformed",
    index: buildTable([[enc.encode("a"), entry({})]]),
  },
  {
    what: "big-endian bundle",
    code: "Unsupported",
    index: buildTable([[new Uint8Array(0), new Uint8Array([0x08, 0x01, 0x10, 0x01])]]),
  },
  {
    what: "varint cut off inside an entry",
    code: "BadVarint",
    index: index([["a", entry({}).subarray(0, 3)]]),
  },
  {
    what: "truncated entry proto",
    code: "Truncated",
    // Shape field claiming 5 bytes with 1 left.
    index: index([["a", new Uint8Array([0x08, 0x01, 0x12, 0x05, 0x12])]]),
  },
  {
    what: "partitioned variable whose slice entry is missing",
    code: "BadSlices",
    index: index([["a", entry({ shape: [4], size: 0, slices: [[{ start: 0, length: 2 }]] })]]),
  },
  {
    what: "partitioned variable with a slice outside its shape",
    code: "BadSlices",
    index: index([["a", entry({ shape: [4], size: 0, slices: [[{ start: 3, length: 2 }]] })]]),
  },
];

for (const c of CASES) {
  Deno.test(`§8 reader: ${c.what} gives ${c.code} naming file and offset`, () => {
    const open = () => openTfCheckpointBytes({ index: c.index, shards: c.shards ?? [HPT.data] });
    const e = throwsCode(() => (c.read === undefined ? open() : open().read(c.read)), c.code);
    assert.equal(e.file, c.file ?? "<memory>.index");
    assert.ok(e.message.startsWith(e.file!), e.message);
    if (c.offset !== undefined) {
      assert.equal(e.offset, c.offset, e.message);
      assert.ok(e.message.includes(`at offset ${c.offset}:`), e.message);
    }
    if (c.code !== "MissingShard" && c.read === undefined) {
      assert.notEqual(e.offset, undefined, `an index error names an offset: ${e.message}`);
    }
  });
}

// The Snappy fixture: one compressed data block [0, 87) decompressing to 100 bytes.
const SNAPPY = fixtureBytes("tf1-half-plus-two-snappy");

Deno.test("§3.5 Snappy: a lying uncompressed length is refused before allocating", () => {
  const bad = mutate(SNAPPY.index, (b) => {
    // Declared length 100 (64) becomes 127: the elements produce 100.
    b[0] = 0x7f;
    recrc(b, 0, 87);
  });
  const e = throwsCode(
    () => openTfCheckpointBytes({ index: bad, shards: [SNAPPY.data] }),
    "Malformed",
  );
  assert.match(e.message, /Snappy block/);
  // A block claiming 2^32 - 1 bytes from 91 is refused before any allocation.
  const body = SNAPPY.index.subarray(1, 87);
  const huge = snappyTable(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, ...body]));
  const e2 = throwsCode(
    () => openTfCheckpointBytes({ index: huge, shards: [SNAPPY.data] }),
    "TooLarge",
  );
  assert.equal(e2.offset, 0);
});

Deno.test("§3.5 Snappy: a copy reaching before the output start is Malformed, not garbage", () => {
  // Find the first copy element after the length varint (64) and the first literal.
  const bad = mutate(SNAPPY.index, (b) => {
    // Literal tag at 1 (length (tag >> 2) + 1); the element after it is a copy.
    const lit = (b[1]! >> 2) + 1;
    const copyAt = 2 + lit;
    assert.notEqual(b[copyAt]! & 3, 0, "expected a copy element");
    if ((b[copyAt]! & 3) === 1) b[copyAt + 1] = 0xff;
    else b[copyAt + 1] = 0xff, b[copyAt + 2] = 0x7f;
    recrc(b, 0, 87);
  });
  const e = throwsCode(
    () => openTfCheckpointBytes({ index: bad, shards: [SNAPPY.data] }),
    "Malformed",
  );
  assert.match(e.message, /copy offset/);
  assert.equal(e.offset, 2 + ((SNAPPY.index[1]! >> 2) + 1));
});

Deno.test("§6.2: a string tensor whose lengths lie, or whose length checksum is wrong, is refused", () => {
  const s = fixtureBytes("tf2-int64-scalars");
  // The string sits at 16: varint 9e 01 (158), 4 checksum bytes, 158 bytes.
  const shorter = mutate(s.data, (b) => (b[16] = 0x9d));
  const e1 = throwsCode(
    () =>
      openTfCheckpointBytes({ index: s.index, shards: [shorter] }).read(
        "_CHECKPOINTABLE_OBJECT_GRAPH",
      ),
    "ShapeSizeMismatch",
  );
  assert.equal(e1.offset, 22);
  const badSum = mutate(s.data, (b) => flip(b, 18, 1));
  const e2 = throwsCode(
    () =>
      openTfCheckpointBytes({ index: s.index, shards: [badSum] }).read(
        "_CHECKPOINTABLE_OBJECT_GRAPH",
      ),
    "CrcMismatch",
  );
  assert.equal(e2.offset, 18);
  const badBody = mutate(s.data, (b) => flip(b, 100, 1));
  const e3 = throwsCode(
    () =>
      openTfCheckpointBytes({ index: s.index, shards: [badBody] }).read(
        "_CHECKPOINTABLE_OBJECT_GRAPH",
      ),
    "CrcMismatch",
  );
  assert.equal(e3.offset, 16);
});

Deno.test("file-based: missing index is NotFound, a directory or garbage index a typed error", () => {
  const { dir, cleanup } = tempDir();
  try {
    throwsCode(() => openTfCheckpoint(`${dir}/none`), "NotFound");
    Deno.writeFileSync(`${dir}/junk.index`, new Uint8Array(100));
    const e = throwsCode(() => openTfCheckpoint(`${dir}/junk`), "BadMagic");
    assert.equal(e.file, `${dir}/junk.index`);
    Deno.mkdirSync(`${dir}/d.index`);
    const e2 = openTfCheckpointOrError(`${dir}/d`);
    assert.ok(e2 instanceof CheckpointError, String(e2));
    // A data shard cut short on disk.
    Deno.writeFileSync(`${dir}/m.index`, HPT.index);
    Deno.writeFileSync(`${dir}/m.data-00000-of-00001`, HPT.data.subarray(0, 6));
    const e3 = throwsCode(() => openTfCheckpoint(`${dir}/m`).read("b"), "OutOfRange");
    assert.equal(e3.file, `${dir}/m.data-00000-of-00001`);
    assert.equal(e3.offset, 4);
    throwsCode(() => openTfCheckpoint(""), "InvalidArgument");
    throwsCode(() => openTfCheckpoint(7 as unknown as string), "InvalidArgument");
  } finally {
    cleanup();
  }
});

function openTfCheckpointOrError(p: string): unknown {
  try {
    return openTfCheckpoint(p);
  } catch (e) {
    return e;
  }
}

Deno.test("openTfCheckpointBytes with wrong argument types is InvalidArgument", () => {
  throwsCode(() => openTfCheckpointBytes(null as never), "InvalidArgument");
  throwsCode(
    () => openTfCheckpointBytes({ index: [1, 2] as never, shards: [] }),
    "InvalidArgument",
  );
  const proxy = new Proxy({}, {
    get: () => {
      throw new Error("trap");
    },
  });
  throwsCode(() => openTfCheckpointBytes(proxy as never), "InvalidArgument");
});
