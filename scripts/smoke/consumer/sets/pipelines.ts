import { InMemoryJobStore, PartitionBusyError, pipelineJob } from 'lambda-idempotency/pipelines'

// A re-runnable job: one run per partition and input version, replayed after.
const dailyTotals = pipelineJob<{ rows: number }>({ store: new InMemoryJobStore(), name: 'daily-totals' })

export const run = (date: string) =>
  dailyTotals.run({ partition: date, inputVersion: 'v1' }, async (job) => {
    job.assertHeld()
    return { rows: 0 }
  })

export const busy = (error: unknown) => error instanceof PartitionBusyError
