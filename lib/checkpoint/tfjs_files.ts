/**
 * TensorFlow.js weights on disk: `model.json` plus `.bin` shards, opened
 * lazily as a {@linkcode CheckpointReader} and written with the
 * converter's sharding.
 *
 * @module
 */
import { dirOf as dirname, joinPath as join } from "./_paths.ts";
import { compareNames, elementCount } from "./_tensor_values.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { checkIterable, checkString, readOptions } from "./_guard.ts";
import { describeValue } from "../core/errors.ts";
import type { CheckpointReader, StoredTensor, StoredTensorInfo } from "./stored_tensor.ts";
import {
  checkShardSize,
  decodeWeightBytes,
  encodeEntries,
  entryElementSize,
  modelJsonOf,
  parseTfjsManifest,
  shardName,
  ShardSplitter,
  type TfjsManifestGroup,
  type TfjsModelJson,
  type TfjsWeightEntry,
  type TfjsWriteOptions,
} from "./tfjs_weights.ts";

// model.json is parsed whole; a larger one is not a manifest varscope wrote
// or one a converter would write, and parsing it could exhaust memory.
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

interface Located {
  readonly group: number;
  readonly index: number;
  readonly entry: TfjsWeightEntry;
}

interface GroupFiles {
  readonly files: readonly string[];
  readonly sizes: readonly number[];
  readonly total: number;
  /** Byte offset of each weight; null until strings before it are scanned. */
  offsets: (number | null)[];
  lengths: (number | null)[];
}

function statFile(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw new CheckpointError("NotFound", `cannot read: ${String(e)}`, {
      file: path,
      cause: e,
    });
  }
}

/**
 * Where a model.json is: the path itself, or `model.json` inside a folder.
 *
 * @internal
 */
export function modelJsonPath(path: string): string {
  const info = statFile(path);
  if (info === null) {
    throw new CheckpointError("NotFound", "no such file or folder", { file: path });
  }
  return info.isDirectory ? join(path, "model.json") : path;
}

/**
 * A TensorFlow.js `model.json` opened for reading by weight name. Opening
 * reads model.json and checks each shard's size with `stat`; reading a
 * weight reads only its byte range (and, in a group with string weights,
 * the length prefixes before it).
 *
 * @category checkpoint
 */
export class TfjsWeightsReader implements CheckpointReader {
  /** Always "tfjs". */
  readonly format = "tfjs" as const;
  /** The model.json read. */
  readonly file: string;
  /** The manifest, checked. */
  readonly manifest: readonly TfjsManifestGroup[];
  readonly #byName: ReadonlyMap<string, Located>;
  readonly #groups: GroupFiles[];
  readonly #list: readonly StoredTensorInfo[];

