/**
 * The variables one object owns: its private store (TF1
 * `_tf1_style_var_store`, spec Q1) and, for each variable in it, the
 * tensor that holds its value (a `tf.Variable`, or a tfjs-layers
 * `LayerVariable`). A call runs a TF1-style program against the store
 * with the `ownedByObject` creation policy (Q2, Q7) and a `Pass` whose
 * slots are these tensors, so reads are the variables themselves (gradients
 * reach them) and writes (`assign`, batch-norm moving averages) land in
 * them after the run.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import * as E from "fp-ts/lib/Either.js";
import { ownedByObject } from "../core/creation_policy.ts";
import type { Either } from "../core/either.ts";
import { ScopeError, scopeError } from "../core/errors.ts";
import type { Program } from "../core/program.ts";
import { type RunResult, runWith, startState } from "../core/run.ts";
import type { Recording } from "../core/recording.ts";
import { replayOrRecord } from "../interpreter/_replay_or_record.ts";
import { emptyStore, listVariables, type Store } from "../core/store.ts";
import type { Variable } from "../core/variable.ts";
import { variableScope } from "../core/variable_scope.ts";
import { addsLoss } from "../regularizers/regularizer.ts";
import { Pass, type SlotSource, writtenValue } from "../interpreter/_pass.ts";
import { initialTensor } from "../interpreter/initial_tensor.ts";
import { regularizationLossValue } from "../interpreter/regularization_loss.ts";
import type { TrackedVariable } from "./tracked_variable.ts";

/** Where one owned variable's value lives. */
export interface Holder {
  /** The value as a tensor the tape can see (the variable itself). */
  read(): tf.Tensor;
  /** Replaces the value (the variable keeps its identity). */
  write(value: tf.Tensor): void;
  /** Frees the value. */
  dispose(): void;
  /** The tfjs variable. */
  readonly variable: tf.Variable;
}

/** How an owner makes holders and takes losses. */
export interface OwnerKind {
  /** Makes the holder of a new variable from its initial value (owned by the caller). */
  makeHolder(spec: Variable, initial: tf.Tensor): Holder;
  /** Takes a regularization loss callable (a tfjs-layers Layer's `addLoss`), or null. */
  readonly addLoss: ((fn: () => tf.Scalar) => void) | null;
}

/** One owned variable. */
export interface OwnedEntry {
  readonly spec: Variable;
  readonly holder: Holder;
  readonly tracked: TrackedVariable;
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2147483646) + 1;
}

/** The variables one object owns, and the runs against them. */
export class Owned {
  store: Store = emptyStore();
  readonly entries: OwnedEntry[] = [];
  readonly byName: Map<string, OwnedEntry> = new Map();
  /** TF1 `_tf1_style_var_store._regularizers`: loss callables by variable name (Q6). */
  readonly regularizers: Map<string, () => tf.Scalar> = new Map();
  /** `getOrCreateLayer`'s cache, by "<scope>/<name>" (Q9). */
  readonly children: Map<string, unknown> = new Map();
  /** Seeds the initial values: two objects from the same code differ (P2). */
  readonly seed: number = randomSeed();
  #calls = 0;
  disposed = false;

  constructor(readonly kind: OwnerKind) {}

  /**
   * Runs `program` against the store; `prefix` is the variable scope it
   * starts in (an outer decorated call's scope, Q8; the name scope in keras
   * style, P3). Throws the program's ScopeError.
   */
  run<A>(program: Program<A>, prefix: string | null, key: string | null = null): A {
    const r = this.runEither(program, prefix, key);
    if (E.isLeft(r)) throw r.left;
    return r.right;
  }

