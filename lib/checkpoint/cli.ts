/**
 * `varscope-ckpt`: list, show, compare and convert weight files (TensorFlow
 * checkpoints and TensorFlow.js weights) by TF1 name.
 *
 * Run it with `deno task ckpt <command>`, or install it:
 * `deno install -g --allow-read --allow-write -n varscope-ckpt lib/checkpoint/cli.ts`.
 *
 * Exit codes: 0 ok; 1 `diff` found differences; 2 usage error; 3 a file is
 * missing, unreadable or malformed; 4 `show` names a tensor the file does
 * not hold; 5 `convert` failed (a value with no exact conversion, or a
 * write error); 70 an unexpected internal error.
 *
 * @module
 */
import { CheckpointError } from "./checkpoint_error.ts";
import { loadCheckpoint } from "./load_checkpoint.ts";
import type { CheckpointReader, StoredTensor, StoredTensorInfo } from "./stored_tensor.ts";
import { writeTfCheckpoint } from "./tf_checkpoint_writer.ts";
import { TfjsWeightsReader, writeTfjsWeights } from "./tfjs_files.ts";
import { toTfjsValues } from "./tfjs_values.ts";
import { elementCount } from "./_tensor_values.ts";
import { elementSize } from "./_dtypes.ts";
import { checkReader } from "./_fill.ts";
import { readArgument } from "./_guard.ts";

/**
 * The exit codes of {@linkcode main}.
 *
 * @category checkpoint
 */
export const EXIT: Readonly<{
  ok: 0;
  differences: 1;
  usage: 2;
  badFile: 3;
  notFound: 4;
  convertFailed: 5;
  internal: 70;
}> = Object.freeze(
  {
    /** Success (and `diff`: no differences). */
    ok: 0,
    /** `diff` found differences. */
    differences: 1,
    /** Bad command line. */
    usage: 2,
    /** A file is missing, unreadable or malformed. */
    badFile: 3,
    /** `show`: no tensor of that name. */
    notFound: 4,
    /** `convert`: a value with no exact conversion, or a write error. */
    convertFailed: 5,
    /** An unexpected error (a bug). */
    internal: 70,
  } as const,
);

const USAGE = `varscope-ckpt: weight files by TF1 variable name

Usage:
  varscope-ckpt ls PATH
      every tensor: name, dtype, shape, size (like TensorFlow's list_variables)
  varscope-ckpt show PATH NAME [--all]
      one tensor's values (big tensors summarised: min, max, mean, first and last few)
  varscope-ckpt diff A B [--atol X]
      names only in A or B, shape and dtype differences, max abs value difference
  varscope-ckpt convert SRC DST [--to tf|tfjs] [--shard-size BYTES] [--progress]
      TensorFlow checkpoint <-> TensorFlow.js weights (default: the other format)
  varscope-ckpt --help

PATH is a TensorFlow checkpoint prefix (model.ckpt-1000, or its .index, or a
folder with a 'checkpoint' state file) or TensorFlow.js weights (model.json, or
its folder).

Exit codes: 0 ok, 1 diff found differences, 2 usage error, 3 bad or missing
file, 4 no such tensor, 5 conversion failed, 70 internal error.
`;

/** Where the CLI writes (a child process's streams, or a test's buffers). */
export interface CliOutput {
  /** Normal output. */
  readonly out: (line: string) => void;
  /** Diagnostics and progress. */
  readonly err: (line: string) => void;
}

class UsageError extends Error {}

/** Human byte count: "36 B", "4.0 KiB", "1.5 MiB". */
function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

const shapeText = (s: readonly number[]): string => `[${s.join(",")}]`;

function sizeOf(t: StoredTensorInfo): number | null {
  // Strings have no fixed size (elementSize 0).
  const size = elementSize(t.dtype);
  const n = elementCount(t.shape);
  return size === 0 || n === null ? null : size * n;
}

function notes(reader: CheckpointReader, name: string): string {
  const r = reader as Partial<{ slices(n: string): readonly unknown[] }>;
  if (typeof r.slices === "function") {
    const k = r.slices(name).length;
    if (k > 0) return `partitioned, ${k} slices`;
  }
  if (reader instanceof TfjsWeightsReader) {
    const q = reader.entry(name)?.quantization;
    if (q !== undefined) return `quantized ${q.dtype}`;
  }
  return "";
}

