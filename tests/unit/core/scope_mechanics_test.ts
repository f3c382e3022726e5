// TF1 spec section J: scope entry and exit mechanics.
import * as assert from "node:assert/strict";
import {
  getNameScope,
  getVariable,
  getVariableScope,
  listVariables,
  of,
  onesInitializer,
  reuseVariables,
  scoped,
  setInitializer,
  type VariableScope,
  variableScope,
} from "varscope";
import { fails, type Gen, ok } from "./_helpers.ts";

Deno.test("the body receives the entered scope, the one getVariableScope sees (TF1 J1)", () => {
  const r = ok(variableScope(
    "foo",
    { initializer: onesInitializer() },
    (vs: VariableScope) =>
      scoped(function* (): Gen<readonly [VariableScope, VariableScope]> {
        return [vs, yield* getVariableScope()] as const;
      }),
  )).value;
  const [vs, current] = r;
  assert.equal(vs, current);
  assert.equal(vs._tag, "VariableScope");
  assert.equal(vs.name, "foo");
  assert.equal(vs.originalNameScope, "foo/");
  assert.equal(vs.reuse, false);
  assert.deepEqual(vs.initializer, { _tag: "Ones" });
  assert.ok(Object.isFrozen(vs));
});

Deno.test("each entry gives a fresh scope value (TF1 J1)", () => {
  const r = ok(scoped(function* (): Gen<readonly VariableScope[]> {
    const a = yield* variableScope("foo", getVariableScope());
    const b = yield* variableScope("foo", getVariableScope());
    const c = yield* variableScope(a, getVariableScope());
    return [a, b, c];
  })).value;
  const [a, b, c] = r;
  assert.notEqual(a, b);
  assert.equal(a!.name, "foo");
  assert.equal(b!.name, "foo");
  assert.equal(a!.originalNameScope, "foo/");
  assert.equal(b!.originalNameScope, "foo_1/");
  // Re-entering a captured scope keeps its original name scope (A9).
  assert.notEqual(c, a);
  assert.equal(c!.name, "foo");
  assert.equal(c!.originalNameScope, "foo/");
});

Deno.test("running the same scope program twice enters equal scopes (TF1 J1)", () => {
  const enter = variableScope("foo", getVariableScope());
  const [first, second] = ok(scoped(function* (): Gen<readonly VariableScope[]> {
    return [yield* enter, yield* enter];
  })).value;
  assert.equal(first!.name, second!.name);
  assert.equal(first!.reuse, second!.reuse);
  // The name scope is made unique on the second entry (A5).
  assert.deepEqual([first!.originalNameScope, second!.originalNameScope], ["foo/", "foo_1/"]);
});

Deno.test("exit restores the parent scope, keeping its earlier changes (TF1 J2)", () => {
  const r = ok(variableScope(
    "outer",
    scoped(function* (): Gen<readonly unknown[]> {
      yield* setInitializer(onesInitializer());
      yield* reuseVariables();
      const inner = yield* variableScope("inner", getVariableScope());
      const after = yield* getVariableScope();
      const ns = yield* getNameScope();
      return [inner.name, inner.reuse, after.name, after.reuse, after.initializer, ns];
    }),
  )).value;
  assert.deepEqual(r, ["outer/inner", true, "outer", true, { _tag: "Ones" }, "outer"]);
});

Deno.test("exit restores the parent after nested and captured scopes (TF1 J2)", () => {
  const r = ok(scoped(function* (): Gen<readonly string[]> {
    const captured = yield* variableScope("a", variableScope("b", getVariableScope()));
    const seen: string[] = [];
    yield* variableScope(
      "x",
      scoped(function* (): Gen<void> {
        yield* variableScope(
          captured,
          scoped(function* (): Gen<void> {
            seen.push((yield* getVariableScope()).name);
          }),
        );
        seen.push((yield* getVariableScope()).name);
        seen.push((yield* getVariable("v", { shape: [1] })).name);
      }),
    );
    seen.push((yield* getVariableScope()).name);
    return seen;
  })).value;
  assert.deepEqual(r, ["a/b", "x", "x/v:0", ""]);
});

Deno.test("a body that is neither a Program nor a function is an InvalidArgument (J1)", () => {
  for (const bad of [undefined, 42, "body", { _tag: "Nope" }]) {
    fails(variableScope("s", bad as never), "InvalidArgument", ["body"]);
    fails(variableScope("s", {}, bad as never), "InvalidArgument", ["body"]);
  }
});

Deno.test("there is no values option: it selects no graph and names nothing (TF1 J4)", () => {
  // TF1 `values` only picks the graph; varscope has one store per run, so an
  // untyped caller passing it gets a typed error rather than a silent no-op.
  fails(
    variableScope("s", { values: [1, 2] } as never, getVariableScope()),
    "InvalidArgument",
    ['"values"'],
  );
});

Deno.test("programs are values: frozen programs run again and again with the same result", () => {
  const program = Object.freeze(variableScope(
    "outer",
    Object.freeze(scoped(function* (): Gen<[string, number]> {
      const a = yield* Object.freeze(getVariable("a", { shape: [2] }));
      const b = yield* Object.freeze(variableScope(null, { defaultName: "d" }, of(1)));
      return [a.name, b];
    })),
  ));
  for (let i = 0; i < 3; i++) {
    const { value, store } = ok(program);
    assert.deepEqual(value, ["outer/a:0", 1]);
    assert.deepEqual(listVariables(store).map((v) => v.fullName), ["outer/a"]);
  }
});
