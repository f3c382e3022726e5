// Regularizer descriptors and the normalisation of `regularizer` arguments
// (TF1 E6, H7; tf.contrib.layers l1/l2/l1_l2/no regularizers).
import * as assert from "node:assert/strict";
import {
  getVariable,
  l1L2Regularizer,
  l1Regularizer,
  l2Regularizer,
  noRegularizer,
  regularizationLosses,
  regularizerFn,
  variableScope,
} from "varscope";
import { normalizeRegularizer, regularizerOpName } from "../../../lib/regularizers/regularizer.ts";
import { fails, left, ok, right, single } from "../core/_helpers.ts";

Deno.test("constructors build the descriptors", () => {
  assert.deepEqual(l1Regularizer(0.1), { _tag: "L1", scale: 0.1 });
  assert.deepEqual(l2Regularizer(0.01), { _tag: "L2", scale: 0.01 });
  assert.deepEqual(l1L2Regularizer(1, 2), { _tag: "L1L2", scaleL1: 1, scaleL2: 2 });
  assert.deepEqual(noRegularizer(), { _tag: "None" });
});

Deno.test("regularizerFn names the loss after the option, the function or a default", () => {
  function myLoss(w: unknown): unknown {
    return w;
  }
  assert.deepEqual(regularizerFn(myLoss), { _tag: "Fn", fn: myLoss, name: "myLoss" });
  assert.equal((regularizerFn(myLoss, { name: "x" }) as { name: string }).name, "x");
  const anon = regularizerFn([(w: unknown) => w][0]!);
  assert.equal((anon as { name: string }).name, "regularizer");
});

Deno.test("loss op names follow TF1 (TF1 H7)", () => {
  assert.equal(regularizerOpName(l1Regularizer(1)), "l1_regularizer");
  assert.equal(regularizerOpName(l2Regularizer(1)), "l2_regularizer");
  assert.equal(regularizerOpName(l1L2Regularizer(1, 1)), "l1_l2_regularizer");
  assert.equal(regularizerOpName(noRegularizer()), "no_regularizer");
  assert.equal(regularizerOpName(regularizerFn((w) => w, { name: "custom_loss" })), "custom_loss");
});

Deno.test("normalizeRegularizer accepts descriptors, functions and null", () => {
  for (const r of [l1Regularizer(0), l2Regularizer(3), l1L2Regularizer(0, 1), noRegularizer()]) {
    assert.equal(right(normalizeRegularizer(r, "regularizer")), r);
  }
  assert.equal(right(normalizeRegularizer(null, "regularizer")), null);
  assert.equal(right(normalizeRegularizer(undefined, "regularizer")), null);
  function penalty(w: unknown): unknown {
    return w;
  }
  assert.deepEqual(right(normalizeRegularizer(penalty, "regularizer")), {
    _tag: "Fn",
    fn: penalty,
    name: "penalty",
  });
  const fn = regularizerFn(penalty, { name: "p" });
  assert.equal(right(normalizeRegularizer(fn, "regularizer")), fn);
});

Deno.test("invalid regularizers are InvalidArgument errors naming the problem", () => {
  const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
    [l1Regularizer(-1), /scale/],
    [l2Regularizer(Number.NaN), /scale/],
    [l2Regularizer(Infinity), /scale/],
    [{ _tag: "L2", scale: "0.1" }, /scale/],
    [{ _tag: "L2" }, /scale/],
    [l1L2Regularizer(-1, 1), /scales/],
    [l1L2Regularizer(1, Number.NaN), /scales/],
    [{ _tag: "Fn", fn: 5, name: "x" }, /fn/],
    [{ _tag: "Fn", fn: (w: unknown) => w }, /name/],
    [{ _tag: "L3", scale: 1 }, /regularizer descriptor/],
    [{}, /regularizer descriptor/],
    ["l2", /regularizer descriptor/],
    [0.1, /regularizer descriptor/],
    [true, /regularizer descriptor/],
  ];
  for (const [raw, re] of cases) {
    const e = left(normalizeRegularizer(raw, "regularizer"));
    assert.equal(e.tag, "InvalidArgument");
    assert.match(e.message, re);
    assert.match(e.message, /regularizer/);
    assert.equal(e.details.argument, "regularizer");
  }
});

Deno.test("invalid regularizers are reported by getVariable and variableScope", () => {
  fails(
    getVariable("v", { shape: [1], regularizer: l2Regularizer(-1) }),
    "InvalidArgument",
    ["regularizer", "scale"],
  );
  fails(
    variableScope("s", { regularizer: "l2" as never }, getVariable("v", { shape: [1] })),
    "InvalidArgument",
    ["regularizer"],
  );
});

Deno.test("variables record their regularizer, and each adds one loss (TF1 H7)", () => {
  const { value, store } = ok(getVariable("w", { shape: [2], regularizer: l1L2Regularizer(1, 2) }));
  assert.deepEqual(single(value).regularizer, { _tag: "L1L2", scaleL1: 1, scaleL2: 2 });
  assert.deepEqual(regularizationLosses(store).map((l) => l.name), [
    "w/Regularizer/l1_l2_regularizer:0",
  ]);
});

Deno.test("a zero-scale regularizer adds no loss (TF1 H7: scale 0 disables it)", () => {
  // tf.contrib.layers.l1_regularizer / l2_regularizer(0.0) return a function
  // that returns None ("Scale of 0 disables regularizer"), and l1_l2 with
  // both scales 0 does too; get_variable adds no loss for None.
  for (const r of [l1Regularizer(0), l2Regularizer(0), l1L2Regularizer(0, 0)]) {
    const { store } = ok(getVariable("w", { shape: [2], regularizer: r }));
    assert.deepEqual(regularizationLosses(store), [], r._tag);
  }
});
