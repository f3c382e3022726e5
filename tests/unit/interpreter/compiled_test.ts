// Compiled applies: the first apply per (params store, input signature)
// records the program's scope decisions in a trace, later applies replay
// them without name building or store lookups, and a program that takes
// another path falls back to a full run. Compiled and interpreted
// (`compile: false`) applies give bit-identical outputs; custom getters
// that count their calls show what replay skips; templates and raw state
// access replay too; and the recording unit itself (Recording,
// ReplayDiverged, catchError's rollback) behaves as documented.
//
// Every case runs on the cpu, wasm and webgpu backends and checks that
// `tf.memory().numTensors` is unchanged afterwards. Compiled versus
// interpreted outputs are compared exactly (the same kernels run on the
// same tensors). Outputs checked against references computed by hand in
// Float64 use a tolerance: error relative to the largest expected
// magnitude of 1e-5 on cpu and wasm, 1e-4 on webgpu (a software adapter
// whose float32 kernels sum in another order).
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { pipe } from "fp-ts/lib/function.js";
import {
  AUTO_REUSE,
  catchError,
  constantInitializer,
  createVariables,
  type CreationPolicy,
  type CustomGetter,
  emptyStore,
  fail,
  fixedSizePartitioner,
  getNameScope,
  getStore,
  getVariable,
  getVariableScope,
  makeTemplate,
  map,
  nameScope,
  of,
  opName,
  type Program,
  type ProgramGenerator,
  randomNormalInitializer,
  Recording,
  ReplayDiverged,
  reuseOnly,
  runWith,
  scoped,
  ScopeError,
  scopeError,
  startState,
  type Store,
  type VariableLike,
  type VariableScope,
  variableScope,
} from "varscope";
import { readShards, readVariable, transform, variable } from "varscope/tfjs";
import { assertAllClose, backendTest, denseRef, RTOL, take, values } from "./_backends.ts";

// ---------------------------------------------------------------- helpers

type Gen<A> = ProgramGenerator<A>;

/** A getter that counts its calls (it runs only when scope bookkeeping does). */
function countingGetter(): { getter: CustomGetter; calls: () => number } {
  let n = 0;
  return {
    getter: (next, args) => {
      n++;
      return next(args);
    },
    calls: () => n,
  };
}

/** A dense layer in scope `name`. */
function dense(name: string, x: tf.Tensor2D, units: number, act = false): Program<tf.Tensor2D> {
  return variableScope(
    name,
    scoped(function* (): Gen<tf.Tensor2D> {
      const w = yield* variable("w", { shape: [x.shape[1], units] });
      const b = yield* variable("b", { shape: [units], initializer: randomNormalInitializer() });
      const y = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
      return act ? tf.tanh(y) : y;
    }),
  );
}

function mlp(x: tf.Tensor2D): Program<tf.Tensor2D> {
  return scoped(function* (): Gen<tf.Tensor2D> {
    const h = yield* dense("l1", x, 4, true);
    const h2 = yield* dense("l2", h, 4, true);
    return yield* dense("out", h2, 2);
  });
}

function inputs(): tf.Tensor2D[] {
  return [
    tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]),
    tf.tensor2d([[1, 2, 3], [-1, 0, 1], [0.1, 0.2, 0.3], [3, -2, 1]]),
  ];
}

// ---------------------------------------------------------------- compiled = interpreted

backendTest(
  import.meta.url,
  "an MLP: compiled and interpreted applies are bit-identical",
  async () => {
    const compiled = transform(mlp);
    const interpreted = transform(mlp, { compile: false });
    assert.equal(compiled.compile, true);
    const xs = inputs();
    const { params } = compiled.init(xs[0]!, { seed: 4 });
    for (let round = 0; round < 3; round++) {
      for (const x of xs) {
        const a = await take(compiled.apply(params, x));
        const b = await take(interpreted.apply(params, x));
        assert.deepEqual(a, b, `round ${round}, batch ${x.shape[0]}`);
      }
    }
    params.dispose();
    tf.dispose(xs);
  },
);

interface Named {
  readonly y: tf.Tensor;
  readonly names: readonly string[];
}

