/**
 * TensorFlow.js backend selection for varscope's interpreter: register the
 * cpu, wasm and webgpu backends, pick one (`"auto"` prefers a real GPU, then
 * wasm, then cpu), and keep the cpu backend's "install tfjs-node" banner
 * quiet without changing tfjs's flags.
 *
 * ```ts
 * import { activeBackend, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const name = await useBackend({ backend: "cpu" });
 * assert.equal(name, "cpu");
 * assert.equal(activeBackend(), "cpu");
 * ```
 *
 * @module
 */
export { BACKEND_NAMES, type BackendName, isBackendName } from "./backend_name.ts";
export {
  detectGpu,
  type DetectGpuOptions,
  type GpuAdapterDescription,
  type GpuDetection,
  isSoftwareAdapter,
} from "./detect_gpu.ts";
export { quietCpuBanner } from "./quiet_banner.ts";
export {
  activeBackend,
  type BackendChoice,
  useBackend,
  type UseBackendOptions,
} from "./use_backend.ts";
