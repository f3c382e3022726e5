/**
 * Opening TensorFlow checkpoints: V2 bundles (`<prefix>.index` plus data
 * shards) from files or memory, and legacy V1 single-file checkpoints.
 *
 * @module
 */
import { looksLikeV1Header } from "./_bundle_proto.ts";
import { hasTableMagic, readTable, type TableEntry } from "./_sstable.ts";
import { openV1Table } from "./_v1_reader.ts";
import { CheckpointError } from "./checkpoint_error.ts";
import { checkString } from "./_guard.ts";
import {
  buildReader,
  type ShardSource,
  shardSuffix,
  type TfCheckpointBytes,
  type TfCheckpointReader,
} from "./tf_checkpoint_reader.ts";

/**
 * Opens a TensorFlow checkpoint held in memory (the same parsing as
 * {@linkcode openTfCheckpoint}; used by the fuzzer and for files obtained
 * without a file system).
 *
 * @example Round trip through memory
 * ```ts
 * import { encodeTfCheckpoint, openTfCheckpointBytes } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const files = encodeTfCheckpoint([
 *   { name: "dense/kernel", dtype: "float32", shape: [2], values: new Float32Array([1, 2]) },
 * ]);
 * const ckpt = openTfCheckpointBytes({ index: files.index, shards: [files.data] });
 * assert.deepEqual([...ckpt.read("dense/kernel").values], [1, 2]);
 * ```
 *
 * @param files the index bytes and the data shards by shard id
 * @param name a name for error messages
 * @returns the reader
 * @category checkpoint
 */
export function openTfCheckpointBytes(
  files: TfCheckpointBytes,
  name = "<memory>",
): TfCheckpointReader {
  checkString(name, "name", true);
  let index: Uint8Array, shards: readonly Uint8Array[];
  try {
    index = files.index;
    const given: unknown = files.shards;
    if (!(index instanceof Uint8Array) || !Array.isArray(given)) throw new Error("wrong types");
    // A copy: the reader reads shards later, and must not reach back into
    // the caller's array (nor its proxy traps) then.
    shards = Array.from(given as Uint8Array[]);
  } catch (e) {
    throw new CheckpointError(
      "InvalidArgument",
      "openTfCheckpointBytes needs { index: Uint8Array, shards: Uint8Array[] }",
      { file: name, cause: e },
    );
  }
  const indexFile = `${name}.index`;
  const table = readTable(index, indexFile);
  if (isV1(table)) return openV1Table(table, indexFile, name);
  return buildReader(table, indexFile, name, (numShards) => ({
    name: (s) => `${name}${shardSuffix(s, numShards)}`,
    read: (s, offset, size) => {
      const shard = shards[s];
      const file = `${name}${shardSuffix(s, numShards)}`;
      if (!(shard instanceof Uint8Array)) {
        throw new CheckpointError("MissingShard", `data shard ${s} of ${numShards} is missing`, {
          file,
        });
      }
      if (offset > shard.length || size > shard.length - offset) {
        throw new CheckpointError(
          "OutOfRange",
          `tensor bytes [${offset}, ${
            offset + size
          }) run past the end of the ${shard.length}-byte shard`,
          { file, offset },
        );
      }
      return shard.slice(offset, offset + size);
    },
  }));
}

