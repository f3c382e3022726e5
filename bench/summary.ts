/**
 * Every benchmark comparison in one run, one line each:
 *
 * ```text
 * store_scaling_10k_vs_1k ratio=X    µs per created variable, 10k-variable run / 1k-variable run
 * store_scaling_100k_vs_1k ratio=X   µs per created variable, 100k-variable run / 1k-variable run
 * get_variable_reuse_vs_map ratio=X  ns per reuse lookup through getVariable / per Map.get
 * replay_per_primitive_ns ratio=X    ns per replayed scope step / per trivial yield* (the floor)
 * default_name_20k_vs_2k ratio=X     µs per sibling default-name scope, 20k run / 2k run (linear ≈ 1)
 * ```
 *
 * and, on TensorFlow.js (`bench/_mlp.ts`, `bench/tfjs_measure.ts`), for
 * each backend B of `cpu` and `wasm` (A = varscope, ratio = median A / median B):
 *
 * ```text
 * apply_vs_handwritten_B ratio=X          compiled apply / the same ops written in tfjs (bound 1.05)
 * apply_vs_layers_predict_B ratio=X       compiled apply / tfjs-layers model.predict (bound 0.8)
 * interpreted_vs_compiled_B ratio=X       apply with compile: false / compiled apply (expected > 1)
 * train_step_vs_minimize_B ratio=X        trainer step / optimizer.minimize step (bound 1.05)
 * train_step_vs_train_on_batch_B ratio=X  trainer step + loss read / model.trainOnBatch (bound 0.95)
 * apply_heap_vs_handwritten_B ratio=X     JS heap bytes per compiled apply / per hand-written pass
 * wasm_vs_cpu_demo ratio=X                the siamese example's training step on wasm / on cpu
 * tracked_layer_fit_vs_layers_B ratio=X   fit epoch, model around a trackTf1StyleVariables layer / tfjs-layers dense model (bound 1.05)
 * convnet_apply_vs_layers_B ratio=X          conv net apply / tfjs-layers predict (bound 1.0)
 * batchnorm_train_step_vs_layers_B ratio=X  dense-BN-dense trainer step / trainOnBatch (bound 1.0)
 * lstm_apply_vs_handwritten_B ratio=X     dynamicRnn(LSTMCell(128)) apply / the obvious tfjs loop (bound 1.05)
 * lstm_apply_vs_layers_B ratio=X          the same / tfjs-layers lstm predict (bound 0.8)
 * lstm_latency_vs_layers_B ratio=X        the same at batch 1 / layers predict (bound 0.8)
 * lstm_train_step_vs_minimize_B ratio=X   trainer step / optimizer.minimize of the obvious loop (bound 1.05)
 * lstm_train_step_vs_layers_B ratio=X     trainer step + loss read / layers trainOnBatch (bound 1.0)
 * ```
 *
 * and, for TensorFlow checkpoints (`bench/checkpoint_measure.ts`, needs
 * `--allow-write` for its temporary directory):
 *
 * ```text
 * checkpoint_read_vs_raw_read ratio=X    read every tensor of a 100 MB checkpoint / Deno.readFileSync of its files (bound 2.0)
 * checkpoint_write_vs_raw_write ratio=X  writeTfCheckpointAsync / FsFile.write + sync of the same bytes (bound 2.0)
 * ```
 *
 * Lines starting with `#` are details. `VARSCOPE_BENCH_QUICK=1` runs a much
 * smaller smoke version (sizes scaled down 10x, fewer repetitions); its
 * ratios are not comparable with a full run. Run with
 * `deno task bench:summary` (the wasm backend needs `--allow-read`). Always
 * exits 0.
 *
 * @module
 */
import { label } from "./_fixtures.ts";
import { measureDefaultNames } from "./_default_names.ts";
import { LAYERS_FULL, LAYERS_QUICK, layersLines, measureLayers } from "./layers_measure.ts";
import { measureLstm, measureLstmTrain } from "./_lstm.ts";
import { measureTrackedLayerFit, TRACKED_FIT } from "./_tracked_layer.ts";
import { checksum, measureLookup, measureScaling, type ScalingResult } from "./_measure.ts";
import { APPLY_BATCH, DEMO_BATCH, MLP_SIZES, TRAIN_BATCH } from "./_mlp.ts";
import { REPLAYED_STEPS, replayFixture } from "./_replay.ts";
import {
  CHECKPOINT_FULL,
  CHECKPOINT_QUICK,
  checkpointChecksum,
  measureCheckpoint,
} from "./checkpoint_measure.ts";
import {
  type BackendResults,
  FULL_SETTINGS,
  measureBackend,
  measurePair,
  type PairResult,
  QUICK_SETTINGS,
} from "./tfjs_measure.ts";

