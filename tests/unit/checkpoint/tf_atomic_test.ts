// Atomic save (issue 10): an interrupted save leaves the previous checkpoint
// intact and readable, whether the process is killed or an exception is
// thrown half-way.
import * as assert from "node:assert/strict";
import {
  openTfCheckpoint,
  type StoredTensor,
  writeTfCheckpoint,
  writeTfCheckpointAsync,
} from "varscope/checkpoint";
import { tempDir } from "./_helpers.ts";

const OLD: readonly StoredTensor[] = [
  { name: "dense/kernel", dtype: "float32", shape: [2, 2], values: new Float32Array([1, 2, 3, 4]) },
  { name: "dense/bias", dtype: "float32", shape: [2], values: new Float32Array([5, 6]) },
];

function assertOldIntact(prefix: string): void {
  const ckpt = openTfCheckpoint(prefix);
  assert.deepEqual(ckpt.list().map((t) => t.name), ["dense/bias", "dense/kernel"]);
  assert.deepEqual([...ckpt.read("dense/kernel").values], [1, 2, 3, 4]);
  assert.deepEqual([...ckpt.read("dense/bias").values], [5, 6]);
}

const CHILD = new URL("./_atomic_child.ts", import.meta.url).pathname;
const CONFIG = new URL("../../../deno.json", import.meta.url).pathname;

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

Deno.test("atomic save: a child process killed mid-save leaves the previous checkpoint readable", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const prefix = `${dir}/model.ckpt`;
    writeTfCheckpoint(prefix, OLD);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--frozen", "--config", CONFIG, "--allow-read", "--allow-write", CHILD, prefix],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Kill once the temporary data file exists and holds a few tensors.
    let killedMidSave = false;
    const deadline = performance.now() + 60000;
    while (performance.now() < deadline) {
      const tmp = [...Deno.readDirSync(dir)].find((e) => e.name.includes(".tmp-"));
      if (tmp !== undefined && Deno.statSync(`${dir}/${tmp.name}`).size > 4 * 262144) {
        child.kill("SIGKILL");
        killedMidSave = true;
        break;
      }
      await sleep(5);
    }
    const status = await child.status;
    await child.stderr.cancel();
    assert.ok(killedMidSave, "the child was killed while writing its temporary data file");
    assert.equal(status.signal, "SIGKILL");
    assertOldIntact(prefix);
    // What the kill leaves: the old pair untouched, plus the stray temporary file.
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names.filter((n) => !n.includes(".tmp-")), [
      "model.ckpt.data-00000-of-00001",
      "model.ckpt.index",
    ]);
    // The next save over it succeeds and replaces it.
    writeTfCheckpoint(prefix, [OLD[0]!]);
    assert.deepEqual(openTfCheckpoint(prefix).list().map((t) => t.name), ["dense/kernel"]);
  } finally {
    cleanup();
  }
});

function* failing(boom: Error): Generator<StoredTensor> {
  for (let i = 0; i < 10; i++) {
    if (i === 5) throw boom;
    yield { name: `w${i}`, dtype: "float32", shape: [1000], values: new Float32Array(1000) };
  }
}

Deno.test("atomic save: an exception from the tensors iterable half-way propagates unchanged, old checkpoint intact", () => {
  const { dir, cleanup } = tempDir();
  try {
    const prefix = `${dir}/model.ckpt`;
    writeTfCheckpoint(prefix, OLD);
    const boom = new Error("the model failed while producing its weights");
    assert.throws(() => writeTfCheckpoint(prefix, failing(boom)), (e) => e === boom);
    assertOldIntact(prefix);
    // No temporary file is left behind.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "model.ckpt.data-00000-of-00001",
      "model.ckpt.index",
    ]);
  } finally {
    cleanup();
  }
});

Deno.test("atomic save: an invalid tensor half-way is a typed error and changes nothing", () => {
  const { dir, cleanup } = tempDir();
  try {
    const prefix = `${dir}/model.ckpt`;
    writeTfCheckpoint(prefix, OLD);
    const bad = [OLD[0]!, { ...OLD[1]!, values: new Float32Array(3) }];
    assert.throws(() => writeTfCheckpoint(prefix, bad), { name: "CheckpointError" });
    assertOldIntact(prefix);
    assert.equal([...Deno.readDirSync(dir)].length, 2);
  } finally {
    cleanup();
  }
});

Deno.test("atomic save: a directory that does not exist is an IoError naming the file", () => {
  assert.throws(
    () => writeTfCheckpoint("/nonexistent-dir-for-varscope/model.ckpt", OLD),
    (e: unknown) =>
      e instanceof Error && (e as { code?: string }).code === "IoError" &&
      e.message.includes("/nonexistent-dir-for-varscope/model.ckpt.data-00000-of-00001.tmp-"),
  );
});

Deno.test("atomic save (async): an exception half-way rejects unchanged and leaves the old checkpoint", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const prefix = `${dir}/model.ckpt`;
    writeTfCheckpoint(prefix, OLD);
    const boom = new Error("async boom");
    await assert.rejects(() => writeTfCheckpointAsync(prefix, failing(boom)), (e) => e === boom);
    assertOldIntact(prefix);
    assert.equal([...Deno.readDirSync(dir)].length, 2);
  } finally {
    cleanup();
  }
});
