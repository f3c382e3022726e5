// Child process of tf_atomic_test.ts: saves a big checkpoint over the one at
// Deno.args[0], slowly, so the parent can kill it mid-save.
import { type StoredTensor, writeTfCheckpoint } from "varscope/checkpoint";

const prefix = Deno.args[0]!;
const count = Number(Deno.args[1] ?? "400");

function* tensors(): Generator<StoredTensor> {
  for (let i = 0; i < count; i++) {
    const until = performance.now() + 5;
    while (performance.now() < until) {
      // Busy-wait: a slow producer, as a model computing its weights would be.
    }
    yield {
      name: `big/v${String(i).padStart(4, "0")}`,
      dtype: "float32",
      shape: [65536],
      values: new Float32Array(65536).fill(i),
    };
  }
}

writeTfCheckpoint(prefix, tensors());
