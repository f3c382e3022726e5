/**
 * Helpers of the objects tests: the cpu backend and leak checks.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "varscope/tfjs";

/** Selects the cpu backend (the objects code is backend-agnostic; see the interpreter tests). */
export async function cpu(): Promise<void> {
  await useBackend({ backend: "cpu" });
}

/** Runs `fn` and returns how many tensors it left behind. */
export async function leaked(fn: () => void | Promise<void>): Promise<number> {
  const before = tf.memory().numTensors;
  await fn();
  return tf.memory().numTensors - before;
}

/** The values of a tensor, disposing it. */
export function take(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

/** The sum of a list of scalars, disposing them. */
export function sumOf(ts: readonly tf.Tensor[]): number {
  let s = 0;
  for (const t of ts) s += take(t)[0]!;
  return s;
}
