/**
 * Reading the legacy V1 checkpoint format (TensorSliceWriter): one SSTable
 * whose "" entry is a SavedTensorSlices message with the `meta` of every
 * tensor and whose other entries, under OrderedCode slice keys, are
 * SavedTensorSlices messages carrying one slice's values as a TensorProto.
 *
 * @module
 */
import { Cursor, decodeKey } from "./_bytes.ts";
import { decodeShape, decodeSlice, skipField, type SliceExtent, sub } from "./_bundle_proto.ts";
import {
  dtypeNumberName,
  dtypeOfNumber,
  elementSize,
  HOST_LITTLE_ENDIAN,
  viewAs,
} from "./_dtypes.ts";
import { sliceKey } from "./_ordered_code.ts";
import type { TableEntry } from "./_sstable.ts";
import { elementCount } from "./_tensor_bytes.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import type { StoredDType, StoredValues } from "./stored_tensor.ts";
import {
  checkNoOverlap,
  makeReader,
  type Piece,
  type StoredSlice,
  type Tensor,
  type TfCheckpointReader,
} from "./tf_checkpoint_reader.ts";

interface SliceMeta {
  readonly name: Uint8Array;
  readonly shape: number[];
  readonly dtype: number;
  readonly slices: SliceExtent[][];
  readonly at: number;
}

function keyString(k: Uint8Array): string {
  let s = "";
  for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]!);
  return s;
}

/** The fields of a V1 SavedTensorSlices message this reader uses. */
function decodeSaved(c: Cursor): { meta: SliceMeta[] | undefined; data: Cursor | undefined } {
  let meta: SliceMeta[] | undefined;
  let data: Cursor | undefined;
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("field tag");
    if (tag === 0x0a) {
      const m = sub(c, "meta");
      meta = [];
      while (m.pos < m.end) {
        const mat = m.pos;
        const mtag = m.varint32("meta field tag");
        if (mtag === 0x0a) meta.push(decodeSliceMeta(sub(m, "tensor meta"), m.base + mat));
        else if (mtag === 0x12) {
          const v = sub(m, "versions");
          while (v.pos < v.end) {
            const vat = v.pos;
            const vtag = v.varint32("version field tag");
            if (vtag === 0x10 && v.varint64("min_consumer") > 1) {
              v.fail(
                "LegacyFormat",
                "this V1 checkpoint needs a newer reader (min_consumer > 1)",
                vat,
              );
            } else if (vtag !== 0x10) skipField(v, vtag & 7, vat);
          }
        } else skipField(m, mtag & 7, mat);
      }
    } else if (tag === 0x12) {
      data = sub(c, "data");
    } else skipField(c, tag & 7, at);
  }
  return { meta, data };
}

function decodeSliceMeta(c: Cursor, at: number): SliceMeta {
  let name: Uint8Array = new Uint8Array(0);
  let shape: number[] = [];
  let dtype = 0;
  const slices: SliceExtent[][] = [];
  while (c.pos < c.end) {
    const fat = c.pos;
    const tag = c.varint32("tensor meta field tag");
    if (tag === 0x0a) name = c.take(c.varint64("name length"), "name");
    else if (tag === 0x12) shape = decodeShape(sub(c, "shape"));
    else if (tag === 0x18) dtype = c.varint64("type");
    else if (tag === 0x22) slices.push(decodeSlice(sub(c, "slice")));
    else skipField(c, tag & 7, fat);
  }
  return { name, shape, dtype, slices, at };
}

/** Reads a TensorProto's values for `count` elements of `dtype`. */
function decodeTensorProto(c: Cursor, dtype: StoredDType, count: number): StoredValues {
  const nums: number[] = [];
  const bigs: bigint[] = [];
  const strings: Uint8Array[] = [];
  let content: Uint8Array | undefined;
  const start = c.pos;
  // The field that holds this dtype's values, and its element wire type.
  const field = dtype === "float32"
    ? 5
    : dtype === "float64"
    ? 6
    : dtype === "int64"
    ? 10
    : dtype === "bool"
    ? 11
    : dtype === "string"
    ? 8
    : dtype === "float16" || dtype === "bfloat16"
    ? 13
    : 7;
  const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const readOne = (v: Cursor, wire: number): void => {
    if (field === 5) {
      const b = v.take(4, "float_val");
      nums.push(view(b).getFloat32(0, true));
    } else if (field === 6) {
      const b = v.take(8, "double_val");
      nums.push(view(b).getFloat64(0, true));
    } else if (field === 10) bigs.push(v.varintBig("int64_val"));
    else nums.push(v.varint64("value"));
    void wire;
  };
  while (c.pos < c.end) {
    const at = c.pos;
    const tag = c.varint32("tensor field tag");
    const f = Math.floor(tag / 8), wire = tag & 7;
    if (f === 4 && wire === 2) {
      content = c.take(c.varint64("tensor_content length"), "tensor_content");
    } else if (f === field && field === 8 && wire === 2) {
      strings.push(c.take(c.varint64("string_val length"), "string_val"));
    } else if (f === field && wire === 2) {
      const packed = sub(c, "packed values");
      while (packed.pos < packed.end) readOne(packed, wire);
    } else if (f === field && (wire === 0 || wire === 1 || wire === 5)) readOne(c, wire);
    else skipField(c, wire, at);
    const got = nums.length + bigs.length + strings.length;
    if (got > count) c.fail("ShapeSizeMismatch", `more than the ${count} values of the slice`, at);
  }
  const mismatch = (n: number): never =>
    c.fail(
      "ShapeSizeMismatch",
      `the slice has ${count} elements, the TensorProto ${n} values`,
      start,
    );
  if (dtype === "string") {
    if (strings.length !== count) mismatch(strings.length);
    return strings.map((b) => b.slice());
  }
  const size = elementSize(dtype);
  if (content !== undefined && content.length > 0) {
    if (content.length !== count * size) mismatch(content.length / size);
    if (!HOST_LITTLE_ENDIAN) c.fail("Unsupported", "this reader needs a little-endian host");
    return viewAs(dtype, content.slice());
  }
  if (dtype === "int64") {
    if (bigs.length !== count) mismatch(bigs.length);
    return BigInt64Array.from(bigs);
  }
  if (nums.length !== count) mismatch(nums.length);
  switch (dtype) {
    case "float32":
      return Float32Array.from(nums);
    case "float64":
      return Float64Array.from(nums);
    case "int32":
      return Int32Array.from(nums);
    case "int16":
      return Int16Array.from(nums);
    case "int8":
      return Int8Array.from(nums);
    case "uint8":
      return Uint8Array.from(nums);
    case "bool":
      return Uint8Array.from(nums, (x) => (x !== 0 ? 1 : 0));
    default: // uint16, float16, bfloat16 (half_val holds the bit pattern)
      return Uint16Array.from(nums);
  }
}

