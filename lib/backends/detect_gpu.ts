/**
 * Detects whether a real (hardware, non-software) WebGPU adapter exists.
 * Software rasterisers such as Mesa's llvmpipe or Google's SwiftShader expose
 * WebGPU too, but run tensor code slower than the wasm backend, so `"auto"`
 * backend selection treats them as "no GPU".
 *
 * @module
 */

/**
 * What {@linkcode detectGpu} learned about the WebGPU adapter.
 *
 * @example
 * ```ts
 * import { detectGpu, type GpuDetection } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const found: GpuDetection = await detectGpu();
 * assert.equal(typeof found.realGpu, "boolean");
 * assert.equal(typeof found.reason, "string");
 * ```
 *
 * @category backends
 */
export interface GpuDetection {
  /** `true` only for a hardware WebGPU adapter (not a fallback or software one). */
  readonly realGpu: boolean;
  /** A short sentence saying why, e.g. `"software adapter: llvmpipe (LLVM 15.0.6)"`. */
  readonly reason: string;
  /** The adapter's identification, when an adapter was found. */
  readonly adapter: GpuAdapterDescription | null;
}

/**
 * The identification strings of a WebGPU adapter (`GPUAdapterInfo`), plus
 * whether the runtime calls it a fallback adapter.
 *
 * @example
 * ```ts
 * import { type GpuAdapterDescription, isSoftwareAdapter } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const llvmpipe: GpuAdapterDescription = {
 *   vendor: "65541",
 *   architecture: "",
 *   device: "0",
 *   description: "llvmpipe (LLVM 15.0.6, 256 bits)",
 *   isFallbackAdapter: false,
 * };
 * assert.equal(isSoftwareAdapter(llvmpipe), true);
 * ```
 *
 * @category backends
 */
export interface GpuAdapterDescription {
  /** The vendor, a name or a PCI id (may be empty). */
  readonly vendor: string;
  /** The architecture family (may be empty). */
  readonly architecture: string;
  /** The device id (may be empty). */
  readonly device: string;
  /** The driver's human-readable description (may be empty). */
  readonly description: string;
  /** Whether the runtime reports a fallback (typically software) adapter. */
  readonly isFallbackAdapter: boolean;
}

/**
 * Options of {@linkcode detectGpu}.
 *
 * @example
 * ```ts
 * import { detectGpu, type DetectGpuOptions } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const options: DetectGpuOptions = { timeoutMs: 1000 };
 * assert.equal(typeof (await detectGpu(options)).realGpu, "boolean");
 * ```
 *
 * @category backends
 */
export interface DetectGpuOptions {
  /** How long to wait for the adapter, in milliseconds (default 3000). */
  readonly timeoutMs?: number;
}

/** Names of software WebGPU implementations, matched case-insensitively. */
const SOFTWARE_ADAPTER = /llvmpipe|swiftshader|lavapipe|softpipe|software|basic render driver/i;

