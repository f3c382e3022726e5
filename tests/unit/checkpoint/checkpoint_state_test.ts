// The `checkpoint` state file (spec §1) and the conversions to TensorFlow.js
// dtypes (spec §10.2 "TF.js has no int64 or float64 weights").
import * as assert from "node:assert/strict";
import {
  latestCheckpoint,
  readCheckpointState,
  type StoredTensor,
  toTfjsValues,
  writeCheckpointState,
  writeTfCheckpoint,
} from "varscope/checkpoint";
import { tempDir, throwsCode } from "./_helpers.ts";

Deno.test("§1: writeCheckpointState writes TF's text format, relative paths, latest last", () => {
  const { dir, cleanup } = tempDir();
  try {
    writeTfCheckpoint(`${dir}/model.ckpt-2`, []);
    writeCheckpointState(dir, `${dir}/model.ckpt-2`, [
      `${dir}/model.ckpt-1`,
      `${dir}/model.ckpt-2`,
    ]);
    assert.equal(
      Deno.readTextFileSync(`${dir}/checkpoint`),
      'model_checkpoint_path: "model.ckpt-2"\n' +
        'all_model_checkpoint_paths: "model.ckpt-1"\n' +
        'all_model_checkpoint_paths: "model.ckpt-2"\n',
    );
    assert.deepEqual(readCheckpointState(dir), {
      modelCheckpointPath: "model.ckpt-2",
      allModelCheckpointPaths: ["model.ckpt-1", "model.ckpt-2"],
    });
    assert.equal(latestCheckpoint(dir), `${dir}/model.ckpt-2`);
    // Only the state file and the checkpoint: the temporary file was renamed.
    assert.equal([...Deno.readDirSync(dir)].length, 3);
  } finally {
    cleanup();
  }
});

Deno.test("§1: state files TF wrote with absolute paths, escapes and extra fields are read", () => {
  const { dir, cleanup } = tempDir();
  try {
    Deno.writeTextFileSync(
      `${dir}/checkpoint`,
      [
        `model_checkpoint_path: "${dir}/m\\"q\\303\\251"`,
        `all_model_checkpoint_paths: "${dir}/m\\"q\\303\\251"`,
        "all_model_checkpoint_timestamps: 1700000000.5",
        "last_preserved_timestamp: 1699999999.0",
        "",
      ].join("\n"),
    );
    const s = readCheckpointState(dir)!;
    assert.equal(s.modelCheckpointPath, `${dir}/m"qé`);
    assert.equal(latestCheckpoint(dir), undefined, "its .index does not exist");
    writeTfCheckpoint(`${dir}/m"qé`, []);
    assert.equal(latestCheckpoint(dir), `${dir}/m"qé`);
    // Round trip of our own escaping.
    writeCheckpointState(dir, `${dir}/a\\b"c\n`);
    assert.equal(readCheckpointState(dir)!.modelCheckpointPath, 'a\\b"c\n');
    assert.equal(readCheckpointState(`${dir}/none`), undefined);
    Deno.writeTextFileSync(`${dir}/checkpoint`, "model_checkpoint_path: unquoted\n");
    throwsCode(() => readCheckpointState(dir), "Malformed");
  } finally {
    cleanup();
  }
});

const t = (dtype: StoredTensor["dtype"], values: StoredTensor["values"]): StoredTensor => ({
  name: "v",
  dtype,
  shape: [(values as ArrayLike<unknown>).length],
  values,
});

Deno.test("§10.2 toTfjsValues: exact conversions, checked against hand-computed values", () => {
  assert.deepEqual(toTfjsValues(t("float32", new Float32Array([1.5, -0]))), {
    dtype: "float32",
    values: new Float32Array([1.5, -0]),
  });
  // float16 bit patterns: 1, -2, +Inf, smallest subnormal 2^-24, 65504 (max).
  assert.deepEqual(
    [
      ...toTfjsValues(t("float16", new Uint16Array([0x3c00, 0xc000, 0x7c00, 0x0001, 0x7bff])))
        .values,
    ],
    [1, -2, Infinity, 2 ** -24, 65504],
  );
  assert.ok(
    Number.isNaN((toTfjsValues(t("float16", new Uint16Array([0x7e00]))).values as Float32Array)[0]),
  );
  // bfloat16 is the upper half of a float32: 0x3f80 = 1, 0xc0a0 = -5.
  assert.deepEqual([...toTfjsValues(t("bfloat16", new Uint16Array([0x3f80, 0xc0a0]))).values], [
    1,
    -5,
  ]);
  // float64 narrows to the nearest float32.
  const d = toTfjsValues(t("float64", new Float64Array([0.1, 1e-50, -Infinity])));
  assert.equal(d.dtype, "float32");
  assert.deepEqual([...d.values], [Math.fround(0.1), 0, -Infinity]);
  for (
    const [dt, v] of [
      ["int8", new Int8Array([-128, 127])],
      ["int16", new Int16Array([-32768, 32767])],
      ["uint8", new Uint8Array([0, 255])],
      ["uint16", new Uint16Array([0, 65535])],
      ["int32", new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ] as const
  ) {
    const r = toTfjsValues(t(dt, v));
    assert.equal(r.dtype, "int32");
    assert.deepEqual([...r.values], [...v]);
  }
  assert.deepEqual(
    [...toTfjsValues(t("int64", new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n]))).values],
    [-(2 ** 31), 2 ** 31 - 1],
  );
  assert.deepEqual(toTfjsValues(t("bool", new Uint8Array([0, 1, 2]))), {
    dtype: "bool",
    values: new Uint8Array([0, 1, 1]),
  });
  const s = toTfjsValues(t("string", [new Uint8Array([104, 105])]));
  assert.equal(s.dtype, "string");
  assert.deepEqual(s.values, [new Uint8Array([104, 105])]);
});

Deno.test("§10.2 toTfjsValues: no exact conversion is a typed error naming the element", () => {
  const e1 = throwsCode(
    () => toTfjsValues(t("int64", new BigInt64Array([1n, 2n ** 31n]))),
    "NoExactConversion",
  );
  assert.match(e1.message, /int64 value 2147483648 at element 1/);
  throwsCode(
    () => toTfjsValues(t("int64", new BigInt64Array([-(2n ** 31n) - 1n]))),
    "NoExactConversion",
  );
  const e2 = throwsCode(
    () => toTfjsValues(t("float64", new Float64Array([0, 1e39]))),
    "NoExactConversion",
  );
  assert.match(e2.message, /1e\+39 at element 1 overflows float32/);
  throwsCode(() => toTfjsValues(t("float64", new Float64Array([-3.5e38]))), "NoExactConversion");
});

Deno.test("toTfjsValues returns a copy", () => {
  const src = new Float32Array([1]);
  const r = toTfjsValues(t("float32", src));
  (r.values as Float32Array)[0] = 2;
  assert.equal(src[0], 1);
});
