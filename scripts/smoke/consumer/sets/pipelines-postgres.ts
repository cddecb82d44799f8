import { pipelineJob } from 'lambda-idempotency/pipelines'
import { mergeRows, PostgresJobStore, postgresJobTransaction } from 'lambda-idempotency/pipelines/postgres'
import pg from 'pg'

// Runs recorded in PostgreSQL, output merged in the run's own transaction.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
const job = pipelineJob<{ rows: number }>({ store: new PostgresJobStore({ pool }), name: 'daily-totals' })

export const run = (date: string) =>
  job.run({ partition: date }, async (current) => ({
    rows: await mergeRows(postgresJobTransaction(current), { table: 'totals', key: ['date'] }, [
      { date, total: 1 },
    ]),
  }))
