/**
 * setKerasStyle (P1, in a child process: it cannot be undone), hostile
 * arguments, async methods, and replays of recorded calls (a changed input
 * shape or training flag runs the TF1 code again).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as assert from "node:assert/strict";
import { getVariable, type ProgramGenerator, scoped, ScopeError, variableScope } from "varscope";
import { Dense, Dropout } from "varscope/layers";
import {
  buildTf1StyleVariables,
  getOrCreateLayer,
  kerasStyleScope,
  Module,
  runTf1,
  trackedVariablesOf,
  trackTf1StyleVariables,
} from "varscope/objects";
import { readVariable } from "varscope/tfjs";
import { cpu, leaked, take } from "./_helpers.ts";

const isObjectError = (e: unknown) => e instanceof ScopeError && e.tag === "ObjectError";

Deno.test("P1: setKerasStyle turns keras style on for good (child process)", async () => {
  const code = `
    import { isKerasStyle, kerasStyleScope, setKerasStyle } from "varscope/objects";
    import { Dense } from "varscope/layers";
    const before = new Dense(1).kerasStyle;
    setKerasStyle();
    kerasStyleScope(() => undefined);
    console.log(JSON.stringify([before, isKerasStyle(), new Dense(1).kerasStyle]));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--frozen", code],
    cwd: new URL("../../../", import.meta.url),
    env: { DENO_WEBGPU_BACKEND: "none" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1);
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(JSON.parse(text!), [false, true, true]);
});

Deno.test("hostile arguments are typed errors", () => {
  assert.throws(() => trackTf1StyleVariables(null as unknown as () => void), isObjectError);
  assert.throws(() => kerasStyleScope(null as unknown as () => void), isObjectError);
  assert.throws(() => runTf1(getVariable("v", { shape: [1] })), isObjectError);
  class M extends Module {
    @trackTf1StyleVariables
    call(name: unknown): unknown {
      return runTf1(getOrCreateLayer(name as string, () => 1));
    }
  }
  const m = new M();
  assert.throws(
    () => m.call(""),
    (e: unknown) => e instanceof ScopeError && e.tag === "InvalidArgument",
  );
  assert.throws(
    () => m.call(null),
    (e: unknown) => e instanceof ScopeError && e.tag === "InvalidArgument",
  );
  assert.deepEqual(trackedVariablesOf(null as unknown as object), []);
  m.dispose();
});

Deno.test("Q12: a decorated method must be synchronous: a promise is ObjectError", async () => {
  class A extends Module {
    @trackTf1StyleVariables
    async call(): Promise<number> {
      await Promise.resolve();
      return 1;
    }
  }
  assert.throws(() => new A().call(), isObjectError);
  await Promise.resolve();
});

Deno.test("Q12: replays: a changed input shape or training flag runs the TF1 code again, with the same variables", async () => {
  await cpu();
  class Net extends Module {
    d = new Dense(3);
    @trackTf1StyleVariables
    call(x: tf.Tensor, training: boolean): tf.Tensor {
      const d = this.d;
      return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
        const h = yield* d.apply(x);
        return yield* new Dropout({ rate: 0.999 }).apply(h, { training });
      }));
    }
  }
  const m = new Net();
  const x2 = tf.ones([2, 4]);
  const x5 = tf.ones([5, 4]);
  const a = take(m.call(x2, false));
  assert.deepEqual(take(m.call(x2, false)), a); // replayed
  assert.equal(take(m.call(x5, false)).length, 15); // another batch size
  // Training drops (rate 0.999): mostly zeros, where inference never is.
  const dropped = take(m.call(x2, true));
  assert.ok(dropped.filter((v) => v === 0).length >= 4);
  assert.deepEqual(take(m.call(x2, false)), a);
  assert.equal(m.variables.length, 2);
  m.dispose();
  tf.dispose([x2, x5]);
});

Deno.test("the plain wrapping form works on a Module and reads like the decorator", async () => {
  await cpu();
  const forward = trackTf1StyleVariables(function (this: Plain, x: tf.Tensor): tf.Tensor {
    return runTf1(scoped(function* (): ProgramGenerator<tf.Tensor> {
      return tf.mul(x, yield* readVariable(yield* getVariable("k", { shape: [] })));
    }));
  });
  class Plain extends Module {
    forward(x: tf.Tensor): tf.Tensor {
      return forward.call(this, x);
    }
  }
  const p = new Plain();
  tf.dispose(p.forward(tf.scalar(1)));
  assert.deepEqual(p.variables.map((v) => v.name), ["k:0"]);
  p.dispose();
});

Deno.test("kerasStyleScope returns what the callback returns", () => {
  assert.deepEqual(kerasStyleScope(() => [1, 2]), [1, 2]);
});

Deno.test("Q1: decorating a method of a class that is neither a Module nor a Layer does not type-check, and throws on construction", () => {
  class NotAModule {
    // @ts-expect-error: only methods of a Module or a tfjs-layers Layer can be decorated
    @trackTf1StyleVariables
    f(): number {
      return 1;
    }
  }
  assert.throws(
    () => new NotAModule(),
    (e: unknown) =>
      e instanceof ScopeError && e.tag === "ObjectError" &&
      /does not extend Module, Layer, or Model/.test(e.message),
  );
});

Deno.test("Q9: getOrCreateLayer keys by the current variable scope", async () => {
  await cpu();
  class Keys extends Module {
    @trackTf1StyleVariables
    call(): readonly object[] {
      return runTf1(scoped(function* (): ProgramGenerator<readonly object[]> {
        const a = yield* variableScope("a", getOrCreateLayer("inner", () => ({})));
        const b = yield* variableScope("b", getOrCreateLayer("inner", () => ({})));
        const a2 = yield* variableScope("a", getOrCreateLayer("inner", () => ({})));
        return [a, b, a2];
      }));
    }
  }
  const k = new Keys();
  const [a, b, a2] = k.call();
  assert.notEqual(a, b);
  assert.equal(a, a2);
  assert.equal(k.call()[0], a);
});

const trap = (): never => {
  throw new Error("hostile trap");
};
const hasTag = (tag: string, trapped: boolean) => (e: unknown): boolean => {
  assert.ok(e instanceof ScopeError, `expected a ScopeError, got ${String(e)}`);
  assert.equal(e.tag, tag, e.message);
  if (trapped) assert.equal((e.cause as Error | undefined)?.message, "hostile trap");
  return true;
};

Deno.test("issue 7: Module, trackedVariablesOf and trackTf1StyleVariables read callers' objects guarded", () => {
  const getter = Object.defineProperty({}, "name", { get: trap, enumerable: true });
  assert.throws(() => new Module(getter), hasTag("InvalidArgument", true));
  assert.equal(new Module([] as never).name, "module");
  // A field holding a proxy whose traps throw, met while walking.
  const holder = { inner: new Proxy({}, { ownKeys: trap, getPrototypeOf: trap }) };
  assert.throws(() => trackedVariablesOf(holder), hasTag("InvalidArgument", true));
  const nameless = new Proxy(() => 1, { get: trap });
  assert.throws(
    () => trackTf1StyleVariables(() => 1, new Proxy({}, { get: trap }) as never),
    hasTag("InvalidArgument", true),
  );
  assert.equal(typeof trackTf1StyleVariables(nameless), "function");
});

Deno.test("issue 7: kerasStyleScope reports an untyped throw of its callback as UserCodeFailed; typed errors pass", () => {
  const boom = new RangeError("boom");
  assert.throws(
    () =>
      kerasStyleScope(() => {
        throw boom;
      }),
    (e: unknown) => hasTag("UserCodeFailed", false)(e) && (e as Error).cause === boom,
  );
  assert.throws(
    () => kerasStyleScope(new Proxy(() => 1, { apply: trap })),
    hasTag("UserCodeFailed", true),
  );
  assert.throws(() => kerasStyleScope(() => new Dense(-1)), hasTag("InvalidArgument", false));
  assert.throws(
    () => kerasStyleScope(() => new Proxy({}, { get: trap })),
    hasTag("ObjectError", true),
  );
});

Deno.test("issue 7: buildTf1StyleVariables checks inputShape before allocating (typed, nothing leaked)", async () => {
  await cpu();
  class Plain extends tfl.layers.Layer {
    static readonly className = "Plain";
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      return tf.clone(Array.isArray(inputs) ? inputs[0]! : inputs);
    }
  }
  const layer = new Plain({});
  assert.equal(
    await leaked(() => {
      assert.throws(() => buildTf1StyleVariables(layer, null), hasTag("InvalidArgument", false));
      assert.throws(
        () => buildTf1StyleVariables(layer, [null, 2.5]),
        hasTag("InvalidArgument", false),
      );
      assert.throws(() => buildTf1StyleVariables(layer, [1e9, 1e9]), hasTag("TooLarge", false));
      assert.throws(
        () => buildTf1StyleVariables(layer, [[2, 3], new Proxy([1], { get: trap })]),
        hasTag("InvalidArgument", true),
      );
      assert.throws(
        () => buildTf1StyleVariables(new Proxy({}, { getPrototypeOf: trap }) as never, [1]),
        hasTag("ObjectError", false),
      );
      buildTf1StyleVariables(layer, [null, 3]);
      buildTf1StyleVariables(layer, [[null, 3], [2, 3]]);
    }),
    0,
  );
});