/** nameScope, getVariableScope, opName, a custom getter and a partitioned variable. */
function scopedProgram(x: tf.Tensor2D): Program<Named> {
  const suffix: CustomGetter = (next, args) => next({ ...args, name: `${args.name}_g` });
  return scoped(function* (): Gen<Named> {
    const names: string[] = [];
    const vs = yield* variableScope(
      "enc",
      scoped(function* (): Gen<VariableScope> {
        names.push(yield* opName("input"));
        return yield* getVariableScope();
      }),
    );
    const ys: tf.Tensor[] = [];
    for (let i = 0; i < 2; i++) {
      ys.push(
        yield* nameScope(
          "block",
          scoped(function* (): Gen<tf.Tensor> {
            names.push(yield* opName("c"), yield* getNameScope());
            // Re-entering a captured scope: one kernel for both blocks.
            const k = yield* variableScope(
              vs,
              { reuse: AUTO_REUSE },
              variable("k", { shape: [3, 2] }),
            );
            return tf.matMul(x, k);
          }),
        ),
      );
    }
    const g = yield* variableScope(
      "g",
      { customGetter: suffix },
      scoped(function* (): Gen<tf.Tensor> {
        const w = yield* getVariable("w", { shape: [3, 2] });
        names.push(w.name);
        return tf.matMul(x, yield* readVariable(w));
      }),
    );
    const emb = yield* getVariable("emb", { shape: [3, 2], partitioner: fixedSizePartitioner(3) });
    const e = yield* readVariable(emb);
    const shards = yield* readShards(emb);
    names.push(vs.name, ...shards.map((s) => s.shape.join("x")));
    const y = tf.add(tf.add(tf.add(ys[0]!, ys[1]!), g), tf.add(tf.matMul(x, e), shards[2]!));
    return { y, names };
  });
}

backendTest(
  import.meta.url,
  "scopes, opName, custom getters, shards: compiled = interpreted, bit for bit",
  async () => {
    const compiled = transform(scopedProgram);
    const interpreted = transform(scopedProgram, { compile: false });
    const xs = inputs();
    const { params } = compiled.init(xs[0]!, { seed: 9 });
    assert.deepEqual(params.names, ["enc/k", "g/w_g", "emb/part_0", "emb/part_1", "emb/part_2"]);
    const expectedNames = [
      "enc/input:0",
      "block/c:0",
      "block",
      "block_1/c:0",
      "block_1",
      "g/w_g:0",
      "enc",
      "1x2",
      "1x2",
      "1x2",
    ];
    for (let round = 0; round < 3; round++) {
      for (const x of xs) {
        const a = compiled.apply(params, x);
        const b = interpreted.apply(params, x);
        assert.deepEqual(a.names, expectedNames);
        assert.deepEqual(b.names, expectedNames);
        assert.deepEqual(await take(a.y), await take(b.y), `round ${round}`);
      }
    }
    params.dispose();
    tf.dispose(xs);
  },
);

// ---------------------------------------------------------------- replay skips bookkeeping

backendTest(
  import.meta.url,
  "replay skips scope bookkeeping: a counting getter runs on records only",
  async (backend) => {
    const counter = countingGetter();
    const fn = (x: tf.Tensor2D): Program<tf.Tensor> =>
      variableScope(
        "m",
        { customGetter: counter.getter },
        scoped(function* (): Gen<tf.Tensor> {
          const w = yield* variable("w", { shape: [3, 2] });
          const b = yield* variable("b", { shape: [2], initializer: constantInitializer(0.5) });
          return tf.add(tf.matMul(x, w), b);
        }),
      );
    const model = transform(fn);
    const interpreted = transform(fn, { compile: false });
    const [x2, x4] = inputs() as [tf.Tensor2D, tf.Tensor2D];
    const { params } = model.init(x2);
    assert.equal(counter.calls(), 2, "init: one call per variable");
    const w = await values(params.get("m/w"));
    const reference = async (x: tf.Tensor2D): Promise<number[]> =>
      denseRef(await values(x), w, [0.5, 0.5], x.shape[0], 3, 2);
    /** Applies and returns the output and how often the getter ran. */
    const run = async (
      m: typeof model,
      p: typeof params,
      x: tf.Tensor2D,
    ): Promise<[number[], number]> => {
      const before = counter.calls();
      const y = await take(m.apply(p, x));
      return [y, counter.calls() - before];
    };
    const [y1, c1] = await run(model, params, x2);
    assert.equal(c1, 2, "the 1st apply records (a full run)");
    assertAllClose(y1, await reference(x2), RTOL[backend], "1st apply");
    for (const nth of ["2nd", "3rd"]) {
      const [y, c] = await run(model, params, x2);
      assert.equal(c, 0, `the ${nth} apply with the same input shape runs no getter`);
      assert.deepEqual(y, y1, `the ${nth} apply gives the same output`);
    }
    const [y4, c4] = await run(model, params, x4);
    assert.equal(c4, 2, "a new input shape (a new signature) records again");
    assertAllClose(y4, await reference(x4), RTOL[backend], "new shape");
    assert.equal((await run(model, params, x4))[1], 0);
    assert.equal((await run(model, params, x2))[1], 0, "both signatures stay compiled");
    // Another store (a second init) records its own.
    const copy = model.init(x2).params;
    assert.equal((await run(model, copy, x2))[1], 2, "another store records");
    assert.equal((await run(model, copy, x2))[1], 0);
    // Interpreted applies always run the getter, with bit-identical outputs.
    for (let i = 0; i < 3; i++) {
      const [y, c] = await run(interpreted, params, x2);
      assert.equal(c, 2, "interpreted: a full run every time");
      assert.deepEqual(y, y1);
    }
    copy.dispose();
    params.dispose();
    tf.dispose([x2, x4]);
  },
);

