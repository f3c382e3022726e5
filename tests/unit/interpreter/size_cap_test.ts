// Issue 7: "`init` of `shape: [1e9, 1e9]` with a zeros/ones/constant
// initializer hangs". initialTensor refuses it (TooLarge) before allocating,
// and takes the cap as an option.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  getVariable,
  onesInitializer,
  runScopedOrThrow,
  ScopeError,
  type Variable,
  zerosInitializer,
} from "varscope";
import { initialTensor } from "varscope/tfjs";

function variable(shape: number[], initializer = zerosInitializer()): Variable {
  const { value } = runScopedOrThrow(getVariable("big", { shape, initializer }));
  assert.ok(value._tag === "Variable");
  return value;
}

Deno.test("issue 7: initialTensor of shape [1e9, 1e9] is TooLarge at once, allocating nothing", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory().numTensors;
  const started = performance.now();
  for (const init of [zerosInitializer(), onesInitializer()]) {
    assert.throws(
      () => initialTensor(variable([1e9, 1e9], init)),
      (e: unknown) =>
        e instanceof ScopeError && e.tag === "TooLarge" &&
        /\[1000000000, 1000000000\]/.test(e.message),
    );
  }
  assert.ok(performance.now() - started < 1000);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("issue 7: initialTensor takes the element cap as an option (maxElements)", async () => {
  await tf.setBackend("cpu");
  const v = variable([4, 4]);
  assert.throws(
    () => initialTensor(v, { maxElements: 15 }),
    (e: unknown) => e instanceof ScopeError && e.tag === "TooLarge" && e.details.cap === 15,
  );
  const t = initialTensor(v, { maxElements: 16 });
  assert.deepEqual(t.shape, [4, 4]);
  t.dispose();
});
