/**
 * Shared helpers of the interpreter tests: every case runs once per
 * backend and must leave `tf.memory().numTensors` as it found it. The cpu and
 * wasm runs are tests of their own; the webgpu run is a case of the WebGPU
 * child (see `../_webgpu_cases.ts`).
 * Tolerances are relative to the largest expected magnitude: 1e-5 on cpu
 * and wasm, 1e-4 on webgpu (float32 kernels that sum in other orders).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import { ScopeError, type ScopeErrorTag } from "varscope";
import { type Params, useBackend } from "varscope/tfjs";
import { webgpuTest } from "../_webgpu_cases.ts";

/** The backends every case runs on. */
export type Backend = "cpu" | "wasm" | "webgpu";
/** The backends every case runs on. */
export const BACKENDS: readonly Backend[] = ["cpu", "wasm", "webgpu"];
/** Relative tolerance per backend. */
export const RTOL: Readonly<Record<Backend, number>> = { cpu: 1e-5, wasm: 1e-5, webgpu: 1e-4 };

/**
 * One test per backend; fails if the case leaves tensors behind. `module` is
 * the caller's `import.meta.url`, which names the module in the WebGPU
 * child's report.
 */
export function backendTest(
  module: string,
  name: string,
  body: (backend: Backend) => void | Promise<void>,
): void {
  for (const backend of BACKENDS) {
    const fn = async () => {
      await useBackend({ backend });
      const before = tf.memory().numTensors;
      await body(backend);
      assert.equal(tf.memory().numTensors, before, "the case leaked tensors");
    };
    if (backend === "webgpu") webgpuTest(module, `webgpu: ${name}`, fn);
    else Deno.test(`${backend}: ${name}`, fn);
  }
}

/** A tensor's values (`dataSync` crashes on webgpu under Deno). */
export async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data() as Float32Array);
}

/** Reads and disposes a tensor. */
export async function take(t: tf.Tensor): Promise<number[]> {
  try {
    return await values(t);
  } finally {
    t.dispose();
  }
}

/** Error relative to the largest expected magnitude at most `rtol`. */
export function assertAllClose(
  actual: readonly number[],
  expected: readonly number[],
  rtol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(...expected.map(Math.abs), 1e-30);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      err <= rtol * scale,
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (error ${err / scale} > ${rtol})`,
    );
  }
}

/** Row-major (n×k)·(k×m) + bias in Float64. */
export function denseRef(
  x: readonly number[],
  w: readonly number[],
  b: readonly number[],
  n: number,
  k: number,
  m: number,
): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = b[j]!;
      for (let l = 0; l < k; l++) s += x[i * k + l]! * w[l * m + j]!;
      out.push(s);
    }
  }
  return out;
}

/** Expects `f` to throw a ScopeError of `tag` whose message has every phrase. */
export function expectError(
  f: () => unknown,
  tag: ScopeErrorTag,
  phrases: readonly string[],
): ScopeError {
  let thrown: unknown;
  let returned: unknown;
  try {
    returned = f();
  } catch (e) {
    thrown = e;
  }
  if (returned instanceof tf.Tensor) returned.dispose();
  (returned as { params?: Params } | undefined)?.params?.dispose?.();
  assert.ok(thrown instanceof ScopeError, `expected a ScopeError, got ${String(thrown)}`);
  assert.equal(thrown.tag, tag, thrown.message);
  for (const p of phrases) {
    assert.ok(thrown.message.includes(p), `message ${JSON.stringify(thrown.message)} lacks ${p}`);
  }
  return thrown;
}

/** Deterministic float32-representable values in about [-2, 2). */
export function weights(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(Math.fround(s / 2 ** 30 - 2));
  }
  return out;
}
