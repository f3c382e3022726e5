/**
 * `embeddingLookup` (TF1 `tf.compat.v1.nn.embedding_lookup`): rows of an
 * embedding table, plain or partitioned, with TF1's "mod" and "div"
 * partition strategies and `max_norm`, and gradients on every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

// tfjs-core does not export the type of `customGrad`'s argument.
type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];
import * as E from "fp-ts/lib/Either.js";
import { ProgramBase } from "../core/_program_base.ts";
import type { Either } from "../core/either.ts";
import type { ScopeError } from "../core/errors.ts";
import type { Env, Program, RunState, Step } from "../core/program.ts";
import type { VariableLike } from "../core/variable.ts";
import { readShards } from "../interpreter/read_variable.ts";
import { layerOptionError } from "./layer.ts";

/**
 * Options of {@linkcode embeddingLookup} (TF1's keyword arguments).
 *
 * @category layers
 */
export interface EmbeddingLookupOptions {
  /** How ids map to shards: "mod" (TF1's default) or "div". */
  readonly partitionStrategy?: "mod" | "div";
  /** Rows whose L2 norm exceeds this are scaled down to it (TF1 `max_norm`). */
  readonly maxNorm?: number | null;
}

/** What can be looked up: a variable (plain or partitioned), a tensor, or shard tensors. */
export type EmbeddingParams = VariableLike | tf.Tensor | readonly tf.Tensor[];

/**
 * TF1 `tf.compat.v1.nn.embedding_lookup(params, ids, partition_strategy,
 * max_norm)`: for int32 `ids` of any shape, the rows `params[id]`, shaped
 * `ids.shape + params.shape[1:]`.
 *
 * With P shards (a partitioned variable, or an array of tensors), id `i`
 * lives in shard `i mod P` at row `⌊i / P⌋` ("mod"), or in contiguous
 * blocks, the first `N mod P` shards one row longer ("div"), exactly as
 * TF1; note that TF1's default "mod" does not match a
 * `fixedSizePartitioner`'s contiguous layout, and neither does this. The
 * gradient reaches every shard on every backend (wasm has no
 * `UnsortedSegmentSum`, tfjs's gather gradient; there a scatter-add stands
 * in). Ids out of range are not checked (no host read, so it also runs on
 * webgpu).
 *
 * @param params the table
 * @param ids int32 ids
 * @param options partitionStrategy, maxNorm
 * @returns the program yielding the embeddings
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { fixedSizePartitioner, getVariable, scoped } from "varscope";
 * import { transform, useBackend } from "varscope/tfjs";
 * import { embeddingLookup } from "varscope/layers";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "cpu" });
 * const model = transform((ids: tf.Tensor) => scoped(function* () {
 *   const table = yield* getVariable("emb", { shape: [10, 4], partitioner: fixedSizePartitioner(2) });
 *   return yield* embeddingLookup(table, ids, { partitionStrategy: "div" });
 * }));
 * const ids = tf.tensor2d([[1, 7], [0, 9]], [2, 2], "int32");
 * const { params } = model.init(ids);
 * assert.deepEqual(params.names, ["emb/part_0", "emb/part_1"]);
 * const y = model.apply(params, ids);
 * assert.deepEqual(y.shape, [2, 2, 4]);
 * assert.deepEqual(
 *   Array.from(tf.slice(y, [0, 1, 0], [1, 1, 4]).dataSync()),
 *   Array.from(tf.slice(params.get("emb/part_1"), [2, 0], [1, 4]).dataSync()), // id 7: shard 1, row 2
 * );
 * ```
 *
 * @category layers
 */
export function embeddingLookup(
  params: EmbeddingParams,
  ids: tf.Tensor,
  options: EmbeddingLookupOptions = {},
): Program<tf.Tensor> {
  return new LookupProgram(params, ids, options);
}

function isVariableLike(v: unknown): v is VariableLike {
  const tag = (v as { _tag?: unknown } | null)?._tag;
  return tag === "Variable" || tag === "PartitionedVariable";
}

class LookupProgram extends ProgramBase<tf.Tensor> {
  constructor(
    readonly params: EmbeddingParams,
    readonly ids: tf.Tensor,
    readonly options: EmbeddingLookupOptions,
  ) {
    super();
  }