  /**
   * Use {@linkcode openTfjsWeights}.
   *
   * @param file the model.json path
   */
  constructor(file: string) {
    this.file = checkString(file, "model.json path");
    const info = statFile(file);
    if (info === null || !info.isFile) {
      throw new CheckpointError("NotFound", "no such file", { file });
    }
    if (info.size > MAX_MODEL_JSON_BYTES) {
      throw new CheckpointError(
        "TooLarge",
        `${info.size} bytes, more than a weights manifest can be (${MAX_MODEL_JSON_BYTES})`,
        { file },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Deno.readFileSync(file)));
    } catch (e) {
      throw new CheckpointError("Malformed", `not valid JSON: ${String(e)}`, {
        file,
        cause: e,
      });
    }
    this.manifest = parseTfjsManifest(json, file);
    const dir = dirname(file);
    const byName = new Map<string, Located>();
    this.#groups = this.manifest.map((g, gi) => {
      const files = g.paths.map((p) => join(dir, p));
      const sizes = files.map((f) => {
        const s = statFile(f);
        if (s === null || !s.isFile) {
          throw new CheckpointError(
            "MissingShard",
            `weights shard ${f} (group ${gi}) does not exist`,
            { file: f },
          );
        }
        return s.size;
      });
      const total = sizes.reduce((a, b) => a + b, 0);
      const offsets: (number | null)[] = [];
      const lengths: (number | null)[] = [];
      let at: number | null = 0;
      let fixed = 0;
      g.weights.forEach((e, wi) => {
        byName.set(e.name, { group: gi, index: wi, entry: e });
        const n = elementCount(e.shape)!;
        const size = entryElementSize(e);
        // A string element takes at least its 4-byte length.
        const len = size === null ? null : n * size;
        fixed += len ?? 4 * n;
        offsets.push(at);
        lengths.push(len);
        at = at === null || len === null ? null : at + len;
      });
      // Refuses shapes the shards cannot hold before anything is allocated.
      if (at !== null ? fixed !== total : fixed > total) {
        throw new CheckpointError(
          "ShapeSizeMismatch",
          `group ${gi} (${g.paths.join(", ")}) holds ${total} bytes; its weights need ${
            at !== null ? "" : "at least "
          }${fixed}`,
          { file, details: { group: gi, bytes: total, needed: fixed } },
        );
      }
      return { files, sizes, total, offsets, lengths };
    });
    this.#byName = byName;
    this.#list = Object.freeze(
      [...byName.values()]
        .map(({ entry: e }) => Object.freeze({ name: e.name, dtype: e.dtype, shape: e.shape }))
        .sort((a, b) => compareNames(a.name, b.name)),
    );
  }

  /** Every weight, sorted by name (dtypes after dequantization). */
  list(): readonly StoredTensorInfo[] {
    return this.#list;
  }

  /**
   * Whether a weight of that name exists.
   *
   * @param name the name
   * @returns whether it exists
   */
  has(name: string): boolean {
    return typeof name === "string" && this.#byName.has(name);
  }

  /**
   * The manifest entry of a weight (shows quantization).
   *
   * @param name the name
   * @returns the entry, or undefined
   */
  entry(name: string): TfjsWeightEntry | undefined {
    return this.#byName.get(name)?.entry;
  }

  /**
   * One weight's values, dequantized (a fresh copy).
   *
   * @param name the name
   * @returns the tensor
   */
  read(name: string): StoredTensor {
    const loc = typeof name === "string" ? this.#byName.get(name) : undefined;
    if (loc === undefined) {
      throw new CheckpointError(
        "NotFound",
        `no weight named ${JSON.stringify(name) ?? String(name)}`,
        { file: this.file, details: { name } },
      );
    }
    const g = this.#groups[loc.group]!;
    if (g.offsets[loc.index] === null || g.lengths[loc.index] === null) this.#scan(loc.group);
    const start = g.offsets[loc.index]!;
    const len = g.lengths[loc.index]!;
    return decodeWeightBytes(loc.entry, this.#range(g, start, len), this.file, start);
  }

  // Walks a group with string weights, reading only their length prefixes.
  #scan(gi: number): void {
    const g = this.#groups[gi]!;
    const weights = this.manifest[gi]!.weights;
    let at = 0;
    weights.forEach((e, wi) => {
      g.offsets[wi] = at;
      let len = g.lengths[wi];
      if (len === null) {
        const n = elementCount(e.shape)!;
        let pos = at;
        for (let i = 0; i < n; i++) {
          if (pos + 4 > g.total) this.#short(gi, e.name, pos);
          const b = this.#range(g, pos, 4);
          const l = new DataView(b.buffer).getUint32(0, true);
          pos += 4 + l;
          if (pos > g.total) this.#short(gi, e.name, pos);
        }
        len = pos - at;
        g.lengths[wi] = len;
      }
      at += len!;
      if (at > g.total) this.#short(gi, e.name, at);
    });
    if (at !== g.total) {
      throw new CheckpointError(
        "ShapeSizeMismatch",
        `group ${gi} holds ${g.total} bytes; its weights use ${at}`,
        { file: this.file, offset: at },
      );
    }
  }

  #short(gi: number, name: string, at: number): never {
    throw new CheckpointError(
      "ShapeSizeMismatch",
      `weight "${name}" runs past the end of group ${gi}'s shards (byte ${at})`,
      { file: this.file, offset: at, details: { name } },
    );
  }

  // Bytes [start, start+len) of a group's concatenated shards.
  #range(g: GroupFiles, start: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let fileStart = 0;
    let filled = 0;
    for (let i = 0; i < g.files.length && filled < len; i++) {
      const size = g.sizes[i]!;
      const from = Math.max(start + filled, fileStart);
      if (from < fileStart + size) {
        const n = Math.min(fileStart + size - from, len - filled);
        readAt(g.files[i]!, from - fileStart, out.subarray(filled, filled + n));
        filled += n;
      }
      fileStart += size;
    }
    return out;
  }
}

function readAt(file: string, position: number, into: Uint8Array): void {
  let f: Deno.FsFile | undefined;
  try {
    f = Deno.openSync(file, { read: true });
    f.seekSync(position, Deno.SeekMode.Start);
    let got = 0;
    while (got < into.length) {
      const n = f.readSync(into.subarray(got));
      if (n === null) {
        throw new CheckpointError(
          "ShapeSizeMismatch",
          `ended before the weight's end (the file changed?)`,
          { file, offset: position + got },
        );
      }
      got += n;
    }
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError("MissingShard", `cannot read: ${String(e)}`, {
      file,
      cause: e,
    });
  } finally {
    f?.close();
  }
}

