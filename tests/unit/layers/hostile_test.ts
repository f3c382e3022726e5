// Issue 7: hostile arguments that get past a layer's first check (a throwing
// getter, a proxy whose traps throw, a non-string class name) are typed
// `InvalidArgument` errors with the original as `cause`, never raw errors.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { runScoped, ScopeError } from "varscope";
import {
  batchNormalization,
  Conv2DTranspose,
  Conv3DTranspose,
  Dense,
  dropout,
  layerStateKey,
  toSnakeCase,
} from "varscope/layers";
import { useBackend } from "varscope/tfjs";

const trap = (): never => {
  throw new Error("hostile trap");
};
const throwingProxy = (): object =>
  new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, getPrototypeOf: trap });
const throwingGetter = (key: string): object =>
  Object.defineProperty({}, key, { get: trap, enumerable: true });

function isInvalid(e: unknown, trapped: boolean): boolean {
  assert.ok(e instanceof ScopeError, `expected a ScopeError, got ${String(e)}`);
  assert.equal(e.tag, "InvalidArgument", e.message);
  if (trapped) assert.equal((e.cause as Error | undefined)?.message, "hostile trap");
  return true;
}

Deno.test("issue 7: toSnakeCase and layerStateKey refuse what is not a class name or a layer", () => {
  for (const bad of [null, undefined, 0, {}]) {
    assert.throws(() => toSnakeCase(bad as string), (e) => isInvalid(e, false));
  }
  for (const bad of [null, undefined, {}, { stateKey: "forged" }, throwingProxy()]) {
    assert.throws(() => layerStateKey(bad as Dense), (e) => isInvalid(e, false));
  }
  assert.match(layerStateKey(new Dense(1)), /^varscope\.layers\//);
});

Deno.test("issue 7: dropout and batchNormalization options whose reading throws fail the program, typed, with the cause", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const x = tf.ones([2, 3]);
  for (const options of [throwingProxy(), throwingGetter("rate"), throwingGetter("training")]) {
    for (const make of [dropout, batchNormalization]) {
      const r = runScoped(make(x, options as never));
      assert.equal(r._tag, "Left");
      if (r._tag === "Left") isInvalid(r.left, true);
    }
  }
  const wrong = runScoped(dropout(x, 7 as never));
  assert.equal(wrong._tag === "Left" && wrong.left.tag, "InvalidArgument");
  x.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("issue 7: transposed convolutions read their options guarded", () => {
  for (const options of [throwingProxy(), throwingGetter("dilationRate")]) {
    assert.throws(() => new Conv2DTranspose(2, 3, options as never), (e) => isInvalid(e, true));
    assert.throws(() => new Conv3DTranspose(2, 3, options as never), (e) => isInvalid(e, true));
  }
  assert.throws(
    () => new Conv2DTranspose(2, 3, { dilationRate: 2 } as never),
    (e) => isInvalid(e, false) && /no dilation/.test((e as Error).message),
  );
});
