/**
 * The decorated calls running now. A decorated method is synchronous (an
 * async one is refused), so the stack only ever describes the calls on the
 * JavaScript stack: no `await` can observe it.
 *
 * @module
 */
import type { Owned } from "./_owned.ts";

/** One decorated call. */
export interface Frame {
  /** The object whose method runs. */
  readonly self: object;
  /** Its variables. */
  readonly owned: Owned;
  /** The variable scope its TF1 code starts in (an outer decorated call's, Q8). */
  readonly prefix: string | null;
  /** The method and its arguments' signature (recordings are kept per key), or null. */
  readonly key: string | null;
  /** How many `runTf1` calls this call made. */
  runs: number;
}

/** @internal */
export const frames: Frame[] = [];

let pending: string | null = null;

/** @internal The scope that `callInScope` hands to the next decorated call, taken. */
export function takePendingPrefix(): string | null {
  const p = pending;
  pending = null;
  return p;
}

/** @internal Runs `fn` with `prefix` handed to the decorated call it makes. */
export function withPendingPrefix<R>(prefix: string, fn: () => R): R {
  const saved = pending;
  pending = prefix;
  try {
    return fn();
  } finally {
    pending = saved;
  }
}

/** @internal Restores the pending prefix after a decorated call. */
export function restorePendingPrefix(p: string | null): void {
  pending = p;
}
