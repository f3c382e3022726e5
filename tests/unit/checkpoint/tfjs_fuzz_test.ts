// Fuzzing the TensorFlow.js weights decoder (checkpoint-format.md §10): the
// real converter fixtures and files varscope writes (strings, quantized
// weights, several shards), mutated by bit flips, truncations, extensions,
// splices and lying manifest fields (shapes, dtypes, quantization, paths),
// must decode or fail with a CheckpointError, never another error, and each
// case must finish quickly (no hang, no allocation from a lying shape).
// Cases are a pure function of (seed, index); raise VARSCOPE_TFJS_FUZZ_CASES
// for a longer run. The file-based reader gets a slice of the same cases.
import * as assert from "node:assert/strict";
import {
  CheckpointError,
  decodeTfjsWeights,
  encodeTfjsWeights,
  openTfjsWeights,
} from "varscope/checkpoint";

const FIX = new URL("../../fixtures/tfjs-weights/", import.meta.url).pathname;
const CASES = Number(Deno.env.get("VARSCOPE_TFJS_FUZZ_CASES") ?? "3000");

interface Files {
  readonly manifest: string;
  readonly shards: Readonly<Record<string, Uint8Array>>;
}

/** mulberry32: a small deterministic PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function corpus(): Files[] {
  const out: Files[] = [];
  for (
    const [dir, json, bins] of [
      ["tfjs-graph-model-w-2x2", "model.json", ["weights.bin"]],
      ["tfjs-graph-model-w-2x2", "model_new.json", ["weights.bin"]],
      ["tfjs-graph-model-dense-1x1", "model.json", ["group1-shard1of1.bin"]],
    ] as const
  ) {
    out.push({
      manifest: Deno.readTextFileSync(`${FIX}${dir}/${json}`),
      shards: Object.fromEntries(bins.map((b) => [b, Deno.readFileSync(`${FIX}${dir}/${b}`)])),
    });
  }
  const written = encodeTfjsWeights([
    {
      name: "s",
      dtype: "string",
      shape: [3],
      values: ["ab", "", "héllo"].map((x) => new TextEncoder().encode(x)),
    },
    { name: "k", dtype: "float32", shape: [3, 2], values: new Float32Array([1, 2, 3, 4, 5, 6]) },
    { name: "h", dtype: "float16", shape: [2], values: new Uint16Array([0x3c00, 0x7c00]) },
    { name: "n", dtype: "int32", shape: [], values: new Int32Array([7]) },
    { name: "b", dtype: "bool", shape: [2], values: new Uint8Array([1, 0]) },
  ], { shardSizeBytes: 9 });
  out.push({
    manifest: JSON.stringify(written.modelJson),
    shards: Object.fromEntries(written.shards.map((s) => [s.path, s.bytes])),
  });
  const q = new Uint8Array([0, 1, 2, 255, 0, 1, 2, 3]);
  out.push({
    manifest: JSON.stringify([{
      paths: ["q.bin"],
      weights: [
        {
          name: "u8",
          shape: [4],
          dtype: "float32",
          quantization: { dtype: "uint8", scale: 0.5, min: -1 },
        },
        {
          name: "u16",
          shape: [2],
          dtype: "int32",
          quantization: { dtype: "uint16", scale: 2, min: 0 },
        },
      ],
    }]),
    shards: { "q.bin": q },
  });
  return out;
}

const LIES: readonly unknown[] = [
  -1,
  0,
  1,
  2 ** 31,
  2 ** 53,
  1e308,
  0.5,
  NaN,
  null,
  "3",
  [],
  {},
  true,
  "float64",
  "complex64",
  "string",
  "uint8",
  "float16",
  "../x",
  "/abs",
  "",
  "a".repeat(300),
];

function mutateJson(text: string, r: () => number): string {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return text;
  }
  const paths: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((x, i) => (paths.push({ parent: v, key: i }), walk(x)));
    else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        paths.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(j);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n && paths.length > 0; i++) {
    const p = paths[Math.floor(r() * paths.length)]!;
    const choice = r();
    if (choice < 0.15) {
      if (Array.isArray(p.parent)) p.parent.splice(p.key as number, 1);
      else delete p.parent[p.key as string];
    } else {(p.parent as Record<string | number, unknown>)[p.key] =
        LIES[Math.floor(r() * LIES.length)];}
  }
  return JSON.stringify(j);
}

function mutateBytes(b: Uint8Array, r: () => number): Uint8Array {
  const kind = r();
  if (kind < 0.3 && b.length > 0) {
    const c = b.slice();
    const k = 1 + Math.floor(r() * 4);
    for (let i = 0; i < k; i++) c[Math.floor(r() * c.length)]! ^= 1 << Math.floor(r() * 8);
    return c;
  }
  if (kind < 0.55) return b.slice(0, Math.floor(r() * b.length));
  if (kind < 0.75) {
    const extra = new Uint8Array(1 + Math.floor(r() * 8)).map(() => Math.floor(r() * 256));
    const c = new Uint8Array(b.length + extra.length);
    c.set(b);
    c.set(extra, b.length);
    return c;
  }
  // Splice: a run of the file copied over another place (lying lengths).
  const c = b.slice();
  if (c.length < 2) return c;
  const from = Math.floor(r() * c.length), to = Math.floor(r() * c.length);
  const len = Math.floor(r() * Math.min(8, c.length - Math.max(from, to)));
  c.copyWithin(to, from, from + len);
  return c;
}

function mutated(base: Files, r: () => number): Files {
  const which = r();
  if (which < 0.4) return { manifest: mutateJson(base.manifest, r), shards: base.shards };
  if (which < 0.55) {
    return {
      manifest: new TextDecoder().decode(mutateBytes(new TextEncoder().encode(base.manifest), r)),
      shards: base.shards,
    };
  }
  const names = Object.keys(base.shards);
  const victim = names[Math.floor(r() * names.length)]!;
  const shards: Record<string, Uint8Array> = { ...base.shards };
  if (r() < 0.1) delete shards[victim];
  else shards[victim] = mutateBytes(base.shards[victim]!, r);
  return { manifest: base.manifest, shards };
}

function check(f: Files, i: number): "ok" | "typed" {
  let json: unknown;
  try {
    json = JSON.parse(f.manifest);
  } catch {
    return "typed"; // the file reader turns this into Malformed (tested below)
  }
  try {
    decodeTfjsWeights(json, f.shards);
    return "ok";
  } catch (e) {
    if (e instanceof CheckpointError) return "typed";
    throw new Error(
      `case ${i}: untyped ${e instanceof Error ? e.stack : String(e)}\n${f.manifest}`,
    );
  }
}

Deno.test(`§10 fuzz: ${CASES} mutated tfjs weight files decode or fail typed, each in under 200 ms`, () => {
  const base = corpus();
  let ok = 0, typed = 0, worst = 0;
  for (let i = 0; i < CASES; i++) {
    const r = rng(1000 + i);
    const f = mutated(base[i % base.length]!, r);
    const t0 = performance.now();
    if (check(f, i) === "ok") ok++;
    else typed++;
    worst = Math.max(worst, performance.now() - t0);
  }
  assert.equal(ok + typed, CASES);
  assert.ok(typed > CASES / 10, `only ${typed} cases failed: the mutations are too weak`);
  assert.ok(ok > 0, "no mutated case decoded: the corpus is broken");
  assert.ok(worst < 200, `slowest case took ${worst} ms`);
});

Deno.test("§10 fuzz, file reader: 200 mutated folders open, list and read, or fail typed", () => {
  const base = corpus();
  const dir = Deno.makeTempDirSync({ prefix: "varscope-tfjs-fuzz-" });
  try {
    for (let i = 0; i < 200; i++) {
      const r = rng(5000 + i);
      const f = mutated(base[i % base.length]!, r);
      const d = `${dir}/${i}`;
      Deno.mkdirSync(d);
      Deno.writeTextFileSync(`${d}/model.json`, f.manifest);
      for (const [p, b] of Object.entries(f.shards)) Deno.writeFileSync(`${d}/${p}`, b);
      try {
        const reader = openTfjsWeights(d);
        for (const t of reader.list()) reader.read(t.name);
      } catch (e) {
        if (!(e instanceof CheckpointError)) {
          throw new Error(
            `case ${i}: untyped ${e instanceof Error ? e.stack : String(e)}\n${f.manifest}`,
          );
        }
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
