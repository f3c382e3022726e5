/**
 * GPU detection: software and fallback adapters are not a real GPU, and
 * `detectGpu` never throws or hangs, whatever `navigator.gpu` does.
 *
 * @module
 */
import * as assert from "node:assert/strict";
import {
  detectGpu,
  type GpuAdapterDescription,
  isSoftwareAdapter,
} from "../../../lib/backends/mod.ts";
import { webgpuTest } from "../_webgpu_cases.ts";

/** Runs `body` with `navigator.gpu` replaced by `gpu`, then puts the real one back. */
async function withGpu<A>(gpu: unknown, body: () => Promise<A>): Promise<A> {
  const navigator = globalThis.navigator as unknown as Record<string, unknown>;
  const own = Object.getOwnPropertyDescriptor(navigator, "gpu");
  Object.defineProperty(navigator, "gpu", { value: gpu, configurable: true, writable: true });
  try {
    return await body();
  } finally {
    if (own === undefined) delete navigator["gpu"];
    else Object.defineProperty(navigator, "gpu", own);
  }
}

/** A fake `navigator.gpu` whose adapter has this info. */
function fakeGpu(info: Record<string, unknown>, adapterFallback?: boolean): unknown {
  const adapter = adapterFallback === undefined
    ? { info }
    : { info, isFallbackAdapter: adapterFallback };
  return { requestAdapter: () => Promise.resolve(adapter) };
}

const hardware: GpuAdapterDescription = {
  vendor: "nvidia",
  architecture: "hopper",
  device: "0x2330",
  description: "NVIDIA H100 80GB HBM3",
  isFallbackAdapter: false,
};

Deno.test("isSoftwareAdapter: hardware adapters are not software", () => {
  assert.equal(isSoftwareAdapter(hardware), false);
  assert.equal(
    isSoftwareAdapter({ ...hardware, vendor: "", architecture: "", description: "" }),
    false,
  );
});

Deno.test("isSoftwareAdapter: fallback adapters and software rasterisers are software", () => {
  assert.equal(isSoftwareAdapter({ ...hardware, isFallbackAdapter: true }), true);
  const software = [
    { description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
    { vendor: "google", description: "SwiftShader Device (Subzero)" },
    { architecture: "swiftshader" },
    { description: "lavapipe" },
    { description: "softpipe" },
    { description: "Software Rasterizer" },
    { description: "Microsoft Basic Render Driver" },
    { vendor: "LLVMPIPE" },
  ];
  for (const fields of software) {
    assert.equal(isSoftwareAdapter({ ...hardware, ...fields }), true, JSON.stringify(fields));
  }
});

Deno.test("detectGpu without an adapter (as in the test process) is no GPU", async () => {
  const found = await detectGpu();
  assert.deepEqual(found, {
    realGpu: false,
    reason: "requestAdapter() returned no adapter",
    adapter: null,
  });
});

webgpuTest(import.meta.url, "detectGpu reports the adapter of this machine", async () => {
  const found = await detectGpu();
  assert.ok(found.adapter !== null, found.reason);
  assert.equal(found.realGpu, !isSoftwareAdapter(found.adapter), found.reason);
  assert.match(found.reason, found.realGpu ? /^GPU adapter: / : /^software adapter: /);
});

Deno.test("detectGpu: a hardware adapter is a real GPU", async () => {
  const found = await withGpu(
    fakeGpu({ vendor: "nvidia", architecture: "hopper", description: "NVIDIA H100" }),
    () => detectGpu(),
  );
  assert.equal(found.realGpu, true, found.reason);
  assert.equal(found.adapter?.vendor, "nvidia");
  assert.match(found.reason, /NVIDIA H100/);
});

Deno.test("detectGpu: an adapter without identification counts as a real GPU", async () => {
  const found = await withGpu({ requestAdapter: () => Promise.resolve({}) }, () => detectGpu());
  assert.equal(found.realGpu, true);
  assert.match(found.reason, /unnamed adapter/);
});

Deno.test("detectGpu: older runtimes' requestAdapterInfo() is read", async () => {
  const adapter = { requestAdapterInfo: () => Promise.resolve({ description: "SwiftShader" }) };
  const found = await withGpu(
    { requestAdapter: () => Promise.resolve(adapter) },
    () => detectGpu(),
  );
  assert.equal(found.realGpu, false);
  assert.equal(found.adapter?.description, "SwiftShader");
});

Deno.test("detectGpu: llvmpipe and fallback adapters are not a real GPU", async () => {
  const llvmpipe = await withGpu(
    fakeGpu({ vendor: "65541", description: "llvmpipe (LLVM 15.0.6, 256 bits)" }),
    () => detectGpu(),
  );
  assert.equal(llvmpipe.realGpu, false);
  assert.match(llvmpipe.reason, /software adapter: llvmpipe/);
  // isFallbackAdapter on the info (Deno 2) or on the adapter (older runtimes)
  const onInfo = await withGpu(
    fakeGpu({ vendor: "nvidia", isFallbackAdapter: true }),
    () => detectGpu(),
  );
  assert.equal(onInfo.realGpu, false);
  assert.equal(onInfo.adapter?.isFallbackAdapter, true);
  const onAdapter = await withGpu(fakeGpu({ vendor: "nvidia" }, true), () => detectGpu());
  assert.equal(onAdapter.realGpu, false);
});

Deno.test("detectGpu: no navigator.gpu or no adapter is not a real GPU", async () => {
  for (
    const [gpu, reason] of [
      [undefined, /navigator\.gpu is missing/],
      [null, /navigator\.gpu is missing/],
      [{}, /navigator\.gpu is missing/],
      [{ requestAdapter: () => Promise.resolve(null) }, /no adapter/],
      [{ requestAdapter: () => Promise.resolve(undefined) }, /no adapter/],
    ] as const
  ) {
    const found = await withGpu(gpu, () => detectGpu());
    assert.equal(found.realGpu, false);
    assert.match(found.reason, reason);
  }
});

Deno.test("detectGpu never throws: a throwing or rejecting requestAdapter is no GPU", async () => {
  const throwing = await withGpu({
    requestAdapter: () => {
      throw new Error("boom");
    },
  }, () => detectGpu());
  assert.equal(throwing.realGpu, false);
  assert.match(throwing.reason, /boom/);
  const rejecting = await withGpu(
    { requestAdapter: () => Promise.reject(new Error("denied")) },
    () => detectGpu(),
  );
  assert.equal(rejecting.realGpu, false);
  assert.match(rejecting.reason, /denied/);
});

Deno.test("detectGpu never hangs: an unanswered requestAdapter times out", async () => {
  const started = performance.now();
  const found = await withGpu(
    { requestAdapter: () => new Promise<never>(() => {}) },
    () => detectGpu({ timeoutMs: 50 }),
  );
  assert.equal(found.realGpu, false);
  assert.match(found.reason, /did not answer within 50 ms/);
  assert.ok(performance.now() - started < 2000);
});