/** The creation-cost budget: 100k per-variable cost within 1.5x of 1k. */
const SCALING_BUDGET = 1.5;

/** The TensorFlow.js bounds (ratio at most this). */
const TFJS_BOUNDS = {
  apply_vs_handwritten: 1.05,
  apply_vs_layers_predict: 0.8,
  train_step_vs_minimize: 1.05,
  train_step_vs_train_on_batch: 0.95,
} as const;

const quick = Deno.env.get("VARSCOPE_BENCH_QUICK") === "1";
const started = performance.now();

// Nominal sizes name the lines; a quick run uses sizes 10x smaller.
const nominal = [1000, 10000, 100000];
const scale = quick ? 10 : 1;
const scaling = measureScaling({
  totals: nominal.map((n) => n / scale),
  warmup: quick ? 1 : 2,
  reps: quick ? 3 : 11,
});
const lookup = measureLookup(
  quick
    ? { n: 1000, warmup: 1, reps: 3, oursBatch: 10, mapBatch: 1000 }
    : { n: 1000, warmup: 3, reps: 11, oursBatch: 100, mapBatch: 10000 },
);

const lines: string[] = [];
const base = scaling[0]!;
const fmtUs = (r: ScalingResult): string =>
  `${label(r.total)}=${r.medianUs.toFixed(3)}us (min ${
    r.minUs.toFixed(3)
  }, ${r.runsPerSample} runs/sample)`;
lines.push(
  `# mode=${
    quick ? "quick (sizes scaled down 10x, smoke values only)" : "full"
  }; deno ${Deno.version.deno}; v8 ${Deno.version.v8}`,
);
lines.push(`# store_scaling us/variable (median): ${scaling.map(fmtUs).join(", ")}`);
for (let i = 1; i < scaling.length; i++) {
  const r = scaling[i]!;
  const name = `store_scaling_${label(nominal[i]!)}_vs_${label(nominal[0]!)}`;
  lines.push(`${name} ratio=${(r.medianUs / base.medianUs).toFixed(2)}`);
}
const last = scaling[scaling.length - 1]!;
const lastRatio = last.medianUs / base.medianUs;
if (!quick) {
  lines.push(
    `# store_scaling ${label(last.total)} vs ${label(base.total)} budget ${SCALING_BUDGET}x: ${
      lastRatio <= SCALING_BUDGET ? "within" : "EXCEEDED"
    }`,
  );
}
lines.push(
  `# get_variable_reuse: ${lookup.n} lookups/run; ours=${lookup.oursNs.toFixed(1)}ns/lookup map=${
    lookup.mapNs.toFixed(2)
  }ns/lookup; map with key built per lookup=${lookup.mapJoinedNs.toFixed(1)}ns/lookup (ours/that=${
    lookup.ratioJoined.toFixed(2)
  })`,
);
lines.push(`get_variable_reuse_vs_map ratio=${lookup.ratio.toFixed(2)}`);
const defaultNames = measureDefaultNames(
  quick ? { small: 200, large: 2000, rounds: 5 } : { small: 2000, large: 20000, rounds: 21 },
);
lines.push(`default_name_20k_vs_2k ratio=${defaultNames.ratio.toFixed(2)}`);
lines.push(
  `# default_name_20k_vs_2k: per sibling default-name scope ${
    defaultNames.largeUs.toFixed(2)
  }us (20k) vs ${defaultNames.smallUs.toFixed(2)}us (2k); paired over rounds, spread ${
    defaultNames.spread.map((x) => x.toFixed(2)).join("–")
  }; linear is about 1, the old quadratic search about 10`,
);

// A replayed primitive against the floor: one trivial yield*.
{
  const fixture = replayFixture();
  const settings = quick
    ? { warmup: 1, rounds: 3, calls: 20 }
    : { warmup: 20, rounds: 41, calls: 200 };
  const r = measurePair(fixture.replay, fixture.floor, settings);
  const perStep = (us: number): number => (us * 1000) / REPLAYED_STEPS;
  lines.push(`replay_per_primitive_ns ratio=${r.ratio.toFixed(2)}`);
  lines.push(
    `# replay_per_primitive_ns: a replayed getVariable/variableScope step ${
      perStep(r.aUs).toFixed(0)
    } ns, one yield* of a trivial program ${perStep(r.bUs).toFixed(0)} ns (the floor); spread ${
      r.spread[0].toFixed(2)
    }–${r.spread[1].toFixed(2)} over ${r.aSamples.length} rounds`,
  );
}

