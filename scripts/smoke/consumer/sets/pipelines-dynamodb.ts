import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { pipelineJob } from 'lambda-idempotency/pipelines'
import { DynamoDBJobStore, upsertItems } from 'lambda-idempotency/pipelines/dynamodb'

// Runs recorded on the idempotency table, output upserted by key.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}))
const job = pipelineJob<{ rows: number }>({ store: new DynamoDBJobStore(), name: 'daily-totals' })

export const run = (date: string) =>
  job.run({ partition: date }, async () => ({
    rows: await upsertItems(documents, { tableName: 'totals', key: ['date'] }, [{ date, total: 1 }]),
  }))
