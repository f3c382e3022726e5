// Constraint descriptors and the normalisation of `constraint` arguments
// (Keras constraint defaults; TF1 E3, E5).
import * as assert from "node:assert/strict";
import {
  getVariable,
  maxNormConstraint,
  minMaxNormConstraint,
  nonNegConstraint,
  unitNormConstraint,
  variableScope,
} from "varscope";
import { normalizeConstraint } from "../../../lib/constraints/constraint.ts";
import { fails, left, ok, right, single } from "../core/_helpers.ts";

Deno.test("constructors have Keras's defaults", () => {
  assert.deepEqual(nonNegConstraint(), { _tag: "NonNeg" });
  assert.deepEqual(maxNormConstraint(), { _tag: "MaxNorm", maxValue: 2, axis: 0 });
  assert.deepEqual(unitNormConstraint(), { _tag: "UnitNorm", axis: 0 });
  assert.deepEqual(minMaxNormConstraint(), {
    _tag: "MinMaxNorm",
    minValue: 0,
    maxValue: 1,
    rate: 1,
    axis: 0,
  });
});

Deno.test("constructor options override defaults", () => {
  assert.deepEqual(maxNormConstraint({ maxValue: 3, axis: 1 }), {
    _tag: "MaxNorm",
    maxValue: 3,
    axis: 1,
  });
  assert.deepEqual(unitNormConstraint({ axis: -1 }), { _tag: "UnitNorm", axis: -1 });
  assert.deepEqual(minMaxNormConstraint({ minValue: 0.5, maxValue: 2, rate: 0.1, axis: 2 }), {
    _tag: "MinMaxNorm",
    minValue: 0.5,
    maxValue: 2,
    rate: 0.1,
    axis: 2,
  });
});

Deno.test("normalizeConstraint accepts descriptors, functions and null", () => {
  for (
    const c of [
      nonNegConstraint(),
      maxNormConstraint(),
      unitNormConstraint(),
      minMaxNormConstraint(),
    ]
  ) {
    assert.equal(right(normalizeConstraint(c, "constraint")), c);
  }
  assert.equal(right(normalizeConstraint(null, "constraint")), null);
  assert.equal(right(normalizeConstraint(undefined, "constraint")), null);
  const clip = (x: unknown): unknown => x;
  assert.deepEqual(right(normalizeConstraint(clip, "constraint")), { _tag: "Fn", fn: clip });
  assert.deepEqual(right(normalizeConstraint({ _tag: "Fn", fn: clip }, "constraint")), {
    _tag: "Fn",
    fn: clip,
  });
});

Deno.test("invalid constraints are InvalidArgument errors naming the field", () => {
  const cases: ReadonlyArray<readonly [unknown, RegExp]> = [
    [maxNormConstraint({ maxValue: Number.NaN }), /maxValue/],
    [maxNormConstraint({ axis: 0.5 }), /axis/],
    [{ _tag: "MaxNorm", maxValue: "2", axis: 0 }, /maxValue/],
    [unitNormConstraint({ axis: 1.5 }), /axis/],
    [{ _tag: "UnitNorm" }, /axis/],
    [minMaxNormConstraint({ rate: Infinity }), /rate/],
    [minMaxNormConstraint({ minValue: Number.NaN }), /minValue/],
    [{ _tag: "MinMaxNorm", minValue: 0, maxValue: 1, rate: 1 }, /axis/],
    [{ _tag: "Fn", fn: 3 }, /fn/],
    [{ _tag: "Clip" }, /constraint descriptor/],
    [{}, /constraint descriptor/],
    ["nonneg", /constraint descriptor/],
    [1, /constraint descriptor/],
  ];
  for (const [raw, re] of cases) {
    const e = left(normalizeConstraint(raw, "constraint"));
    assert.equal(e.tag, "InvalidArgument");
    assert.match(e.message, re);
    assert.match(e.message, /constraint/);
    assert.equal(e.details.argument, "constraint");
  }
});

Deno.test("constraints reach variables; invalid ones are reported where given (TF1 E5)", () => {
  const v = single(
    ok(getVariable("v", { shape: [1], constraint: unitNormConstraint({ axis: 1 }) })).value,
  );
  assert.deepEqual(v.constraint, { _tag: "UnitNorm", axis: 1 });
  fails(
    getVariable("v", { shape: [1], constraint: "nonneg" as never }),
    "InvalidArgument",
    ["constraint"],
  );
  fails(
    variableScope(
      "s",
      { constraint: { _tag: "MaxNorm" } as never },
      getVariable("v", {
        shape: [1],
      }),
    ),
    "InvalidArgument",
    ["constraint", "maxValue"],
  );
});
