/**
 * WebGPU test cases, run in a `deno run` child process and never inside the
 * `deno test` process itself.
 *
 * Why: with Deno 2.9.6 on Mesa's software adapter (EGL + llvmpipe), a
 * `deno test` process whose test modules used WebGPU aborts at exit in about
 * one run in five ("corrupted size vs. prev_size in fastbins", or SIGSEGV),
 * after every test has passed. `deno test` runs each module in a runtime of
 * its own and drops it when the module ends; dropping the last WebGPU
 * instance unloads the GL driver on that runtime's thread while the main
 * thread is already running the libraries' exit handlers. A `deno run`
 * process keeps its one runtime until exit and did not crash in 75 runs.
 *
 * So `deno task test` sets `DENO_WEBGPU_BACKEND=none`, which leaves the test
 * process without a WebGPU adapter, and `webgpu_test.ts` runs every case
 * registered here in a `deno run` child with WebGPU enabled, reporting each
 * as a test step.
 *
 * @module
 */

/** The environment variable that marks the child process. */
export const WEBGPU_CHILD_ENV = "VARSCOPE_WEBGPU_CHILD";

/** Whether this process is the WebGPU child (see the module doc). */
export function inWebgpuChild(): boolean {
  return Deno.env.get(WEBGPU_CHILD_ENV) === "1";
}

/** One registered WebGPU case. */
export interface WebgpuCase {
  /** The case's name, as its test step will show it. */
  readonly name: string;
  /** The module that registered it. */
  readonly module: string;
  /** The case's body; it fails by throwing. */
  readonly fn: () => void | Promise<void>;
}

/** The cases registered so far (only ever filled in the child). */
const CASES: WebgpuCase[] = [];

/**
 * Registers a case that needs WebGPU. In the `deno test` process it does
 * nothing: `webgpu_test.ts` runs the case in the child instead.
 *
 * @param module `import.meta.url` of the registering test module
 */
export function webgpuTest(
  module: string,
  name: string,
  fn: () => void | Promise<void>,
): void {
  if (inWebgpuChild()) CASES.push({ name, module, fn });
}

/** The cases registered so far, in registration order. */
export function webgpuCases(): readonly WebgpuCase[] {
  return CASES;
}