function pad(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

/**
 * The `ls` listing of an open file: one line per tensor (name, dtype,
 * shape, size, notes such as partitioning or quantization) and a total.
 *
 * @param reader the open file
 * @returns the listing, one line per element
 *
 * @example
 * ```ts
 * import { formatListing, loadCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const lines = formatListing(loadCheckpoint("tests/fixtures/tfjs-weights/tfjs-graph-model-w-2x2"));
 * assert.equal(lines[1], "w     float32  [2,2]  16 B");
 * assert.equal(lines.at(-1), "1 tensor, 16 B");
 * ```
 *
 * @category checkpoint
 */
export function formatListing(reader: CheckpointReader): string[] {
  const r = checkReader(reader);
  return readArgument("reader", () => listing(r));
}

function listing(reader: CheckpointReader): string[] {
  const list = reader.list();
  let total = 0;
  let unknown = false;
  const rows = [["name", "dtype", "shape", "size", "notes"]];
  for (const t of list) {
    const size = sizeOf(t);
    if (size === null) unknown = true;
    else total += size;
    rows.push([
      t.name,
      t.dtype,
      shapeText(t.shape),
      size === null ? `${elementCount(t.shape)} strings` : bytes(size),
      notes(reader, t.name),
    ]);
  }
  return [
    ...pad(rows),
    `${list.length} tensor${list.length === 1 ? "" : "s"}, ${bytes(total)}${
      unknown ? " plus strings" : ""
    }`,
  ];
}

/** Values as display strings (float16/bfloat16 decoded, strings quoted). */
function displayValues(t: StoredTensor): string[] {
  if (t.dtype === "string") {
    const dec = new TextDecoder("utf-8", { fatal: true });
    return (t.values as readonly Uint8Array[]).map((b) => {
      try {
        return JSON.stringify(dec.decode(b));
      } catch {
        return `0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")}`;
      }
    });
  }
  if (t.dtype === "bool") return Array.from(t.values as Uint8Array, (b) => b ? "true" : "false");
  if (t.dtype === "float16" || t.dtype === "bfloat16") {
    return Array.from(toTfjsValues(t).values as Float32Array, String);
  }
  return Array.from(t.values as ArrayLike<number | bigint>, (v) => String(v));
}

function numbers(t: StoredTensor): number[] | null {
  if (t.dtype === "string") return null;
  if (t.dtype === "bool") return Array.from(t.values as Uint8Array);
  if (t.dtype === "float16" || t.dtype === "bfloat16") {
    return Array.from(toTfjsValues(t).values as Float32Array);
  }
  return Array.from(t.values as ArrayLike<number | bigint>, Number);
}

function nested(vals: readonly string[], shape: readonly number[]): string {
  if (shape.length === 0) return vals[0] ?? "";
  const go = (d: number, at: number): string => {
    if (d === shape.length - 1) return `[${vals.slice(at, at + shape[d]!).join(", ")}]`;
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const parts = [];
    for (let i = 0; i < shape[d]!; i++) parts.push(go(d + 1, at + i * stride));
    return `[${parts.join(", ")}]`;
  };
  return go(0, 0);
}

/** The `show` text of one tensor. */
function formatTensor(t: StoredTensor, all: boolean): string[] {
  const n = elementCount(t.shape) ?? 0;
  const lines = [`name: ${t.name}`, `dtype: ${t.dtype}`, `shape: ${shapeText(t.shape)}`];
  const vals = displayValues(t);
  if (all || n <= 100) {
    lines.push(`values: ${nested(vals, t.shape)}`);
    return lines;
  }
  lines.push(`elements: ${n}`);
  const nums = numbers(t);
  if (nums !== null) {
    let min = Infinity, max = -Infinity, sum = 0, nan = 0;
    for (const v of nums) {
      if (Number.isNaN(v)) {
        nan++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    lines.push(`min: ${min}`, `max: ${max}`, `mean: ${sum / (nums.length - nan)}`);
    if (nan > 0) lines.push(`NaN: ${nan}`);
  }
  lines.push(`first 5: [${vals.slice(0, 5).join(", ")}]`);
  lines.push(`last 5: [${vals.slice(-5).join(", ")}]`);
  return lines;
}

interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

function parse(
  args: readonly string[],
  valued: readonly string[],
  bare: readonly string[],
): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      const [k, v] = a.includes("=")
        ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
        : [a, undefined];
      if (valued.includes(k)) {
        const value = v ?? args[++i];
        if (value === undefined) throw new UsageError(`${k} needs a value`);
        flags.set(k, value);
      } else if (bare.includes(k) && v === undefined) flags.set(k, true);
      else throw new UsageError(`unknown option ${a}`);
    } else positional.push(a);
  }
  return { positional, flags };
}

