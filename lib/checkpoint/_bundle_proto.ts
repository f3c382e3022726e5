/**
 * Hand-written protobuf decoding and encoding of the bundle's small
 * messages: BundleHeaderProto, BundleEntryProto, TensorShapeProto and
 * TensorSliceProto. Unknown fields are skipped; fields are written in
 * field-number order with proto3 defaults omitted, as TensorFlow writes them.
 *
 * @module
 */
import { ByteWriter, Cursor } from "./_bytes.ts";
import { CheckpointError } from "./checkpoint_error.ts";

/** The bundle header (key ""). */
export interface BundleHeader {
  readonly numShards: number;
  readonly endianness: number;
  readonly producer: number;
  readonly minConsumer: number;
  readonly badConsumers: readonly number[];
}

/** One extent of a slice: `length` undefined means the whole dimension. */
export interface SliceExtent {
  readonly start: number;
  readonly length: number | undefined;
}

/** One bundle entry (a tensor, a slice, or a partitioned variable's full entry). */
export interface BundleEntry {
  readonly dtype: number;
  readonly shape: readonly number[];
  readonly shardId: number;
  readonly offset: number;
  readonly size: number;
  readonly crc32c: number;
  readonly slices: readonly (readonly SliceExtent[])[];
}

/** Skips one field of the given wire type. */
export function skipField(c: Cursor, wire: number, at: number): void {
  switch (wire) {
    case 0:
      c.varint64("unknown varint field");
      return;
    case 1:
      c.take(8, "unknown fixed64 field");
      return;
    case 2: {
      const n = c.varint64("unknown field length");
      if (n < 0) c.fail("Malformed", "negative field length", at);
      c.take(n, "unknown length-delimited field");
      return;
    }
    case 5:
      c.take(4, "unknown fixed32 field");
      return;
    default:
      c.fail("Malformed", `protobuf wire type ${wire} is not allowed here`, at);
  }
}

/** The cursor over a length-delimited field. */
export function sub(c: Cursor, what: string): Cursor {
  const n = c.varint64(`${what} length`);
  if (n < 0) c.fail("Malformed", `${what}: negative length`);
  const start = c.pos;
  c.take(n, what);
  return new Cursor(c.bytes, c.file, c.base, start, start + n);
}

function expectWire(c: Cursor, wire: number, want: number, field: string, at: number): void {
  if (wire !== want) {
    c.fail("Malformed", `${field} has wire type ${wire}, expected ${want}`, at);
  }
}

/** Whether a "" value looks like V1's SavedTensorSlices (field 1 is a message). */
export function looksLikeV1Header(value: Uint8Array): boolean {
  return value.length > 0 && value[0] === 0x0a;
}

/**
 * Decodes a BundleHeaderProto.
 *
 * @param c the value's bytes
 * @returns the header
 */
export function decodeHeader(c: Cursor): BundleHeader {
  let numShards = 0, endianness = 0, producer = 0, minConsumer = 0;
  const bad: number[] = [];
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("header field tag");
    const field = Math.floor(tag / 8), wire = tag & 7;
    if (field === 1) {
      expectWire(c, wire, 0, "num_shards", at);
      numShards = c.varint64("num_shards");
    } else if (field === 2) {
      expectWire(c, wire, 0, "endianness", at);
      endianness = c.varint64("endianness");
    } else if (field === 3) {
      expectWire(c, wire, 2, "version", at);
      const v = sub(c, "version");
      while (v.pos < v.end) {
        const vat = v.pos;
        const vtag = v.varint32("version field tag");
        const vf = Math.floor(vtag / 8), vw = vtag & 7;
        if (vf === 1 && vw === 0) producer = v.varint64("producer");
        else if (vf === 2 && vw === 0) minConsumer = v.varint64("min_consumer");
        else if (vf === 3 && vw === 0) bad.push(v.varint64("bad_consumers"));
        else if (vf === 3 && vw === 2) {
          const p = sub(v, "bad_consumers");
          while (p.pos < p.end) bad.push(p.varint64("bad_consumers"));
        } else skipField(v, vw, vat);
      }
    } else skipField(c, wire, at);
  }
  return { numShards, endianness, producer, minConsumer, badConsumers: bad };
}

/** Decodes a TensorShapeProto (unknown rank and negative dims refused). */
export function decodeShape(c: Cursor): number[] {
  const dims: number[] = [];
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("shape field tag");
    const field = Math.floor(tag / 8), wire = tag & 7;
    if (field === 2) {
      expectWire(c, wire, 2, "shape dim", at);
      const d = sub(c, "shape dim");
      let size = 0;
      while (d.pos < d.end) {
        const dat = d.pos;
        const dtag = d.varint32("dim field tag");
        if (dtag === 8) size = d.varint64("dim size");
        else skipField(d, dtag & 7, dat);
      }
      if (size < 0) c.fail("Malformed", `shape has a negative dimension ${size}`, at);
      dims.push(size);
    } else if (field === 3) {
      expectWire(c, wire, 0, "unknown_rank", at);
      if (c.varint64("unknown_rank") !== 0) c.fail("Malformed", "shape has unknown rank", at);
    } else skipField(c, wire, at);
  }
  return dims;
}

