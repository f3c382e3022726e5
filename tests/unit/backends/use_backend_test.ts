/**
 * Backend selection: `useBackend` selects cpu, wasm and webgpu, "auto" picks
 * webgpu only on a real GPU, bad options are typed errors, the cpu backend's
 * banner never prints, and tfjs's PROD flag is left as it was.
 *
 * Needs `--allow-read --allow-env --allow-run` (the banner test runs a
 * subprocess). Cases that select webgpu, or ask for "auto" where an adapter
 * exists, run in the WebGPU child (see `../_webgpu_cases.ts`).
 *
 * @module
 */
import * as assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { ScopeError, type ScopeErrorTag } from "varscope";
import {
  activeBackend,
  BACKEND_NAMES,
  type BackendName,
  detectGpu,
  isBackendName,
  quietCpuBanner,
  useBackend,
} from "../../../lib/backends/mod.ts";
import { webgpuTest } from "../_webgpu_cases.ts";

/**
 * The number of live tensors. `tf.memory()` would make tfjs initialise a
 * backend of its own choosing when none is active; the engine's count does not.
 */
function liveTensors(): number {
  return tf.engine().state.numTensors;
}

/** Fails unless `body` leaves no new tensors behind. */
async function noLeak(body: () => Promise<void>): Promise<void> {
  const before = liveTensors();
  await body();
  assert.equal(liveTensors(), before, "tensors leaked");
}

/** [[1, 2], [3, 4]] x [[5, 6], [7, 8]] on the active backend, as a nested array. */
async function smallMatMul(): Promise<number[][]> {
  const a = tf.tensor2d([[1, 2], [3, 4]]);
  const b = tf.tensor2d([[5, 6], [7, 8]]);
  const product = tf.matMul(a, b);
  try {
    return (await product.array()) as number[][];
  } finally {
    tf.dispose([a, b, product]);
  }
}

/** Asserts that `promise` rejects with a `ScopeError` of `tag` whose message matches. */
async function rejectsWith(
  promise: Promise<unknown>,
  tag: ScopeErrorTag,
  ...patterns: readonly RegExp[]
): Promise<ScopeError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof ScopeError, `expected a ScopeError, got ${String(caught)}`);
  assert.equal(caught.tag, tag, caught.message);
  for (const pattern of patterns) assert.match(caught.message, pattern);
  return caught;
}

/** Selects `name` and computes on it. */
function selectsAndComputes(name: BackendName): Promise<void> {
  return noLeak(async () => {
    assert.equal(await useBackend({ backend: name }), name);
    assert.equal(tf.getBackend(), name);
    assert.equal(activeBackend(), name);
    assert.deepEqual(await smallMatMul(), [[19, 22], [43, 50]]);
  });
}

Deno.test("useBackend selects cpu and computes on it", () => selectsAndComputes("cpu"));
Deno.test("useBackend selects wasm and computes on it", () => selectsAndComputes("wasm"));
webgpuTest(
  import.meta.url,
  "useBackend selects webgpu and computes on it",
  () => selectsAndComputes("webgpu"),
);

/** "auto" picks webgpu only on a real GPU, else wasm; no options and `{}` mean "auto". */
function autoPicks(): Promise<void> {
  return noLeak(async () => {
    const { realGpu } = await detectGpu();
    const expected: BackendName = realGpu ? "webgpu" : "wasm";
    assert.equal(await useBackend({ backend: "auto" }), expected);
    assert.equal(tf.getBackend(), expected);
    await useBackend({ backend: "cpu" });
    assert.equal(await useBackend(), expected, "no options means auto");
    await useBackend({ backend: "cpu" });
    assert.equal(await useBackend({}), expected, "an empty options object means auto");
    assert.deepEqual(await smallMatMul(), [[19, 22], [43, 50]]);
  });
}

