// Issue 7: "A property test sweeps every public export with hostile values"
// — what the tfjs entry's functions answer to wrong arguments, beyond the
// sweep's "some typed error": the tag, the argument named, the cause kept,
// and that the checks refuse before any tensor is made (none leak).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  getVariable,
  l2Regularizer,
  nonNegConstraint,
  type Program,
  type ProgramGenerator,
  regularizerFn,
  runScopedOrThrow,
  scoped,
  ScopeError,
  type Store,
} from "varscope";
import {
  activeBackend,
  applyConstraint,
  checkParams,
  inputSignature,
  isSoftwareAdapter,
  makeParams,
  makeTrainer,
  Params,
  regularizationLossValue,
  shareTensor,
  toTfDType,
  transform,
  useBackend,
  variable,
} from "varscope/tfjs";

const trap = (): never => {
  throw new Error("hostile trap");
};
const proxy = (): object => new Proxy({}, { get: trap, getPrototypeOf: trap, ownKeys: trap });

function twoVariables(): Store {
  return runScopedOrThrow(scoped(function* (): ProgramGenerator<void> {
    yield* getVariable("b", { shape: [1] });
    yield* getVariable("a", { shape: [1] });
  })).store;
}

function invalid(argument: string, pattern?: RegExp): (e: unknown) => boolean {
  return (e) =>
    e instanceof ScopeError && e.tag === "InvalidArgument" &&
    (e.details as { argument?: unknown }).argument === argument &&
    (pattern === undefined || pattern.test(e.message));
}

Deno.test("issue 7: new Params checks its store and one live tensor per variable", async () => {
  await tf.setBackend("cpu");
  const store = twoVariables();
  const before = tf.memory().numTensors;
  assert.throws(() => new Params({ _tag: "Store" } as unknown as Store, []), invalid("store"));
  assert.throws(() => new Params(store, null as never), invalid("tensors", /array of 2 live/));
  const one = tf.tensor1d([1]);
  assert.throws(() => new Params(store, [one]), invalid("tensors", /it has 1 items/));
  assert.throws(() => new Params(store, [one, 5 as never]), invalid("tensors[1]"));
  const gone = tf.tensor1d([2]);
  gone.dispose();
  assert.throws(() => new Params(store, [one, gone]), invalid("tensors[1]"));
  const arrayProxy = new Proxy([one, one], { get: trap });
  assert.throws(
    () => new Params(store, arrayProxy),
    (e) => invalid("tensors", /reading it threw/)(e) && (e as Error).cause instanceof Error,
  );
  one.dispose();
  assert.equal(tf.memory().numTensors, before);
  // Valid input is taken as before: the params own the handles.
  const [x, y] = [tf.tensor1d([1]), tf.tensor1d([2])];
  const params = new Params(store, [x, y]);
  assert.deepEqual(Array.from(params.get("a").dataSync()), [2]);
  assert.equal(params.at(1), y);
  for (const slot of [2, -1, proxy(), "0"]) {
    assert.throws(
      () => params.at(slot as never),
      (e) =>
        e instanceof ScopeError && e.tag === "InvalidParams" && /slots are 0 to 1/.test(e.message),
    );
  }
  params.dispose();
  assert.ok(x.isDisposed && y.isDisposed);
});

Deno.test("issue 7: checkParams, makeParams and shareTensor answer proxies and non-tensors with typed errors", async () => {
  await tf.setBackend("cpu");
  assert.equal(checkParams(proxy())?.tag, "InvalidParams");
  const store = twoVariables();
  assert.throws(
    () => makeParams(store, proxy() as never),
    invalid("tensors", /reading it threw.*hostile trap/),
  );
  const getter = Object.defineProperty({}, "a", { get: trap, enumerable: true });
  assert.throws(() => makeParams(store, getter), invalid("tensors", /reading it threw/));
  assert.throws(() => shareTensor(proxy() as never), invalid("tensor", /live tensor/));
  assert.throws(() => shareTensor({} as never), invalid("tensor"));
  const t = tf.tensor1d([1]);
  t.dispose();
  assert.throws(() => shareTensor(t), invalid("tensor"));
});