/** The default time to wait for `requestAdapter`, in milliseconds. */
const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Whether an adapter description names a software (CPU-emulated) WebGPU
 * implementation: a fallback adapter, or a vendor, architecture or
 * description mentioning llvmpipe, SwiftShader, lavapipe, softpipe,
 * "software" or Windows' "Basic Render Driver".
 *
 * @param adapter the adapter's identification
 * @returns `true` for a software adapter; `false` for anything else (also
 *   for a value that is no adapter description)
 *
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const gpu = { vendor: "nvidia", architecture: "hopper", device: "", description: "" };
 * assert.equal(isSoftwareAdapter({ ...gpu, isFallbackAdapter: false }), false);
 * assert.equal(isSoftwareAdapter({ ...gpu, isFallbackAdapter: true }), true);
 * assert.equal(
 *   isSoftwareAdapter({ ...gpu, vendor: "google", description: "SwiftShader", isFallbackAdapter: false }),
 *   true,
 * );
 * ```
 *
 * @category backends
 */
export function isSoftwareAdapter(adapter: GpuAdapterDescription): boolean {
  // A predicate: anything but an adapter description (null, a proxy whose
  // traps throw, non-string fields) is not a software adapter's.
  if (adapter === null || typeof adapter !== "object") return false;
  try {
    return adapter.isFallbackAdapter === true ||
      [adapter.vendor, adapter.architecture, adapter.description].some((text: unknown) =>
        typeof text === "string" && SOFTWARE_ADAPTER.test(text)
      );
  } catch {
    return false;
  }
}

/**
 * Whether a real, hardware WebGPU adapter exists: `navigator.gpu` is present,
 * `requestAdapter()` returns an adapter, it is not a fallback adapter, and its
 * vendor, architecture and description do not name a software implementation
 * (see {@linkcode isSoftwareAdapter}).
 *
 * Never throws and never hangs: a missing API, a rejected request or no answer
 * within `timeoutMs` all report `realGpu: false` with the reason. Each call
 * asks the runtime again (after the first request this takes about a
 * millisecond).
 *
 * @param options how long to wait for the adapter
 * @returns whether a real GPU exists, why, and the adapter's identification
 *
 * @example
 * ```ts
 * import { detectGpu } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const { realGpu, reason, adapter } = await detectGpu();
 * if (realGpu) assert.ok(adapter !== null && !adapter.isFallbackAdapter);
 * assert.ok(reason.length > 0);
 * ```
 *
 * @category backends
 */
export async function detectGpu(options: DetectGpuOptions = {}): Promise<GpuDetection> {
  try {
    const requested: unknown = options?.timeoutMs;
    const timeoutMs = typeof requested === "number" && requested >= 0 && requested < 2 ** 31
      ? requested
      : DEFAULT_TIMEOUT_MS;
    const gpu = readGpu();
    if (gpu === null) return noGpu("WebGPU is not available (navigator.gpu is missing)");
    const outcome = await withTimeout(gpu.requestAdapter(), timeoutMs);
    if (outcome === TIMED_OUT) {
      return noGpu(`requestAdapter() did not answer within ${timeoutMs} ms`);
    }
    if (outcome === null || outcome === undefined) {
      return noGpu("requestAdapter() returned no adapter");
    }
    const adapter = describeAdapter(outcome, await readInfo(outcome, timeoutMs));
    if (isSoftwareAdapter(adapter)) {
      return { realGpu: false, reason: `software adapter: ${adapterLabel(adapter)}`, adapter };
    }
    return { realGpu: true, reason: `GPU adapter: ${adapterLabel(adapter)}`, adapter };
  } catch (error: unknown) {
    return noGpu(`WebGPU adapter request failed: ${errorText(error)}`);
  }
}

/** A "no real GPU" answer without adapter. */
function noGpu(reason: string): GpuDetection {
  return { realGpu: false, reason, adapter: null };
}

/** The part of `navigator.gpu` used here, typed structurally. */
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** `navigator.gpu` when it has a `requestAdapter` method, else `null`. */
function readGpu(): GpuLike | null {
  const navigator = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  const gpu = navigator?.gpu;
  if (gpu === null || typeof gpu !== "object") return null;
  const request = (gpu as { requestAdapter?: unknown }).requestAdapter;
  return typeof request === "function" ? (gpu as GpuLike) : null;
}

/** Reads a string property of an untyped object, or `""`. */
function stringProperty(source: unknown, key: string): string {
  if (source === null || typeof source !== "object") return "";
  const value = (source as Record<string, unknown>)[key];
  return typeof value === "string" ? value : "";
}

/**
 * A `GPUAdapter`'s `GPUAdapterInfo`: `adapter.info` in current runtimes,
 * `await adapter.requestAdapterInfo()` in older ones, else `undefined`.
 */
async function readInfo(adapter: unknown, timeoutMs: number): Promise<unknown> {
  if (adapter === null || typeof adapter !== "object") return undefined;
  const { info, requestAdapterInfo } = adapter as {
    info?: unknown;
    requestAdapterInfo?: unknown;
  };
  if (info !== undefined || typeof requestAdapterInfo !== "function") return info;
  const answer = await withTimeout(Promise.resolve(requestAdapterInfo.call(adapter)), timeoutMs);
  return answer === TIMED_OUT ? undefined : answer;
}

/**
 * A `GPUAdapter`'s identification from its info. `isFallbackAdapter` lives on
 * the adapter in older runtimes and on `adapter.info` in newer ones (Deno 2).
 */
function describeAdapter(adapter: unknown, info: unknown): GpuAdapterDescription {
  const fallback = (adapter as { isFallbackAdapter?: unknown }).isFallbackAdapter === true ||
    (info !== null && typeof info === "object" &&
      (info as { isFallbackAdapter?: unknown }).isFallbackAdapter === true);
  return {
    vendor: stringProperty(info, "vendor"),
    architecture: stringProperty(info, "architecture"),
    device: stringProperty(info, "device"),
    description: stringProperty(info, "description"),
    isFallbackAdapter: fallback,
  };
}

/** A short label naming an adapter for reasons. */
function adapterLabel(adapter: GpuAdapterDescription): string {
  const parts = [adapter.description, adapter.vendor, adapter.architecture]
    .filter((part) => part.length > 0);
  const label = parts.length > 0 ? parts.join(", ") : "unnamed adapter";
  return adapter.isFallbackAdapter ? `${label} (fallback adapter)` : label;
}

/** The message of a thrown value, without throwing. */
function errorText(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return "<unprintable error>";
  }
}

/** Marks a {@linkcode withTimeout} that ran out of time. */
const TIMED_OUT: unique symbol = Symbol("timed out");

/** Waits for `promise` at most `ms` milliseconds; clears its timer either way. */
async function withTimeout<A>(promise: Promise<A>, ms: number): Promise<A | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
