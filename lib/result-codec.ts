import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib'
import { assertNever } from './assert-never.js'
import { IdempotencyResultNotStoredError } from './errors.js'
import type { StoredResult } from './record.js'

export interface ResultCodecOptions {
  /** Results whose JSON is larger than this are brotli-compressed. */
  readonly compressAboveBytes: number
  /** Results still larger than this after compression are recorded as executed but not stored. */
  readonly maxStoredBytes: number
}

/**
 * Compression pays off once a result outweighs the item's fixed attributes (~200 bytes); below 4 KB the CPU
 * spent is not worth the write units saved.
 */
export const DEFAULT_COMPRESS_ABOVE_BYTES = 4 * 1024
/** DynamoDB's item limit is 400 KB; 350 KB leaves room for the key, the other attributes and name overhead. */
export const DEFAULT_MAX_STORED_BYTES = 350 * 1024

/** Brotli quality 5: most of the ratio of the default (11) at a small fraction of its CPU time. */
const BROTLI_QUALITY = 5

/**
 * Encodes a handler's result as the JSON the Lambda runtime would send, so a replay is byte-for-byte what the
 * first caller got: Dates become ISO strings, nested `undefined` disappears (or is `null` in arrays). A result
 * that cannot be serialised or stored is recorded as `not-stored` rather than thrown, because the side effect
 * has already happened and the record must still say so.
 */
export function encodeResult(value: unknown, options: ResultCodecOptions): StoredResult {
  let json: string | undefined
  try {
    json = JSON.stringify(value)
  } catch (error) {
    return { encoding: 'not-stored', reason: `not serialisable as JSON: ${(error as Error).message}` }
  }
  if (json === undefined) return { encoding: 'undefined' }

  const bytes = Buffer.byteLength(json)
  if (bytes <= options.compressAboveBytes) {
    if (bytes <= options.maxStoredBytes) return { encoding: 'json', json }
    return {
      encoding: 'not-stored',
      reason: `${bytes} bytes of JSON, over the ${options.maxStoredBytes} byte limit`,
    }
  }

  const compressed = brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes },
  })
  if (compressed.byteLength <= options.maxStoredBytes) return { encoding: 'json+br', compressed }
  return {
    encoding: 'not-stored',
    reason: `${bytes} bytes of JSON, ${compressed.byteLength} compressed, over the ${options.maxStoredBytes} byte limit`,
  }
}

/** The stored result as a value; a result that was never stored raises the error replays must see. */
export function decodeResult(result: StoredResult): unknown {
  switch (result.encoding) {
    case 'json':
      return JSON.parse(result.json)
    case 'json+br':
      return JSON.parse(brotliDecompressSync(result.compressed).toString('utf8'))
    case 'undefined':
      return undefined
    case 'not-stored':
      throw new IdempotencyResultNotStoredError(result.reason)
    default:
      return assertNever(result)
  }
}
