/**
 * Runs work with the TensorFlow.js `PROD` flag temporarily true (tfjs's
 * `backend_util.warn` and `log.warn` are silent then), and restores the flag
 * exactly as it was afterwards, including "not evaluated yet".
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** What `PROD` was before: absent from the flag table, or its value. */
type Saved = { readonly had: false } | {
  readonly had: true;
  readonly value: ReturnType<tf.Environment["get"]>;
};

/** Sets `PROD` to true and returns what to restore. */
function raiseProd(): Saved {
  const env = tf.env();
  const flags = env.getFlags();
  const value = flags["PROD"];
  const saved: Saved = Object.hasOwn(flags, "PROD") && value !== undefined
    ? { had: true, value }
    : { had: false };
  // `PROD` has no set-hook in tfjs-core, so setting it changes nothing else.
  env.set("PROD", true);
  return saved;
}

/** Puts `PROD` back: its old value, or removed so tfjs evaluates it lazily again. */
function restoreProd(saved: Saved): void {
  const env = tf.env();
  if (saved.had) {
    env.set("PROD", saved.value);
  } else {
    // `getFlags()` returns the live flag table; removing the entry makes the
    // flag "not evaluated yet" again, exactly as before.
    delete env.getFlags()["PROD"];
  }
}

/**
 * Runs `body` with `PROD` true, then restores the flag.
 *
 * @param body the work to run with tfjs warnings silenced
 * @returns what `body` returns
 */
export function withProdFlag<A>(body: () => A): A {
  const saved = raiseProd();
  try {
    return body();
  } finally {
    restoreProd(saved);
  }
}

/**
 * {@linkcode withProdFlag} for asynchronous work: the flag stays true until
 * the promise settles.
 *
 * @param body the asynchronous work to run with tfjs warnings silenced
 * @returns what `body` resolves to
 */
export async function withProdFlagAsync<A>(body: () => Promise<A>): Promise<A> {
  const saved = raiseProd();
  try {
    return await body();
  } finally {
    restoreProd(saved);
  }
}
