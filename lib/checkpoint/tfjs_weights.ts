/**
 * The TensorFlow.js weights format in memory: `model.json`'s
 * `weightsManifest` and the bytes of its `.bin` shards, decoded to and
 * encoded from {@linkcode StoredTensor}s by name. No file I/O and no
 * tensor library here (see `tfjs_files.ts` for files).
 *
 * @module
 */
import { compareNames, elementCount, halfToNumber, isStoredDType } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import {
  checkIterable,
  checkString,
  errorText,
  invalidArgument,
  readArgument,
  readOptions,
} from "./_guard.ts";
import { describeValue } from "../core/errors.ts";
import { toTfjsValues } from "./tfjs_values.ts";
import type { StoredTensor } from "./stored_tensor.ts";

/**
 * The dtypes a TensorFlow.js weight can have (its `complex64` has no
 * checkpoint equivalent and is refused).
 *
 * @category checkpoint
 */
export type TfjsWeightDType = "float32" | "int32" | "bool" | "string";

/**
 * How a weight was quantized: stored as `dtype`, decoded as
 * `stored × scale + min` (uint8, uint16; rounded for int32 weights) or as
 * half-precision floats (float16, float32 weights only).
 *
 * @category checkpoint
 */
export interface TfjsQuantization {
  /** The stored element type. */
  readonly dtype: "uint8" | "uint16" | "float16";
  /** Step between stored integers (uint8, uint16). */
  readonly scale?: number;
  /** Value of stored 0 (uint8, uint16). */
  readonly min?: number;
  /** The dtype before quantization, as the converter records it. */
  // deno-lint-ignore camelcase -- the converter's JSON key
  readonly original_dtype?: string;
}

/**
 * One weight of a manifest group (TensorFlow.js `WeightsManifestEntry`).
 *
 * @category checkpoint
 */
export interface TfjsWeightEntry {
  /** The weight's name (for weights varscope writes, the TF1 name). */
  readonly name: string;
  /** Its shape ([] for scalars). */
  readonly shape: readonly number[];
  /** Its dtype after decoding. */
  readonly dtype: TfjsWeightDType;
  /** "model" or "optimizer", when the writer said. */
  readonly group?: string;
  /** How it is quantized, if it is. */
  readonly quantization?: TfjsQuantization;
}

/**
 * One manifest group: its shard files (concatenated in order they form one
 * byte stream) and the weights laid back to back in that stream.
 *
 * @category checkpoint
 */
export interface TfjsManifestGroup {
  /** Shard file names, relative to model.json. */
  readonly paths: readonly string[];
  /** The weights, in byte order. */
  readonly weights: readonly TfjsWeightEntry[];
}

/**
 * The weights-only `model.json` varscope writes: no `modelTopology`,
 * `generatedBy` "varscope", and one manifest group whose weights are named
 * by TF1 name.
 *
 * @category checkpoint
 */
export interface TfjsModelJson {
  /** Who wrote it. */
  readonly generatedBy: string;
  /** Always null: written directly, not converted. */
  readonly convertedBy: null;
  /** The manifest. */
  readonly weightsManifest: readonly TfjsManifestGroup[];
}

/**
 * The TensorFlow.js converter's default shard size: 4 MiB.
 *
 * @category checkpoint
 */
export const TFJS_SHARD_SIZE_BYTES: number = 4 * 1024 * 1024;

const QUANT_SIZE = { uint8: 1, uint16: 2, float16: 2 } as const;
const DTYPE_SIZE = { float32: 4, int32: 4, bool: 1 } as const;

/** @internal Bytes per element of an entry; null for strings. */
export function entryElementSize(e: TfjsWeightEntry): number | null {
  if (e.quantization !== undefined) return QUANT_SIZE[e.quantization.dtype];
  return e.dtype === "string" ? null : DTYPE_SIZE[e.dtype];
}

// The error prefixes the file when it has one.
const pre = (file: string | undefined): string => file === undefined ? "weights manifest: " : "";

