// The checkpoint CLI, run as a child process (`deno run … cli.ts`) the way
// `deno task ckpt` runs it: exact output of ls, show (whole and summarised),
// diff and convert on the real fixtures and on files written here, and the
// documented exit codes (0 ok, 1 differences, 2 usage, 3 bad file, 4 no such
// tensor, 5 conversion failed). Summary statistics are checked against
// values computed here in float64 from the tensor written.
import * as assert from "node:assert/strict";
import { writeTfCheckpoint, writeTfjsWeights } from "varscope/checkpoint";

const ROOT = new URL("../../../", import.meta.url).pathname;
const CLI = `${ROOT}lib/checkpoint/cli.ts`;
const TF = `${ROOT}tests/fixtures/tf-checkpoints/`;
const JS = `${ROOT}tests/fixtures/tfjs-weights/`;

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function ckpt(...args: string[]): Promise<Run> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-read",
      "--allow-write",
      `--config=${ROOT}deno.json`,
      CLI,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

function tmpDir(): string {
  return Deno.makeTempDirSync({ prefix: "varscope-cli-test-" });
}

Deno.test("cli ls: a TF1 checkpoint and tfjs weights, names/dtypes/shapes/sizes, exit 0", async () => {
  const r = await ckpt("ls", `${TF}tf1-half-plus-two-conv2d/variables`);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      `tensorflow: ${TF}tf1-half-plus-two-conv2d/variables`,
      "name             dtype    shape      size  notes",
      "a                float32  []         4 B",
      "b                float32  []         4 B",
      "c                float32  []         4 B",
      "conv2d/bias      float32  [1]        4 B",
      "conv2d/kernel    float32  [1,1,1,1]  4 B",
      "conv2d_1/bias    float32  [1]        4 B",
      "conv2d_1/kernel  float32  [1,1,1,1]  4 B",
      "conv2d_2/bias    float32  [1]        4 B",
      "conv2d_2/kernel  float32  [1,1,1,1]  4 B",
      "9 tensors, 36 B",
      "",
    ].join("\n"),
  );
  const s = await ckpt("ls", `${TF}tf2-int64-scalars/variables.index`);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /^_CHECKPOINTABLE_OBJECT_GRAPH +string +\[\] +1 strings$/m);
  assert.match(s.out, /^v1\/\.ATTRIBUTES\/VARIABLE_VALUE +int64 +\[\] +8 B$/m);
  assert.match(s.out, /^3 tensors, 16 B plus strings$/m);
  const j = await ckpt("ls", `${JS}tfjs-graph-model-w-2x2/model_new.json`);
  assert.equal(
    j.out.split("\n").slice(1).join("\n"),
    "name  dtype    shape  size  notes\nw     float32  [2,2]  16 B\n1 tensor, 16 B\n",
  );
});