/**
 * Opens TensorFlow.js weights: a `model.json` (graph model, layers model,
 * or a weights-only one) or a folder holding one. Listing reads only
 * model.json.
 *
 * @param path model.json or its folder
 * @returns the reader
 * @throws {CheckpointError} `NotFound`, `Malformed`, `MissingShard`,
 *   `ShapeSizeMismatch`, `UnknownDType`, `TooLarge`, `DuplicateKey`
 *
 * @example
 * ```ts
 * import { openTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const reader = openTfjsWeights("tests/fixtures/tfjs-weights/tfjs-graph-model-w-2x2/model.json");
 * assert.deepEqual(reader.list().map((t) => t.name), ["w"]);
 * assert.equal((reader.read("w").values as Float32Array)[0], 0.017376422882080078);
 * ```
 *
 * @category checkpoint
 */
export function openTfjsWeights(path: string): TfjsWeightsReader {
  if (typeof path !== "string" || path.length === 0) {
    throw new CheckpointError("InvalidArgument", `Invalid path: ${describeValue(path)}`);
  }
  return new TfjsWeightsReader(modelJsonPath(path));
}

/**
 * What {@linkcode writeTfjsWeights} wrote.
 *
 * @category checkpoint
 */
export interface TfjsWritten {
  /** The model.json path. */
  readonly modelJson: string;
  /** The shard paths, in manifest order. */
  readonly shards: readonly string[];
  /** The manifest written. */
  readonly manifest: TfjsModelJson;
  /** Weight bytes written (all shards). */
  readonly bytes: number;
}

function tmpName(): string {
  return `.varscope-tmp-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Writes tensors as TensorFlow.js weights into a folder (created if
 * missing): `model.json` (weights only, see {@linkcode TfjsModelJson}) and
 * `group1-shardIofN.bin` shards of at most 4 MiB, with the dtype rules of
 * {@linkcode encodeTfjsWeights}. Tensors are consumed one at a time; the
 * shards are written under temporary names and renamed, model.json last:
 * an error while encoding or writing leaves the folder as it was (no
 * temporary files); only a crash during the final renames can leave an
 * earlier model.json beside new shards of the same names.
 *
 * @param dir the folder
 * @param tensors the tensors
 * @param options shard size
 * @returns what was written
 * @throws {CheckpointError} the {@linkcode encodeTfjsWeights} errors,
 *   `IoError`
 *
 * @example
 * ```ts
 * import { openTfjsWeights, writeTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * writeTfjsWeights(dir, [
 *   { name: "scope/w", dtype: "int32", shape: [3], values: new Int32Array([1, 2, 3]) },
 * ]);
 * assert.deepEqual(Array.from(openTfjsWeights(dir).read("scope/w").values as Int32Array), [1, 2, 3]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @category checkpoint
 */
export function writeTfjsWeights(
  dir: string,
  tensors: Iterable<StoredTensor>,
  options: TfjsWriteOptions = {},
): TfjsWritten {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new CheckpointError("InvalidArgument", `Invalid folder: ${describeValue(dir)}`);
  }
  const o = readOptions(options, ["shardSizeBytes"], "TensorFlow.js write options");
  const size = checkShardSize(o.shardSizeBytes);
  // Checked before the folder is made: a non-iterable writes nothing.
  const items = checkIterable<StoredTensor>(tensors, "tensors");
  const tmp = tmpName();
  const temps: string[] = [];
  const io = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new CheckpointError("IoError", `cannot write: ${String(e)}`, {
        file: what,
        cause: e,
      });
    }
  };
  try {
    io(dir, () => Deno.mkdirSync(dir, { recursive: true }));
    const splitter = new ShardSplitter(size, (bytes) => {
      const f = join(dir, `${tmp}-${temps.length}.bin`);
      temps.push(f);
      io(f, () => Deno.writeFileSync(f, bytes));
    });
    const entries = encodeEntries(items, splitter);
    const paths = temps.map((_, i) => shardName(i, temps.length));
    const manifest = modelJsonOf(entries, paths);
    const jsonTmp = join(dir, `${tmp}.json`);
    temps.push(jsonTmp);
    io(jsonTmp, () => Deno.writeTextFileSync(jsonTmp, JSON.stringify(manifest, null, 2) + "\n"));
    const shards = paths.map((p, i) => {
      const final = join(dir, p);
      io(final, () => Deno.renameSync(temps[i]!, final));
      return final;
    });
    const modelJson = join(dir, "model.json");
    io(modelJson, () => Deno.renameSync(jsonTmp, modelJson));
    return Object.freeze({
      modelJson,
      shards: Object.freeze(shards),
      manifest,
      bytes: splitter.total,
    });
  } finally {
    for (const f of temps) {
      try {
        Deno.removeSync(f);
      } catch {
        // Renamed already, or never written.
      }
    }
  }
}