function fileSource(prefix: string, numShards: number): ShardSource {
  const name = (s: number): string => `${prefix}${shardSuffix(s, numShards)}`;
  return {
    name,
    read: (s, offset, size) => {
      const path = name(s);
      let f: Deno.FsFile;
      try {
        f = Deno.openSync(path, { read: true });
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          throw new CheckpointError(
            "MissingShard",
            `data shard ${s} of ${numShards} does not exist`,
            {
              file: path,
              cause: e,
            },
          );
        }
        throw new CheckpointError("IoError", "cannot open the data shard", {
          file: path,
          cause: e,
        });
      }
      try {
        const fileSize = f.statSync().size;
        if (offset > fileSize || size > fileSize - offset) {
          throw new CheckpointError(
            "OutOfRange",
            `tensor bytes [${offset}, ${
              offset + size
            }) run past the end of the ${fileSize}-byte shard`,
            { file: path, offset },
          );
        }
        const out = new Uint8Array(size);
        f.seekSync(offset, Deno.SeekMode.Start);
        let got = 0;
        while (got < size) {
          const n = f.readSync(out.subarray(got));
          if (n === null || n === 0) {
            throw new CheckpointError(
              "Truncated",
              `the shard ended after ${got} of ${size} bytes`,
              {
                file: path,
                offset: offset + got,
              },
            );
          }
          got += n;
        }
        return out;
      } catch (e) {
        if (e instanceof CheckpointError) throw e;
        throw new CheckpointError("IoError", "cannot read the data shard", {
          file: path,
          offset,
          cause: e,
        });
      } finally {
        f.close();
      }
    },
  };
}

/**
 * Opens a TensorFlow checkpoint (tensor bundle V2, as written by TF1's
 * `tf.train.Saver`, `tf.compat.v1`, SavedModel `variables/variables` and TF2
 * `tf.train.Checkpoint`). Reads and verifies only `<prefix>.index`; data
 * shards are read per tensor by `read` / `readSlice`. A legacy V1 checkpoint
 * (a single SSTable file, passed as `prefix`) is read from that file.
 *
 * @example Reading TF1 weights
 * ```ts
 * import { openTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const ckpt = openTfCheckpoint("tests/fixtures/tf-checkpoints/tf1-half-plus-two/variables");
 * assert.deepEqual(ckpt.list().map((t) => t.name), ["a", "b", "c"]);
 * const a = ckpt.read("a");
 * assert.equal(a.dtype, "float32");
 * assert.deepEqual(a.shape, []);
 * assert.deepEqual([...a.values], [0.5]);
 * ```
 *
 * @param prefix the checkpoint prefix (`model.ckpt`), or its `.index` path
 * @returns the reader
 * @throws {CheckpointError} NotFound, and every code a malformed index gives
 * @category checkpoint
 */
export function openTfCheckpoint(prefix: string): TfCheckpointReader {
  if (typeof prefix !== "string" || prefix.length === 0) {
    throw new CheckpointError(
      "InvalidArgument",
      "the checkpoint prefix must be a non-empty string",
    );
  }
  const p = prefix.endsWith(".index") ? prefix.slice(0, -".index".length) : prefix;
  const indexFile = `${p}.index`;
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(indexFile);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      const v1 = v1File(p);
      if (v1 !== undefined) return openV1Table(readTable(v1, p), p, p);
      throw new CheckpointError("NotFound", "no checkpoint index at this prefix", {
        file: indexFile,
        cause: e,
      });
    }
    throw new CheckpointError("IoError", "cannot read the checkpoint index", {
      file: indexFile,
      cause: e,
    });
  }
  const table = readTable(bytes, indexFile);
  if (isV1(table)) return openV1Table(table, indexFile, p);
  return buildReader(table, indexFile, p, (numShards) => fileSource(p, numShards));
}

function isV1(table: readonly TableEntry[]): boolean {
  const first = table[0];
  return first !== undefined && first.key.length === 0 && looksLikeV1Header(first.value);
}

/** The bytes of `path` when it is a single-file V1 checkpoint. */
function v1File(path: string): Uint8Array | undefined {
  let bytes: Uint8Array;
  try {
    if (!Deno.statSync(path).isFile) return undefined;
    bytes = Deno.readFileSync(path);
  } catch {
    return undefined;
  }
  if (!hasTableMagic(bytes)) return undefined;
  try {
    return isV1(readTable(bytes, path)) ? bytes : undefined;
  } catch {
    return undefined;
  }
}