Deno.test('useBackend "auto" without a WebGPU adapter picks wasm', async () => {
  assert.equal((await detectGpu()).adapter, null, "the test process has no WebGPU adapter");
  await autoPicks();
});
webgpuTest(
  import.meta.url,
  'useBackend "auto" picks webgpu only on a real GPU, else wasm (adapter present)',
  async () => {
    assert.notEqual((await detectGpu()).adapter, null, "the child has a WebGPU adapter");
    await autoPicks();
  },
);

Deno.test("useBackend serialises concurrent calls: the last one wins", async () => {
  const names = await Promise.all([
    useBackend({ backend: "wasm" }),
    useBackend({ backend: "cpu" }),
    useBackend({ backend: "wasm" }),
  ]);
  assert.deepEqual(names, ["wasm", "cpu", "wasm"]);
  assert.equal(tf.getBackend(), "wasm");
});

Deno.test("useBackend rejects an unknown backend name with a BackendError", async () => {
  await useBackend({ backend: "cpu" });
  const e = await rejectsWith(
    // deno-lint-ignore no-explicit-any
    useBackend({ backend: "tpu" as any }),
    "BackendError",
    /"tpu"/,
    /"auto", "cpu", "wasm", "webgpu"/,
  );
  assert.equal(e.details["backend"], "tpu");
  assert.equal(tf.getBackend(), "cpu", "a bad call changes nothing");
});

Deno.test("useBackend rejects unknown option keys with an InvalidArgument", async () => {
  await rejectsWith(
    // deno-lint-ignore no-explicit-any
    useBackend({ bogus: 1 } as any),
    "InvalidArgument",
    /"bogus"/,
    /"backend"/,
  );
  await rejectsWith(
    // deno-lint-ignore no-explicit-any
    useBackend({ backend: "cpu", bogus: 1, other: 2 } as any),
    "InvalidArgument",
    /"bogus", "other"/,
  );
});

Deno.test("useBackend rejects options that are not an object with an InvalidArgument", async () => {
  // deno-lint-ignore no-explicit-any
  await rejectsWith(useBackend("cpu" as any), "InvalidArgument", /"cpu"/, /expected an object/);
  // deno-lint-ignore no-explicit-any
  await rejectsWith(useBackend(["cpu"] as any), "InvalidArgument", /expected an object/);
  // deno-lint-ignore no-explicit-any
  await rejectsWith(useBackend(42 as any), "InvalidArgument", /42/);
});

Deno.test("useBackend rejects a backend that is not a string with an InvalidArgument", async () => {
  await rejectsWith(
    // deno-lint-ignore no-explicit-any
    useBackend({ backend: 3 } as any),
    "InvalidArgument",
    /got 3/,
    /"auto", "cpu", "wasm", "webgpu"/,
  );
});

Deno.test("useBackend accepts null and an explicit undefined backend as auto", async () => {
  const { realGpu } = await detectGpu();
  const expected: BackendName = realGpu ? "webgpu" : "wasm";
  // deno-lint-ignore no-explicit-any
  assert.equal(await useBackend(null as any), expected);
  // deno-lint-ignore no-explicit-any
  assert.equal(await useBackend({ backend: undefined } as any), expected);
});

/** The PROD entry of tfjs's flag table, read without evaluating it. */
function prodEntry(): { readonly present: boolean; readonly value: unknown } {
  const flags = tf.env().getFlags();
  return { present: Object.hasOwn(flags, "PROD"), value: flags["PROD"] };
}

/** Puts the PROD entry back as `prodEntry` read it. */
function setProdEntry(entry: { readonly present: boolean; readonly value: unknown }): void {
  if (entry.present) tf.env().set("PROD", entry.value as boolean);
  else delete tf.env().getFlags()["PROD"];
}

/** Selecting each of `names` (and quieting the banner) leaves tfjs's PROD flag alone. */
async function prodFlagUnchanged(names: readonly BackendName[]): Promise<void> {
  const original = prodEntry();
  try {
    for (
      const state of [{ present: false, value: undefined }, { present: true, value: false }, {
        present: true,
        value: true,
      }]
    ) {
      setProdEntry(state);
      for (const name of names) {
        await useBackend({ backend: name });
        assert.deepEqual(prodEntry(), state, `after selecting ${name}`);
      }
      quietCpuBanner();
      assert.deepEqual(prodEntry(), state, "after quietCpuBanner");
      await assert.rejects(useBackend({ backend: "tpu" as BackendName }));
      assert.deepEqual(prodEntry(), state, "after a failed call");
    }
  } finally {
    setProdEntry(original);
  }
}

