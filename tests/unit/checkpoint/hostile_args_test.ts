// Issue 7 for varscope/checkpoint: arguments a caller passes are read once,
// at the entry point; a value of the wrong type, a getter or proxy trap
// that throws, or a sparse list is a typed CheckpointError naming the
// argument (the thrown value as `cause`), and nothing is written.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { variableScope } from "varscope";
import { transform, useBackend, variable } from "varscope/tfjs";
import {
  CheckpointError,
  type CheckpointReader,
  decodeTfjsWeights,
  encodeTfCheckpoint,
  formatListing,
  initFromCheckpoint,
  openTfCheckpointBytes,
  parseTfjsManifest,
  restore,
  toTfjsValues,
  writeCheckpointState,
  writeTfCheckpoint,
  writeTfjsWeights,
} from "varscope/checkpoint";
import { throwsCode } from "./_helpers.ts";

const boom = new Error("trap fired");
const trapping = new Proxy({}, {
  get: () => {
    throw boom;
  },
});
const W = { name: "d/w", dtype: "float32", shape: [2], values: new Float32Array([1, 2]) } as const;

Deno.test("issue 7: a reader whose properties throw is InvalidArgument naming it, with the trap as cause", () => {
  const e = throwsCode(() => formatListing(trapping as CheckpointReader), "InvalidArgument");
  assert.match(e.message, /checkpoint/);
  assert.equal(e.cause, boom);
  const nullList: CheckpointReader = {
    format: "tfjs",
    list: () => null as unknown as [],
    has: () => false,
    read: () => W,
  };
  assert.match(throwsCode(() => formatListing(nullList), "InvalidArgument").message, /reader/);
});

Deno.test("issue 7: writeTfjsWeights with tensors that are not iterable writes nothing, not even the folder", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const e = throwsCode(() => writeTfjsWeights(`${dir}/out`, 5 as never), "InvalidArgument");
    assert.match(e.message, /tensors/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    const o = throwsCode(() => writeTfjsWeights(`${dir}/out`, [W], trapping), "InvalidArgument");
    assert.equal(o.cause, boom);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("issue 7: TF writer options are read once; a throwing getter is InvalidArgument and no file is made", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const opts = Object.defineProperty({}, "blockSize", {
      get: () => {
        throw boom;
      },
    });
    const e = throwsCode(() => writeTfCheckpoint(`${dir}/m`, [W], opts), "InvalidArgument");
    assert.equal(e.cause, boom);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    throwsCode(() => encodeTfCheckpoint([W], { blockSize: trapping as never }), "InvalidArgument");
    throwsCode(() => writeCheckpointState(dir, "m", [1] as never), "InvalidArgument");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("issue 7: openTfCheckpointBytes keeps its own copy of the shards array", () => {
  const files = encodeTfCheckpoint([W]);
  const shards = [files.data];
  const ckpt = openTfCheckpointBytes({ index: files.index, shards });
  shards.length = 0;
  assert.deepEqual([...ckpt.read("d/w").values], [1, 2]);
  const e = throwsCode(
    () =>
      openTfCheckpointBytes({
        index: files.index,
        shards: new Proxy([], {
          get: () => {
            throw boom;
          },
        }),
      }),
    "InvalidArgument",
  );
  assert.equal(e.cause, boom);
  throwsCode(
    () => openTfCheckpointBytes({ index: files.index, shards }, trapping as never),
    "InvalidArgument",
  );
});

Deno.test("issue 7: a sparse manifest is Malformed at its first hole (not a manifest with holes)", () => {
  assert.match(
    throwsCode(() => parseTfjsManifest(new Array(3)), "Malformed").message,
    /manifest group 0 is not an object/,
  );
  throwsCode(() => decodeTfjsWeights(new Array(1e6), {}), "Malformed");
  throwsCode(() => parseTfjsManifest([], trapping as never), "InvalidArgument");
  throwsCode(() => decodeTfjsWeights([], null as never), "InvalidArgument");
});

Deno.test("issue 7: toTfjsValues and the CheckpointError constructor check what they are given", () => {
  throwsCode(() => toTfjsValues(null as never), "InvalidArgument");
  throwsCode(() => toTfjsValues({ ...W, values: trapping } as never), "InvalidArgument");
  const getter = Object.defineProperty({}, "file", {
    get: () => {
      throw boom;
    },
  });
  const e = throwsCode(() => new CheckpointError("Malformed", "x", getter), "InvalidArgument");
  assert.equal(e.cause, boom);
  assert.equal(
    new CheckpointError("Malformed", "x", { file: "f", offset: 3 }).message,
    "f at offset 3: x [Malformed]",
  );
});

Deno.test("issue 7: restore and initFromCheckpoint refuse hostile readers, maps and targets typed, leaking nothing", async () => {
  await useBackend({ backend: "cpu" });
  const before = tf.memory().numTensors;
  const model = transform((_: null) => variableScope("d", variable("w", { shape: [2] })));
  const { params } = model.init(null);
  const reader = openTfCheckpointBytes({ ...encodeTfCheckpoint([W]), shards: [] });
  try {
    const bad: CheckpointReader = {
      format: "tfjs",
      list: () => 7 as never,
      has: () => true,
      read: () => W,
    };
    throwsCode(() => restore(params.store, bad), "InvalidArgument");
    const t = throwsCode(
      () => initFromCheckpoint(params, reader, { "d/w": trapping as never }),
      "AssignmentMap",
    );
    assert.equal(t.cause, boom);
    throwsCode(() => initFromCheckpoint(params, reader, new Array(1e6) as never), "AssignmentMap");
    throwsCode(() => initFromCheckpoint(trapping as never, reader, {}), "InvalidArgument");
  } finally {
    params.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});
