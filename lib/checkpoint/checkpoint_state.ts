/**
 * The `checkpoint` state file TensorFlow keeps beside checkpoints (a
 * text-format CheckpointState proto) to find the latest one.
 *
 * @module
 */
import { CheckpointError } from "./checkpoint_error.ts";
import { checkIterable, checkString, readArgument } from "./_guard.ts";

/**
 * The contents of a `checkpoint` state file.
 *
 * @category checkpoint
 */
export interface CheckpointState {
  /** The latest checkpoint prefix, as written (often relative to the directory). */
  readonly modelCheckpointPath: string;
  /** Every kept checkpoint prefix, oldest first. */
  readonly allModelCheckpointPaths: readonly string[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function escape(s: string): string {
  let out = "";
  for (const b of enc.encode(s)) {
    if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += "\\\\";
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function unescape(s: string, file: string, line: number): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      bytes.push(...enc.encode(c));
      continue;
    }
    const n = s[++i];
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, '"': 34, "'": 39, "\\": 92 };
    if (n !== undefined && n in simple) bytes.push(simple[n]!);
    else if (n !== undefined && /[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(s.slice(i))![0];
      bytes.push(parseInt(m, 8) & 0xff);
      i += m.length - 1;
    } else if (n === "x" && /^[0-9a-fA-F]{1,2}/.test(s.slice(i + 1))) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(i + 1))![0];
      bytes.push(parseInt(m, 16));
      i += m.length;
    } else {
      throw new CheckpointError("Malformed", `line ${line}: bad escape \\${n ?? ""}`, { file });
    }
  }
  return dec.decode(new Uint8Array(bytes));
}

function relativeTo(dir: string, prefix: string): string {
  const d = dir.endsWith("/") ? dir : `${dir}/`;
  return prefix.startsWith(d) ? prefix.slice(d.length) : prefix;
}

/**
 * Writes `<dir>/checkpoint` naming `prefix` as the latest checkpoint,
 * atomically (temporary file, then rename), as TensorFlow's
 * `update_checkpoint_state` does. Paths inside `dir` are written relative to
 * it (as TF2's `CheckpointManager` does), so the directory can be moved.
 *
 * @example
 * ```ts
 * import { latestCheckpoint, writeCheckpointState, writeTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * writeTfCheckpoint(`${dir}/model.ckpt-1`, []);
 * writeCheckpointState(dir, `${dir}/model.ckpt-1`);
 * assert.equal(Deno.readTextFileSync(`${dir}/checkpoint`), [
 *   'model_checkpoint_path: "model.ckpt-1"',
 *   'all_model_checkpoint_paths: "model.ckpt-1"',
 *   "",
 * ].join("\n"));
 * assert.equal(latestCheckpoint(dir), `${dir}/model.ckpt-1`);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @param dir the checkpoint directory
 * @param prefix the latest checkpoint's prefix
 * @param allPrefixes every kept prefix, oldest first (default: just `prefix`; `prefix` is
 *   appended when missing)
 * @category checkpoint
 */
export function writeCheckpointState(
  dir: string,
  prefix: string,
  allPrefixes: readonly string[] = [prefix],
): void {
  if (typeof dir !== "string" || typeof prefix !== "string" || prefix.length === 0) {
    throw new CheckpointError(
      "InvalidArgument",
      "writeCheckpointState needs a directory and a prefix",
    );
  }
  const given = readArgument("allPrefixes", () => [...checkIterable(allPrefixes, "allPrefixes")]);
  const all = given.map((p) => checkString(p, "allPrefixes entry")).filter((p) => p !== prefix);
  all.push(prefix);
  const lines = [`model_checkpoint_path: "${escape(relativeTo(dir, prefix))}"`];
  for (const p of all) lines.push(`all_model_checkpoint_paths: "${escape(relativeTo(dir, p))}"`);
  const file = `${dir}/checkpoint`;
  const tmp = `${file}.tmp-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(16)}`;
  try {
    Deno.writeTextFileSync(tmp, lines.join("\n") + "\n");
    Deno.renameSync(tmp, file);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // never created
    }
    throw new CheckpointError("IoError", "cannot write the checkpoint state file", {
      file,
      cause: e,
    });
  }
}

/**
 * Reads `<dir>/checkpoint`.
 *
 * @param dir the checkpoint directory
 * @returns the state, or undefined when the directory has no state file
 * @throws {CheckpointError} Malformed when the file is not a CheckpointState
 * @category checkpoint
 */
export function readCheckpointState(dir: string): CheckpointState | undefined {
  checkString(dir, "checkpoint directory");
  const file = `${dir}/checkpoint`;
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new CheckpointError("IoError", "cannot read the checkpoint state file", {
      file,
      cause: e,
    });
  }
  let latest: string | undefined;
  const all: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (m === null) {
      throw new CheckpointError("Malformed", `line ${i + 1} is not "field: value"`, { file });
    }
    const q = /^"((?:[^"\\]|\\.)*)"$/.exec(m[2]!);
    if (m[1] === "model_checkpoint_path" || m[1] === "all_model_checkpoint_paths") {
      if (q === null) {
        throw new CheckpointError("Malformed", `line ${i + 1}: expected a quoted string`, { file });
      }
      const v = unescape(q[1]!, file, i + 1);
      if (m[1] === "model_checkpoint_path") latest = v;
      else all.push(v);
    }
  });
  if (latest === undefined) {
    throw new CheckpointError("Malformed", "no model_checkpoint_path", { file });
  }
  return Object.freeze({
    modelCheckpointPath: latest,
    allModelCheckpointPaths: Object.freeze(all),
  });
}

/**
 * The latest checkpoint prefix named by `<dir>/checkpoint`, resolved against
 * `dir` when relative, or undefined when there is no state file or its
 * checkpoint's `.index` is gone (as TensorFlow's `latest_checkpoint`).
 *
 * @param dir the checkpoint directory
 * @returns the prefix, or undefined
 * @category checkpoint
 */
export function latestCheckpoint(dir: string): string | undefined {
  checkString(dir, "checkpoint directory");
  const state = readCheckpointState(dir);
  if (state === undefined) return undefined;
  const p = state.modelCheckpointPath;
  const full = p.startsWith("/") ? p : `${dir}/${p}`;
  try {
    Deno.statSync(`${full}.index`);
    return full;
  } catch {
    return undefined;
  }
}
