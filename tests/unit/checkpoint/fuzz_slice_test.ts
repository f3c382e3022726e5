// A short, bounded slice of the checkpoint fuzzer (tests/fuzz/checkpoint_fuzz.ts;
// the full run is `deno task fuzz:checkpoint`, 100,000 files): every mutated
// file is read fully and must give success or a typed CheckpointError naming
// its file, within the time bound.
import * as assert from "node:assert/strict";
import { runFuzz } from "../../fuzz/checkpoint_fuzz.ts";
import { baseCorpus, mutatedCase, runCase } from "../../fuzz/_checkpoint_cases.ts";

Deno.test("fuzz slice: 2,000 mutated checkpoints, 0 crashes, 0 hangs, many distinct typed errors", async () => {
  const seed = Number(Deno.env.get("VARSCOPE_FUZZ_SEED") ?? "20261207");
  const r = await runFuzz({ seed, from: 0, count: 2000, boundMs: 5000, fileEvery: 100 });
  assert.deepEqual(r.crashes, []);
  assert.deepEqual(r.hangs, []);
  assert.equal(r.files, 2000);
  assert.equal(r.ok + r.typed, 2000);
  // The mutations reach deep checks, not only the footer.
  for (const code of ["CrcMismatch", "BadMagic", "UnsortedKeys", "Malformed", "OutOfRange"]) {
    assert.ok((r.codes[code] ?? 0) > 0, `no ${code} in ${JSON.stringify(r.codes)}`);
  }
  assert.ok(r.ok > 0, "some mutations leave a readable checkpoint");
});

Deno.test("fuzz slice: cases are reproducible and the unmutated corpus reads cleanly", () => {
  const a = mutatedCase(5, 123), b = mutatedCase(5, 123);
  assert.deepEqual(a.index, b.index);
  assert.deepEqual(a.shards, b.shards);
  for (const f of baseCorpus()) assert.deepEqual(runCase(f), { kind: "ok" }, f.label);
});