// ---------------------------------------------------------------- paths

backendTest(
  import.meta.url,
  "control flow on a plain input value: right results for both values in any order",
  async (backend) => {
    const fn = ({ x, deep }: { x: tf.Tensor2D; deep: boolean }): Program<tf.Tensor> =>
      scoped(function* (): Gen<tf.Tensor> {
        let h = yield* dense("shared", x, 3, true);
        if (deep) h = yield* variableScope("deep", dense("extra", h, 3, true));
        return yield* dense("head", h, 1);
      });
    const model = transform(fn);
    const interpreted = transform(fn, { compile: false });
    const x = tf.tensor2d([[0.5, -1, 2], [1.5, 0.25, -0.75]]);
    const { params } = model.init({ x, deep: true }, { seed: 2 });
    assert.deepEqual(params.names, [
      "shared/w",
      "shared/b",
      "deep/extra/w",
      "deep/extra/b",
      "head/w",
      "head/b",
    ]);
    const p = async (n: string): Promise<number[]> => await values(params.get(n));
    const xs = await values(x);
    const shared = denseRef(xs, await p("shared/w"), await p("shared/b"), 2, 3, 3).map(Math.tanh);
    const extra = denseRef(shared, await p("deep/extra/w"), await p("deep/extra/b"), 2, 3, 3)
      .map(Math.tanh);
    const head = async (h: number[]): Promise<number[]> =>
      denseRef(h, await p("head/w"), await p("head/b"), 2, 3, 1);
    const expected = { true: await head(extra), false: await head(shared) };
    for (const deep of [false, true, true, false, false, true, false]) {
      const y = await take(model.apply(params, { x, deep }));
      assert.deepEqual(y, await take(interpreted.apply(params, { x, deep })), `deep=${deep}`);
      assertAllClose(y, expected[`${deep}`], RTOL[backend], `deep=${deep}`);
    }
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "a closure flag that changes which variable is read: full-run results",
  async () => {
    let useA = true;
    const byRead = transform((x: tf.Tensor1D) =>
      scoped(function* (): Gen<tf.Tensor> {
        const a = yield* getVariable("a", { shape: [], initializer: constantInitializer(2) });
        const b = yield* getVariable("b", { shape: [], initializer: constantInitializer(3) });
        return tf.mul(x, yield* readVariable(useA ? a : b));
      })
    );
    const counter = countingGetter();
    let initAll = true;
    const byName = transform((x: tf.Tensor1D) =>
      variableScope(
        "s",
        { customGetter: counter.getter },
        scoped(function* (): Gen<tf.Tensor> {
          const a = { shape: [], initializer: constantInitializer(2) };
          const b = { shape: [], initializer: constantInitializer(3) };
          if (initAll) {
            const va = yield* variable("a", a);
            const vb = yield* variable("b", b);
            return tf.mul(tf.mul(x, va), vb);
          }
          return tf.mul(x, useA ? yield* variable("a", a) : yield* variable("b", b));
        }),
      )
    );
    const x = tf.tensor1d([1, -2, 0.5]);
    const p1 = byRead.init(x).params;
    const p2 = byName.init(x).params;
    initAll = false;
    assert.deepEqual(p2.names, ["s/a", "s/b"]);
    const flags = [true, true, false, false, true, false, true, true];
    // The getter runs once per full run: the first apply (recording) and each
    // flip (the replay diverges at the other name, and the program runs in
    // full); a replay of the same path runs it not at all.
    const expectedCalls = [1, 0, 1, 0, 1, 1, 1, 0];
    for (const [i, flag] of flags.entries()) {
      useA = flag;
      const k = flag ? 2 : 3;
      assert.deepEqual(await take(byRead.apply(p1, x)), [k, -2 * k, 0.5 * k], `read, useA=${flag}`);
      const before = counter.calls();
      assert.deepEqual(await take(byName.apply(p2, x)), [k, -2 * k, 0.5 * k], `get, useA=${flag}`);
      assert.equal(counter.calls() - before, expectedCalls[i], `getter calls of apply #${i + 1}`);
    }
    p1.dispose();
    p2.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "a closure-changed shape or dtype: the full run's error, not a stale replay",
  () => {
    let shape = [2];
    let dtype: "float32" | "int32" = "float32";
    const model = transform((x: tf.Tensor1D) =>
      variableScope(
        "s",
        scoped(function* (): Gen<tf.Tensor> {
          return tf.mul(
            x,
            yield* variable("w", { shape, dtype, initializer: constantInitializer(1) }),
          );
        }),
      )
    );
    const x = tf.tensor1d([1, 2]);
    const { params } = model.init(x);
    for (let i = 0; i < 2; i++) model.apply(params, x).dispose();
    shape = [3];
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => model.apply(params, x),
        (e: unknown) => e instanceof ScopeError && e.tag === "ShapeMismatch",
      );
    }
    shape = [2];
    dtype = "int32";
    assert.throws(
      () => model.apply(params, x),
      (e: unknown) => e instanceof ScopeError && e.tag === "DTypeMismatch",
    );
    dtype = "float32";
    model.apply(params, x).dispose();
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "templates and raw state access (getStore) replay, always right",
  async (backend) => {
    const counter = countingGetter();
    const tmpl = transform((x: tf.Tensor2D) =>
      scoped(function* (): Gen<tf.Tensor> {
        const t = yield* makeTemplate(
          "lin",
          (h: tf.Tensor2D) =>
            scoped(function* (): Gen<tf.Tensor2D> {
              const w = yield* variable("w", { shape: [2, 2], customGetter: counter.getter });
              return tf.matMul(h, w) as tf.Tensor2D;
            }),
        );
        const a = (yield* t.call(x)) as tf.Tensor2D;
        return yield* variableScope("elsewhere", t.call(a));
      })
    );
    const x = tf.tensor2d([[1, 2], [-0.5, 0.25]]);
    const { params } = tmpl.init(x, { seed: 6 });
    assert.deepEqual(params.names, ["lin/w"]);
    const w = await values(params.get("lin/w"));
    const expected = denseRef(denseRef(await values(x), w, [0, 0], 2, 2, 2), w, [0, 0], 2, 2, 2);
    for (let i = 1; i <= 3; i++) {
      const before = counter.calls();
      const y = await take(tmpl.apply(params, x));
      assertAllClose(y, expected, RTOL[backend], `apply #${i}`);
      assert.deepEqual(y, await take(transform(tmpl.fn, { compile: false }).apply(params, x)));
      // The first apply records (two template calls); later ones replay
      // them; the interpreted run always makes two.
      assert.equal(counter.calls() - before, i === 1 ? 4 : 2, `apply #${i}`);
    }
    // getStore (like ask and getState) replays: the state after every
    // recorded step is the recorded one.
    const raw = countingGetter();
    const withStore = transform((x: tf.Tensor2D) =>
      variableScope(
        "r",
        { customGetter: raw.getter },
        scoped(function* (): Gen<tf.Tensor> {
          const w = yield* variable("w", { shape: [2, 2] });
          const store = yield* getStore();
          return tf.mul(tf.matMul(x, w), store.variables.size);
        }),
      )
    );
    const p = withStore.init(x).params;
    const rw = await values(p.get("r/w"));
    for (let i = 1; i <= 3; i++) {
      const y = await take(withStore.apply(p, x));
      assertAllClose(
        y,
        denseRef(await values(x), rw, [0, 0], 2, 2, 2),
        RTOL[backend],
        `store #${i}`,
      );
      assert.equal(raw.calls(), 2, `apply #${i}: only init and the recording ran the getter`);
    }
    p.dispose();
    params.dispose();
    x.dispose();
  },
);

// ---------------------------------------------------------------- the recording unit

function runOn(
  program: Program<unknown>,
  store: Store,
  recording: Recording | null,
  creation: CreationPolicy = createVariables(),
): ReturnType<typeof runWith<unknown>> {
  return runWith(program, startState(store), { creation, recording, interpreter: null });
}

backendTest(
  import.meta.url,
  "recording: a recording notes every scope decision; a replay needs no store",
  () => {
    const t = new Recording();
    assert.equal(t.replaying, false);
    assert.equal(t.size, 0);
    assert.equal(t.compilable, true);
    const p = variableScope(
      "s",
      scoped(function* (): Gen<VariableLike[]> {
        const v = yield* getVariable("v", { shape: [1] });
        const w = yield* nameScope("n", getVariable("w", { shape: [2] }));
        return [v, w];
      }),
    );
    const recorded = runOn(p, emptyStore(), t);
    assert.ok(E.isRight(recorded));
    const [v, w] = recorded.right.value as VariableLike[];
    assert.equal(v!.name, "s/v:0");
    assert.equal(w!.name, "s/w:0");
    assert.equal(t.size, 4, "s, v, n, w");
    // Replay where nothing may be created: without the recording that is
    // CreationRefused; with it, the recorded variables and store come back.
    const nothing = reuseOnly(emptyStore());
    const plain = runOn(p, emptyStore(), null, nothing);
    assert.ok(E.isLeft(plain) && plain.left.tag === "CreationRefused");
    t.replay();
    const replayed = runOn(p, emptyStore(), t, nothing);
    assert.ok(E.isRight(replayed));
    const [rv, rw] = replayed.right.value as VariableLike[];
    assert.equal(rv, v);
    assert.equal(rw, w);
    assert.equal(replayed.right.store, recorded.right.store, "the recorded state comes back");
    assert.equal(t.complete, true);
    // Another path: ReplayDiverged, an interpreter event (not a ScopeError).
    for (
      const other of [
        variableScope("s", getVariable("other", { shape: [1] })) as Program<unknown>,
        variableScope("t", getVariable("v", { shape: [1] })),
        variableScope("s", getVariable("v", { shape: [3] })),
        scoped(function* (): Gen<void> {
          yield* p;
          yield* p; // past the end of the recording
        }),
      ]
    ) {
      t.replay();
      assert.throws(() => runOn(other, emptyStore(), t, nothing), (e: unknown) => {
        assert.ok(e instanceof ReplayDiverged);
        assert.ok(!(e instanceof ScopeError));
        return true;
      });
    }
    // A failed call leaves no entry, its inner ones included.
    const u = new Recording();
    const failing = variableScope(
      "f",
      scoped(function* (): Gen<void> {
        yield* getVariable("ok", { shape: [1] });
        yield* getVariable("bad", { shape: [-1] });
      }),
    );
    assert.ok(E.isLeft(runOn(failing, emptyStore(), u)));
    assert.equal(u.size, 2, "the scope and ok; the failed getVariable is not recorded");
  },
);

backendTest(
  import.meta.url,
  "recording: catchError rolls back a failed branch's entries; replays stay right",
  () => {
    const store = emptyStore();
    const nothing = reuseOnly(emptyStore());
    // The failed branch gets "b" then fails; the handler gets "b" again.
    const same = scoped(function* (): Gen<string[]> {
      const a = yield* getVariable("a", { shape: [1] });
      const b = yield* pipe(
        scoped(function* (): Gen<VariableLike> {
          yield* getVariable("b", { shape: [1] });
          return yield* fail<VariableLike>(scopeError("InvalidArgument", "after b", {}));
        }),
        catchError(() => getVariable("b", { shape: [1] })),
      );
      return [a.name, b.name];
    });
    const t = new Recording();
    const r = runOn(same, store, t);
    assert.ok(E.isRight(r));
    assert.deepEqual(r.right.value, ["a:0", "b:0"]);
    assert.equal(t.size, 2, "the failed branch's entry is gone");
    t.replay();
    const replayed = runOn(same, emptyStore(), t, nothing);
    assert.ok(E.isRight(replayed), "the replay rolls the cursor back for the handler");
    assert.deepEqual(replayed.right.value, ["a:0", "b:0"]);
    assert.equal(t.complete, true);

    // The failed branch gets "tmp", which the handler never does.
    let handled = 0;
    const other = scoped(function* (): Gen<string[]> {
      const a = yield* getVariable("a", { shape: [1] });
      const b = yield* pipe(
        scoped(function* (): Gen<VariableLike> {
          yield* getVariable("tmp", { shape: [1] });
          return yield* fail<VariableLike>(scopeError("InvalidArgument", "after tmp", {}));
        }),
        catchError(() => {
          handled++;
          return getVariable("b", { shape: [1] });
        }),
      );
      return [a.name, b.name];
    });
    const t2 = new Recording();
    const r2 = runOn(other, store, t2);
    assert.ok(E.isRight(r2));
    assert.deepEqual(r2.right.value, ["a:0", "b:0"]);
    assert.equal(t2.size, 2);
    assert.equal(r2.right.store.variables.size, 2, "tmp is not in the store either");
    assert.equal(handled, 1);
    // Never a wrong answer: the recorded result, or a divergence (then the
    // interpreter runs the program in full).
    t2.replay();
    try {
      const r3 = runOn(other, emptyStore(), t2, nothing);
      assert.ok(E.isRight(r3));
      assert.deepEqual(r3.right.value, ["a:0", "b:0"]);
    } catch (e) {
      assert.ok(e instanceof ReplayDiverged);
    }

    // catchError never handles a divergence.
    handled = 0;
    const guarded = pipe(
      getVariable("x", { shape: [1] }),
      map((v) => v.name),
      catchError(() => {
        handled++;
        return of("handled");
      }),
    );
    const t3 = new Recording();
    assert.ok(E.isRight(runOn(getVariable("y", { shape: [1] }), emptyStore(), t3)));
    t3.replay();
    assert.throws(() => runOn(guarded, emptyStore(), t3), ReplayDiverged);
    assert.equal(handled, 0);
  },
);

backendTest(
  import.meta.url,
  "catchError in a compiled apply: the full run's results every time",
  async () => {
    const fn = (x: tf.Tensor1D): Program<tf.Tensor> =>
      scoped(function* (): Gen<tf.Tensor> {
        const w = yield* variableScope(
          "s",
          variable("w", { shape: [3], initializer: constantInitializer(2) }),
        );
        // A second "s/w" in a non-reusing scope fails (VariableExists); the
        // handler uses another variable.
        const v = yield* variableScope(
          "s",
          pipe(
            variable("w", { shape: [3] }),
            map((t) => tf.mul(t, 100)),
            catchError(() =>
              variableScope("t", variable("u", { shape: [3], initializer: constantInitializer(5) }))
            ),
          ),
        );
        return tf.add(tf.mul(x, w), v);
      });
    const compiled = transform(fn);
    const x = tf.tensor1d([1, 2, 3]);
    const { params } = compiled.init(x);
    assert.deepEqual(params.names, ["s/w", "s/t/u"]);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await take(compiled.apply(params, x)), [7, 9, 11], `apply #${i + 1}`);
    }
    assert.deepEqual(
      await take(transform(fn, { compile: false }).apply(params, x)),
      [7, 9, 11],
    );
    params.dispose();
    x.dispose();
  },
);