Deno.test("cli ls notes partitioned and quantized tensors", async () => {
  const dir = tmpDir();
  try {
    writeTfCheckpoint(`${dir}/p`, [
      {
        name: "emb",
        dtype: "float32",
        shape: [4, 2],
        values: new Float32Array(4),
        slice: { start: [0, 0], length: [2, 2] },
      },
      {
        name: "emb",
        dtype: "float32",
        shape: [4, 2],
        values: new Float32Array(4),
        slice: { start: [2, 0], length: [2, 2] },
      },
    ]);
    const r = await ckpt("ls", `${dir}/p`);
    assert.match(r.out, /^emb +float32 +\[4,2\] +32 B +partitioned, 2 slices$/m);
    writeTfjsWeights(`${dir}/q`, [{
      name: "h",
      dtype: "float16",
      shape: [2],
      values: new Uint16Array([0x3c00, 0]),
    }]);
    const q = await ckpt("ls", `${dir}/q`);
    assert.match(q.out, /^h +float32 +\[2\] +8 B +quantized float16$/m);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli show: small tensors whole, big ones summarised; a missing name exits 4", async () => {
  const r = await ckpt("show", `${TF}tf1-half-plus-two-conv2d/variables`, "conv2d_1/kernel");
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    "name: conv2d_1/kernel\ndtype: float32\nshape: [1,1,1,1]\nvalues: [[[[-1.0451120138168335]]]]\n",
  );
  const i = await ckpt("show", `${TF}tf2-int64-scalars/variables`, "v1/.ATTRIBUTES/VARIABLE_VALUE");
  assert.equal(i.out, "name: v1/.ATTRIBUTES/VARIABLE_VALUE\ndtype: int64\nshape: []\nvalues: 3\n");
  const dir = tmpDir();
  try {
    const v = Float32Array.from({ length: 300 }, (_, k) => Math.sin(k) * 10);
    writeTfjsWeights(dir, [{ name: "big/w", dtype: "float32", shape: [30, 10], values: v }]);
    const b = await ckpt("show", dir, "big/w");
    assert.equal(b.code, 0, b.err);
    const xs = Array.from(v);
    const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
    assert.equal(
      b.out,
      [
        "name: big/w",
        "dtype: float32",
        "shape: [30,10]",
        "elements: 300",
        `min: ${Math.min(...xs)}`,
        `max: ${Math.max(...xs)}`,
        `mean: ${mean}`,
        `first 5: [${xs.slice(0, 5).join(", ")}]`,
        `last 5: [${xs.slice(-5).join(", ")}]`,
        "",
      ].join("\n"),
    );
    const all = await ckpt("show", dir, "big/w", "--all");
    assert.ok(all.out.includes(`values: [[${xs.slice(0, 10).join(", ")}], [`));
    const m = await ckpt("show", dir, "big/v");
    assert.equal(m.code, 4);
    assert.match(m.err, /has no tensor named "big\/v"/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli convert TF -> tfjs -> TF round trips (diff exits 0); diff lists every difference and exits 1", async () => {
  const dir = tmpDir();
  try {
    const src = `${TF}tf1-half-plus-two-conv2d/variables`;
    const a = await ckpt("convert", src, `${dir}/js`);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, `wrote ${dir}/js/model.json and 1 shard: 9 tensors, 36 B\n`);
    const b = await ckpt("convert", `${dir}/js`, `${dir}/back`, "--progress");
    assert.equal(b.code, 0, b.err);
    assert.match(b.err, /converting: 9\/9 tensors, 36 B of 36 B/);
    assert.deepEqual(
      Deno.readFileSync(`${dir}/back.data-00000-of-00001`),
      Deno.readFileSync(`${src}.data-00000-of-00001`),
    );
    const same = await ckpt("diff", src, `${dir}/js`);
    assert.equal(same.code, 0, same.out + same.err);
    assert.equal(same.out, "9 identical, 0 differences\n");
    writeTfjsWeights(`${dir}/other`, [
      { name: "a", dtype: "float32", shape: [], values: new Float32Array([0.75]) },
      { name: "b", dtype: "int32", shape: [], values: new Int32Array([2]) },
      { name: "c", dtype: "float32", shape: [1], values: new Float32Array([3]) },
      { name: "conv2d/bias", dtype: "float32", shape: [1], values: new Float32Array([0]) },
      { name: "extra", dtype: "float32", shape: [], values: new Float32Array([1]) },
    ]);
    const d = await ckpt("diff", src, `${dir}/other`);
    assert.equal(d.code, 1);
    assert.equal(
      d.out,
      [
        "only in A: conv2d/kernel",
        "only in A: conv2d_1/bias",
        "only in A: conv2d_1/kernel",
        "only in A: conv2d_2/bias",
        "only in A: conv2d_2/kernel",
        "only in B: extra",
        "values differ: a (1 of 1 elements, max abs difference 0.25)",
        "dtype differs: b (A float32, B int32)",
        "shape differs: c (A [], B [1])",
        "1 identical, 9 differences",
        "",
      ].join("\n"),
    );
    const tol = await ckpt("diff", `${dir}/js`, `${dir}/other`, "--atol", "0.5");
    assert.doesNotMatch(tol.out, /values differ: a/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli exit codes: usage 2, bad file 3, conversion failure 5, --help 0", async () => {
  const none = await ckpt();
  assert.equal(none.code, 2);
  assert.match(none.err, /Usage:/);
  const help = await ckpt("--help");
  assert.equal(help.code, 0);
  assert.match(
    help.out,
    /Exit codes: 0 ok, 1 diff found differences, 2 usage error, 3 bad or missing/,
  );
  assert.equal((await ckpt("frobnicate")).code, 2);
  assert.equal((await ckpt("ls")).code, 2);
  assert.equal((await ckpt("ls", "a", "b")).code, 2);
  assert.equal((await ckpt("ls", `${JS}tfjs-graph-model-w-2x2`, "--nope")).code, 2);
  assert.equal((await ckpt("convert", "a", "b", "--to", "onnx")).code, 2);
  const missing = await ckpt("ls", "/no/such/model.ckpt");
  assert.equal(missing.code, 3);
  assert.match(missing.err, /\/no\/such\/model\.ckpt: neither a TensorFlow checkpoint prefix/);
  // The legacy V1 format is read (a = 0.5, b = 2.0 in the fixture).
  const v1 = await ckpt("ls", `${TF}tf1-v1-format-half-plus-two/export-00000-of-00001`);
  assert.equal(v1.code, 0);
  assert.match(v1.out, /^a\s+float32\s+\[\]/m);
  assert.match(v1.out, /^b\s+float32\s+\[\]/m);
  const dir = tmpDir();
  try {
    Deno.writeTextFileSync(`${dir}/model.json`, "{");
    const bad = await ckpt("ls", dir);
    assert.equal(bad.code, 3);
    assert.match(bad.err, /model\.json: not valid JSON/);
    writeTfCheckpoint(`${dir}/big`, [{
      name: "n",
      dtype: "int64",
      shape: [2],
      values: new BigInt64Array([1n, 2n ** 40n]),
    }]);
    const c = await ckpt("convert", `${dir}/big`, `${dir}/out`);
    assert.equal(c.code, 5);
    assert.match(
      c.err,
      /cannot convert .*int64 value 1099511627776 at element 1 is outside the int32 range/,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