function bad(
  file: string | undefined,
  message: string,
  details?: Record<string, unknown>,
): CheckpointError {
  return new CheckpointError("Malformed", `${pre(file)}${message}`, {
    ...(file === undefined ? {} : { file }),
    ...(details === undefined ? {} : { details }),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function safeGet(o: Record<string, unknown>, k: string): unknown {
  // Own data properties only: a getter that throws, or one on the
  // prototype, must not run.
  const d = Object.getOwnPropertyDescriptor(o, k);
  return d !== undefined && "value" in d ? d.value : undefined;
}

function checkPath(p: unknown, file: string | undefined): string {
  if (typeof p !== "string" || p.length === 0 || p.includes("\0")) {
    throw bad(file, `shard path ${JSON.stringify(p) ?? String(p)} is not a file name`);
  }
  // Shards live beside model.json: an absolute path or a "..", which
  // tf.io would resolve as a URL, would read files outside it here.
  if (
    p.startsWith("/") || p.startsWith("\\") || /^[a-zA-Z]+:/.test(p) ||
    p.split(/[\\/]/).some((s) => s === "..")
  ) {
    throw bad(file, `shard path "${p}" leaves the model's folder`);
  }
  return p;
}

function parseEntry(w: unknown, file: string | undefined, where: string): TfjsWeightEntry {
  if (!isRecord(w)) throw bad(file, `${where} is not an object`);
  const name = safeGet(w, "name");
  if (typeof name !== "string" || name.length === 0) {
    throw bad(file, `${where} has no name`);
  }
  const shapeRaw = safeGet(w, "shape");
  if (
    !Array.isArray(shapeRaw) ||
    !shapeRaw.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0)
  ) {
    throw bad(file, `weight "${name}" has shape ${JSON.stringify(shapeRaw) ?? "undefined"}`, {
      name,
    });
  }
  if (elementCount(shapeRaw) === null) {
    throw new CheckpointError(
      "TooLarge",
      `${pre(file)}weight "${name}" has shape [${shapeRaw.join(",")}], too many elements to hold`,
      { ...(file === undefined ? {} : { file }), details: { name, shape: shapeRaw } },
    );
  }
  const dtype = safeGet(w, "dtype");
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool" && dtype !== "string") {
    throw new CheckpointError(
      "UnknownDType",
      `${pre(file)}weight "${name}" has dtype ${
        JSON.stringify(dtype) ?? "undefined"
      }; supported: float32, int32, bool, string`,
      { ...(file === undefined ? {} : { file }), details: { name, dtype } },
    );
  }
  const entry: {
    name: string;
    shape: readonly number[];
    dtype: TfjsWeightDType;
    group?: string;
    quantization?: TfjsQuantization;
  } = { name, shape: Object.freeze(shapeRaw.slice() as number[]), dtype };
  const group = safeGet(w, "group");
  if (typeof group === "string") entry.group = group;
  const q = safeGet(w, "quantization");
  if (q !== undefined && q !== null) {
    if (!isRecord(q)) throw bad(file, `weight "${name}" has a quantization that is not an object`);
    const qd = safeGet(q, "dtype");
    if (qd !== "uint8" && qd !== "uint16" && qd !== "float16") {
      throw new CheckpointError(
        "UnknownDType",
        `${pre(file)}weight "${name}" has quantization dtype ${
          JSON.stringify(qd) ?? "undefined"
        }; supported: uint8, uint16, float16`,
        { ...(file === undefined ? {} : { file }), details: { name, dtype: qd } },
      );
    }
    const ok = qd === "float16" ? dtype === "float32" : dtype === "float32" || dtype === "int32";
    if (!ok) {
      throw new CheckpointError(
        "UnknownDType",
        `${
          file ?? "weights manifest"
        }: weight "${name}" of dtype ${dtype} cannot be quantized as ${qd}`,
        { ...(file === undefined ? {} : { file }), details: { name, dtype, quantization: qd } },
      );
    }
    const quant: { dtype: typeof qd; scale?: number; min?: number; original_dtype?: string } = {
      dtype: qd,
    };
    if (qd !== "float16") {
      const scale = safeGet(q, "scale");
      const min = safeGet(q, "min");
      if (
        typeof scale !== "number" || !Number.isFinite(scale) || typeof min !== "number" ||
        !Number.isFinite(min)
      ) {
        throw bad(file, `weight "${name}" is quantized as ${qd} without finite scale and min`, {
          name,
        });
      }
      quant.scale = scale;
      quant.min = min;
    }
    const od = safeGet(q, "original_dtype");
    if (typeof od === "string") quant.original_dtype = od;
    entry.quantization = Object.freeze(quant);
  }
  return Object.freeze(entry);
}

/**
 * Checks and copies a weights manifest: a `model.json` object (its
 * `weightsManifest`) or a bare manifest array. Weight names must be
 * unique across groups.
 *
 * @param json the parsed JSON
 * @param file the file it came from, for messages
 * @returns the groups, frozen
 * @throws {CheckpointError} `Malformed`, `UnknownDType` (unknown
 *   dtype or quantization, complex64), `TooLarge` (a shape whose element
 *   count passes 2^53), `DuplicateKey`
 *
 * @example
 * ```ts
 * import { parseTfjsManifest } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const groups = parseTfjsManifest([
 *   { paths: ["weights.bin"], weights: [{ name: "w", shape: [2, 2], dtype: "float32" }] },
 * ]);
 * assert.equal(groups[0]!.weights[0]!.name, "w");
 * ```
 *
 * @category checkpoint
 */
export function parseTfjsManifest(json: unknown, file?: string): readonly TfjsManifestGroup[] {
  if (file !== undefined) checkString(file, "manifest file name", true);
  try {
    return parseManifest(json, file);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    // A proxy trap or similar hostile object.
    throw new CheckpointError("Malformed", `${pre(file)}unreadable (${errorText(e)})`, {
      ...(file === undefined ? {} : { file }),
      cause: e,
    });
  }
}

function parseManifest(json: unknown, file?: string): readonly TfjsManifestGroup[] {
  let manifest: unknown = json;
  if (isRecord(json)) {
    manifest = safeGet(json, "weightsManifest");
    if (manifest === undefined) throw bad(file, "has no weightsManifest");
  }
  if (!Array.isArray(manifest)) {
    throw bad(file, "is not a weights manifest (expected an array of {paths, weights} groups)");
  }
  const seen = new Set<string>();
  // Array.from, not map: a hole in a sparse array is a missing group too.
  const groups = Array.from(manifest as unknown[], (g, gi) => {
    if (!isRecord(g)) throw bad(file, `manifest group ${gi} is not an object`);
    const paths = safeGet(g, "paths");
    const weights = safeGet(g, "weights");
    if (!Array.isArray(paths)) throw bad(file, `manifest group ${gi} has no paths array`);
    if (!Array.isArray(weights)) throw bad(file, `manifest group ${gi} has no weights array`);
    const entries = Array.from(weights as unknown[], (w, wi) => {
      const e = parseEntry(w, file, `weight ${wi} of group ${gi}`);
      if (seen.has(e.name)) {
        throw new CheckpointError(
          "DuplicateKey",
          `${pre(file)}weight "${e.name}" appears twice`,
          { ...(file === undefined ? {} : { file }), details: { name: e.name } },
        );
      }
      seen.add(e.name);
      return e;
    });
    return Object.freeze({
      paths: Object.freeze(Array.from(paths as unknown[], (p) => checkPath(p, file))),
      weights: Object.freeze(entries),
    });
  });
  return Object.freeze(groups);
}

/**
 * @internal The byte length of a string weight starting at `at` in
 * `bytes`, or an error message.
 */
export function stringWeightLength(
  bytes: Uint8Array,
  at: number,
  count: number,
): number | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = at;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > bytes.length) return `string element ${i} has no length (bytes end)`;
    const len = view.getUint32(pos, true);
    pos += 4;
    if (pos + len > bytes.length) {
      return `string element ${i} of ${len} bytes runs past the end of the data`;
    }
    pos += len;
  }
  return pos - at;
}