Deno.test(
  "useBackend and quietCpuBanner leave the PROD flag as it was",
  () => prodFlagUnchanged(["cpu", "wasm"]),
);
webgpuTest(
  import.meta.url,
  "useBackend and quietCpuBanner leave the PROD flag as it was (webgpu)",
  () => prodFlagUnchanged(["cpu", "wasm", "webgpu"]),
);

Deno.test("quietCpuBanner is idempotent and creates no tensors", async () => {
  await useBackend({ backend: "cpu" });
  const before = liveTensors();
  quietCpuBanner();
  quietCpuBanner();
  assert.equal(liveTensors(), before);
  assert.equal(tf.getBackend(), "cpu");
});

/** Path of the subprocess fixture. */
const FIXTURE = fileURLToPath(new URL("./banner_fixture.ts", import.meta.url));

/** Runs the fixture in `mode`; returns its parsed RESULT line and all of its output. */
async function runFixture(
  mode: string,
  permissions: readonly string[] = ["--allow-read", "--allow-env"],
): Promise<{ result: Record<string, unknown>; output: string }> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "--frozen", ...permissions, FIXTURE, mode],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await command.output();
  const decoder = new TextDecoder();
  const output = decoder.decode(stdout) + decoder.decode(stderr);
  assert.equal(code, 0, output);
  const line = output.split("\n").find((l) => l.startsWith("RESULT "));
  assert.ok(line !== undefined, output);
  return { result: JSON.parse(line.slice("RESULT ".length)), output };
}

Deno.test("the cpu banner prints without useBackend (control for the next test)", async () => {
  const { result, output } = await runFixture("raw");
  assert.equal(result["sum"], 6);
  assert.match(output, /Hi, looks like/);
});

Deno.test("useBackend never lets the cpu backend print its banner", async () => {
  const { result, output } = await runFixture("quiet");
  assert.ok(!output.includes("Hi, looks like"), output);
  assert.equal(result["activeBefore"], null, "no backend before useBackend");
  assert.deepEqual(result["initialisedBefore"], [], "activeBackend() initialises nothing");
  assert.equal(result["selected"], "cpu");
  assert.equal(result["backend"], "cpu");
  assert.equal(result["sum"], 6);
  assert.equal(result["numTensors"], 0);
  assert.equal(result["prodAfterSelect"], result["prodBefore"], "PROD restored");
  assert.equal(result["prodAfter"], result["prodBefore"], "PROD restored");
});

Deno.test("a backend that fails to initialise is a BackendError; the previous one stays", async () => {
  // Without --allow-read the wasm backend cannot load its .wasm file.
  const { result } = await runFixture("no-wasm", ["--allow-env"]);
  const wasm = result["wasm"] as { tag: string; message: string };
  assert.equal(wasm.tag, "BackendError");
  assert.match(wasm.message, /"wasm" could not be initialised: /);
  assert.match(wasm.message, /--allow-read/);
  assert.equal(result["afterFailure"], "cpu");
  assert.equal(result["getBackend"], "cpu");
  assert.equal(result["auto"], "cpu", "auto falls back to cpu");
  assert.equal(result["sum"], 6);
  assert.equal(result["prodAfter"], result["prodBefore"]);
});

Deno.test("BACKEND_NAMES and isBackendName", () => {
  assert.deepEqual(BACKEND_NAMES, ["cpu", "wasm", "webgpu"]);
  for (const name of BACKEND_NAMES) assert.ok(isBackendName(name));
  for (const value of ["auto", "webgl", "CPU", "", undefined, null, 1, {}]) {
    assert.equal(isBackendName(value), false, String(value));
  }
});