  /** As `run`, with failures as values. */
  runEither<A>(
    program: Program<A>,
    prefix: string | null,
    key: string | null = null,
  ): Either<ScopeError, A> {
    if (this.disposed) {
      return E.left(
        scopeError(
          "ObjectError",
          "This object's variables were disposed; it cannot be called again",
          {},
        ),
      );
    }
    const pass = new Pass(this.#source, this.seed + this.#calls++);
    const body = prefix === null || prefix === ""
      ? program
      : variableScope(prefix, { auxiliaryNameScope: false }, program);
    try {
      if (key === null) return this.#fullRun(body, pass, null);
      // A call that made no variable was recorded: replay it (the TF1
      // decisions are taken once; only the tensor code runs again). A
      // replay counts only when it makes no variable.
      const kept = this.#recordings.get(key);
      const start = this.store;
      const outcome = replayOrRecord<RunResult<A>>(
        kept !== undefined && kept.store === start ? kept.recording : undefined,
        (recording) =>
          recording.replaying
            ? runWith(body, startState(start), {
              creation: ownedByObject(),
              recording,
              interpreter: pass,
            })
            : E.map((value: A) => ({ value, store: this.store }))(
              this.#fullRun(body, pass, recording),
            ),
        (ran) => !madeVariables(start, ran.store),
        pass,
      );
      if (outcome.replayed) this.#applyWrites(pass);
      const recording = outcome.recorded;
      if (recording !== null && this.store === start) {
        if (this.#recordings.size >= 16) {
          this.#recordings.delete(this.#recordings.keys().next().value!);
        }
        this.#recordings.set(key, { recording, store: start });
      }
      return E.map((ran: RunResult<A>) => ran.value)(outcome.result);
    } finally {
      pass.disposeWrites();
    }
  }

  #fullRun<A>(
    body: Program<A>,
    pass: Pass,
    recording: Recording | null,
  ): Either<ScopeError, A> {
    const firstNew = this.#slots.length;
    let ok = false;
    try {
      const r = runWith(body, startState(this.store), {
        creation: ownedByObject(),
        recording,
        interpreter: pass,
      });
      if (E.isLeft(r)) return r;
      // Variables the program made but never read still get their values.
      for (const v of listVariables(r.right.store)) {
        if (!this.byName.has(v.fullName)) {
          const slot = this.#slotOf(v);
          if (typeof slot !== "number") return E.left(slot);
        }
      }
      this.#applyWrites(pass);
      // Only a run that made variables changes the store: what else a run
      // adds (the state of layers made for one call) is not kept, so the
      // store does not grow with calls and recordings stay valid.
      if (madeVariables(this.store, r.right.store)) this.store = r.right.store;
      for (let i = firstNew; i < this.#slots.length; i++) this.#commit(this.#slots[i]!);
      ok = true;
      return E.right(r.right.value);
    } finally {
      if (!ok) {
        // A failed call leaves the object as it was.
        for (const e of this.#slots.splice(firstNew)) {
          this.byName.delete(e.spec.fullName);
          e.holder.dispose();
        }
      }
    }
  }

  // Slots are stable for the object's life (append-only), so a recorded
  // call's slot numbers stay valid in its replays.
  readonly #slots: OwnedEntry[] = [];
  readonly #slotIndex: Map<string, number> = new Map();
  readonly #recordings: Map<string, { recording: Recording; store: Store }> = new Map();

  #slotOf(v: Variable): number | ScopeError {
    const have = this.#slotIndex.get(v.fullName);
    if (have !== undefined && this.#slots[have]?.spec.fullName === v.fullName) return have;
    const entry = this.#create(v);
    if (entry instanceof ScopeError) return entry;
    this.#slots.push(entry);
    this.#slotIndex.set(v.fullName, this.#slots.length - 1);
    return this.#slots.length - 1;
  }

  readonly #source: SlotSource = {
    slotOf: (v: Variable) => this.#slotOf(v),
    tensor: (slot) => this.#slots[slot]!.holder.read(),
  };

  #create(v: Variable): OwnedEntry | ScopeError {
    let initial: tf.Tensor;
    try {
      initial = initialTensor(v, { seed: this.seed });
    } catch (e) {
      return e instanceof ScopeError ? e : scopeError("ObjectError", String(e), { cause: e });
    }
    try {
      const holder = this.kind.makeHolder(v, initial);
      const tracked: TrackedVariable = Object.freeze({
        name: v.name,
        fullName: v.fullName,
        trainable: v.trainable,
        variable: holder.variable,
        spec: v,
      });
      const entry: OwnedEntry = Object.freeze({ spec: v, holder, tracked });
      this.byName.set(v.fullName, entry);
      return entry;
    } finally {
      initial.dispose();
    }
  }

  #commit(e: OwnedEntry): void {
    this.entries.push(e);
    const { spec, holder } = e;
    const reg = spec.regularizer;
    if (reg !== null && addsLoss(reg)) {
      // Q6: once per new variable, computed from the current value.
      const fn = (): tf.Scalar =>
        regularizationLossValue(reg, holder.read(), spec.fullName) as tf.Scalar;
      this.regularizers.set(spec.fullName, fn);
      this.kind.addLoss?.(fn);
    }
  }

  #applyWrites(pass: Pass): void {
    if (pass.writes.length === 0) return;
    const written = new Set(pass.writes.map((w) => w.slot));
    for (const slot of written) {
      const h = this.#slots[slot]!.holder;
      const value = writtenValue(pass.writes, slot, h.read());
      if (value !== null) {
        h.write(value);
        value.dispose();
      }
    }
  }

  /** Frees every variable's value. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.byName.values()) e.holder.dispose();
    this.byName.clear();
    this.entries.length = 0;
    this.#slots.length = 0;
    this.#slotIndex.clear();
    this.#recordings.clear();
    this.regularizers.clear();
  }
}

function madeVariables(before: Store, after: Store): boolean {
  return after.variables !== before.variables || after.templates !== before.templates ||
    after.nextTemplateId !== before.nextTemplateId;
}

const owners = new WeakMap<object, Owned>();

/** The owned variables of `obj`, made on first use with `kind`. */
export function ownedOf(obj: object, kind: () => OwnerKind): Owned {
  let o = owners.get(obj);
  if (o === undefined) {
    o = new Owned(kind());
    owners.set(obj, o);
  }
  return o;
}

/** The owned variables of `obj`, or undefined. */
export function existingOwned(obj: unknown): Owned | undefined {
  return typeof obj === "object" && obj !== null ? owners.get(obj) : undefined;
}

/** A holder over a plain `tf.Variable` (Modules, keras-style layers). */
export function variableHolder(spec: Variable, initial: tf.Tensor): Holder {
  const variable = tf.variable(initial, spec.trainable);
  return {
    variable,
    read: () => variable,
    write: (value) => variable.assign(value),
    dispose: () => variable.dispose(),
  };
}

/** The owner kind of Modules and keras-style layers. */
export const PLAIN_KIND: OwnerKind = Object.freeze({ makeHolder: variableHolder, addLoss: null });
