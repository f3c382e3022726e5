/**
 * Worker of the checkpoint fuzzer: runs cases [from, to) and reports
 * progress through shared memory, so the main thread can tell a hang (no
 * progress within the time bound) from slow work and kill the worker.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  baseCorpus,
  CRASHES,
  CURRENT,
  DONE,
  MAX_US,
  mutatedCase,
  OK,
  runCase,
  TYPED,
} from "./_checkpoint_cases.ts";

self.onmessage = (ev: MessageEvent) => {
  const { seed, from, to, shared, fileEvery, dir } = ev.data as {
    seed: number;
    from: number;
    to: number;
    shared: SharedArrayBuffer;
    fileEvery: number;
    dir: string | undefined;
  };
  const p = new Int32Array(shared);
  const codes: Record<string, number> = {};
  for (let i = from; i < to; i++) {
    Atomics.store(p, CURRENT, i);
    const t0 = performance.now();
    const f = mutatedCase(seed, i);
    const viaFile = dir !== undefined && fileEvery > 0 && i % fileEvery === 0;
    const out = runCase(f, viaFile ? dir : undefined);
    const us = Math.round((performance.now() - t0) * 1000);
    if (us > Atomics.load(p, MAX_US)) Atomics.store(p, MAX_US, us);
    if (out.kind === "ok") Atomics.add(p, OK, 1);
    else if (out.kind === "typed") {
      Atomics.add(p, TYPED, 1);
      codes[out.code] = (codes[out.code] ?? 0) + 1;
    } else {
      Atomics.add(p, CRASHES, 1);
      self.postMessage({ type: "crash", index: i, label: f.label, error: out.error, viaFile });
    }
    Atomics.add(p, DONE, 1);
  }
  self.postMessage({ type: "done", codes });
};
// The modules above finish loading (hash-wasm compiles its WebAssembly with a
// top-level await) before this line; a job posted earlier could be lost.
baseCorpus();
self.postMessage({ type: "ready" });
// The modules above finish loading (hash-wasm compiles its WebAssembly with a
// top-level await) before this line; a job posted earlier could be lost.
baseCorpus();
self.postMessage({ type: "ready" });