/**
 * @internal Decodes one weight from exactly its bytes (dequantizing).
 */
export function decodeWeightBytes(
  e: TfjsWeightEntry,
  bytes: Uint8Array,
  file: string | undefined,
  offset: number,
): StoredTensor {
  const n = elementCount(e.shape)!;
  const where = { ...(file === undefined ? {} : { file }), offset, details: { name: e.name } };
  const size = entryElementSize(e);
  if (size !== null && bytes.length !== n * size) {
    throw new CheckpointError(
      "ShapeSizeMismatch",
      `${pre(file)}weight "${e.name}" needs ${n * size} bytes, got ${bytes.length}`,
      where,
    );
  }
  const copy = bytes.slice();
  const shape = Object.freeze(e.shape.slice());
  const q = e.quantization;
  if (q !== undefined) {
    const stored = q.dtype === "uint8" ? copy : new Uint16Array(copy.buffer);
    if (q.dtype === "float16") {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToNumber(stored[i]!);
      return Object.freeze({ name: e.name, dtype: "float32", shape, values: out });
    }
    const scale = q.scale!;
    const min = q.min!;
    if (e.dtype === "int32") {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = Math.round(stored[i]! * scale + min);
        if (v < -2147483648 || v > 2147483647) {
          throw new CheckpointError(
            "NoExactConversion",
            `${
              file ?? "weights"
            }: weight "${e.name}" element ${i} dequantizes to ${v}, outside int32`,
            where,
          );
        }
        out[i] = v;
      }
      return Object.freeze({ name: e.name, dtype: "int32", shape, values: out });
    }
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = stored[i]! * scale + min;
    return Object.freeze({ name: e.name, dtype: "float32", shape, values: out });
  }
  switch (e.dtype) {
    case "float32":
      return Object.freeze({
        name: e.name,
        dtype: "float32",
        shape,
        values: new Float32Array(copy.buffer),
      });
    case "int32":
      return Object.freeze({
        name: e.name,
        dtype: "int32",
        shape,
        values: new Int32Array(copy.buffer),
      });
    case "bool":
      return Object.freeze({ name: e.name, dtype: "bool", shape, values: copy });
    case "string": {
      const len = stringWeightLength(copy, 0, n);
      if (typeof len === "string" || len !== copy.length) {
        throw new CheckpointError(
          "ShapeSizeMismatch",
          `${pre(file)}string weight "${e.name}": ${
            typeof len === "string" ? len : `holds ${len} bytes, given ${copy.length}`
          }`,
          where,
        );
      }
      const view = new DataView(copy.buffer);
      const values: Uint8Array[] = [];
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const l = view.getUint32(pos, true);
        values.push(copy.slice(pos + 4, pos + 4 + l));
        pos += 4 + l;
      }
      return Object.freeze({ name: e.name, dtype: "string", shape, values: Object.freeze(values) });
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Decodes every weight of a manifest from its shard bytes, dequantizing
 * quantized weights (the semantics of TensorFlow.js `decodeWeights`).
 *
 * @param manifest a `model.json` object or a bare manifest array
 * @param shards the bytes of each shard, by the path the manifest names
 * @returns the tensors, in manifest order
 * @throws {CheckpointError} the {@linkcode parseTfjsManifest} errors,
 *   `MissingShard`, `ShapeSizeMismatch` (shards longer or shorter than the weights)
 *
 * @example
 * ```ts
 * import { decodeTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const [w] = decodeTfjsWeights(
 *   [{ paths: ["a.bin"], weights: [{ name: "w", shape: [2], dtype: "float32" }] }],
 *   { "a.bin": new Uint8Array(new Float32Array([1.5, -2]).buffer) },
 * );
 * assert.deepEqual(Array.from(w!.values as Float32Array), [1.5, -2]);
 * ```
 *
 * @category checkpoint
 */
export function decodeTfjsWeights(
  manifest: unknown,
  shards: Readonly<Record<string, Uint8Array>>,
): readonly StoredTensor[] {
  const groups = parseTfjsManifest(manifest);
  if (!isRecord(shards)) {
    throw invalidArgument(
      "shards",
      `expected an object of bytes by path, got ${describeValue(shards)}`,
    );
  }
  const out: StoredTensor[] = [];
  for (const g of groups) {
    const parts = g.paths.map((p) => {
      const b = readArgument("shards", () => safeGet(shards, p));
      if (!(b instanceof Uint8Array)) {
        throw new CheckpointError("MissingShard", `weights shard "${p}" was not given`, {
          file: p,
        });
      }
      return b;
    });
    const bytes = concat(parts);
    let at = 0;
    for (const e of g.weights) {
      const n = elementCount(e.shape)!;
      const size = entryElementSize(e);
      const len = size === null ? stringWeightLength(bytes, at, n) : n * size;
      if (typeof len === "string" || at + len > bytes.length) {
        throw new CheckpointError(
          "ShapeSizeMismatch",
          `weight "${e.name}" at byte ${at} of group ${g.paths.join(", ")}: ${
            typeof len === "string" ? len : `needs ${len} bytes, ${bytes.length - at} left`
          }`,
          { offset: at, details: { name: e.name } },
        );
      }
      out.push(decodeWeightBytes(e, bytes.subarray(at, at + len), undefined, at));
      at += len;
    }
    if (at !== bytes.length) {
      throw new CheckpointError(
        "ShapeSizeMismatch",
        `shards ${g.paths.join(", ")} hold ${bytes.length} bytes; the weights use ${at}`,
        { offset: at },
      );
    }
  }
  return Object.freeze(out);
}

/** @internal Checks a stored tensor from an untyped caller. */
export function checkStoredTensor(t: unknown): StoredTensor {
  try {
    return checkTensor(t);
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(
      "InvalidArgument",
      `Invalid tensor to write: unreadable (${errorText(e)})`,
      {
        cause: e,
      },
    );
  }
}

function checkTensor(t: unknown): StoredTensor {
  const fail = (why: string): never => {
    throw new CheckpointError("InvalidArgument", `Invalid tensor to write: ${why}`);
  };
  if (!isRecord(t)) return fail("not an object");
  const name = safeGet(t, "name");
  const dtype = safeGet(t, "dtype");
  const shape = safeGet(t, "shape");
  const values = safeGet(t, "values");
  if (typeof name !== "string" || name.length === 0) return fail("no name");
  if (!isStoredDType(dtype)) return fail(`"${name}" has dtype ${String(dtype)}`);
  const n = elementCount(shape);
  if (n === null) return fail(`"${name}" has shape ${JSON.stringify(shape) ?? "undefined"}`);
  const len = (values as { length?: unknown } | null)?.length;
  const okKind = dtype === "string"
    ? Array.isArray(values) && values.every((v) => v instanceof Uint8Array)
    : ArrayBuffer.isView(values);
  if (!okKind || len !== n) {
    return fail(`"${name}" (${dtype}, shape [${(shape as number[]).join(",")}]) has bad values`);
  }
  return t as unknown as StoredTensor;
}

/**
 * @internal One tensor as a manifest entry and its bytes: float16 as a
 * float16-quantized float32 weight (exact and half the size), every other
 * dtype as what TensorFlow.js holds (see `toTfjsValues`).
 */
export function encodeWeight(input: unknown): { entry: TfjsWeightEntry; bytes: Uint8Array } {
  const t = checkStoredTensor(input);
  const shape = Object.freeze(t.shape.slice());
  if (t.dtype === "float16") {
    const v = t.values as Uint16Array;
    return {
      entry: Object.freeze({
        name: t.name,
        shape,
        dtype: "float32",
        quantization: Object.freeze({ dtype: "float16", original_dtype: "float16" }),
      }),
      bytes: new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)),
    };
  }
  const tv = toTfjsValues(t);
  const entry = Object.freeze({ name: t.name, shape, dtype: tv.dtype });
  if (tv.dtype === "string") {
    const strs = tv.values as readonly Uint8Array[];
    const out = new Uint8Array(strs.reduce((a, s) => a + 4 + s.length, 0));
    const view = new DataView(out.buffer);
    let at = 0;
    for (const s of strs) {
      view.setUint32(at, s.length, true);
      out.set(s, at + 4);
      at += 4 + s.length;
    }
    return { entry, bytes: out };
  }
  const v = tv.values as Float32Array | Int32Array | Uint8Array;
  return { entry, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
}

