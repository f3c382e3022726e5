// Fixture of use_backend_test.ts, run as a subprocess: selects a backend the
// way the mode in Deno.args[0] says, creates a tensor, and writes one line
// "RESULT <json>" to stdout. Modes:
//   quiet    useBackend({ backend: "cpu" }) (the banner must not print)
//   raw      tf.setBackend("cpu") directly (control: the banner prints)
//   no-wasm  run without --allow-read: explicit "wasm" fails, "auto" falls back
import * as tf from "@tensorflow/tfjs-core";
import { activeBackend, useBackend } from "../../../lib/backends/mod.ts";

/** The PROD entry of tfjs's flag table, read without evaluating it. */
function prodState(): string {
  const flags = tf.env().getFlags();
  return Object.hasOwn(flags, "PROD") ? String(flags["PROD"]) : "unset";
}

/** Creates, reads and disposes a small tensor; returns its sum. */
function compute(): number {
  return tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])).dataSync()[0] ?? Number.NaN);
}

const mode = Deno.args[0] ?? "quiet";
const result: Record<string, unknown> = {
  mode,
  prodBefore: prodState(),
  activeBefore: activeBackend(),
  // activeBackend() must not have made tfjs initialise a backend
  initialisedBefore: Object.keys(tf.engine().registry),
};
if (mode === "raw") {
  await tf.setBackend("cpu");
  result["sum"] = compute();
} else if (mode === "quiet") {
  result["selected"] = await useBackend({ backend: "cpu" });
  result["prodAfterSelect"] = prodState();
  result["sum"] = compute();
} else if (mode === "no-wasm") {
  result["first"] = await useBackend({ backend: "cpu" });
  try {
    await useBackend({ backend: "wasm" });
    result["wasm"] = "selected";
  } catch (error: unknown) {
    const e = error as { tag?: unknown; message?: unknown; details?: { cause?: unknown } };
    result["wasm"] = { tag: e.tag, message: e.message };
  }
  result["afterFailure"] = activeBackend();
  result["getBackend"] = tf.getBackend();
  result["auto"] = await useBackend();
  result["sum"] = compute();
}
result["prodAfter"] = prodState();
result["backend"] = tf.getBackend();
result["numTensors"] = tf.memory().numTensors;
Deno.stdout.writeSync(new TextEncoder().encode(`RESULT ${JSON.stringify(result)}\n`));
