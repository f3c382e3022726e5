/**
 * The TensorFlow checkpoint fuzzer: mutates the real fixtures and files the
 * writer produces (bit flips, interesting bytes, truncations, splices,
 * deletions, insertions, lying varints and lengths, swapped or duplicated
 * keys, entry-level and data-level mutations with CRCs fixed up so that
 * deeper checks are reached), then opens each mutated checkpoint, lists it
 * and reads every tensor and slice. Every outcome must be success or a
 * CheckpointError that names its file; anything else is a crash. Each case
 * runs under a time bound in a worker that is killed and restarted when a
 * case exceeds it (a hang). Every `fileEvery`-th case goes through the files
 * on disk instead of memory.
 *
 * ```sh
 * deno task fuzz:checkpoint                        # 100,000 cases, seed 1
 * deno task fuzz:checkpoint --count 5000 --seed 7
 * deno task fuzz:checkpoint --seed 7 --from 1234 --count 1 --verbose   # replay one case
 * ```
 *
 * `VARSCOPE_FUZZ_COUNT` and `VARSCOPE_FUZZ_SEED` set the defaults. Exit code
 * 1 when there was any crash or hang.
 *
 * @module
 */
import { CURRENT, DONE, MAX_US, OK, TYPED } from "./_checkpoint_cases.ts";

/** Settings of a fuzz run. */
export interface FuzzSettings {
  readonly seed: number;
  readonly from: number;
  readonly count: number;
  /** A case taking longer than this is a hang (ms). */
  readonly boundMs: number;
  /** Every n-th case is read through the file system (0: never). */
  readonly fileEvery: number;
}

/** What a fuzz run found. */
export interface FuzzReport {
  readonly files: number;
  readonly ok: number;
  readonly typed: number;
  readonly codes: Readonly<Record<string, number>>;
  readonly crashes: readonly { index: number; label: string; error: string }[];
  readonly hangs: readonly number[];
  readonly maxCaseMs: number;
  readonly seconds: number;
}

/**
 * Runs cases [from, from + count) of a seed.
 *
 * @param s the settings
 * @returns the counts, the crashes and the hangs
 */
export async function runFuzz(s: FuzzSettings): Promise<FuzzReport> {
  const t0 = performance.now();
  const dir = s.fileEvery > 0 ? Deno.makeTempDirSync({ prefix: "varscope-fuzz-" }) : undefined;
  const crashes: { index: number; label: string; error: string }[] = [];
  const hangs: number[] = [];
  const codes: Record<string, number> = {};
  let ok = 0, typed = 0, files = 0, maxUs = 0;
  let next = s.from;
  const end = s.from + s.count;
  try {
    while (next < end) {
      const shared = new SharedArrayBuffer(6 * 4);
      const p = new Int32Array(shared);
      Atomics.store(p, CURRENT, next);
      const worker = new Worker(new URL("./_checkpoint_worker.ts", import.meta.url).href, {
        type: "module",
      });
      let died = false;
      let readyResolve: () => void = () => {};
      const ready = new Promise<void>((r) => (readyResolve = r));
      const finished = new Promise<boolean>((resolve) => {
        worker.onmessage = (ev: MessageEvent) => {
          const m = ev.data as {
            type: string;
            index: number;
            label: string;
            error: string;
            codes: Record<string, number>;
          };
          if (m.type === "ready") readyResolve();
          else if (m.type === "crash") {
            crashes.push({ index: m.index, label: m.label, error: m.error });
          } else if (m.type === "done") {
            for (const [k, v] of Object.entries(m.codes)) codes[k] = (codes[k] ?? 0) + v;
            resolve(false);
          }
        };
        worker.onerror = (ev) => {
          ev.preventDefault();
          crashes.push({
            index: Atomics.load(p, CURRENT),
            label: "?",
            error: `worker error: ${ev.message}`,
          });
          resolve(true);
        };
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const started = await Promise.race([
        ready.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), 60000))),
      ]);
      clearTimeout(timer);
      if (!started) {
        worker.terminate();
        throw new Error("the fuzz worker did not start within 60 s");
      }
      worker.postMessage({
        seed: s.seed,
        from: next,
        to: end,
        shared,
        fileEvery: s.fileEvery,
        dir,
      });
      let last = -1, since = performance.now(), hung = false, done = false;
      finished.then((d) => {
        done = true;
        died = d;
      });
      while (!done) {
        await new Promise((r) => setTimeout(r, 20));
        const cur = Atomics.load(p, DONE);
        if (cur !== last) {
          last = cur;
          since = performance.now();
        } else if (performance.now() - since > s.boundMs) {
          hung = true;
          break;
        }
      }
      worker.terminate();
      ok += Atomics.load(p, OK);
      typed += Atomics.load(p, TYPED);
      files += Atomics.load(p, DONE);
      maxUs = Math.max(maxUs, Atomics.load(p, MAX_US));
      if (hung || died) {
        // Resume after the case that hung or killed the worker.
        const at = Atomics.load(p, CURRENT);
        if (hung) hangs.push(at);
        files += 1;
        next = at + 1;
      } else next = end;
    }
  } finally {
    if (dir !== undefined) Deno.removeSync(dir, { recursive: true });
  }
  return {
    files,
    ok,
    typed,
    codes,
    crashes,
    hangs,
    maxCaseMs: maxUs / 1000,
    seconds: (performance.now() - t0) / 1000,
  };
}

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

if (import.meta.main) {
  const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));
  const settings: FuzzSettings = {
    seed: num(arg("seed") ?? Deno.env.get("VARSCOPE_FUZZ_SEED"), 1),
    from: num(arg("from"), 0),
    count: num(arg("count") ?? Deno.env.get("VARSCOPE_FUZZ_COUNT"), 100000),
    boundMs: num(arg("bound-ms"), 2000),
    fileEvery: num(arg("file-every"), 250),
  };
  const r = await runFuzz(settings);
  const codes = Object.entries(r.codes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`)
    .join(" ");
  // deno-lint-ignore no-console
  const log = console.log;
  log(
    `fuzz:checkpoint seed=${settings.seed} from=${settings.from} files=${r.files} ok=${r.ok} typed=${r.typed} ` +
      `crashes=${r.crashes.length} hangs=${r.hangs.length} max_case_ms=${r.maxCaseMs.toFixed(1)} ` +
      `bound_ms=${settings.boundMs} seconds=${r.seconds.toFixed(1)}`,
  );
  log(`typed errors by code: ${codes}`);
  for (const c of r.crashes.slice(0, 20)) log(`CRASH case ${c.index} (${c.label}): ${c.error}`);
  for (const h of r.hangs.slice(0, 20)) log(`HANG case ${h}`);
  if (Deno.args.includes("--verbose") && settings.count <= 10) {
    const { mutatedCase, runCase } = await import("./_checkpoint_cases.ts");
    for (let i = settings.from; i < settings.from + settings.count; i++) {
      const f = mutatedCase(settings.seed, i);
      log(
        `case ${i}: base ${f.label}, index ${f.index.length} bytes, shards ${
          f.shards.map((s) => s.length)
        }`,
      );
      log(JSON.stringify(runCase(f)));
    }
  }
  if (r.crashes.length > 0 || r.hangs.length > 0) Deno.exit(1);
}
