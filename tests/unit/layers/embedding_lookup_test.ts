// embeddingLookup: TF1 tf.nn.embedding_lookup over a plain and a
// partitioned variable ("mod" and "div", uneven shards), max_norm, and the
// gradient reaching every shard (wasm has no UnsortedSegmentSum), against
// Float64 references written here from TF1's formulas. Every backend, no
// leaks.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  fixedSizePartitioner,
  getVariable,
  type Program,
  type ProgramGenerator,
  scoped,
} from "varscope";
import { transform } from "varscope/tfjs";
import { embeddingLookup } from "varscope/layers";
import {
  arr,
  assertAllClose,
  backendTest,
  expectError,
  gradients,
  paramsFrom,
  RTOL,
  take,
  weights,
} from "./_helpers.ts";

type Gen<A> = ProgramGenerator<A>;

const ROWS = 10;
const DIM = 3;
const SHARDS = [4, 3, 3]; // fixedSizePartitioner(3) of 10 rows

/** TF1's shard and row of an id. */
function place(id: number, strategy: "mod" | "div", sizes: readonly number[]): [number, number] {
  const p = sizes.length;
  if (strategy === "mod") return [id % p, Math.floor(id / p)];
  const total = sizes.reduce((a, b) => a + b, 0);
  const per = Math.floor(total / p);
  const extras = total % p;
  const shard = Math.max(Math.floor(id / (per + 1)), Math.floor((id - extras) / per));
  const row = shard < extras ? id % (per + 1) : (id - extras) % per;
  return [shard, row];
}

const IDS = [7, 0, 9, 7, 3, 5];

function shardValues(): number[][] {
  return SHARDS.map((n, p) => weights(n * DIM, 50 + p));
}

function lookupModel(
  strategy: "mod" | "div",
  partitioned: boolean,
  maxNorm: number | null = null,
): (input: { ids: tf.Tensor; c: tf.Tensor }) => Program<tf.Scalar> {
  return (input: { ids: tf.Tensor; c: tf.Tensor }): Program<tf.Scalar> =>
    scoped(function* (): Gen<tf.Scalar> {
      const emb = yield* getVariable("emb", {
        shape: [ROWS, DIM],
        ...(partitioned ? { partitioner: fixedSizePartitioner(3) } : {}),
      });
      const y = yield* embeddingLookup(emb, input.ids, { partitionStrategy: strategy, maxNorm });
      return tf.sum(tf.mul(y, input.c)) as tf.Scalar;
    });
}

for (const strategy of ["mod", "div"] as const) {
  backendTest(
    import.meta.url,
    `embeddingLookup over a partitioned variable, "${strategy}": rows and gradients per shard`,
    async (backend) => {
      const shards = shardValues();
      const ids = tf.tensor2d(IDS, [2, 3], "int32");
      const cv = weights(IDS.length * DIM, 60);
      const c = tf.tensor3d(cv, [2, 3, DIM]);
      const fn = lookupModel(strategy, true);
      const { store, params: init } = transform(fn).init({ ids, c });
      assert.deepEqual(init.names, ["emb/part_0", "emb/part_1", "emb/part_2"]);
      init.dispose();
      const named = Object.fromEntries(
        shards.map((v, p) => [`emb/part_${p}`, arr([SHARDS[p]!, DIM], v)]),
      );
      const params = paramsFrom(store, named);
      // Forward: the rows themselves.
      const rowsModel = transform((i: tf.Tensor) =>
        scoped(function* (): Gen<tf.Tensor> {
          const emb = yield* getVariable("emb", {
            shape: [ROWS, DIM],
            partitioner: fixedSizePartitioner(3),
          });
          return yield* embeddingLookup(emb, i, { partitionStrategy: strategy });
        })
      );
      const y = rowsModel.apply(params, ids);
      assert.deepEqual(y.shape, [2, 3, DIM]);
      const expected = IDS.flatMap((id) => {
        const [p, r] = place(id, strategy, SHARDS);
        return shards[p]!.slice(r * DIM, (r + 1) * DIM);
      });
      assertAllClose(await take(y), expected, RTOL[backend], "rows");
      // Gradient: each id's c row added to its shard row (duplicates summed).
      const g = await gradients(fn, params, { ids, c });
      const want = SHARDS.map((n) => new Array<number>(n * DIM).fill(0));
      IDS.forEach((id, k) => {
        const [p, r] = place(id, strategy, SHARDS);
        for (let d = 0; d < DIM; d++) want[p]![r * DIM + d]! += cv[k * DIM + d]!;
      });
      want.forEach((w, p) =>
        assertAllClose(g[`emb/part_${p}`]!, w, RTOL[backend] * 10, `dL/dpart_${p}`)
      );
      params.dispose();
      tf.dispose([ids, c]);
    },
  );
}

