/**
 * `lambda-idempotency/pipelines/s3`: write-once objects under deterministic keys (`If-None-Match: *`), and prefix
 * replace behind a manifest switched with `If-Match`. Needs `@aws-sdk/client-s3`; neither `pg` nor the DynamoDB
 * clients. Their request shapes and their handling of 412 and 409 are tested with aws-sdk-client-mock: no S3
 * server runs in this project's tests. Guide: docs/pipelines.md.
 *
 * @module
 */

export { S3ManifestMovedError, S3ObjectMismatchError } from './errors.js'
export {
  type PrefixWriter,
  type S3Manifest,
  type S3PrefixReplace,
  type S3PrefixReplaceOptions,
  s3PrefixReplace,
} from './prefix-replace.js'
export { type WriteObjectOnceInput, writeObjectOnce } from './write-once.js'
