/**
 * The measuring harness of the TensorFlow.js comparisons in
 * `bench/summary.ts`: for each backend, the fixtures of `bench/_mlp.ts`
 * are built and checked, then each comparison interleaves its two sides in
 * alternating rounds (A, B, A, B, …) after warm-up rounds, and reports the
 * median per-call time of each side and their ratio (A = varscope).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { type BackendName, useBackend } from "varscope/tfjs";
import { median } from "./_measure.ts";
import {
  applyFixture,
  checkTrainFixture,
  demoFixture,
  runCompiled,
  runHandwritten,
  runInline,
  runInterpreted,
  runPredict,
  stepDemo,
  stepLayers,
  stepMinimize,
  stepOurs,
  type TrainFixture,
  trainFixture,
} from "./_mlp.ts";

/** How many rounds and calls a comparison times. */
export interface PairSettings {
  /** Untimed rounds of each side first. */
  readonly warmup: number;
  /** Timed rounds of each side. */
  readonly rounds: number;
  /** Calls per round (each side). */
  readonly calls: number;
}

/** One comparison's result. */
export interface PairResult {
  /** Median µs per call of side A (varscope). */
  readonly aUs: number;
  /** Median µs per call of side B (the baseline). */
  readonly bUs: number;
  /**
   * The reported ratio: the median over rounds of A's time / B's time in
   * the same round (paired, so slow drifts of machine load cancel).
   */
  readonly ratio: number;
  /** aUs / bUs, the ratio of the two medians (a cross-check). */
  readonly mediansRatio: number;
  /** The 10th and 90th percentiles of the per-round ratios (the spread). */
  readonly spread: readonly [number, number];
  /** Per-round µs per call of A, in order taken. */
  readonly aSamples: readonly number[];
  /** Per-round µs per call of B, in order taken. */
  readonly bSamples: readonly number[];
}

function timeRound(calls: number, f: () => void): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) f();
  return ((performance.now() - t0) * 1000) / calls;
}

async function timeRoundAsync(calls: number, f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await f();
  return ((performance.now() - t0) * 1000) / calls;
}

function result(a: number[], b: number[]): PairResult {
  const aUs = median(a);
  const bUs = median(b);
  const ratios = a.map((x, i) => x / b[i]!);
  return {
    aUs,
    bUs,
    ratio: median(ratios),
    mediansRatio: aUs / bUs,
    spread: [percentile(ratios, 0.1), percentile(ratios, 0.9)],
    aSamples: a,
    bSamples: b,
  };
}

/**
 * The q-quantile of a non-empty list (nearest rank).
 *
 * @param xs the samples
 * @param q the quantile in [0, 1]
 * @returns the sample at that rank
 */
export function percentile(xs: readonly number[], q: number): number {
  const s = xs.slice().sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
}

/**
 * Times two synchronous sides in alternating rounds: `warmup` untimed
 * rounds of each, then A, B, A, B, … for `rounds` rounds of each, `calls`
 * calls per round.
 *
 * @param a side A (varscope)
 * @param b side B (the baseline)
 * @param s rounds and calls
 * @returns medians of per-round µs per call, and their ratio
 */
export function measurePair(a: () => void, b: () => void, s: PairSettings): PairResult {
  for (let w = 0; w < s.warmup; w++) {
    timeRound(s.calls, a);
    timeRound(s.calls, b);
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < s.rounds; r++) {
    as.push(timeRound(s.calls, a));
    bs.push(timeRound(s.calls, b));
  }
  return result(as, bs);
}

/**
 * {@linkcode measurePair} for asynchronous sides: each call is awaited
 * before the next starts.
 *
 * @param a side A (varscope)
 * @param b side B (the baseline)
 * @param s rounds and calls
 * @returns medians of per-round µs per call, and their ratio
 */
export async function measurePairAsync(
  a: () => Promise<void>,
  b: () => Promise<void>,
  s: PairSettings,
): Promise<PairResult> {
  for (let w = 0; w < s.warmup; w++) {
    await timeRoundAsync(s.calls, a);
    await timeRoundAsync(s.calls, b);
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < s.rounds; r++) {
    as.push(await timeRoundAsync(s.calls, a));
    bs.push(await timeRoundAsync(s.calls, b));
  }
  return result(as, bs);
}

/**
 * Times one side alone: `warmup` untimed rounds, then `rounds` rounds of
 * `calls` calls.
 *
 * @param a the side
 * @param s rounds and calls
 * @returns the median of per-round µs per call, and every round's
 */
export function measureOne(a: () => void, s: PairSettings): { us: number; samples: number[] } {
  for (let w = 0; w < s.warmup; w++) timeRound(s.calls, a);
  const samples: number[] = [];
  for (let r = 0; r < s.rounds; r++) samples.push(timeRound(s.calls, a));
  return { us: median(samples), samples };
}

/** Settings of one backend's block of comparisons. */
/** Bytes each side allocates per call, from heap deltas. */
export interface HeapResult {
  /** Median bytes per call of side A (varscope). */
  readonly aBytes: number;
  /** Median bytes per call of side B (the baseline). */
  readonly bBytes: number;
}

/** JS heap bytes per call over one round of `calls` calls, or null when a GC ran in it. */
function heapRound(calls: number, f: () => void): number | null {
  const before = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < calls; i++) f();
  const delta = Deno.memoryUsage().heapUsed - before;
  // A collection during the round frees more than the round allocated.
  return delta >= 0 ? delta / calls : null;
}

/**
 * The JS heap each side allocates per call: alternating rounds as in
 * {@linkcode measurePair}, each the heap growth over its calls; rounds in
 * which a collection ran (the heap shrank) are dropped. Tensor memory of
 * the wasm backend lives outside the JS heap and is not counted.
 *
 * @param a side A (varscope)
 * @param b side B (the baseline)
 * @param s rounds and calls
 * @returns the median bytes per call of each side
 */