function arity(p: Parsed, n: number, cmd: string): void {
  if (p.positional.length !== n) {
    throw new UsageError(
      `${cmd} takes ${n} path${n === 1 ? "" : "s or names"}, got ${p.positional.length}`,
    );
  }
}

function ls(args: readonly string[], io: CliOutput): number {
  const p = parse(args, [], []);
  arity(p, 1, "ls");
  const reader = loadCheckpoint(p.positional[0]!);
  io.out(`${reader.format}: ${p.positional[0]}`);
  for (const line of formatListing(reader)) io.out(line);
  return EXIT.ok;
}

function show(args: readonly string[], io: CliOutput): number {
  const p = parse(args, [], ["--all"]);
  if (p.positional.length !== 2) throw new UsageError("show takes PATH and NAME");
  const [path, name] = p.positional as [string, string];
  const reader = loadCheckpoint(path);
  if (!reader.has(name)) {
    io.err(`${path} has no tensor named ${JSON.stringify(name)} (see: varscope-ckpt ls ${path})`);
    return EXIT.notFound;
  }
  for (const line of formatTensor(reader.read(name), p.flags.has("--all"))) io.out(line);
  return EXIT.ok;
}

function compareValues(a: StoredTensor, b: StoredTensor): { differing: number; maxAbs: number } {
  if (a.dtype === "string" || b.dtype === "string") {
    const x = displayValues(a), y = displayValues(b);
    let differing = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differing++;
    return { differing, maxAbs: differing > 0 ? NaN : 0 };
  }
  if (a.dtype === "int64" && b.dtype === "int64") {
    const x = a.values as BigInt64Array, y = b.values as BigInt64Array;
    let differing = 0, maxAbs = 0;
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) {
        differing++;
        const d = Number(x[i]! > y[i]! ? x[i]! - y[i]! : y[i]! - x[i]!);
        if (d > maxAbs) maxAbs = d;
      }
    }
    return { differing, maxAbs };
  }
  const x = numbers(a)!, y = numbers(b)!;
  let differing = 0, maxAbs = 0;
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!, v = y[i]!;
    if (Object.is(u, v) || u === v || (Number.isNaN(u) && Number.isNaN(v))) continue;
    differing++;
    const d = Number.isNaN(u) || Number.isNaN(v) ? Infinity : Math.abs(u - v);
    if (d > maxAbs) maxAbs = d;
  }
  return { differing, maxAbs };
}

function diff(args: readonly string[], io: CliOutput): number {
  const p = parse(args, ["--atol"], []);
  arity(p, 2, "diff");
  const atolText = p.flags.get("--atol");
  const atol = atolText === undefined ? 0 : Number(atolText);
  if (!Number.isFinite(atol) || atol < 0) throw new UsageError(`--atol must be a number >= 0`);
  const [pa, pb] = p.positional as [string, string];
  const a = loadCheckpoint(pa), b = loadCheckpoint(pb);
  const la = new Map(a.list().map((t) => [t.name, t]));
  const lb = new Map(b.list().map((t) => [t.name, t]));
  let differences = 0, same = 0;
  for (const n of la.keys()) {
    if (!lb.has(n)) {
      io.out(`only in A: ${n}`);
      differences++;
    }
  }
  for (const n of lb.keys()) {
    if (!la.has(n)) {
      io.out(`only in B: ${n}`);
      differences++;
    }
  }
  for (const [n, ta] of la) {
    const tb = lb.get(n);
    if (tb === undefined) continue;
    let differs = false;
    if (ta.dtype !== tb.dtype) {
      io.out(`dtype differs: ${n} (A ${ta.dtype}, B ${tb.dtype})`);
      differs = true;
    }
    if (shapeText(ta.shape) !== shapeText(tb.shape)) {
      io.out(`shape differs: ${n} (A ${shapeText(ta.shape)}, B ${shapeText(tb.shape)})`);
      differs = true;
    } else if ((ta.dtype === "string") === (tb.dtype === "string")) {
      const { differing, maxAbs } = compareValues(a.read(n), b.read(n));
      if (differing > 0 && !(maxAbs <= atol)) {
        io.out(
          `values differ: ${n} (${differing} of ${
            elementCount(ta.shape)
          } elements, max abs difference ${maxAbs})`,
        );
        differs = true;
      }
    }
    if (differs) differences++;
    else same++;
  }
  io.out(
    `${same} identical, ${differences} difference${differences === 1 ? "" : "s"}${
      atol > 0 ? ` (atol ${atol})` : ""
    }`,
  );
  return differences === 0 ? EXIT.ok : EXIT.differences;
}