/**
 * Opens a V1 checkpoint from its table's entries.
 *
 * @param table the verified table entries (key "" first)
 * @param file the file, for errors
 * @param prefix the name the checkpoint was opened by
 * @returns the reader
 */
export function openV1Table(
  table: readonly TableEntry[],
  file: string,
  prefix: string,
): TfCheckpointReader {
  const first = table[0]!;
  const { meta } = decodeSaved(new Cursor(first.value, file, first.offset));
  if (meta === undefined) {
    throw new CheckpointError("Malformed", "the V1 header entry has no meta", {
      file,
      offset: first.offset,
    });
  }
  const byKey = new Map<string, TableEntry>();
  for (const t of table) if (t.key[0] === 0) byKey.set(keyString(t.key), t);
  const tensors = new Map<string, Tensor>();
  for (const m of meta) {
    const name = decodeKey(m.name);
    const what = `V1 tensor ${JSON.stringify(name)}`;
    const fail = (code: ConstructorParameters<typeof CheckpointError>[0], msg: string): never => {
      throw new CheckpointError(code, `${what}: ${msg}`, { file, offset: m.at });
    };
    if (name.length === 0) fail("Malformed", "empty name");
    const dtype = dtypeOfNumber(m.dtype);
    if (dtype === undefined) {
      return fail("UnknownDType", `dtype ${dtypeNumberName(m.dtype)} is not supported`);
    }
    const count = elementCount(m.shape, (msg) => fail("TooLarge", msg));
    const slices: StoredSlice[] = [];
    for (const extents of m.slices) {
      if (extents.length !== m.shape.length) {
        fail("BadSlices", `a slice has ${extents.length} extents for rank ${m.shape.length}`);
      }
      const start: number[] = [], length: number[] = [], keyLengths: number[] = [];
      extents.forEach((x, d) => {
        const len = x.length === undefined ? m.shape[d]! : x.length;
        const st = x.length === undefined ? 0 : x.start;
        if (st < 0 || len < 0 || st + len > m.shape[d]!) {
          fail("BadSlices", `extent ${st},${len} outside dimension ${d} of ${m.shape[d]}`);
        }
        start.push(st);
        length.push(len);
        keyLengths.push(x.length === undefined ? -1 : len);
      });
      const entry = byKey.get(keyString(sliceKey(m.name, start, keyLengths)));
      if (entry === undefined) fail("BadSlices", "a slice's entry is missing");
      const sliceCount = elementCount(length, (msg) => fail("TooLarge", msg));
      const piece: Piece = {
        storage: undefined,
        load: () => {
          const { data } = decodeSaved(new Cursor(entry!.value, file, entry!.offset));
          if (data === undefined) {
            throw new CheckpointError("Malformed", `${what}: the slice entry holds no data`, {
              file,
              offset: entry!.offset,
            });
          }
          let values: StoredValues | undefined;
          while (data.pos < data.end) {
            const at = data.pos;
            const tag = data.varint32("slice field tag");
            if (tag === 0x1a) values = decodeTensorProto(sub(data, "data"), dtype, sliceCount);
            else skipField(data, tag & 7, at);
          }
          if (values === undefined) {
            throw new CheckpointError("Malformed", `${what}: the slice holds no TensorProto`, {
              file,
              offset: entry!.offset,
            });
          }
          return values;
        },
      };
      slices.push({ start, length, at: entry!.offset, ...piece });
    }
    checkNoOverlap(name, slices, file, m.at);
    const only = slices.length === 1 ? slices[0]! : undefined;
    const whole = only !== undefined && only.length.every((l, d) => l === m.shape[d])
      ? only
      : undefined;
    if (tensors.has(name)) fail("DuplicateKey", "listed twice in the meta");
    tensors.set(name, {
      name,
      dtype,
      shape: Object.freeze([...m.shape]),
      count,
      whole,
      at: m.at,
      slices: whole === undefined ? Object.freeze(slices) : Object.freeze([]),
    });
  }
  const sorted = new Map([...tensors].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return makeReader(prefix, 1, file, sorted);
}
