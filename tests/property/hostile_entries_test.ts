// Issue 7: "A property test sweeps every public export with hostile values" —
// the other entry points: varscope/tfjs, varscope/layers, varscope/rnn,
// varscope/objects and varscope/checkpoint. Every exported function (classes
// with `new`), called with a hostile value in argument position 0, 1 or 2,
// either returns (a returned Program runs to an Either; a returned promise
// settles) or throws a typed error (an Error with a string `tag` or `code`):
// never a raw TypeError/RangeError, never a hang. No tensor may leak.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { isProgram, runScoped } from "varscope";
import * as tfjs from "varscope/tfjs";
import * as layers from "varscope/layers";
import * as rnn from "varscope/rnn";
import * as objects from "varscope/objects";
import * as checkpoint from "varscope/checkpoint";
import { HOSTILE, isClass, typed } from "./_hostile.ts";

const ENTRIES: Readonly<Record<string, Record<string, unknown>>> = {
  "varscope/tfjs": tfjs,
  "varscope/layers": layers,
  "varscope/rnn": rnn,
  "varscope/objects": objects,
  "varscope/checkpoint": checkpoint,
};

// Functions whose job is a side effect on the process or the machine's
// files given a path: the CLI's `main` (it prints and returns an exit code,
// tested with hostile arguments in tests/unit/checkpoint/cli_test.ts).
const EXCLUDED: ReadonlySet<string> = new Set(["varscope/checkpoint.main"]);

const PLAUSIBLE: readonly unknown[] = ["a", [2], {}];

async function probe(
  entry: string,
  name: string,
  f: (...a: unknown[]) => unknown,
  pos: number,
  hostile: unknown,
): Promise<string | null> {
  const args = PLAUSIBLE.slice(0, pos);
  args[pos] = hostile;
  const label = `${entry}.${name}`;
  const started = performance.now();
  let out: unknown;
  try {
    out = isClass(f) ? Reflect.construct(f, args) : f(...args);
    if (out instanceof Promise) out = await out;
  } catch (e) {
    if (!typed(e)) return `${label} threw a raw ${String(e)}`;
    out = undefined;
  }
  if (isProgram(out)) {
    try {
      const r = runScoped(out);
      if (r._tag !== "Left" && r._tag !== "Right") return `runScoped of ${label} gave no Either`;
    } catch (e) {
      return `runScoped of ${label}(…)'s program threw ${String(e)}`;
    }
  }
  if (out instanceof tf.Tensor) out.dispose();
  const ms = performance.now() - started;
  return ms > 2000 ? `${label} took ${ms.toFixed(0)} ms` : null;
}

Deno.test("issue 7: every export of varscope/tfjs, layers, rnn, objects and checkpoint, with hostile values — typed error or normal return", async () => {
  await tfjs.useBackend({ backend: "cpu" });
  // The writers are called with paths like "a": let them write in a
  // temporary folder, never in the repository.
  const cwd = Deno.cwd();
  const scratch = Deno.makeTempDirSync({ prefix: "varscope-sweep-" });
  Deno.chdir(scratch);
  try {
    await sweep();
  } finally {
    Deno.chdir(cwd);
    Deno.removeSync(scratch, { recursive: true });
  }
});

async function sweep(): Promise<void> {
  const failures: string[] = [];
  let functions = 0;
  const before = tf.memory().numTensors;
  // VARSCOPE_SWEEP_ENTRY=varscope/rnn sweeps one entry (while fixing one).
  const only = Deno.env.get("VARSCOPE_SWEEP_ENTRY");
  for (const [entry, mod] of Object.entries(ENTRIES)) {
    if (only !== undefined && only !== entry) continue;
    for (const name of Object.keys(mod).sort()) {
      const f = mod[name];
      if (typeof f !== "function" || EXCLUDED.has(`${entry}.${name}`)) continue;
      if (entry === "varscope/tfjs" && name === "useBackend") continue; // switches the backend
      functions++;
      for (let pos = 0; pos < 3; pos++) {
        for (const [what, make] of HOSTILE) {
          const bad = await probe(entry, name, f as (...a: unknown[]) => unknown, pos, make());
          if (bad !== null) failures.push(`${bad} (argument ${pos} = ${what})`);
        }
      }
    }
  }
  if (only === undefined) assert.ok(functions > 80, `${functions} functions`);
  assert.equal(failures.length, 0, failures.join("\n"));
  assert.equal(tf.memory().numTensors, before, "the sweep leaked tensors");
}
