/**
 * The measuring harness of the TensorFlow checkpoint comparisons in
 * `bench/summary.ts` (all in a temporary directory, removed afterwards):
 *
 * - read: open a checkpoint and read every tensor (CRC32C verified) vs
 *   `Deno.readFileSync` of its index and data files;
 * - write: `writeTfCheckpoint` (temporary files, fsync, rename) vs
 *   `Deno.writeFileSync` of the same bytes followed by fsync; and, as a
 *   detail, `writeTfCheckpoint(..., { sync: false })` vs the plain write;
 * - list: opening a checkpoint of many variables and listing them, with its
 *   data file deleted (listing reads only the index).
 *
 * Sides alternate by round (A, B, B, A, …); the ratio is the median of the
 * per-round ratios A / B.
 *
 * @module
 */
import { openTfCheckpoint, type StoredTensor, writeTfCheckpoint } from "varscope/checkpoint";
import { median } from "./_measure.ts";

/** Sizes and repetitions. */
export interface CheckpointSettings {
  /** Bytes of tensor data in the read/write checkpoint. */
  readonly totalBytes: number;
  /** Number of float32 tensors it is split into. */
  readonly tensors: number;
  readonly warmup: number;
  readonly rounds: number;
  /** Rounds of the unsynced write detail. */
  readonly noSyncRounds: number;
  /** Variables of the listing checkpoint. */
  readonly listVariables: number;
  readonly listRounds: number;
}

/** The full run: a 100 MB checkpoint, 10,000 variables to list. */
export const CHECKPOINT_FULL: CheckpointSettings = {
  totalBytes: 100 * 1024 * 1024,
  tensors: 100,
  warmup: 2,
  rounds: 21,
  noSyncRounds: 7,
  listVariables: 10000,
  listRounds: 21,
};

/** The quick smoke run. */
export const CHECKPOINT_QUICK: CheckpointSettings = {
  totalBytes: 4 * 1024 * 1024,
  tensors: 16,
  warmup: 1,
  rounds: 3,
  noSyncRounds: 3,
  listVariables: 1000,
  listRounds: 3,
};

/** One comparison. */
export interface CheckpointPair {
  /** Median ms of side A (ours). */
  readonly aMs: number;
  /** Median ms of side B (the raw baseline). */
  readonly bMs: number;
  /** Median of the per-round ratios A / B (the reported ratio). */
  readonly ratio: number;
  /** Smallest and largest per-round ratio. */
  readonly spread: readonly [number, number];
  readonly rounds: number;
}

/** Everything measured. */
export interface CheckpointResults {
  readonly settings: CheckpointSettings;
  readonly read: CheckpointPair;
  readonly write: CheckpointPair;
  readonly writeNoSync: CheckpointPair;
  /** Median ms to open and list the listing checkpoint. */
  readonly listMs: number;
  readonly listIndexBytes: number;
}

let sink = 0;

function pair(warmup: number, rounds: number, a: () => void, b: () => void): CheckpointPair {
  const time = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) {
    a();
    b();
  }
  const as: number[] = [], bs: number[] = [], rs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ta: number, tb: number;
    if (r % 2 === 0) {
      ta = time(a);
      tb = time(b);
    } else {
      tb = time(b);
      ta = time(a);
    }
    as.push(ta);
    bs.push(tb);
    rs.push(ta / tb);
  }
  return {
    aMs: median(as),
    bMs: median(bs),
    ratio: median(rs),
    spread: [Math.min(...rs), Math.max(...rs)],
    rounds,
  };
}

function syncWrite(path: string, bytes: Uint8Array, sync: boolean): void {
  const f = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    let done = 0;
    while (done < bytes.length) done += f.writeSync(bytes.subarray(done));
    if (sync) f.syncSync();
  } finally {
    f.close();
  }
}

/**
 * Builds the fixtures in a temporary directory, measures, removes it.
 *
 * @param s sizes and repetitions
 * @returns the three measurements
 */
export function measureCheckpoint(s: CheckpointSettings): CheckpointResults {
  const dir = Deno.makeTempDirSync({ prefix: "varscope-bench-ckpt-" });
  try {
    const per = Math.floor(s.totalBytes / 4 / s.tensors);
    const tensors: StoredTensor[] = [];
    for (let i = 0; i < s.tensors; i++) {
      const v = new Float32Array(per);
      for (let k = 0; k < per; k += 97) v[k] = i + k;
      tensors.push({ name: `model/layer_${i}/kernel`, dtype: "float32", shape: [per], values: v });
    }
    const prefix = `${dir}/model.ckpt`;
    const written = writeTfCheckpoint(prefix, tensors);
    // Check the fixture once: every tensor reads back.
    const check = openTfCheckpoint(prefix);
    for (const t of tensors) {
      const back = check.read(t.name).values as Float32Array;
      if (back.length !== per || back[97] !== (t.values as Float32Array)[97]) {
        throw new Error(`bench fixture ${t.name} did not read back`);
      }
    }
    const read = pair(
      s.warmup,
      s.rounds,
      () => {
        const ckpt = openTfCheckpoint(prefix);
        for (const info of ckpt.list()) {
          sink += (ckpt.read(info.name).values as Float32Array).length;
        }
      },
      () => {
        sink += Deno.readFileSync(written.indexFile).length;
        sink += Deno.readFileSync(written.dataFile).length;
      },
    );
    const indexBytes = Deno.readFileSync(written.indexFile);
    const dataBytes = Deno.readFileSync(written.dataFile);
    const out = `${dir}/out.ckpt`;
    const write = pair(
      s.warmup,
      s.rounds,
      () => void writeTfCheckpoint(out, tensors),
      () => {
        syncWrite(`${dir}/raw.data`, dataBytes, true);
        syncWrite(`${dir}/raw.index`, indexBytes, true);
      },
    );
    const writeNoSync = pair(
      1,
      s.noSyncRounds,
      () => void writeTfCheckpoint(out, tensors, { sync: false }),
      () => {
        syncWrite(`${dir}/raw.data`, dataBytes, false);
        syncWrite(`${dir}/raw.index`, indexBytes, false);
      },
    );
    // Listing: many small variables; the data file is deleted to show
    // that listing never opens it.
    const many: StoredTensor[] = [];
    for (let i = 0; i < s.listVariables; i++) {
      many.push({
        name: `block_${i % 100}/layer_${i}/dense/kernel`,
        dtype: "float32",
        shape: [4, 4],
        values: new Float32Array(16),
      });
    }
    const listPrefix = `${dir}/many.ckpt`;
    const listed = writeTfCheckpoint(listPrefix, many);
    Deno.removeSync(listed.dataFile);
    const listTimes: number[] = [];
    for (let r = 0; r < s.warmup + s.listRounds; r++) {
      const t0 = performance.now();
      const n = openTfCheckpoint(listPrefix).list().length;
      const dt = performance.now() - t0;
      if (n !== s.listVariables) throw new Error(`listed ${n} variables`);
      if (r >= s.warmup) listTimes.push(dt);
    }
    return {
      settings: s,
      read,
      write,
      writeNoSync,
      listMs: median(listTimes),
      listIndexBytes: Deno.statSync(listed.indexFile).size,
    };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** A value depending on every timed read (print it or compare it). */
export function checkpointChecksum(): number {
  return sink;
}
