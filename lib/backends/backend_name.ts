/**
 * The names of the TensorFlow.js backends that varscope can select.
 *
 * @module
 */

/**
 * A TensorFlow.js backend that varscope knows how to select:
 * `"cpu"` (plain JavaScript), `"wasm"` (WebAssembly) or `"webgpu"`.
 *
 * @example
 * ```ts
 * import { type BackendName, isBackendName } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const name: BackendName = "wasm";
 * assert.ok(isBackendName(name));
 * ```
 *
 * @category backends
 */
export type BackendName = "cpu" | "wasm" | "webgpu";

/**
 * Every {@linkcode BackendName}, from the most portable to the fastest. The
 * `"auto"` choice of `useBackend` walks them the other way: `"webgpu"` (on a
 * real GPU only), then `"wasm"`, then `"cpu"`.
 *
 * @example
 * ```ts
 * import { BACKEND_NAMES } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * assert.deepEqual(BACKEND_NAMES, ["cpu", "wasm", "webgpu"]);
 * ```
 *
 * @category backends
 */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(
  ["cpu", "wasm", "webgpu"] as const,
);

/**
 * Whether an untyped value is one of the {@linkcode BACKEND_NAMES}.
 *
 * @param value any value from a caller
 * @returns `true` when `value` is `"cpu"`, `"wasm"` or `"webgpu"`
 *
 * @example
 * ```ts
 * import { isBackendName } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(isBackendName("cpu"), true);
 * assert.equal(isBackendName("webgl"), false);
 * assert.equal(isBackendName(undefined), false);
 * ```
 *
 * @category backends
 */
export function isBackendName(value: unknown): value is BackendName {
  return typeof value === "string" && (BACKEND_NAMES as readonly string[]).includes(value);
}
