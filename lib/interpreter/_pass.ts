/**
 * One forward pass as the tensor interpreter runs it: where a variable's
 * tensor is (`slots`), the variable writes the pass made (TF1's
 * `UPDATE_OPS`), and its random seed. Init, apply, `applyWithUpdates` and
 * a trainer's step all run a program the same way, through a `Pass`; they
 * differ only in where tensors come from and what happens to the writes.
 *
 * A pass is the imperative edge of one run: it is made for the run and
 * dropped after it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import type { Env } from "../core/program.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { checkOptionKeys } from "../core/_options.ts";
import type { Variable } from "../core/variable.ts";

/** Where a pass finds variables' tensors. */
export interface SlotSource {
  /** The slot of a store variable (made on first use during init). */
  readonly slotOf: (variable: Variable) => number | ScopeError;
  /** The tensor in a slot: a parameter, an initial value or a training variable. */
  readonly tensor: (slot: number) => tf.Tensor;
}

/** How a write combines with the variable's value. */
export type WriteKind = "assign" | "assignAdd" | "assignSub";

/**
 * A loss a pass added to TF1's `REGULARIZATION_LOSSES` (a layer's activity
 * regularizer): part of `regularizationLoss()` and of a trainer's
 * regularized loss.
 */
export interface PassLoss {
  /** The loss's name, for TF1's scope filter ("dense/ActivityRegularizer"). */
  readonly name: string;
  /** Kept past the pass's tidy; disposed with the pass's writes. */
  readonly value: tf.Scalar;
}

/** A variable write made during a pass, applied after it. */
export interface Write {
  readonly slot: number;
  readonly kind: WriteKind;
  /** Kept past the pass's tidy; disposed by whoever applies the writes. */
  readonly value: tf.Tensor;
}

/**
 * One run of a program on tensors. An apply reuses its session's pass
 * (`start` makes it new) so that a compiled apply allocates none; `busy`
 * says a pass is in use (an apply nested in another takes a fresh one).
 */
export class Pass {
  readonly writes: Write[] = [];
  readonly losses: PassLoss[] = [];
  #draws = 0;
  busy = false;

  constructor(public slots: SlotSource, public seed: number) {}

  /** Makes the pass new for a run with these slots and seed. */
  start(slots: SlotSource, seed: number): void {
    this.disposeWrites();
    this.slots = slots;
    this.seed = seed;
    this.#draws = 0;
  }

  /**
   * The next random seed of this pass: a pure function of the pass's seed
   * and how many seeds it drew before, so a replayed pass draws the same.
   */
  nextSeed(): number {
    return mixSeed(this.seed, this.#draws++);
  }

  /** Starts the pass over (after a replay that fell back to a full run). */
  reset(): void {
    this.disposeWrites();
    this.#draws = 0;
  }

  /**
   * Frees the writes' values and the added losses (after the writes were
   * applied, or on failure).
   */
  disposeWrites(): void {
    if (this.writes.length > 0) {
      for (const w of this.writes) w.value.dispose();
      this.writes.length = 0;
    }
    if (this.losses.length > 0) {
      for (const l of this.losses) l.value.dispose();
      this.losses.length = 0;
    }
  }
}

/** The pass a program runs in, or null outside the tensor interpreter. */
export function passOf(env: Env): Pass | null {
  const p = env.run.interpreter;
  return p instanceof Pass ? p : null;
}

// A 32-bit integer hash (murmur3's finalizer) of the seed and the draw
// index; tfjs's random ops take a number seed.
function mixSeed(seed: number, draw: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(draw + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 2147483647;
}

/**
 * The value of a variable after a pass's writes to it, in order. Returns
 * null when there were none.
 */
export function writtenValue(
  writes: readonly Write[],
  slot: number,
  current: tf.Tensor,
): tf.Tensor | null {
  let value: tf.Tensor | null = null;
  for (const w of writes) {
    if (w.slot !== slot) continue;
    const base: tf.Tensor = value ?? current;
    const next = w.kind === "assign"
      ? tf.clone(w.value)
      : w.kind === "assignAdd"
      ? tf.add(base, w.value)
      : tf.sub(base, w.value);
    if (value !== null) value.dispose();
    value = next;
  }
  return value;
}

const SEED_KEYS: ReadonlySet<string> = new Set(["seed"]);

/**
 * The seed a pass runs with: `options.seed` (a safe integer), or `fallback`
 * when none is given (0 for apply, the step's number for a trainer). Throws
 * the typed error for bad options.
 */
export function passSeed(options: unknown, what: string, fallback: number): number {
  if (options === undefined) return fallback;
  const read = checkOptionKeys(options, SEED_KEYS, what);
  if (E.isLeft(read)) throw read.left;
  const seed = read.right.seed;
  if (seed === undefined) return fallback;
  if (!Number.isSafeInteger(seed)) {
    throw scopeError(
      "InvalidArgument",
      `Invalid seed ${describeValue(seed)}: expected a safe integer`,
      { argument: "seed" },
    );
  }
  return seed as number;
}
