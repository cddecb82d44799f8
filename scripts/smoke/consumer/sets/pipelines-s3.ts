import { S3Client } from '@aws-sdk/client-s3'
import { writeObjectOnce } from 'lambda-idempotency/pipelines/s3'

// Output written once under a deterministic key.
export const written = writeObjectOnce(new S3Client({}), {
  bucket: 'exports',
  key: 'daily-totals/2024-01-15.json',
  body: '{"rows":0}',
  contentType: 'application/json',
})