  run(env: Env, state: RunState): Either<ScopeError, Step<tf.Tensor>> {
    const o = this.options ?? {};
    if (typeof o !== "object") return E.left(layerOptionError("options", "expected an object", o));
    const strategy = o.partitionStrategy ?? "mod";
    if (strategy !== "mod" && strategy !== "div") {
      return E.left(layerOptionError("partitionStrategy", 'expected "mod" or "div"', strategy));
    }
    const maxNorm = o.maxNorm ?? null;
    if (maxNorm !== null && (typeof maxNorm !== "number" || !(maxNorm > 0))) {
      return E.left(layerOptionError("maxNorm", "expected a positive number or null", maxNorm));
    }
    const ids = this.ids;
    if (!(ids instanceof tf.Tensor) || ids.dtype !== "int32") {
      return E.left(layerOptionError("ids", "expected an int32 tf.Tensor", ids));
    }
    let shards: readonly tf.Tensor[];
    let s = state;
    const p = this.params;
    if (isVariableLike(p)) {
      if (p._tag === "PartitionedVariable" && p.partitions.some((n, i) => i > 0 && n > 1)) {
        return E.left(
          layerOptionError(
            "params",
            "a partitioned table must be split along axis 0",
            p.partitions,
          ),
        );
      }
      const r = readShards(p).run(env, s);
      if (E.isLeft(r)) return r;
      shards = r.right.value;
      s = r.right.state;
    } else if (p instanceof tf.Tensor) {
      shards = [p];
    } else if (Array.isArray(p) && p.length > 0 && p.every((t) => t instanceof tf.Tensor)) {
      shards = p;
    } else {
      return E.left(
        layerOptionError("params", "expected a variable, a tf.Tensor or tf.Tensors", p),
      );
    }
    const tail = shards[0]!.shape.slice(1);
    if (
      shards.some((t) =>
        t.rank < 1 || t.rank !== tail.length + 1 || t.shape.slice(1).some((d, i) => d !== tail[i])
      )
    ) {
      return E.left(
        layerOptionError(
          "params",
          "every shard must have the same shape after axis 0",
          shards.map((t) => t.shape),
        ),
      );
    }
    const flat = tf.reshape(ids, [-1]) as tf.Tensor1D;
    let rows = lookup(shards, flat, strategy);
    if (maxNorm !== null) rows = clipByNorm(rows, maxNorm);
    return E.right({ value: tf.reshape(rows, [...ids.shape, ...tail]), state: s });
  }
}

function lookup(
  shards: readonly tf.Tensor[],
  ids: tf.Tensor1D,
  strategy: "mod" | "div",
): tf.Tensor {
  const np = shards.length;
  if (np === 1) return gatherRows(shards[0]!, ids);
  // int32 scalars: a plain number would make the results float32.
  const int = (v: number): tf.Scalar => tf.scalar(v, "int32");
  let assign: tf.Tensor;
  let local: tf.Tensor;
  if (strategy === "mod") {
    assign = tf.mod(ids, int(np));
    local = tf.floorDiv(ids, int(np));
  } else {
    // TF1 "div": the first `extras` shards hold one row more.
    const total = shards.reduce((n, t) => n + t.shape[0]!, 0);
    const per = Math.floor(total / np);
    const extras = total % np;
    assign = per === 0 ? tf.floorDiv(ids, int(per + 1)) : tf.maximum(
      tf.floorDiv(ids, int(per + 1)),
      tf.floorDiv(tf.sub(ids, int(extras)), int(per)),
    );
    local = tf.where(
      tf.less(assign, int(extras)),
      tf.mod(ids, int(per + 1)),
      per === 0 ? tf.zerosLike(ids) : tf.mod(tf.sub(ids, int(extras)), int(per)),
    );
  }
  // Every shard is gathered at every position (ids clamped into range) and
  // the rows of the right shard kept: TF1's dynamic_stitch with tensor ops
  // only, so nothing is read back to the host.
  let out: tf.Tensor | null = null;
  const rowRank = shards[0]!.rank - 1;
  for (let p = 0; p < np; p++) {
    const n = shards[p]!.shape[0]!;
    const safe = tf.maximum(tf.minimum(local, int(Math.max(n - 1, 0))), int(0)) as tf.Tensor1D;
    const rows = gatherRows(shards[p]!, safe);
    const here = tf.reshape(tf.equal(assign, int(p)), [
      -1,
      ...Array.from({ length: rowRank }, () => 1),
    ]);
    out = out === null ? tf.where(here, rows, tf.zerosLike(rows)) : tf.where(here, rows, out);
  }
  return out!;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * `tf.gather(table, ids)` along axis 0 whose gradient works on every
 * backend: where `UnsortedSegmentSum` is missing (wasm), the table's
 * gradient is a scatter-add of the output gradient (`tf.scatterND` sums
 * duplicate ids).
 */
function gatherRows(table: tf.Tensor, ids: tf.Tensor1D): tf.Tensor {
  if (hasKernel("UnsortedSegmentSum")) return tf.gather(table, ids);
  const f = tf.customGrad(
    ((t: tf.Tensor, save: tf.GradSaveFunc) => {
      // Saved, not closed over: a pass's tensors may be gone by the backward pass.
      save([ids]);
      return {
        value: tf.gather(t, ids),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.scatterND(tf.reshape(saved[0]!, [-1, 1]), dy, table.shape),
      };
    }) as unknown as CustomGradientFunc,
  ) as unknown as (t: tf.Tensor) => tf.Tensor;
  return f(table);
}

// TF1 clip_by_norm over each row's trailing axes: rows · maxNorm /
// max(‖row‖, maxNorm). TF1 guards ‖0‖ with a `where` on l2sum > 0; tfjs
// cannot differentiate through the comparison, so a 1e-30 (absorbed by any
// nonzero float32 sum) keeps sqrt's gradient finite at a zero row instead.
function clipByNorm(rows: tf.Tensor, maxNorm: number): tf.Tensor {
  if (rows.rank < 2) return rows;
  const axes = Array.from({ length: rows.rank - 1 }, (_, i) => i + 1);
  const l2norm = tf.sqrt(tf.add(tf.sum(tf.square(rows), axes, true), 1e-30));
  return tf.div(tf.mul(rows, maxNorm), tf.maximum(l2norm, maxNorm));
}