export function measureHeapPair(a: () => void, b: () => void, s: PairSettings): HeapResult {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < s.rounds; r++) {
    const x = heapRound(s.calls, a);
    if (x !== null) as.push(x);
    const y = heapRound(s.calls, b);
    if (y !== null) bs.push(y);
  }
  return {
    aBytes: as.length > 0 ? median(as) : Number.NaN,
    bBytes: bs.length > 0 ? median(bs) : Number.NaN,
  };
}

export interface TfjsSettings {
  /** Rounds and calls of the apply comparisons (1–2, 5). */
  readonly apply: PairSettings;
  /** Rounds and calls of the training comparisons (3–4). */
  readonly train: PairSettings;
  /** Rounds and calls of the demo's training step. */
  readonly demo: PairSettings;
}

/**
 * Full-run settings: an apply round is 100 calls (5–10 ms), a training
 * round 10 steps (15–30 ms).
 */
export const FULL_SETTINGS: TfjsSettings = {
  apply: { warmup: 20, rounds: 201, calls: 100 },
  train: { warmup: 3, rounds: 61, calls: 10 },
  demo: { warmup: 3, rounds: 21, calls: 5 },
};

/** Quick (smoke) settings: the same code, far fewer rounds. */
export const QUICK_SETTINGS: TfjsSettings = {
  apply: { warmup: 1, rounds: 3, calls: 10 },
  train: { warmup: 1, rounds: 3, calls: 2 },
  demo: { warmup: 1, rounds: 3, calls: 1 },
};

/** The comparisons of one backend. */
export interface BackendResults {
  /** The backend. */
  readonly backend: BackendName;
  /** Compiled apply vs the hand-written forward pass. */
  readonly applyVsHandwritten: PairResult;
  /** Compiled apply vs `model.predict`. */
  readonly applyVsLayersPredict: PairResult;
  /** Trainer step vs `optimizer.minimize`. */
  readonly trainStepVsMinimize: PairResult;
  /** Trainer step + loss read vs `model.trainOnBatch`. */
  readonly trainStepVsTrainOnBatch: PairResult;
  /** Interpreted apply vs compiled apply. */
  readonly interpretedVsCompiled: PairResult;
  /** Compiled apply of the inline-generator MLP vs the hand-written pass (a detail). */
  readonly inlineVsHandwritten: PairResult;
  /** JS heap allocated per call: compiled apply vs the hand-written pass. */
  readonly applyHeapVsHandwritten: HeapResult;
  /** Median µs per training step of the siamese example model (`examples/siamese_model.ts`). */
  readonly demoStepUs: number;
  /** Tensors alive after the block minus before (0 when nothing leaks). */
  readonly leakedTensors: number;
}

/** Calls each side of a training fixture once per round in `measurePair*`. */
function trainPairs(f: TrainFixture): {
  ours: () => void;
  minimize: () => void;
  oursRead: () => Promise<void>;
  layers: () => Promise<void>;
} {
  return {
    ours: () => stepOurs(f).dispose(),
    minimize: () => stepMinimize(f).dispose(),
    oursRead: async () => {
      const loss = stepOurs(f);
      await loss.data();
      loss.dispose();
    },
    layers: async () => {
      await stepLayers(f);
    },
  };
}

/**
 * Selects `backend` and runs its five comparisons one after the other,
 * with fixtures built and checked first and freed after.
 *
 * @param backend the backend
 * @param s rounds and calls
 * @returns the results
 */
export async function measureBackend(
  backend: BackendName,
  s: TfjsSettings,
): Promise<BackendResults> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;

  const af = applyFixture();
  // Every apply side warms up before the first comparison starts, so the
  // first one does not pay for the JIT's and the heap's settling alone.
  const applySides = [runCompiled, runHandwritten, runPredict, runInterpreted, runInline];
  for (let w = 0; w < s.apply.warmup; w++) {
    for (const side of applySides) timeRound(s.apply.calls, () => side(af));
  }
  const applyVsHandwritten = measurePair(
    () => runCompiled(af),
    () => runHandwritten(af),
    s.apply,
  );
  const applyVsLayersPredict = measurePair(
    () => runCompiled(af),
    () => runPredict(af),
    s.apply,
  );
  const interpretedVsCompiled = measurePair(
    () => runInterpreted(af),
    () => runCompiled(af),
    s.apply,
  );
  const inlineVsHandwritten = measurePair(
    () => runInline(af),
    () => runHandwritten(af),
    s.apply,
  );
  const applyHeapVsHandwritten = measureHeapPair(
    () => runCompiled(af),
    () => runHandwritten(af),
    s.apply,
  );
  af.dispose();

  const tf1 = trainFixture();
  await checkTrainFixture(tf1);
  const p = trainPairs(tf1);
  for (let w = 0; w < s.train.warmup; w++) {
    timeRound(s.train.calls, p.ours);
    timeRound(s.train.calls, p.minimize);
  }
  const trainStepVsMinimize = measurePair(p.ours, p.minimize, s.train);
  const trainStepVsTrainOnBatch = await measurePairAsync(p.oursRead, p.layers, s.train);
  tf1.dispose();

  const demo = demoFixture();
  const demoStepUs = measureOne(() => stepDemo(demo).dispose(), s.demo).us;
  demo.dispose();

  return {
    backend,
    applyVsHandwritten,
    applyVsLayersPredict,
    trainStepVsMinimize,
    trainStepVsTrainOnBatch,
    interpretedVsCompiled,
    inlineVsHandwritten,
    applyHeapVsHandwritten,
    demoStepUs,
    leakedTensors: tf.memory().numTensors - before,
  };
}
