/**
 * The check every tensor entry point makes first.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { scopeError } from "../core/errors.ts";
import { quietCpuBanner } from "../backends/quiet_banner.ts";

/**
 * Throws `BackendError` unless a TensorFlow.js backend is active. Checking
 * `backendName` does not start tfjs's own backend choice, which would fail
 * for the asynchronous wasm and webgpu backends.
 *
 * @example
 * ```ts
 * import { requireBackend, useBackend } from "varscope/tfjs";
 *
 * await useBackend({ backend: "cpu" });
 * requireBackend();
 * ```
 *
 * @category interpreter
 */
export function requireBackend(): void {
  const name = tf.engine().backendName;
  // A cpu backend chosen with tf.setBackend rather than useBackend has not
  // had its banner silenced yet.
  if (name === "cpu") quietCpuBanner();
  if (name == null) {
    throw scopeError(
      "BackendError",
      'No TensorFlow.js backend is active: `await useBackend()` from "varscope/tfjs" first',
      {},
    );
  }
}
