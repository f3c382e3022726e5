// Issue 7: "`params.names.sort()` (to print them) re-labels the weights:
// `toRecord()` and later `makeParams` pair names with the wrong tensors.
// Reversing `paramsLayout(store).variables` makes `apply` silently compute
// with swapped weights." Names are copies; layouts are frozen.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { getVariable, type ProgramGenerator, runScopedOrThrow, scoped, type Store } from "varscope";
import { makeParams, paramsLayout } from "varscope/tfjs";

function twoVariables(): Store {
  return runScopedOrThrow(scoped(function* (): ProgramGenerator<void> {
    yield* getVariable("b", { shape: [1] });
    yield* getVariable("a", { shape: [1] });
  })).store;
}

Deno.test("issue 7: params.names.sort() changes no pairing of names and tensors", async () => {
  await tf.setBackend("cpu");
  const store = twoVariables();
  const tb = tf.tensor1d([2]), ta = tf.tensor1d([1]);
  const params = makeParams(store, { b: tb, a: ta });
  try {
    const names = params.names as string[];
    names.sort();
    assert.deepEqual(names, ["a", "b"]);
    assert.deepEqual(params.names, ["b", "a"]);
    const record = params.toRecord();
    assert.deepEqual(Array.from(record.a!.dataSync()), [1]);
    assert.deepEqual(Array.from(record.b!.dataSync()), [2]);
    assert.deepEqual(Array.from(params.get("a").dataSync()), [1]);
  } finally {
    params.dispose();
    tb.dispose();
    ta.dispose();
  }
});

Deno.test("issue 7: paramsLayout(store) is deeply frozen — reversing its variables or names throws", () => {
  const layout = paramsLayout(twoVariables());
  assert.ok(Object.isFrozen(layout.variables) && Object.isFrozen(layout.names));
  assert.throws(() => (layout.variables as unknown[]).reverse(), TypeError);
  assert.throws(() => (layout.names as string[]).sort(), TypeError);
  assert.throws(() => (layout.index as Map<string, number>).set("b", 1), TypeError);
  assert.deepEqual(layout.names, ["b", "a"]);
  assert.equal(layout.index.get("a"), 1);
});
