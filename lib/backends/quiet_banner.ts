/**
 * Keeps the TensorFlow.js cpu backend from printing its "install tfjs-node"
 * banner, without changing the caller's tfjs flags.
 *
 * The cpu backend prints the banner through `backend_util.warn` on the first
 * write to a backend instance; `warn` is silent while the `PROD` flag is true.
 * {@linkcode quietCpuBanner} makes that first write itself, with `PROD` true
 * for the duration of the write only, and then restores the flag exactly as it
 * was (including "not evaluated yet").
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { withProdFlag } from "./_prod_flag.ts";

/** cpu backend instances that have already made their first write. */
const quieted = new WeakSet<object>();

/**
 * Makes sure the registered TensorFlow.js cpu backend instance has done its
 * first write while the `PROD` flag was temporarily true, so that its
 * "Hi, looks like you are running TensorFlow.js in Node.js..." banner never
 * prints. The flag is restored afterwards; nothing else changes (the write is
 * a one-element buffer, disposed at once, and no tensor is created).
 *
 * Idempotent: an instance that has been quieted is not written to again. A
 * no-op when no cpu backend is registered. `useBackend` calls it for you.
 *
 * @example
 * ```ts
 * import { quietCpuBanner } from "varscope/tfjs";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as assert from "node:assert/strict";
 *
 * const prod = tf.env().getBool("PROD");
 * quietCpuBanner();
 * quietCpuBanner(); // a second call does nothing
 * assert.equal(tf.env().getBool("PROD"), prod);
 * ```
 *
 * @category backends
 */
export function quietCpuBanner(): void {
  if (tf.findBackendFactory("cpu") == null) return;
  const backend = tf.findBackend("cpu");
  if (backend == null || quieted.has(backend)) return;
  withProdFlag(() => {
    const dataId = backend.write(new Float32Array(1), [1], "float32");
    backend.disposeData(dataId, true);
  });
  quieted.add(backend);
}
