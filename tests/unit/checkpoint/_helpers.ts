// Shared helpers of the checkpoint tests.
import * as assert from "node:assert/strict";
import { CheckpointError, type CheckpointErrorCode } from "varscope/checkpoint";

export const FIXTURES = new URL("../../fixtures/tf-checkpoints/", import.meta.url).pathname;

/** The prefix of a fixture's bundle. */
export function fixture(name: string): string {
  return `${FIXTURES}${name}/variables`;
}

/** Reads a fixture's index and single data shard. */
export function fixtureBytes(name: string): { index: Uint8Array; data: Uint8Array } {
  return {
    index: Deno.readFileSync(`${fixture(name)}.index`),
    data: Deno.readFileSync(`${fixture(name)}.data-00000-of-00001`),
  };
}

/** Asserts `f` throws a CheckpointError with this code, returning it. */
export function throwsCode(f: () => unknown, code: CheckpointErrorCode): CheckpointError {
  try {
    f();
  } catch (e) {
    if (!(e instanceof CheckpointError)) {
      assert.fail(`expected CheckpointError ${code}, got ${String(e)}`);
    }
    assert.equal(e.code, code, e.message);
    return e;
  }
  return assert.fail(`expected CheckpointError ${code}, nothing thrown`);
}

/** The float32 with these 4 little-endian bytes' hex, written by hand. */
export function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Parses "0a ff 01" into bytes. */
export function unhex(s: string): Uint8Array {
  return new Uint8Array(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
}

/** A fresh temporary directory removed by the returned function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = Deno.makeTempDirSync({ prefix: "varscope-ckpt-" });
  return { dir, cleanup: () => Deno.removeSync(dir, { recursive: true }) };
}