backendTest(
  import.meta.url,
  "variableScope options that change between applies: the full run's result",
  async () => {
    // Default names decide which variable each scope gets; a replay compares
    // the plain-valued options (defaultName, reuse, …) as well as the names.
    let flip = false;
    const model = transform((_: null) =>
      scoped(function* (): Gen<tf.Tensor> {
        const out: tf.Tensor[] = [];
        for (const n of flip ? ["b", "a"] : ["a", "b"]) {
          out.push(
            yield* variableScope(
              null,
              { defaultName: n },
              variable("w", { shape: [], initializer: constantInitializer(n === "a" ? 1 : 2) }),
            ),
          );
        }
        return tf.stack(out);
      })
    );
    const full = transform(model.fn, { compile: false });
    const { params } = model.init(null);
    const read = async (m: typeof model): Promise<number[]> => {
      const y = m.apply(params, null);
      const v = Array.from(await y.data());
      y.dispose();
      return v;
    };
    assert.deepEqual(await read(model), [1, 2]);
    assert.deepEqual(await read(model), [1, 2]);
    flip = true;
    assert.deepEqual(await read(full), [2, 1]);
    assert.deepEqual(await read(model), [2, 1]);

    let reuse = true;
    const sharing = transform((_: null) =>
      scoped(function* (): Gen<tf.Tensor> {
        const a = yield* variableScope("s", variable("w", { shape: [] }));
        const b = yield* variableScope("s", { reuse }, variable("w", { shape: [] }));
        return tf.add(a, b);
      })
    );
    const shared = sharing.init(null).params;
    for (let i = 0; i < 2; i++) sharing.apply(shared, null).dispose();
    reuse = false;
    assert.throws(() => sharing.apply(shared, null), (e: unknown) => {
      assert.ok(e instanceof ScopeError);
      assert.equal(e.tag, "VariableExists");
      return true;
    });
    shared.dispose();
    params.dispose();
  },
);
