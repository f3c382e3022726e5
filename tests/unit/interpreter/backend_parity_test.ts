/**
 * The same programs on cpu, wasm and webgpu agree: init gives identical
 * parameters (they are computed without tensors), and apply and training
 * steps agree within float32 tolerances. cpu is the reference; wasm and
 * webgpu must be within 1e-5 and 1e-4 relative (of the largest magnitude)
 * for a forward pass, and ten times that after three training steps, whose
 * rounding differences compound.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as assert from "node:assert/strict";
import {
  AUTO_REUSE,
  fixedSizePartitioner,
  l2Regularizer,
  type Program,
  type ProgramGenerator,
  scoped,
  variableScope,
  zerosInitializer,
} from "varscope";
import {
  type BackendName,
  makeTrainer,
  readVariable,
  transform,
  useBackend,
  variable,
} from "varscope/tfjs";
import { getVariable } from "varscope";
import { webgpuTest } from "../_webgpu_cases.ts";

const TOLERANCE: Record<BackendName, number> = { cpu: 0, wasm: 1e-5, webgpu: 1e-4 };

function* towerBody(x: tf.Tensor2D): ProgramGenerator<tf.Tensor2D> {
  const w = yield* variable("w", { shape: [4, 3], regularizer: l2Regularizer(0.01) });
  const b = yield* variable("b", { shape: [3], initializer: zerosInitializer() });
  return tf.tanh(tf.add(tf.matMul(x, w), b)) as tf.Tensor2D;
}
const tower = (x: tf.Tensor2D): Program<tf.Tensor2D> =>
  variableScope("tower", { reuse: AUTO_REUSE }, scoped(towerBody, x));

function* modelBody(
  batch: { a: tf.Tensor2D; b: tf.Tensor2D; y: tf.Tensor },
): ProgramGenerator<tf.Scalar> {
  const emb = yield* getVariable("emb", { shape: [6, 4], partitioner: fixedSizePartitioner(2) });
  const table = yield* readVariable(emb);
  const ha = yield* tower(tf.add(batch.a, tf.slice(table, [0, 0], [1, 4])) as tf.Tensor2D);
  const hb = yield* tower(batch.b);
  const d = tf.sub(tf.sum(tf.mul(ha, hb), 1), batch.y);
  return tf.mean(tf.mul(d, d)) as tf.Scalar;
}
const loss = transform((batch: { a: tf.Tensor2D; b: tf.Tensor2D; y: tf.Tensor }) =>
  scoped(modelBody, batch)
);

async function runOn(
  backend: BackendName,
): Promise<{ init: number[]; apply: number; trained: number[] }> {
  await useBackend({ backend });
  const before = tf.memory().numTensors;
  const a = tf.tensor2d([[0.1, -0.2, 0.3, 0.4], [0.5, 0.1, -0.3, 0.2]]);
  const b = tf.tensor2d([[-0.4, 0.2, 0.1, 0.0], [0.3, 0.3, -0.1, 0.6]]);
  const y = tf.tensor1d([0.5, -0.25]);
  const batch = { a, b, y };
  const { params } = loss.init(batch, { seed: 7 });
  const init = Array.from(await params.get("tower/w").data());
  const l = loss.apply(params, batch);
  const apply = (await l.data())[0]!;
  l.dispose();
  const optimizer = tf.train.sgd(0.5);
  const trainer = makeTrainer(loss, { optimizer, regularization: true });
  let p = params;
  for (let i = 0; i < 3; i++) {
    const r = trainer.step(p, batch);
    r.loss.dispose();
    p.dispose();
    p = r.params;
  }
  const trained = [
    ...await p.get("tower/w").data(),
    ...await p.get("emb/part_0").data(),
  ];
  p.dispose();
  trainer.dispose();
  optimizer.dispose();
  tf.dispose([a, b, y]);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return { init, apply, trained };
}

function close(
  actual: readonly number[],
  expected: readonly number[],
  tol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i]! - expected[i]!) <= tol * scale,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`,
    );
  }
}

/** Runs the program on cpu and on `backend`, and checks that they agree. */
async function agreesWithCpu(backend: "wasm" | "webgpu"): Promise<void> {
  const reference = await runOn("cpu");
  const got = await runOn(backend);
  assert.deepEqual(got.init, reference.init, `${backend}: init values are backend-independent`);
  close([got.apply], [reference.apply], TOLERANCE[backend], `${backend} apply`);
  close(got.trained, reference.trained, TOLERANCE[backend] * 10, `${backend} trained`);
}

Deno.test("cpu and wasm agree on init, apply and training steps", () => agreesWithCpu("wasm"));

webgpuTest(
  import.meta.url,
  "cpu and webgpu agree on init, apply and training steps",
  () => agreesWithCpu("webgpu"),
);