Deno.test("issue 7: toTfDType, applyConstraint and regularizationLossValue check name, value and descriptor", async () => {
  await tf.setBackend("cpu");
  assert.throws(() => toTfDType("float32", proxy() as never), invalid("name", /string/));
  assert.throws(
    () => toTfDType(proxy() as never, "w"),
    (e) => e instanceof ScopeError && e.tag === "UnsupportedDType" && /"w"/.test(e.message),
  );
  const w = tf.tensor1d([-1, 2]);
  const before = tf.memory().numTensors;
  assert.throws(() => applyConstraint(nonNegConstraint(), w, proxy() as never), invalid("name"));
  assert.throws(
    () => applyConstraint(nonNegConstraint(), proxy() as never, "w"),
    invalid("value", /"w".*live tensor/),
  );
  assert.throws(() => applyConstraint(proxy() as never, w, "w"), invalid("constraint"));
  assert.throws(() => applyConstraint({ _tag: "Bogus" } as never, w, "w"), invalid("constraint"));
  assert.throws(() => applyConstraint(null as never, w, "w"), invalid("constraint"));
  assert.throws(() => regularizationLossValue(l2Regularizer(1), w, 3 as never), invalid("name"));
  assert.throws(() => regularizationLossValue(proxy() as never, w, "w"), invalid("regularizer"));
  assert.throws(() => regularizationLossValue(null as never, w, "w"), invalid("regularizer"));
  assert.throws(
    () => regularizationLossValue(l2Regularizer(1), proxy() as never, "w"),
    invalid("value"),
  );
  // A user function returning a proxy whose traps throw: a wrong result, typed.
  assert.throws(
    () => applyConstraint({ _tag: "Fn", fn: () => proxy() }, w, "w"),
    (e) => e instanceof ScopeError && e.tag === "InvalidArgument" && /returned/.test(e.message),
  );
  assert.throws(
    () => regularizationLossValue(regularizerFn(() => proxy(), { name: "bad" }), w, "w"),
    (e) => e instanceof ScopeError && e.tag === "InvalidRegularizer" && /"bad"/.test(e.message),
  );
  assert.equal(tf.memory().numTensors, before);
  // Valid input: unchanged results.
  const projected = applyConstraint(nonNegConstraint(), w, "w");
  assert.deepEqual(Array.from(projected.dataSync()), [0, 2]);
  const loss = regularizationLossValue(l2Regularizer(1), w, "w")!;
  assert.equal(loss.dataSync()[0], (1 + 4) / 2);
  tf.dispose([w, projected, loss]);
});

Deno.test("issue 7: makeTrainer reads its options once, a throwing getter is a typed error with cause", async () => {
  await tf.setBackend("cpu");
  const model = transform((_: null) => variable("w", { shape: [] }) as Program<tf.Scalar>);
  const getter = Object.defineProperty({}, "optimizer", { get: trap, enumerable: true });
  assert.throws(
    () => makeTrainer(model, getter as never),
    (e) =>
      invalid("makeTrainer options", /reading it threw/)(e) && (e as Error).cause !== undefined,
  );
  assert.throws(() => makeTrainer(proxy() as never, {} as never), invalid("model"));
  assert.throws(() => makeTrainer(model, { optimizer: proxy() } as never), invalid("optimizer"));
});

Deno.test("issue 7: the predicates inputSignature and isSoftwareAdapter never throw", () => {
  assert.equal(inputSignature(proxy()), null);
  assert.equal(
    inputSignature({
      a: 1,
      get b(): number {
        return trap();
      },
    }),
    null,
  );
  assert.equal(inputSignature({ a: [1, "x"] }), '{"a":[n1,"x"]}');
  assert.equal(isSoftwareAdapter(null as never), false);
  assert.equal(isSoftwareAdapter(proxy() as never), false);
  assert.equal(
    isSoftwareAdapter({ vendor: 5, description: "llvmpipe", isFallbackAdapter: false } as never),
    true,
  );
});

Deno.test("issue 7: useBackend's options are read once; a throwing proxy is a typed error and no switch", async () => {
  await useBackend({ backend: "cpu" });
  await assert.rejects(
    useBackend(proxy() as never),
    (e) => invalid("useBackend options", /reading it threw/)(e) && (e as Error).cause !== undefined,
  );
  assert.equal(activeBackend(), "cpu");
});
