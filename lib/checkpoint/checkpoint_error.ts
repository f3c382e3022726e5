/**
 * The one error type of `varscope/checkpoint`: every malformed file, failed
 * read or write, and every value with no exact conversion is a
 * {@linkcode CheckpointError} with a stable {@linkcode CheckpointErrorCode}.
 *
 * @module
 */

/**
 * The stable codes of {@linkcode CheckpointError}. Code matches on these,
 * never on message text.
 *
 * @example Matching on a code
 * ```ts
 * import { CheckpointError, openTfCheckpointBytes } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => openTfCheckpointBytes({ index: new Uint8Array(10), shards: [] }),
 *   (e: unknown) => e instanceof CheckpointError && e.code === "Truncated",
 * );
 * ```
 *
 * @category checkpoint
 */
export type CheckpointErrorCode =
  /** The footer magic is not the table magic: not a checkpoint index. */
  | "BadMagic"
  /** The file ends before a structure it announces (footer, block, entry, tensor). */
  | "Truncated"
  /** A varint is longer than allowed or runs off the end of its buffer. */
  | "BadVarint"
  /** A stored masked CRC32C does not match the bytes. */
  | "CrcMismatch"
  /** A block handle, tensor range, shard id or slice lies outside its file or tensor. */
  | "OutOfRange"
  /** A tensor's element count does not match its byte size. */
  | "ShapeSizeMismatch"
  /** A size would overflow or need more memory than the file could hold. */
  | "TooLarge"
  /** A dtype number this library does not read (complex, quantized, variant, ...). */
  | "UnknownDType"
  /** A data shard named by the index does not exist. */
  | "MissingShard"
  /** Index keys are not in increasing byte order. */
  | "UnsortedKeys"
  /** A key appears twice (in a file, or in the tensors given to a writer). */
  | "DuplicateKey"
  /** A legacy V1 (TensorSliceWriter) checkpoint uses a feature this reader lacks. */
  | "LegacyFormat"
  /** No checkpoint at that prefix, or no tensor of that name. */
  | "NotFound"
  /** A table block, protobuf message or Snappy stream is malformed. */
  | "Malformed"
  /** A valid but unsupported feature (big-endian bundle, newer bundle version). */
  | "Unsupported"
  /** A partitioned variable's slices are inconsistent or do not cover it. */
  | "BadSlices"
  /** A value has no exact conversion to the asked dtype (int64 beyond int32, float64 overflow). */
  | "NoExactConversion"
  /** An argument given to a reader or writer is invalid. */
  | "InvalidArgument"
  /** The operating system refused a read, write, rename or sync. */
  | "IoError"
  /** An assignment map names what does not exist, or maps a scope to a name. */
  | "AssignmentMap"
  /** A variable and the file's tensor it is restored from differ in shape. */
  | "ShapeMismatch"
  /** A variable and the file's tensor it is restored from differ in dtype. */
  | "DTypeMismatch"
  /** A restore left variables without a value and no fallback was given. */
  | "RestoreIncomplete";

/** Where an error happened and what caused it. */
export interface CheckpointErrorOptions {
  /** The file (or in-memory name) the error is about. */
  readonly file?: string | undefined;
  /** The byte offset in that file. */
  readonly offset?: number | undefined;
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Facts code can read (a name, shapes, a restore report). */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * A failed checkpoint read, write or conversion. `message` names the file,
 * the byte offset and what was wrong; `code`, `file` and `offset` carry the
 * same facts for code.
 *
 * @example A missing checkpoint
 * ```ts
 * import { CheckpointError, openTfCheckpoint } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * try {
 *   openTfCheckpoint("/nonexistent/model.ckpt");
 *   assert.fail("expected an error");
 * } catch (e) {
 *   assert.ok(e instanceof CheckpointError);
 *   assert.equal(e.code, "NotFound");
 *   assert.equal(e.file, "/nonexistent/model.ckpt.index");
 * }
 * ```
 *
 * @category checkpoint
 */
export class CheckpointError extends Error {
  /** Always "CheckpointError". */
  override readonly name = "CheckpointError";
  /** The stable code. */
  readonly code: CheckpointErrorCode;
  /** The file the error is about, if any. */
  readonly file: string | undefined;
  /** The byte offset in that file, if known. */
  readonly offset: number | undefined;
  /** Facts code can read (empty when there are none). */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Makes an error; the message is `file at offset N: what [code]`.
   *
   * @param code the stable code
   * @param what what was wrong, without the file and offset (they are prefixed)
   * @param options file, offset and cause
   */
  constructor(code: CheckpointErrorCode, what: string, options: CheckpointErrorOptions = {}) {
    const o = readOptions(code, what, options);
    const where = o.file === undefined
      ? ""
      : o.offset === undefined
      ? `${o.file}: `
      : `${o.file} at offset ${o.offset}: `;
    super(`${where}${what} [${code}]`, o.cause === undefined ? {} : { cause: o.cause });
    this.code = code;
    this.file = o.file;
    this.offset = o.offset;
    this.details = o.details;
  }
}

interface ReadOptions {
  readonly file: string | undefined;
  readonly offset: number | undefined;
  readonly cause: unknown;
  readonly details: Readonly<Record<string, unknown>>;
}

const badArgument = (what: string): CheckpointError =>
  new CheckpointError("InvalidArgument", `Invalid CheckpointError ${what}`);

// Checks the constructor's arguments and reads the options once, so that a
// getter or proxy among them is a typed error rather than a raw one.
function readOptions(code: unknown, what: unknown, options: unknown): ReadOptions {
  if (typeof code !== "string") throw badArgument(`code: expected a string (${typeof code})`);
  if (typeof what !== "string") throw badArgument(`message: expected a string (${typeof what})`);
  if (typeof options !== "object" || options === null) {
    throw badArgument(
      `options: expected an object (${options === null ? "null" : typeof options})`,
    );
  }
  let o: ReadOptions;
  try {
    const x = options as CheckpointErrorOptions;
    const details = x.details;
    o = {
      file: x.file,
      offset: x.offset,
      cause: x.cause,
      details: Object.freeze(typeof details === "object" ? { ...details } : {}),
    };
  } catch (e) {
    throw new CheckpointError("InvalidArgument", "Invalid CheckpointError options: unreadable", {
      cause: e,
    });
  }
  if (o.file !== undefined && typeof o.file !== "string") {
    throw badArgument(`options.file: expected a string (${typeof o.file})`);
  }
  if (o.offset !== undefined && typeof o.offset !== "number") {
    throw badArgument(`options.offset: expected a number (${typeof o.offset})`);
  }
  return o;
}
