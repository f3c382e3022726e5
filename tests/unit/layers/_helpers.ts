/**
 * Helpers of the layer tests: fixed weights by TF1 name, a gradient read
 * off one SGD step (learning rate 1: new = old - gradient), and small
 * Float64 references.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Program } from "varscope";
import { makeParams, makeTrainer, type Params, transform } from "varscope/tfjs";

export {
  assertAllClose,
  type Backend,
  backendTest,
  expectError,
  RTOL,
  take,
  values,
  weights,
} from "../interpreter/_backends.ts";

/** Params for `store` from plain arrays by TF1 name (tensors are disposed). */
export function paramsFrom(
  store: Params["store"],
  arrays: Readonly<
    Record<string, { readonly shape: readonly number[]; readonly data: readonly number[] }>
  >,
): Params {
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, a] of Object.entries(arrays)) {
    tensors[name] = tf.tensor(a.data as number[], a.shape as number[], "float32");
  }
  try {
    return makeParams(store, tensors);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}

/**
 * The gradient of `loss` for every trainable variable at `params`, by one
 * SGD step with learning rate 1 through `makeTrainer` (the path training
 * takes). Returns name → values.
 */
export async function gradients<I>(
  fn: (input: I) => Program<tf.Scalar>,
  params: Params,
  input: I,
): Promise<Record<string, number[]>> {
  const model = transform(fn);
  const optimizer = tf.train.sgd(1);
  const trainer = makeTrainer(model, { optimizer });
  const r = trainer.step(params, input);
  const out: Record<string, number[]> = {};
  try {
    for (const name of params.names) {
      const before = Array.from(await params.get(name).data());
      const after = Array.from(await r.params.get(name).data());
      out[name] = before.map((b, i) => b - after[i]!);
    }
  } finally {
    r.loss.dispose();
    r.params.dispose();
    trainer.dispose();
    optimizer.dispose();
  }
  return out;
}

/** Float32-representable values of a deterministic sequence, as a shaped array. */
export function arr(
  shape: readonly number[],
  data: readonly number[],
): { readonly shape: readonly number[]; readonly data: readonly number[] } {
  return { shape, data };
}
