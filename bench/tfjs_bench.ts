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

for (const backend of ["cpu", "wasm"] as const) {
  const apply = (
    name: string,
    group: string,
    baseline: boolean,
    run: (f: ApplyFixture) => void,
  ): void =>
    Deno.bench({
      name: `${name} (${backend})`,
      group: `${group}_${backend}`,
      baseline,
      warmup: 200,
      n: 3000,
      async fn(b): Promise<void> {
        const f = await applyOn(backend);
        b.start();
        run(f);
        b.end();
      },
    });
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
    run: (f: TrainFixture) => void,
  ): void =>
    Deno.bench({
      name: `${name} (${backend})`,
      group: `${group}_${backend}`,
      baseline,
      warmup: 10,
      n: 100,
      async fn(b): Promise<void> {
        const f = await trainOn(backend);
        b.start();
        run(f);
        b.end();
      },
    });
  train("trainer step", "train_step_vs_minimize", false, (f) => stepOurs(f).dispose());
  train("optimizer.minimize", "train_step_vs_minimize", true, (f) => stepMinimize(f).dispose());

  // trainOnBatch reads the loss value (it awaits loss.data()), so ours does too.
  const trainAsync = (
    name: string,
    baseline: boolean,
    run: (f: TrainFixture) => Promise<void>,
  ): void =>
    Deno.bench({
      name: `${name} (${backend})`,
      group: `train_step_vs_train_on_batch_${backend}`,
      baseline,
      warmup: 10,
      n: 100,
      async fn(b): Promise<void> {
        const f = await trainOn(backend);
        b.start();
        await run(f);
        b.end();
      },
    });
  trainAsync("trainer step + await loss.data()", false, async (f) => {
    const loss = stepOurs(f);
    await loss.data();
    loss.dispose();
  });
  trainAsync("await model.trainOnBatch", true, async (f) => {
    await stepLayers(f);
  });

  Deno.bench({
    name: `demo training step (${backend})`,
    group: "wasm_vs_cpu_demo",
    baseline: backend === "cpu",
    warmup: 5,
    n: 50,
    async fn(b): Promise<void> {
      const f = await demoOn(backend);
      b.start();
      stepDemo(f).dispose();
      b.end();
    },
  });
}