backendTest(
  import.meta.url,
  "embeddingLookup over a plain variable with maxNorm (TF1 clip_by_norm per row); gradient",
  async (backend) => {
    const tv = weights(ROWS * DIM, 70).map((v) => v * 2);
    const ids = tf.tensor1d([2, 2, 8, 1], "int32");
    const cv = weights(4 * DIM, 71);
    const c = tf.tensor2d(cv, [4, DIM]);
    const maxNorm = 1.5;
    const fn = lookupModel("mod", false, maxNorm);
    const { store, params: init } = transform(fn).init({ ids, c });
    init.dispose();
    const params = paramsFrom(store, { emb: arr([ROWS, DIM], tv) });
    const rowsModel = transform((i: tf.Tensor) =>
      scoped(function* (): Gen<tf.Tensor> {
        return yield* embeddingLookup(yield* getVariable("emb", { shape: [ROWS, DIM] }), i, {
          maxNorm,
        });
      })
    );
    const clip = (row: number[]): number[] => {
      const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
      return row.map((v) => (v * maxNorm) / Math.max(norm, maxNorm));
    };
    const expected = [2, 2, 8, 1].flatMap((id) => clip(tv.slice(id * DIM, (id + 1) * DIM)));
    assertAllClose(
      await take(rowsModel.apply(params, ids)),
      expected,
      RTOL[backend],
      "clipped rows",
    );
    // Without clipping (maxNorm large) the gradient is the scatter-add of c.
    const plain = lookupModel("mod", false, 1e6);
    const g = await gradients(plain, params, { ids, c });
    const want = new Array<number>(ROWS * DIM).fill(0);
    [2, 2, 8, 1].forEach((id, k) => {
      for (let d = 0; d < DIM; d++) want[id * DIM + d]! += cv[k * DIM + d]!;
    });
    assertAllClose(g["emb"]!, want, RTOL[backend] * 10, "dL/demb");
    params.dispose();
    tf.dispose([ids, c]);
  },
);

backendTest(
  import.meta.url,
  "embeddingLookup: tensors and shard arrays as params; bad ids and options are typed errors",
  async (backend) => {
    const t = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    // TF1 "div" layout of 3 rows in 2 shards: the first shard one row longer.
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6], [1, 2]);
    const ids = tf.tensor1d([2, 0], "int32");
    const m = transform((i: tf.Tensor) => embeddingLookup(t, i));
    assertAllClose(
      await take(m.apply(m.init(ids).params, ids)),
      [5, 6, 1, 2],
      RTOL[backend],
      "tensor",
    );
    // ids 0, 1 → shard 0; 2 → shard 1 row 0.
    const d = transform((i: tf.Tensor) => embeddingLookup([a, b], i, { partitionStrategy: "div" }));
    assertAllClose(
      await take(d.apply(d.init(ids).params, ids)),
      [5, 6, 1, 2],
      RTOL[backend],
      "div shards",
    );
    const fids = tf.tensor1d([0, 1]);
    expectError(
      () => transform((i: tf.Tensor) => embeddingLookup(t, i)).init(fids),
      "InvalidArgument",
      ["int32"],
    );
    expectError(
      () =>
        transform((i: tf.Tensor) => embeddingLookup(t, i, { partitionStrategy: "x" as never }))
          .init(ids),
      "InvalidArgument",
      ["partitionStrategy"],
    );
    expectError(
      () => transform((i: tf.Tensor) => embeddingLookup(t, i, { maxNorm: -1 })).init(ids),
      "InvalidArgument",
      ["maxNorm"],
    );
    expectError(
      () => transform((i: tf.Tensor) => embeddingLookup(null as never, i)).init(ids),
      "InvalidArgument",
      ["params"],
    );
    tf.dispose([t, a, b, ids, fids]);
  },
);