/**
 * @internal Splits one byte stream into shards of `size` bytes as the
 * TensorFlow.js converter does, handing each full shard to `emit`.
 */
export class ShardSplitter {
  readonly #size: number;
  readonly #emit: (bytes: Uint8Array) => void;
  #buf: Uint8Array;
  #fill = 0;
  /** Shards emitted so far. */
  count = 0;
  /** Bytes pushed so far. */
  total = 0;

  constructor(size: number, emit: (bytes: Uint8Array) => void) {
    this.#size = size;
    this.#emit = emit;
    this.#buf = new Uint8Array(0);
  }

  push(bytes: Uint8Array): void {
    let at = 0;
    this.total += bytes.length;
    while (at < bytes.length) {
      if (this.#buf.length === 0) this.#buf = new Uint8Array(this.#size);
      const n = Math.min(this.#size - this.#fill, bytes.length - at);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#size) this.#flush();
    }
  }

  end(): void {
    if (this.#fill > 0) this.#flush();
  }

  #flush(): void {
    const out = this.#fill === this.#buf.length ? this.#buf : this.#buf.slice(0, this.#fill);
    this.#buf = new Uint8Array(0);
    this.#fill = 0;
    this.count++;
    this.#emit(out);
  }
}

/** @internal The converter's shard file name (1-based). */
export function shardName(i: number, n: number): string {
  return `group1-shard${i + 1}of${n}.bin`;
}

/** @internal Checks the shard size option. */
export function checkShardSize(size: unknown): number {
  if (size === undefined) return TFJS_SHARD_SIZE_BYTES;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 1) {
    throw new CheckpointError(
      "InvalidArgument",
      `Invalid shardSizeBytes: ${describeValue(size)} (expected a positive integer)`,
    );
  }
  return size;
}

/**
 * Options for writing TensorFlow.js weights.
 *
 * @category checkpoint
 */
export interface TfjsWriteOptions {
  /** Largest shard in bytes (default {@linkcode TFJS_SHARD_SIZE_BYTES}). */
  readonly shardSizeBytes?: number;
}

/**
 * TensorFlow.js weights in memory: the model.json object and the shard
 * files' bytes by name.
 *
 * @category checkpoint
 */
export interface TfjsEncoded {
  /** The weights-only model.json (see {@linkcode TfjsModelJson}). */
  readonly modelJson: TfjsModelJson;
  /** The shard files, in manifest order. */
  readonly shards: readonly { readonly path: string; readonly bytes: Uint8Array }[];
}

/** @internal The model.json of one group. */
export function modelJsonOf(
  entries: readonly TfjsWeightEntry[],
  paths: readonly string[],
): TfjsModelJson {
  return Object.freeze({
    generatedBy: "varscope",
    convertedBy: null,
    weightsManifest: Object.freeze([
      Object.freeze({ paths: Object.freeze(paths.slice()), weights: Object.freeze(entries) }),
    ]),
  });
}

/**
 * Encodes each tensor's weight entry and pushes its bytes into the shard
 * splitter, refusing a name given twice; ends the splitter.
 *
 * @internal
 */
export function encodeEntries(
  tensors: Iterable<StoredTensor>,
  splitter: ShardSplitter,
): TfjsWeightEntry[] {
  const entries: TfjsWeightEntry[] = [];
  const seen = new Set<string>();
  for (const t of tensors) {
    const { entry, bytes } = encodeWeight(t);
    if (seen.has(entry.name)) {
      throw new CheckpointError("DuplicateKey", `Tensor "${entry.name}" is given twice`, {
        details: { name: entry.name },
      });
    }
    seen.add(entry.name);
    entries.push(entry);
    splitter.push(bytes);
  }
  splitter.end();
  return entries;
}

/**
 * Encodes tensors as TensorFlow.js weights: one manifest group, weights in
 * the given order, the byte stream split into `group1-shardIofN.bin`
 * shards of at most `shardSizeBytes`. float32, int32, bool and string are
 * written as they are; float16 as a float16-quantized float32 weight;
 * bfloat16 and float64 as float32; the other integers as int32 (an int64
 * outside int32, or a float64 beyond float32, is an `NoExactConversion`
 * error). `tf.io.decodeWeights` reads the result.
 *
 * @param tensors the tensors (names must be unique)
 * @param options shard size
 * @returns model.json and the shards
 * @throws {CheckpointError} `InvalidArgument`, `DuplicateKey`,
 *   `NoExactConversion`
 *
 * @example
 * ```ts
 * import { decodeTfjsWeights, encodeTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const { modelJson, shards } = encodeTfjsWeights([
 *   { name: "dense/kernel", dtype: "float32", shape: [2], values: new Float32Array([1, 2]) },
 * ]);
 * assert.deepEqual(modelJson.weightsManifest[0]!.paths, ["group1-shard1of1.bin"]);
 * const [w] = decodeTfjsWeights(modelJson, { [shards[0]!.path]: shards[0]!.bytes });
 * assert.equal(w!.name, "dense/kernel");
 * ```
 *
 * @category checkpoint
 */
export function encodeTfjsWeights(
  tensors: Iterable<StoredTensor>,
  options: TfjsWriteOptions = {},
): TfjsEncoded {
  const o = readOptions(options, ["shardSizeBytes"], "TensorFlow.js write options");
  const size = checkShardSize(o.shardSizeBytes);
  const items = checkIterable<StoredTensor>(tensors, "tensors");
  const chunks: Uint8Array[] = [];
  const splitter = new ShardSplitter(size, (b) => chunks.push(b));
  const entries = encodeEntries(items, splitter);
  const paths = chunks.map((_, i) => shardName(i, chunks.length));
  return Object.freeze({
    modelJson: modelJsonOf(entries, paths),
    shards: Object.freeze(chunks.map((bytes, i) => Object.freeze({ path: paths[i]!, bytes }))),
  });
}

/** @internal Names sorted the way every reader lists them. */
export function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort(compareNames);
}
