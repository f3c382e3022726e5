/**
 * Selecting the TensorFlow.js backend that varscope's interpreter runs on.
 *
 * Importing this module registers the cpu, wasm and webgpu backends with
 * TensorFlow.js (the packages register themselves on import; webgpu only
 * where `navigator.gpu` exists). It is loaded through the `varscope/tfjs`
 * entry point only, never by `varscope` itself.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { readRecord } from "../core/_guard.ts";
import { describeValue, type ScopeError, scopeError } from "../core/errors.ts";
import { BACKEND_NAMES, type BackendName, isBackendName } from "./backend_name.ts";
import { detectGpu } from "./detect_gpu.ts";
import { quietCpuBanner } from "./quiet_banner.ts";
import { withProdFlagAsync } from "./_prod_flag.ts";

/**
 * What {@linkcode useBackend} may be asked for: a {@linkcode BackendName}, or
 * `"auto"` to let it pick the fastest backend that works here.
 *
 * @example
 * ```ts
 * import { type BackendChoice, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const choice: BackendChoice = "cpu";
 * assert.equal(await useBackend({ backend: choice }), "cpu");
 * ```
 *
 * @category backends
 */
export type BackendChoice = BackendName | "auto";

/**
 * Options of {@linkcode useBackend}.
 *
 * @example
 * ```ts
 * import { useBackend, type UseBackendOptions } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const options: UseBackendOptions = { backend: "wasm" };
 * assert.equal(await useBackend(options), "wasm");
 * ```
 *
 * @category backends
 */
export interface UseBackendOptions {
  /**
   * The backend to select (default `"auto"`): `"auto"` picks `"webgpu"` when
   * a real (non-software) GPU exists, else `"wasm"` if it initialises, else
   * `"cpu"`.
   */
  readonly backend?: BackendChoice;
}

/** The one key {@linkcode UseBackendOptions} has. */
const OPTION_KEYS: ReadonlySet<string> = new Set(["backend"]);

/** The choices, quoted, for error messages. */
const ALLOWED_CHOICES = ["auto", ...BACKEND_NAMES].map((name) => `"${name}"`).join(", ");

/**
 * Selects and initialises a TensorFlow.js backend, waits until it is ready,
 * and returns its name.
 *
 * - `"auto"` (the default) picks `"webgpu"` only when `detectGpu` reports a
 *   real, non-software GPU adapter, otherwise `"wasm"` if it initialises,
 *   otherwise `"cpu"`.
 * - An explicit name selects that backend or fails with a `BackendError`
 *   naming it and the cause; the backend that was active before stays active.
 *
 * The cpu backend's "install tfjs-node" banner never prints: the cpu backend
 * is quieted with {@linkcode quietCpuBanner}. tfjs's own warnings about a
 * backend failing to initialise are silenced too, since the failure is
 * reported as a `ScopeError` instead. No tfjs flag is changed afterwards.
 * Calls are serialised: a second call waits until the first has finished.
 *
 * @param options which backend to select; checked at run time for untyped
 *   callers
 * @returns the name of the backend now active
 * @throws {ScopeError} tag `"InvalidArgument"` when `options` is not an
 *   options object, has unknown keys, or `backend` is not a string; tag
 *   `"BackendError"` when `backend` names no known backend, or the backend
 *   (with `"auto"`: every candidate) fails to initialise
 *
 * @example Selecting a backend and computing on it
 * ```ts
 * import { activeBackend, useBackend } from "varscope/tfjs";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as assert from "node:assert/strict";
 *
 * assert.equal(await useBackend({ backend: "cpu" }), "cpu");
 * assert.equal(activeBackend(), "cpu");
 * const product = tf.tidy(() =>
 *   Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())
 * );
 * assert.deepEqual(product, [11]);
 * ```
 *
 * @example Letting varscope choose
 * ```ts
 * import { BACKEND_NAMES, detectGpu, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * const name = await useBackend(); // same as { backend: "auto" }
 * assert.ok(BACKEND_NAMES.includes(name));
 * if ((await detectGpu()).realGpu) assert.equal(name, "webgpu");
 * ```
 *
 * @example An unknown backend is a typed error
 * ```ts
 * import { ScopeError } from "varscope";
 * import { useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await assert.rejects(
 *   // deno-lint-ignore no-explicit-any
 *   useBackend({ backend: "webgl" as any }),
 *   (e: unknown) => e instanceof ScopeError && e.tag === "BackendError",
 * );
 * ```
 *
 * @category backends
 */
