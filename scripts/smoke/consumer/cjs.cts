import { App, Stack } from 'aws-cdk-lib'
import { IdempotencyTable } from 'lambda-idempotency/cdk'
import { stores } from './stores.cjs'
import { durable, http, withMiddy, withoutMiddy } from './usage.cjs'

// CDK apps are CommonJS more often than not: the construct must load from require() too.
async function main(): Promise<void> {
  await withoutMiddy()
  await withMiddy()
  await http()
  await stores()
  await durable()
  const stack = new Stack(new App(), 'Smoke')
  const table = new IdempotencyTable(stack, 'Idempotency')
  if (typeof table.table.tableName !== 'string') throw new Error('smoke: the CDK construct has a table')
  console.log('cjs consumer: ok')
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