const PROGRESS_BYTES = 16 * 1024 * 1024;

function convert(args: readonly string[], io: CliOutput): number {
  const p = parse(args, ["--to", "--shard-size"], ["--progress"]);
  arity(p, 2, "convert");
  const [src, dst] = p.positional as [string, string];
  const toFlag = p.flags.get("--to");
  if (toFlag !== undefined && toFlag !== "tf" && toFlag !== "tfjs") {
    throw new UsageError(`--to must be tf or tfjs, got ${String(toFlag)}`);
  }
  const shardText = p.flags.get("--shard-size");
  const shardSizeBytes = shardText === undefined ? undefined : Number(shardText);
  if (
    shardSizeBytes !== undefined && !(Number.isSafeInteger(shardSizeBytes) && shardSizeBytes > 0)
  ) {
    throw new UsageError("--shard-size must be a positive integer");
  }
  const reader = loadCheckpoint(src);
  const to = toFlag ?? (reader.format === "tfjs" ? "tf" : "tfjs");
  const list = reader.list();
  const total = list.reduce((s, t) => s + (sizeOf(t) ?? 0), 0);
  const progress = p.flags.has("--progress") || total >= PROGRESS_BYTES;
  let done = 0, last = 0;
  function* tensors(): Generator<StoredTensor> {
    for (const [i, t] of list.entries()) {
      const x = reader.read(t.name);
      done += sizeOf(t) ?? 0;
      const now = Date.now();
      if (progress && (now - last > 250 || i === list.length - 1)) {
        last = now;
        io.err(`converting: ${i + 1}/${list.length} tensors, ${bytes(done)} of ${bytes(total)}`);
      }
      yield x;
    }
  }
  try {
    if (to === "tfjs") {
      const w = writeTfjsWeights(
        dst,
        tensors(),
        shardSizeBytes === undefined ? {} : { shardSizeBytes },
      );
      io.out(
        `wrote ${w.modelJson} and ${w.shards.length} shard${
          w.shards.length === 1 ? "" : "s"
        }: ${list.length} tensors, ${bytes(w.bytes)}`,
      );
    } else {
      const w = writeTfCheckpoint(dst, tensors());
      io.out(
        `wrote ${w.indexFile} and ${w.dataFile}: ${w.variables} tensors, ${bytes(w.dataBytes)}`,
      );
    }
  } catch (e) {
    if (e instanceof CheckpointError && (e.code === "NoExactConversion" || e.code === "IoError")) {
      io.err(`varscope-ckpt: cannot convert ${src} to ${dst}: ${e.message}`);
      return EXIT.convertFailed;
    }
    throw e;
  }
  return EXIT.ok;
}

/**
 * Runs the CLI on arguments; returns the exit code (see {@linkcode EXIT}).
 *
 * @param args the arguments after the program name
 * @param io where output goes (default: stdout and stderr)
 * @returns the exit code
 *
 * @example
 * ```ts
 * import { main } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const code = await main(["ls", "tests/fixtures/tfjs-weights/tfjs-graph-model-w-2x2"], {
 *   out: (l) => out.push(l),
 *   err: () => {},
 * });
 * assert.equal(code, 0);
 * assert.match(out[2]!, /^w +float32 +\[2,2\] +16 B$/);
 * ```
 *
 * @category checkpoint
 */
export function main(args: readonly string[], io: CliOutput = defaultOutput()): Promise<number> {
  try {
    const [cmd, ...rest] = args;
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      if (cmd === undefined) {
        io.err(USAGE);
        return Promise.resolve(EXIT.usage);
      }
      io.out(USAGE);
      return Promise.resolve(EXIT.ok);
    }
    const run = { ls, show, diff, convert }[cmd as "ls"];
    if (run === undefined || !Object.hasOwn({ ls, show, diff, convert }, cmd)) {
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
    }
    return Promise.resolve(run(rest, io));
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`varscope-ckpt: ${e.message}\n\n${USAGE}`);
      return Promise.resolve(EXIT.usage);
    }
    if (e instanceof CheckpointError) {
      io.err(`varscope-ckpt: ${e.message}`);
      return Promise.resolve(EXIT.badFile);
    }
    io.err(`varscope-ckpt: internal error: ${e instanceof Error ? e.stack : String(e)}`);
    return Promise.resolve(EXIT.internal);
  }
}

function defaultOutput(): CliOutput {
  const enc = new TextEncoder();
  return {
    out: (line) => Deno.stdout.writeSync(enc.encode(`${line}\n`)),
    err: (line) => Deno.stderr.writeSync(enc.encode(`${line}\n`)),
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
