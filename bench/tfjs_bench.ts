/**
 * `deno bench` versions of the TensorFlow.js comparisons of
 * `bench/summary.ts` (models and fixtures in `bench/_mlp.ts`). One group
 * per comparison and backend; the tfjs side is the baseline, so each
 * group's summary ("x faster than") is the comparison's ratio. Groups of
 * one backend run together, cpu first: each bench switches the backend
 * only when it is not active yet, outside the timed section.
 *
 * The wasm backend loads its `.wasm` file from disk: run with
 * `--allow-read` (`deno task bench` does).
 *
 * @module
 */
import { activeBackend, type BackendName, useBackend } from "varscope/tfjs";
import {
  type ApplyFixture,
  applyFixture,
  type DemoFixture,
  demoFixture,
  runCompiled,
  runHandwritten,
  runInterpreted,
  runPredict,
  stepDemo,
  stepLayers,
  stepMinimize,
  stepOurs,
  type TrainFixture,
  trainFixture,
} from "./_mlp.ts";

const applyFixtures = new Map<BackendName, ApplyFixture>();
const trainFixtures = new Map<BackendName, TrainFixture>();
const demoFixtures = new Map<BackendName, DemoFixture>();

/** Makes `backend` active (untimed); fixtures made on it stay on it. */
async function on(backend: BackendName): Promise<void> {
  if (activeBackend() !== backend) await useBackend({ backend });
}

/** The fixture of `backend` from `cache`, made on first use (untimed). */
async function fixtureOn<F>(
  cache: Map<BackendName, F>,
  backend: BackendName,
  make: () => F,
): Promise<F> {
  await on(backend);
  let f = cache.get(backend);
  if (f === undefined) {
    f = make();
    cache.set(backend, f);
  }
  return f;
}

const applyOn = (b: BackendName): Promise<ApplyFixture> =>
  fixtureOn(applyFixtures, b, applyFixture);
const trainOn = (b: BackendName): Promise<TrainFixture> =>
  fixtureOn(trainFixtures, b, trainFixture);
const demoOn = (b: BackendName): Promise<DemoFixture> => fixtureOn(demoFixtures, b, demoFixture);

/** One timed side: its fixture is made and its backend selected outside the timing. */
function timed<F>(
  backend: BackendName,
  name: string,
  group: string,
  baseline: boolean,
  sizes: { readonly warmup: number; readonly n: number },
  fixture: (b: BackendName) => Promise<F>,
  run: (f: F) => void | Promise<void>,
): void {
  Deno.bench({
    name: `${name} (${backend})`,
    group,
    baseline,
    ...sizes,
    async fn(b): Promise<void> {
      const f = await fixture(backend);
      b.start();
      const pending = run(f);
      if (pending instanceof Promise) await pending;
      b.end();
    },
  });
}

const APPLY = { warmup: 200, n: 3000 } as const;
const TRAIN = { warmup: 10, n: 100 } as const;

for (const backend of ["cpu", "wasm"] as const) {
  const apply = (
    name: string,
    group: string,
    baseline: boolean,
    run: (f: ApplyFixture) => void,
  ): void => timed(backend, name, `${group}_${backend}`, baseline, APPLY, applyOn, run);
  apply("compiled apply", "apply_vs_handwritten", false, runCompiled);
  apply("hand-written tfjs", "apply_vs_handwritten", true, runHandwritten);
  apply("compiled apply", "apply_vs_layers_predict", false, runCompiled);
  apply("layers model.predict", "apply_vs_layers_predict", true, runPredict);
  apply("interpreted apply", "interpreted_vs_compiled", false, runInterpreted);
  apply("compiled apply", "interpreted_vs_compiled", true, runCompiled);

  const train = (
    name: string,
    group: string,
    baseline: boolean,
    run: (f: TrainFixture) => void | Promise<void>,
  ): void => timed(backend, name, `${group}_${backend}`, baseline, TRAIN, trainOn, run);
  train("trainer step", "train_step_vs_minimize", false, (f) => stepOurs(f).dispose());
  train("optimizer.minimize", "train_step_vs_minimize", true, (f) => stepMinimize(f).dispose());
  // trainOnBatch reads the loss value (it awaits loss.data()), so ours does too.
  train("trainer step + await loss.data()", "train_step_vs_train_on_batch", false, async (f) => {
    const loss = stepOurs(f);
    await loss.data();
    loss.dispose();
  });
  train("await model.trainOnBatch", "train_step_vs_train_on_batch", true, async (f) => {
    await stepLayers(f);
  });

  timed(
    backend,
    "demo training step",
    "wasm_vs_cpu_demo",
    backend === "cpu",
    { warmup: 5, n: 50 },
    demoOn,
    (f) => stepDemo(f).dispose(),
  );
}