export async function useBackend(options?: UseBackendOptions): Promise<BackendName> {
  const choice = parseChoice(options);
  return await serialised(() => select(choice));
}

/**
 * The name of the active TensorFlow.js backend, read from
 * `tf.engine().backendName`, or `null` when no backend is active and
 * initialised (none selected yet, or the last selection failed) or the active
 * one is not a {@linkcode BackendName} (e.g. `"webgl"`). Unlike `tf.backend()`
 * or `tf.memory()`, it never makes TensorFlow.js initialise a backend; unlike
 * `tf.getBackend()`, it does not report a backend whose initialisation failed.
 *
 * @returns the active backend's name, or `null`
 *
 * @example
 * ```ts
 * import { activeBackend, useBackend } from "varscope/tfjs";
 * import * as assert from "node:assert/strict";
 *
 * await useBackend({ backend: "wasm" });
 * assert.equal(activeBackend(), "wasm");
 * ```
 *
 * @category backends
 */
export function activeBackend(): BackendName | null {
  const name = initialisedBackendName();
  return isBackendName(name) ? name : null;
}

/** The active backend's name when its instance exists, whatever the name; else `null`. */
function initialisedBackendName(): string | null {
  const engine = tf.engine();
  const name: unknown = engine.backendName;
  return typeof name === "string" && Object.hasOwn(engine.registry, name) ? name : null;
}

/** An `InvalidArgument` error about `useBackend`'s options. */
function invalidOptions(why: string, value: unknown): ScopeError {
  return scopeError(
    "InvalidArgument",
    `Invalid useBackend options: ${why}, got ${describeValue(value)}`,
    { argument: "options", value },
  );
}

/** Checks `useBackend`'s options from untyped callers; throws a `ScopeError`. */
function parseChoice(options: unknown): BackendChoice {
  if (options === undefined || options === null) return "auto";
  if (typeof options !== "object" || Array.isArray(options)) {
    throw invalidOptions('expected an object such as { backend: "cpu" } or nothing', options);
  }
  // Own properties only, read once: a throwing getter or proxy trap is a typed error.
  const read = readRecord(options, "useBackend", null, "useBackend options");
  if (!read.ok) throw read.error;
  const unknownKeys = Object.keys(read.record).filter((key) => !OPTION_KEYS.has(key));
  if (unknownKeys.length > 0) {
    const keys = unknownKeys.map((key) => JSON.stringify(key)).join(", ");
    throw invalidOptions(
      `unknown key${unknownKeys.length > 1 ? "s" : ""} ${keys} (the only key is "backend")`,
      options,
    );
  }
  const backend: unknown = read.record.backend;
  if (backend === undefined || backend === "auto") return "auto";
  if (isBackendName(backend)) return backend;
  if (typeof backend !== "string") {
    throw scopeError(
      "InvalidArgument",
      `Invalid backend: expected one of ${ALLOWED_CHOICES}, got ${describeValue(backend)}`,
      { argument: "backend", value: backend, allowed: ["auto", ...BACKEND_NAMES] },
    );
  }
  throw scopeError(
    "BackendError",
    `Unknown backend ${describeValue(backend)}: expected one of ${ALLOWED_CHOICES}`,
    { backend, allowed: ["auto", ...BACKEND_NAMES] },
  );
}

