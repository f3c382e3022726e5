// Store persistence: running a program never modifies its input store,
// whether the run succeeds or fails, and failures leave no half-made
// changes (TF1 I12: an error inside a scope exits it cleanly).
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { pipe } from "fp-ts/lib/function.js";
import {
  catchError,
  emptyStore,
  findVariable,
  getCollection,
  getVariable,
  GraphKeys,
  l2Regularizer,
  listVariables,
  makeProgram,
  of,
  type Program,
  runScoped,
  runScopedOrThrow,
  scoped,
  variableScope,
} from "varscope";
import {
  programArb,
  snapshotStore,
  storeArb,
  storePersistenceProperty,
  storesIdentical,
  storeUnchangedByRun,
  toProgram,
} from "varscope/testing";
import { params } from "./_config.ts";

Deno.test("runScoped never modifies its input store on random programs and stores (TF1 L2, decision 2)", () => {
  fc.assert(storePersistenceProperty(), params());
});

Deno.test("runScoped keeps the input's variables identical in the output store (TF1 C4)", () => {
  fc.assert(
    fc.property(storeArb(), programArb(), (store, d) => {
      const r = runScoped(toProgram(d, { catchErrors: true }), store);
      assert.ok(r._tag === "Right");
      // every variable of the input is still there, as the same object, in order
      const after = listVariables(r.right.store);
      const before = listVariables(store);
      assert.deepEqual(after.slice(0, before.length), before);
      before.forEach((v, i) => assert.equal(after[i], v));
    }),
    params(),
  );
});

Deno.test("runScoped leaves the store unchanged when a program fails halfway (TF1 I1 I12)", () => {
  const { store } = runScopedOrThrow(
    variableScope("s", getVariable("v", { shape: [1], regularizer: l2Regularizer(0.1) })),
  );
  const before = snapshotStore(store);
  const failing = variableScope(
    "s",
    scoped(function* (): Generator<Program<unknown>, void, unknown> {
      yield* getVariable("w", { shape: [1], regularizer: l2Regularizer(0.1) });
      yield* getVariable("v", { shape: [1] }); // exists, reuse false: fails
    }),
  );
  const r = runScoped(failing, store);
  assert.equal(r._tag === "Left" && r.left.tag, "VariableExists");
  assert.ok(storesIdentical(before, store));
  assert.equal(findVariable(store, "s/w"), undefined);
  assert.equal(getCollection(store, GraphKeys.REGULARIZATION_LOSSES).length, 1);
});

Deno.test("catchError discards the failed program's half-made changes (TF1 I12)", () => {
  const failing = scoped(function* (): Generator<Program<unknown>, string, unknown> {
    yield* getVariable("w", { shape: [1] });
    yield* getVariable("w", { shape: [1] }); // VariableExists
    return "unreachable";
  });
  const { value, store } = runScopedOrThrow(
    pipe(failing, catchError((e) => of(e.tag))),
  );
  assert.equal(value, "VariableExists");
  assert.deepEqual(listVariables(store), []);
  assert.ok(storesIdentical(store, emptyStore()));
});

Deno.test("storeUnchangedByRun detects a program that mutates its input store (the law can fail)", () => {
  const { store } = runScopedOrThrow(getVariable("v", { shape: [1] }));
  const mutating = makeProgram((_env, state) => {
    (state.store as { nextTemplateId: number }).nextTemplateId = 99; // a bug a law must catch
    return { _tag: "Right", right: { value: null, state } };
  });
  // Stores the library makes are frozen (issue 7), so the mutation is refused
  // and the store stays as it was; a hand-made unfrozen copy shows the law
  // still catches a program that changes its input.
  assert.equal(storeUnchangedByRun(mutating, store), true);
  assert.equal(storeUnchangedByRun(mutating, { ...store }), false);
  assert.equal(storeUnchangedByRun(getVariable("w", { shape: [1] }), emptyStore()), true);
});