// TensorFlow.js: each backend's comparisons together, cpu first.
const tfjsSettings = quick ? QUICK_SETTINGS : FULL_SETTINGS;
const backends: BackendResults[] = [];
const unmeasured: string[] = [];
for (const backend of ["cpu", "wasm"] as const) {
  try {
    backends.push(await measureBackend(backend, tfjsSettings));
  } catch (e) {
    // A backend that cannot start (wasm without --allow-read) is reported, not fatal.
    unmeasured.push(
      `# tfjs ${backend}: not measured: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
const us = (x: number): string => `${x.toFixed(1)}us`;
const a = tfjsSettings.apply;
const t = tfjsSettings.train;
lines.push(
  `# tfjs: MLP ${
    MLP_SIZES.join("-")
  } (relu, relu, linear); apply batch ${APPLY_BATCH}, ${a.rounds} rounds x ${a.calls} calls; train batch ${TRAIN_BATCH} (SGD, softmax cross-entropy), ${t.rounds} rounds x ${t.calls} steps; sides alternate by round; ratio = median of per-round ratios varscope/baseline (paired), spread = their 10th–90th percentiles`,
);
const bounded = (name: string, r: PairResult, bound: number | null, sides: string): void => {
  lines.push(`${name} ratio=${r.ratio.toFixed(2)}`);
  const judged = quick
    ? ""
    : bound === null
    ? `; expected > 1: ${r.ratio > 1 ? "yes" : "NO"}`
    : `; bound ${bound}: ${r.ratio <= bound ? "within" : "EXCEEDED"}`;
  lines.push(
    `# ${name}: ${sides}; spread ${r.spread[0].toFixed(2)}–${
      r.spread[1].toFixed(2)
    } over ${r.aSamples.length} rounds; ratio of medians ${r.mediansRatio.toFixed(2)}${judged}`,
  );
};
for (const r of backends) {
  const b = r.backend;
  const hw = r.applyVsHandwritten;
  const lp = r.applyVsLayersPredict;
  const ic = r.interpretedVsCompiled;
  const mn = r.trainStepVsMinimize;
  const tb = r.trainStepVsTrainOnBatch;
  bounded(
    `apply_vs_handwritten_${b}`,
    hw,
    TFJS_BOUNDS.apply_vs_handwritten,
    `compiled apply ${us(hw.aUs)}, hand-written tfjs ${us(hw.bUs)} per call`,
  );
  bounded(
    `apply_vs_layers_predict_${b}`,
    lp,
    TFJS_BOUNDS.apply_vs_layers_predict,
    `compiled apply ${us(lp.aUs)}, layers predict ${us(lp.bUs)} per call`,
  );
  bounded(
    `interpreted_vs_compiled_${b}`,
    ic,
    null,
    `interpreted apply ${us(ic.aUs)}, compiled apply ${us(ic.bUs)} per call`,
  );
  bounded(
    `train_step_vs_minimize_${b}`,
    mn,
    TFJS_BOUNDS.train_step_vs_minimize,
    `trainer step ${us(mn.aUs)}, optimizer.minimize ${us(mn.bUs)} per step`,
  );
  bounded(
    `train_step_vs_train_on_batch_${b}`,
    tb,
    TFJS_BOUNDS.train_step_vs_train_on_batch,
    `trainer step + await loss.data() ${us(tb.aUs)}, await trainOnBatch ${us(tb.bUs)} per step`,
  );
  const heap = r.applyHeapVsHandwritten;
  lines.push(`apply_heap_vs_handwritten_${b} ratio=${(heap.aBytes / heap.bBytes).toFixed(2)}`);
  lines.push(
    `# apply_heap_vs_handwritten_${b}: JS heap allocated per call (median over rounds without a GC): compiled apply ${
      (heap.aBytes / 1024).toFixed(1)
    } KiB, hand-written tfjs ${(heap.bBytes / 1024).toFixed(1)} KiB`,
  );
  const il = r.inlineVsHandwritten;
  lines.push(
    `# ${b}: inline generator closures (mlpInline), compiled apply ${us(il.aUs)} vs hand-written ${
      us(il.bUs)
    } (ratio ${il.ratio.toFixed(2)})${
      r.leakedTensors === 0 ? "" : `; LEAKED ${r.leakedTensors} tensors`
    }`,
  );
}
lines.push(...unmeasured);
const cpuDemo = backends.find((r) => r.backend === "cpu")?.demoStepUs;
const wasmDemo = backends.find((r) => r.backend === "wasm")?.demoStepUs;
if (cpuDemo !== undefined && wasmDemo !== undefined) {
  lines.push(`wasm_vs_cpu_demo ratio=${(wasmDemo / cpuDemo).toFixed(2)}`);
  lines.push(
    `# wasm_vs_cpu_demo: the training step of the siamese example (examples/siamese_model.ts) (Adam, regularization, ${DEMO_BATCH} pairs): wasm ${
      us(wasmDemo)
    }, cpu ${
      us(cpuDemo)
    } per step (median of ${tfjsSettings.demo.rounds} rounds x ${tfjsSettings.demo.calls} steps, each in its backend's block, not interleaved)`,
  );
}
// TensorFlow checkpoints.
const CHECKPOINT_BOUND = 2.0;
try {
  const c = await measureCheckpoint(quick ? CHECKPOINT_QUICK : CHECKPOINT_FULL);
  const mb = (c.settings.totalBytes / 1024 / 1024).toFixed(0);
  const ms = (x: number): string => `${x.toFixed(1)}ms`;
  const spread = (p: { spread: readonly [number, number] }): string =>
    `per-round ratios ${p.spread[0].toFixed(2)}..${p.spread[1].toFixed(2)}`;
  const verdict = (r: number): string =>
    quick ? "" : `; bound ${CHECKPOINT_BOUND}: ${r <= CHECKPOINT_BOUND ? "within" : "EXCEEDED"}`;
  lines.push(`checkpoint_read_vs_raw_read ratio=${c.read.ratio.toFixed(2)}`);
  lines.push(
    `# checkpoint_read_vs_raw_read: ${mb} MB in ${c.settings.tensors} float32 tensors; open + read every tensor (CRC32C checked) ${
      ms(c.read.aMs)
    }, Deno.readFileSync of .index + .data ${
      ms(c.read.bMs)
    }; median of ${c.read.rounds} paired rounds, ${spread(c.read)}${verdict(c.read.ratio)}`,
  );
  lines.push(`checkpoint_write_vs_raw_write ratio=${c.write.ratio.toFixed(2)}`);
  lines.push(
    `# checkpoint_write_vs_raw_write: writeTfCheckpointAsync (temp files, fsync, rename; CRC32C of each chunk computed while the previous one is written) ${
      ms(c.write.aMs)
    }, FsFile.write + sync of the same two files ${
      ms(c.write.bMs)
    }; median of ${c.write.rounds} paired rounds, ${spread(c.write)}${verdict(c.write.ratio)}`,
  );
  lines.push(
    `# checkpoint write, synchronous (detail): writeTfCheckpoint ${
      ms(c.writeSync.aMs)
    }, writeSync + syncSync ${ms(c.writeSync.bMs)}, ratio ${c.writeSync.ratio.toFixed(2)} (${
      spread(c.writeSync)
    }, ${c.writeSync.rounds} rounds)`,
  );
  lines.push(
    `# checkpoint_list: open + list ${c.settings.listVariables} variables (index ${
      (c.listIndexBytes / 1024).toFixed(0)
    } KiB, data file deleted: listing reads only the index) ${
      ms(c.listMs)
    } (median of ${c.settings.listRounds})`,
  );
} catch (e) {
  lines.push(`# checkpoint: not measured: ${e instanceof Error ? e.message : String(e)}`);
}
// varscope/layers against tfjs-layers (bench/layers_measure.ts).
for (const backend of ["cpu", "wasm"] as const) {
  try {
    const r = await measureLayers(backend, quick ? LAYERS_QUICK : LAYERS_FULL);
    lines.push(...layersLines(r, quick));
  } catch (e) {
    lines.push(`# layers ${backend}: not measured: ${e instanceof Error ? e.message : String(e)}`);
  }
}
// LSTM (bench/_lstm.ts): dynamicRnn over LSTMCell(128), batch 32, input 64, 50 steps.
// The issue's bounds (issue 8): ≤ 1.05 against the hand loop, ≤ 0.8 against tfjs-layers.
const LSTM_BOUNDS = { handwritten: 1.05, layers: 0.8, latency: 0.8 } as const;
for (const backend of ["cpu", "wasm"] as const) {
  try {
    const r = await measureLstm(backend, quick ? 3 : 21, quick ? 1 : 2);
    const spread = (p: PairResult): string => `${p.spread[0].toFixed(2)}–${p.spread[1].toFixed(2)}`;
    for (
      const [name, p, bound, what] of [
        ["handwritten", r.handwritten, LSTM_BOUNDS.handwritten, "obvious hand-written loop"],
        ["layers", r.layers, LSTM_BOUNDS.layers, "tfjs-layers lstm predict"],
        ["latency", r.latency, LSTM_BOUNDS.latency, "tfjs-layers lstm predict, batch 1"],
      ] as const
    ) {
      const line = name === "latency"
        ? `lstm_latency_vs_layers_${backend}`
        : `lstm_apply_vs_${name}_${backend}`;
      lines.push(`${line} ratio=${p.ratio.toFixed(2)}`);
      lines.push(
        `# ${line}: compiled dynamicRnn apply ${(p.aUs / 1000).toFixed(1)}ms, ${what} ${
          (p.bUs / 1000).toFixed(1)
        }ms per pass; median of per-round ratios over ${p.aSamples.length} rounds (10th–90th percentile ${
          spread(p)
        }; ratio of medians ${p.mediansRatio.toFixed(2)})${
          quick ? "" : `; bound ${bound}: ${p.ratio <= bound ? "within" : "EXCEEDED"}`
        }${r.leaked === 0 ? "" : `; LEAKED ${r.leaked} tensors`}`,
      );
    }
  } catch (e) {
    lines.push(`# lstm ${backend}: not measured: ${e instanceof Error ? e.message : String(e)}`);
  }
}
// LSTM training steps (bench/_lstm.ts): SGD 0.01, squared error, batch 32.
for (const backend of ["cpu", "wasm"] as const) {
  try {
    const r = await measureLstmTrain(backend, quick ? 3 : 21, 1);
    for (
      const [name, p, bound, what] of [
        ["minimize", r.minimize, 1.05, "optimizer.minimize of the obvious loop"],
        ["layers", r.layers, 1.0, "await tfjs-layers trainOnBatch (ours awaits loss.data())"],
      ] as const
    ) {
      lines.push(`lstm_train_step_vs_${name}_${backend} ratio=${p.ratio.toFixed(2)}`);
      lines.push(
        `# lstm_train_step_vs_${name}_${backend}: trainer step ${
          (p.aUs / 1000).toFixed(1)
        }ms, ${what} ${(p.bUs / 1000).toFixed(1)}ms; spread ${p.spread[0].toFixed(2)}–${
          p.spread[1].toFixed(2)
        } over ${p.aSamples.length} rounds${
          quick ? "" : `; bound ${bound}: ${p.ratio <= bound ? "within" : "EXCEEDED"}`
        }${r.leaked === 0 ? "" : `; LEAKED ${r.leaked} tensors`}`,
      );
    }
  } catch (e) {
    lines.push(
      `# lstm training ${backend}: not measured: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
// A tfjs-layers model around a trackTf1StyleVariables layer (bench/_tracked_layer.ts).
const TRACKED_FIT_BOUND = 1.05;
for (const backend of ["cpu", "wasm"] as const) {
  try {
    const r = await measureTrackedLayerFit(backend, quick ? 3 : 21, quick ? 1 : 2);
    const p = r.fit;
    const name = `tracked_layer_fit_vs_layers_${backend}`;
    lines.push(`${name} ratio=${p.ratio.toFixed(2)}`);
    lines.push(
      `# ${name}: fit epoch (${TRACKED_FIT.samples} samples, batch ${TRACKED_FIT.batch}, ${TRACKED_FIT.input}-${TRACKED_FIT.hidden}-${TRACKED_FIT.hidden}-${TRACKED_FIT.output}, SGD) with the two hidden layers as TF1 dense layers in a decorated call ${
        (p.aUs / 1000).toFixed(1)
      }ms, all tfjs-layers dense ${
        (p.bUs / 1000).toFixed(1)
      }ms; median of per-round ratios over ${p.aSamples.length} rounds (10th–90th percentile ${
        p.spread[0].toFixed(2)
      }–${p.spread[1].toFixed(2)}; ratio of medians ${p.mediansRatio.toFixed(2)})${
        quick
          ? ""
          : `; bound ${TRACKED_FIT_BOUND}: ${p.ratio <= TRACKED_FIT_BOUND ? "within" : "EXCEEDED"}`
      }${r.leaked === 0 ? "" : `; LEAKED ${r.leaked} tensors`}`,
    );
  } catch (e) {
    lines.push(
      `# tracked layer fit ${backend}: not measured: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
lines.push(
  `# elapsed ${
    ((performance.now() - started) / 1000).toFixed(1)
  }s; checksum ${checksum()} ${checkpointChecksum()}`,
);

// deno-lint-ignore no-console
console.log(lines.join("\n"));
