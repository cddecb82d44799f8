import { IdempotencyError } from '../../errors.js'

/**
 * An object already exists under this deterministic key with other bytes: the key was reused for different
 * output (a changed job writing under an old name). Nothing was written. The same code as any key reused with a
 * different payload: `payload-mismatch`. Write new output under a new key (a new input version, a new run).
 */
export class S3ObjectMismatchError extends IdempotencyError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(
      `s3://${bucket}/${key} already holds different bytes: a write-once key was reused for other output. Nothing was written; write new output under a new key.`,
      'payload-mismatch',
    )
  }
}

/**
 * The manifest changed after this run read it: another run switched the prefix meanwhile. This run's manifest
 * was not written, so its objects are read by nobody. The same code as any hold taken over: `lease-lost`.
 */
export class S3ManifestMovedError extends IdempotencyError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(
      `The manifest s3://${bucket}/${key} was switched by another run after this one read it: this run's output was not published.`,
      'lease-lost',
    )
  }
}
