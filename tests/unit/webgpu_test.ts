/**
 * Runs every WebGPU case (registered with `backendTest` or `webgpuTest`) in a
 * `deno run` child process with WebGPU enabled, one test step per case; see
 * `_webgpu_cases.ts` for why they do not run inside `deno test`.
 *
 * The child must exit cleanly, every module that registers cases must
 * contribute at least one, and every case must pass.
 *
 * @module
 */
import * as assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { WEBGPU_CHILD_ENV } from "./_webgpu_cases.ts";
import { type CaseResult, RESULT_PREFIX, type RunSummary } from "./_webgpu_runner.ts";

const ROOT = new URL("../../", import.meta.url);
const RUNNER = fileURLToPath(new URL("tests/unit/_webgpu_runner.ts", ROOT));
/** A child that runs longer than this is killed, and the test fails. */
const CHILD_TIMEOUT_MS = 300_000;

/** The child's environment: ours, with WebGPU enabled and the child marked. */
function childEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env["DENO_WEBGPU_BACKEND"];
  env[WEBGPU_CHILD_ENV] = "1";
  return env;
}

/** The last `lines` lines of a text. */
function tail(text: string, lines = 40): string {
  return text.split("\n").slice(-lines).join("\n");
}

Deno.test("the test process itself has no WebGPU adapter (DENO_WEBGPU_BACKEND=none)", async () => {
  const hint = "run the tests with `deno task test`, which sets DENO_WEBGPU_BACKEND=none";
  assert.equal(Deno.env.get("DENO_WEBGPU_BACKEND"), "none", hint);
  assert.equal(await navigator.gpu.requestAdapter(), null, hint);
});

Deno.test("webgpu: every WebGPU case passes in a deno run child", async (t) => {
  const { code, signal, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", "--allow-read", "--allow-env", RUNNER],
    cwd: fileURLToPath(ROOT),
    env: childEnv(),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_TIMEOUT_MS),
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  const lines = out.split("\n").filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as CaseResult | RunSummary);
  const cases = lines.filter((line): line is CaseResult => line.kind === "case");
  for (const result of cases) {
    await t.step(result.name, () => {
      if (!result.ok) throw new Error(`${result.module}: ${result.error}`);
    });
  }
  assert.equal(code, 0, `the child exited with ${code} (signal ${signal}):\n${tail(err)}`);
  const summary = lines.find((line): line is RunSummary => line.kind === "summary");
  assert.ok(summary !== undefined, `the child wrote no summary:\n${tail(out)}\n${tail(err)}`);
  assert.equal(cases.length, summary.cases, "every case reported");
  for (const module of summary.modules) {
    assert.ok(cases.some((c) => c.module === module), `${module} registered no WebGPU case`);
  }
  assert.ok(summary.modules.length > 0, "no module registers WebGPU cases");
});