/** The tail of the queue that serialises {@linkcode useBackend} calls. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs `task` after every task queued before it has settled. */
function serialised<A>(task: () => Promise<A>): Promise<A> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** Selects `choice`; restores the previous backend and throws on failure. */
async function select(choice: BackendChoice): Promise<BackendName> {
  const previous = initialisedBackendName();
  const candidates: readonly BackendName[] = choice !== "auto"
    ? [choice]
    : (await detectGpu()).realGpu
    ? ["webgpu", "wasm", "cpu"]
    : ["wasm", "cpu"];
  const causes: Partial<Record<BackendName, string>> = {};
  for (const name of candidates) {
    const cause = await initialise(name);
    if (cause === null) {
      quietCpuBanner();
      return name;
    }
    causes[name] = cause;
  }
  await restore(previous);
  if (choice !== "auto") {
    throw scopeError(
      "BackendError",
      `Backend "${choice}" could not be initialised: ${causes[choice]}`,
      { backend: choice, cause: causes[choice] },
    );
  }
  const summary = candidates.map((name) => `"${name}": ${causes[name]}`).join("; ");
  throw scopeError("BackendError", `No TensorFlow.js backend could be initialised (${summary})`, {
    backend: "auto",
    causes,
  });
}

/** Marks "no failure captured". */
const NO_FAILURE: unique symbol = Symbol("no failure");

/**
 * Makes `name` the active backend and waits until it is ready.
 *
 * tfjs catches a failing backend factory, logs it and returns `false`; to
 * report the cause, the factory's registry entry is wrapped for the duration
 * of the call (then put back), and tfjs's logging is silenced (`PROD`).
 *
 * @returns `null` on success, else the cause as a sentence
 */
async function initialise(name: BackendName): Promise<string | null> {
  const entry = tf.engine().registryFactory[name];
  if (entry === undefined) {
    return name === "webgpu" && !hasNavigatorGpu()
      ? "WebGPU is not available in this runtime (navigator.gpu is missing)"
      : "it is not registered with TensorFlow.js";
  }
  let failure: unknown = NO_FAILURE;
  const original = entry.factory;
  const wrapped = (): tf.KernelBackend | Promise<tf.KernelBackend> => {
    try {
      const made = original();
      if (made instanceof tf.KernelBackend || typeof made?.then !== "function") return made;
      return made.then(undefined, (error: unknown) => {
        failure = error;
        throw error;
      });
    } catch (error: unknown) {
      failure = error;
      throw error;
    }
  };
  entry.factory = wrapped;
  try {
    const ok = await withProdFlagAsync(async () => {
      const selected = await tf.setBackend(name);
      if (selected) await tf.ready();
      return selected;
    });
    if (ok && activeBackend() === name) return null;
    const cause = failure === NO_FAILURE ? "its initialisation failed" : causeText(failure);
    return name === "wasm" && !mayReadFiles() ? `${cause} (${WASM_READ_HINT})` : cause;
  } catch (error: unknown) {
    return causeText(error);
  } finally {
    if (entry.factory === wrapped) entry.factory = original;
  }
}

/** Makes `previous` active again after a failed selection (best effort). */
async function restore(previous: string | null): Promise<void> {
  if (previous === null || tf.engine().backendName === previous) return;
  try {
    await tf.setBackend(previous);
  } catch {
    // The previous backend was initialised, so this does not fail in practice;
    // the selection error is what the caller needs to see either way.
  }
}

/** Why wasm fails in Deno without read permission (tfjs's message does not say). */
const WASM_READ_HINT = "in Deno the wasm backend loads its .wasm file from disk, which needs " +
  "--allow-read";

/** `false` only in Deno when read permission is not granted. */
function mayReadFiles(): boolean {
  try {
    type Permissions = { querySync?: (d: { name: "read" }) => { state?: unknown } };
    const deno = (globalThis as { Deno?: { permissions?: Permissions } }).Deno;
    const query = deno?.permissions?.querySync;
    if (query === undefined) return true;
    return query.call(deno?.permissions, { name: "read" }).state === "granted";
  } catch {
    return true;
  }
}

/** Whether `navigator.gpu` exists. */
function hasNavigatorGpu(): boolean {
  const navigator = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  return navigator?.gpu !== undefined && navigator.gpu !== null;
}

/** A readable sentence for a thrown or rejected value. */
function causeText(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = error !== null && typeof error === "object"
    ? (error as { message?: unknown }).message
    : undefined;
  return typeof message === "string" ? message : describeValue(error);
}
