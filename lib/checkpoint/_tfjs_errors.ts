/**
 * The typed error of the weight-file code: a stable `code`, the file and
 * byte offset where the problem is (when there is one), and the cause.
 *
 * @module
 */

/**
 * The stable codes of {@linkcode CheckpointError}. Code matches on these,
 * never on message text.
 *
 * @category checkpoint
 */
export type CheckpointErrorCode =
  /** An argument has the wrong type or value. */
  | "InvalidArgument"
  /** A file, or a tensor name in a file, does not exist. */
  | "NotFound"
  /** A model.json is not JSON, or not a weights manifest. */
  | "BadManifest"
  /** A weights shard named by the manifest is missing. */
  | "MissingShard"
  /** The shards hold more or fewer bytes than the manifest describes. */
  | "ShardSize"
  /** A dtype the format or varscope cannot hold. */
  | "UnsupportedDType"
  /** A shape or size that could not fit in memory or in the file. */
  | "TooLarge"
  /** Two tensors of one name in one file. */
  | "DuplicateName"
  /** A value has no exact equivalent in the target dtype. */
  | "InexactConversion"
  /** An assignment map names what does not exist or maps scopes wrongly. */
  | "AssignmentMap"
  /** A variable and the file's tensor differ in shape. */
  | "ShapeMismatch"
  /** A variable and the file's tensor differ in dtype. */
  | "DTypeMismatch"
  /** Some variables got no value from the file and no fallback was given. */
  | "RestoreIncomplete"
  /** Writing a file failed (the previous file is left as it was). */
  | "WriteFailed";

/** What a {@linkcode CheckpointError} may say besides its message. */
export interface CheckpointErrorOptions {
  /** The file the problem is in. */
  readonly file?: string;
  /** The byte offset in that file. */
  readonly offset?: number;
  /** The underlying error. */
  readonly cause?: unknown;
  /** Facts code can read (names, shapes, a restore report…). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * A weight file or a restore went wrong: `code` says what, `file` and
 * `offset` say where.
 *
 * @example
 * ```ts
 * import { CheckpointError, decodeTfjsWeights } from "varscope/checkpoint";
 * import * as assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => decodeTfjsWeights("not a manifest", {}),
 *   (e) => e instanceof CheckpointError && e.code === "BadManifest",
 * );
 * ```
 *
 * @category checkpoint
 */
export class CheckpointError extends Error {
  /** The stable code. */
  readonly code: CheckpointErrorCode;
  /** The file the problem is in, or null. */
  readonly file: string | null;
  /** The byte offset in that file, or null. */
  readonly offset: number | null;
  /** Facts code can read. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * Makes the error.
   *
   * @param code the stable code
   * @param message what went wrong, naming the file and the tensor
   * @param options where, why, and facts for code
   */
  constructor(code: CheckpointErrorCode, message: string, options: CheckpointErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CheckpointError";
    this.code = code;
    this.file = options.file ?? null;
    this.offset = options.offset ?? null;
    this.details = Object.freeze({ ...options.details });
  }
}
