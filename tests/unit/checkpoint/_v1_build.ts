// Builds legacy V1 checkpoint files (spec §9) from the format, for the V1
// tests and the fuzzer's corpus.
import { sliceKey } from "../../../lib/checkpoint/_ordered_code.ts";
import { buildTable } from "../../../lib/checkpoint/_sstable.ts";

const enc = new TextEncoder();

export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}
export const bytesField = (n: number, v: ArrayLike<number>): number[] => [
  ...varint((n << 3) | 2),
  ...varint(v.length),
  ...Array.from(v),
];
export const intField = (
  n: number,
  v: number | bigint,
): number[] => [...varint(n << 3), ...varint(v)];
export const shapeProto = (dims: number[]): number[] =>
  dims.flatMap((d) => bytesField(2, intField(1, d)));
/** TensorSliceProto; `null` for a whole dimension. */
export const sliceProto = (ext: ([number, number] | null)[]): number[] =>
  ext.flatMap((e) => bytesField(1, e === null ? [] : [...intField(1, e[0]), ...intField(2, e[1])]));

export interface V1Tensor {
  name: string;
  dtype: number;
  shape: number[];
  /** Per slice: extents and the TensorProto's value fields. */
  slices: { ext: ([number, number] | null)[]; proto: number[] }[];
}

export function v1File(tensors: V1Tensor[]): Uint8Array {
  const meta = tensors.flatMap((t) =>
    bytesField(1, [
      ...bytesField(1, enc.encode(t.name)),
      ...bytesField(2, shapeProto(t.shape)),
      ...intField(3, t.dtype),
      ...t.slices.flatMap((s) => bytesField(4, sliceProto(s.ext))),
    ])
  );
  const entries: [Uint8Array, Uint8Array][] = [[
    new Uint8Array(0),
    new Uint8Array(bytesField(1, meta)),
  ]];
  for (const t of tensors) {
    for (const s of t.slices) {
      const starts = s.ext.map((e) => (e === null ? 0 : e[0]));
      const lengths = s.ext.map((e) => (e === null ? -1 : e[1]));
      const saved = bytesField(2, [
        ...bytesField(1, enc.encode(t.name)),
        ...bytesField(2, sliceProto(s.ext)),
        ...bytesField(3, [...intField(1, t.dtype), ...s.proto]),
      ]);
      entries.push([sliceKey(enc.encode(t.name), starts, lengths), new Uint8Array(saved)]);
    }
  }
  entries.sort((a, b) => {
    const n = Math.min(a[0].length, b[0].length);
    for (let i = 0; i < n; i++) if (a[0][i] !== b[0][i]) return a[0][i]! - b[0][i]!;
    return a[0].length - b[0].length;
  });
  return buildTable(entries);
}
