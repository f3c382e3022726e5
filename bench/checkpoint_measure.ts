/**
 * The measuring harness of the TensorFlow checkpoint comparisons in
 * `bench/summary.ts` (all in a temporary directory, removed afterwards):
 *
 * - read: open a checkpoint and read every tensor (CRC32C verified) vs
 *   `Deno.readFileSync` of its index and data files;
 * - write: `writeTfCheckpointAsync` (temporary files, fsync, rename; CRC of
 *   the next chunk computed while the previous one is written) vs writing
 *   the same two files' bytes with `FsFile.write` and `sync`; and, as a
 *   detail, the synchronous `writeTfCheckpoint` vs `writeSync` + `syncSync`;
 * - list: opening a checkpoint of many variables and listing them, with its
 *   data file deleted (listing reads only the index).
 *
 * Sides alternate by round (A, B, B, A, …); the ratio is the median of the
 * per-round ratios A / B.
 *
 * @module
 */
import {
  openTfCheckpoint,
  type StoredTensor,
  writeTfCheckpoint,
  writeTfCheckpointAsync,
} from "varscope/checkpoint";
import { median } from "./_measure.ts";

/** Sizes and repetitions. */
export interface CheckpointSettings {
  /** Bytes of tensor data in the read/write checkpoint. */
  readonly totalBytes: number;
  /** Number of float32 tensors it is split into. */
  readonly tensors: number;
  readonly warmup: number;
  readonly rounds: number;
  /** Rounds of the synchronous write detail. */
  readonly syncRounds: number;
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
  syncRounds: 7,
  listVariables: 10000,
  listRounds: 21,
};

/** The quick smoke run. */
export const CHECKPOINT_QUICK: CheckpointSettings = {
  totalBytes: 4 * 1024 * 1024,
  tensors: 16,
  warmup: 1,
  rounds: 3,
  syncRounds: 3,
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
  /** The asynchronous writer vs asynchronous raw writes. */
  readonly write: CheckpointPair;
  /** The synchronous writer vs synchronous raw writes. */
  readonly writeSync: CheckpointPair;
  /** Median ms to open and list the listing checkpoint. */
  readonly listMs: number;
  readonly listIndexBytes: number;
}

let sink = 0;

async function pair(
  warmup: number,
  rounds: number,
  a: () => unknown,
  b: () => unknown,
): Promise<CheckpointPair> {
  const time = async (f: () => unknown): Promise<number> => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  for (let i = 0; i < warmup; i++) {
    await a();
    await b();
  }
  const as: number[] = [], bs: number[] = [], rs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ta: number, tb: number;
    if (r % 2 === 0) {
      ta = await time(a);
      tb = await time(b);
    } else {
      tb = await time(b);
      ta = await time(a);
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

function rawWriteSync(path: string, bytes: Uint8Array): void {
  const f = Deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    let done = 0;
    while (done < bytes.length) done += f.writeSync(bytes.subarray(done));
    f.syncSync();
  } finally {
    f.close();
  }
}

async function rawWrite(path: string, bytes: Uint8Array): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let done = 0;
    while (done < bytes.length) done += await f.write(bytes.subarray(done));
    await f.sync();
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
export async function measureCheckpoint(s: CheckpointSettings): Promise<CheckpointResults> {
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
    const read = await pair(
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
    const write = await pair(
      s.warmup,
      s.rounds,
      () => writeTfCheckpointAsync(out, tensors),
      async () => {
        await rawWrite(`${dir}/raw.data`, dataBytes);
        await rawWrite(`${dir}/raw.index`, indexBytes);
      },
    );
    const writeSync = await pair(
      1,
      s.syncRounds,
      () => writeTfCheckpoint(out, tensors),
      () => {
        rawWriteSync(`${dir}/raw.data`, dataBytes);
        rawWriteSync(`${dir}/raw.index`, indexBytes);
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
      writeSync,
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
