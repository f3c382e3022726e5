/**
 * The WebGPU child (see `_webgpu_cases.ts`): imports every test module under
 * `tests/` that registers WebGPU cases, runs the cases one by one, and writes
 * one result line per case, then a summary line, to stdout. Lines start with
 * {@linkcode RESULT_PREFIX} so that anything else a library prints is ignored.
 *
 * Run by `webgpu_test.ts` as
 * `VARSCOPE_WEBGPU_CHILD=1 deno run --frozen --allow-read --allow-env tests/unit/_webgpu_runner.ts`.
 *
 * @module
 */
import { inWebgpuChild, WEBGPU_CHILD_ENV, webgpuCases } from "./_webgpu_cases.ts";

/** Marks the lines this runner writes. */
export const RESULT_PREFIX = "@@varscope-webgpu ";

/** What a case line says. */
export interface CaseResult {
  readonly kind: "case";
  readonly name: string;
  readonly module: string;
  readonly ok: boolean;
  readonly error: string;
  readonly ms: number;
}

/** What the last line says. */
export interface RunSummary {
  readonly kind: "summary";
  /** The modules imported, as paths relative to the repository root. */
  readonly modules: readonly string[];
  /** The number of cases run. */
  readonly cases: number;
}

/** The texts that mark a test module as one that registers WebGPU cases. */
const REGISTERS_CASES = ["webgpuTest(", "backendTest("];

/** Every `*_test.ts` file under `dir` (recursively) that registers WebGPU cases. */
async function caseModules(dir: URL): Promise<URL[]> {
  const found: URL[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.isDirectory ? `${entry.name}/` : entry.name, dir);
    if (entry.isDirectory) found.push(...await caseModules(url));
    else if (entry.name.endsWith("_test.ts")) {
      const text = await Deno.readTextFile(url);
      if (REGISTERS_CASES.some((marker) => text.includes(marker))) found.push(url);
    }
  }
  return found.sort((a, b) => a.href.localeCompare(b.href));
}

/** Writes one result line. */
function emit(line: CaseResult | RunSummary): void {
  const bytes = new TextEncoder().encode(`${RESULT_PREFIX}${JSON.stringify(line)}\n`);
  for (let written = 0; written < bytes.length;) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

/** The text of a thrown value, with its stack when it has one. */
function describeFailure(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

if (import.meta.main) {
  if (!inWebgpuChild()) throw new Error(`run me with ${WEBGPU_CHILD_ENV}=1`);
  const root = new URL("../../", import.meta.url);
  const modules = await caseModules(new URL("tests/", root));
  for (const module of modules) await import(module.href);
  for (const testCase of webgpuCases()) {
    const start = performance.now();
    let error = "";
    try {
      await testCase.fn();
    } catch (thrown) {
      error = describeFailure(thrown);
    }
    const module = testCase.module.replace(root.href, "");
    const ms = Math.round(performance.now() - start);
    emit({ kind: "case", name: testCase.name, module, ok: error === "", error, ms });
  }
  emit({
    kind: "summary",
    modules: modules.map((url) => url.href.replace(root.href, "")),
    cases: webgpuCases().length,
  });
}