/** Decodes a TensorSliceProto. */
export function decodeSlice(c: Cursor): SliceExtent[] {
  const extents: SliceExtent[] = [];
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("slice field tag");
    if (tag === 10) {
      const e = sub(c, "slice extent");
      let start = 0;
      let length: number | undefined;
      while (e.pos < e.end) {
        const eat = e.pos;
        const etag = e.varint32("extent field tag");
        if (etag === 8) start = e.varint64("extent start");
        else if (etag === 16) length = e.varint64("extent length");
        else skipField(e, etag & 7, eat);
      }
      extents.push({ start, length });
    } else skipField(c, tag & 7, at);
  }
  return extents;
}

/**
 * Decodes a BundleEntryProto.
 *
 * @param c the value's bytes
 * @returns the entry
 */
export function decodeEntry(c: Cursor): BundleEntry {
  let dtype = 0, shardId = 0, offset = 0, size = 0, crc = 0;
  let shape: number[] = [];
  const slices: SliceExtent[][] = [];
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("entry field tag");
    const field = Math.floor(tag / 8), wire = tag & 7;
    switch (field) {
      case 1:
        expectWire(c, wire, 0, "dtype", at);
        dtype = c.varint64("dtype");
        break;
      case 2:
        expectWire(c, wire, 2, "shape", at);
        shape = decodeShape(sub(c, "shape"));
        break;
      case 3:
        expectWire(c, wire, 0, "shard_id", at);
        shardId = c.varint64("shard_id");
        break;
      case 4:
        expectWire(c, wire, 0, "offset", at);
        offset = c.varint64("offset");
        break;
      case 5:
        expectWire(c, wire, 0, "size", at);
        size = c.varint64("size");
        break;
      case 6:
        expectWire(c, wire, 5, "crc32c", at);
        crc = c.fixed32("crc32c");
        break;
      case 7:
        expectWire(c, wire, 2, "slices", at);
        slices.push(decodeSlice(sub(c, "slices")));
        break;
      default:
        skipField(c, wire, at);
    }
  }
  if (offset < 0 || size < 0 || shardId < 0) {
    throw new CheckpointError("OutOfRange", "entry has a negative shard, offset or size", {
      file: c.file,
      offset: c.base,
    });
  }
  return { dtype, shape, shardId, offset, size, crc32c: crc, slices };
}

/** The header TensorFlow writes: one shard, little-endian, producer 1. */
export function encodeHeader(numShards: number): Uint8Array {
  const w = new ByteWriter(8);
  w.varint(8);
  w.varint(numShards);
  w.varint(0x1a);
  w.varint(2);
  w.varint(8);
  w.varint(1);
  return w.view().slice();
}

function encodeShape(w: ByteWriter, shape: readonly number[]): void {
  const s = new ByteWriter(4 + shape.length * 6);
  for (const d of shape) {
    s.varint(0x12);
    if (d === 0) s.varint(0);
    else {
      const dim = new ByteWriter(12);
      dim.varint(8);
      dim.varint(d);
      s.varint(dim.length);
      s.bytes(dim.view());
    }
  }
  w.varint(0x12);
  w.varint(s.length);
  w.bytes(s.view());
}

/**
 * Encodes a BundleEntryProto in field order with proto3 defaults omitted.
 *
 * @param e the entry
 * @returns its bytes
 */
export function encodeEntry(e: BundleEntry): Uint8Array {
  const w = new ByteWriter(32);
  if (e.dtype !== 0) {
    w.varint(0x08);
    w.varint(e.dtype);
  }
  encodeShape(w, e.shape);
  if (e.shardId !== 0) {
    w.varint(0x18);
    w.varint(e.shardId);
  }
  if (e.offset !== 0) {
    w.varint(0x20);
    w.varint(e.offset);
  }
  if (e.size !== 0) {
    w.varint(0x28);
    w.varint(e.size);
  }
  if (e.crc32c !== 0) {
    w.varint(0x35);
    w.fixed32(e.crc32c);
  }
  for (const slice of e.slices) {
    const s = new ByteWriter(16);
    for (const x of slice) {
      const x1 = new ByteWriter(12);
      if (x.start !== 0) {
        x1.varint(0x08);
        x1.varintSigned(x.start);
      }
      if (x.length !== undefined) {
        x1.varint(0x10);
        x1.varintSigned(x.length);
      }
      s.varint(0x0a);
      s.varint(x1.length);
      s.bytes(x1.view());
    }
    w.varint(0x3a);
    w.varint(s.length);
    w.bytes(s.view());
  }
  return w.view().slice();
}
