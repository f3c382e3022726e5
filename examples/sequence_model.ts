/**
 * The demo's model and data: a TF1-style sequence classifier written with
 * varscope's layers and RNN library, and the synthetic task it learns.
 *
 * The task: each sequence holds 4 to 16 tokens from a vocabulary of 10;
 * its label is 1 when token 1 occurs more often than token 2 (ties are not
 * generated). Padding is token 0, past each sequence's length. The model,
 * as TF1 code would write it:
 *
 * ```python
 * with tf.variable_scope("classifier"):
 *     embedding = tf.get_variable("embedding", [VOCAB, 16])
 *     x = tf.nn.embedding_lookup(embedding, ids)
 *     cell = tf.nn.rnn_cell.LSTMCell(32)
 *     _, state = tf.nn.dynamic_rnn(cell, x, sequence_length=lengths, dtype=tf.float32)
 *     h = tf.layers.dropout(state.h, rate=0.2, training=training)
 *     logits = tf.layers.dense(h, 2, name="logits")
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  getVariable,
  type ProgramGenerator,
  randomUniformInitializer,
  scoped,
  variableScope,
} from "varscope";
import { dense, dropout, embeddingLookup } from "varscope/layers";
import { dynamicRnn, LSTMCell } from "varscope/rnn";
import { transform } from "varscope/tfjs";

/** Tokens 0 (padding) to 9. */
export const VOCAB = 10;
/** The longest sequence. */
export const MAX_LEN = 16;
const MIN_LEN = 4;
const EMBEDDING = 16;
const UNITS = 32;

/** One batch: token ids, lengths and labels. */
export interface Batch {
  /** Token ids, [batch, MAX_LEN] int32, 0 past each length. */
  readonly ids: tf.Tensor2D;
  /** Sequence lengths. */
  readonly lengths: tf.Tensor1D;
  /** 1 when token 1 occurs more often than token 2, else 0; [batch] int32. */
  readonly labels: tf.Tensor1D;
  /** Dropout on (training) or off. */
  readonly training: boolean;
}

// A TF1 cell object is made once and called on every pass: its scope is
// captured on the first call, and later calls reuse its variables.
const cell = new LSTMCell(UNITS);

function* classifierBody(b: Batch): ProgramGenerator<tf.Tensor2D> {
  const embedding = yield* getVariable("embedding", {
    shape: [VOCAB, EMBEDDING],
    initializer: randomUniformInitializer({ minval: -0.1, maxval: 0.1 }),
  });
  const x = (yield* embeddingLookup(embedding, b.ids)) as tf.Tensor3D;
  const [, state] = yield* dynamicRnn(cell, x, { sequenceLength: b.lengths, dtype: "float32" });
  const h = yield* dropout(state.h, { rate: 0.2, training: b.training });
  return (yield* dense(h, 2, { name: "logits" })) as tf.Tensor2D;
}

/** The logits: `classifier/...` variables with TF1's names. */
export const logits = transform((b: Batch) =>
  variableScope("classifier", scoped(classifierBody, b))
);

/** The training loss: mean softmax cross-entropy. */
export const loss = transform((b: Batch) =>
  variableScope(
    "classifier",
    scoped(function* (): ProgramGenerator<tf.Scalar> {
      const z = yield* classifierBody(b);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels, 2), z) as tf.Scalar;
    }),
  )
);

/** A seeded generator of batches of the task. */
export function sequenceTask(seed: number): (size: number, training: boolean) => Batch {
  let s = seed >>> 0;
  const next = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
  return (size, training) => {
    const ids = new Int32Array(size * MAX_LEN);
    const lengths = new Int32Array(size);
    const labels = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      let ones = 0;
      let twos = 0;
      const len = MIN_LEN + next(MAX_LEN - MIN_LEN + 1);
      do {
        ones = 0;
        twos = 0;
        for (let t = 0; t < len; t++) {
          const tok = 1 + next(VOCAB - 1);
          ids[i * MAX_LEN + t] = tok;
          if (tok === 1) ones++;
          if (tok === 2) twos++;
        }
      } while (ones === twos);
      lengths[i] = len;
      labels[i] = ones > twos ? 1 : 0;
    }
    return {
      ids: tf.tensor2d(ids, [size, MAX_LEN], "int32"),
      lengths: tf.tensor1d(lengths, "int32"),
      labels: tf.tensor1d(labels, "int32"),
      training,
    };
  };
}

/** Frees a batch's tensors. */
export function disposeBatch(b: Batch): void {
  tf.dispose([b.ids, b.lengths, b.labels]);
}
