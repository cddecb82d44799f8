import type { TransactWriteItem } from '@aws-sdk/client-dynamodb'
import { App, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  DYNAMODB_PARTITIONS_ACTIONS,
  grantDynamoDBPartitions,
  IdempotencyTable,
  PIPELINE_JOB_STORE_ACTIONS,
} from '../../lib/cdk/index.js'
import { DynamoDBJobStore, dynamoDBPartitions } from '../../lib/pipelines/dynamodb/index.js'
import { PartitionBusyError, pipelineJob } from '../../lib/pipelines/index.js'
import { documentClient } from '../pipelines/support.js'
import { policyActions } from '../support/cdk-template.js'
import { createIdempotencyTestTable, createPkSkTestTable, testDynamoDBClient } from '../support/dynamodb.js'

/** IAM names each action inside TransactWriteItems by its own operation (test/cdk/store-actions.test.ts). */
const TRANSACT_ACTION_IAM = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
} as const

interface SentCommand {
  readonly name: string
  readonly input: Record<string, unknown>
}

function iamActionsOn(tableName: string, { name, input }: SentCommand): string[] {
  if (name === 'TransactWriteItemsCommand')
    return (input.TransactItems as TransactWriteItem[]).flatMap((item) =>
      Object.entries(item)
        .filter(([, action]) => (action as { TableName?: string }).TableName === tableName)
        .map(([kind]) => TRANSACT_ACTION_IAM[kind as keyof typeof TRANSACT_ACTION_IAM]),
    )
  const targets =
    input.TableName === tableName ||
    Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {}).includes(tableName)
  return targets ? [`dynamodb:${name.replace(/Command$/, '')}`] : []
}

describe('the pipeline grants match what a DynamoDB job really sends', () => {
  const client = testDynamoDBClient()
  const sent: SentCommand[] = []
  let jobsTable: string
  let reportsTable: string

  beforeAll(async () => {
    jobsTable = await createIdempotencyTestTable(client, 'pipeline-grant')
    reportsTable = await createPkSkTestTable(client, 'reports')
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: context.commandName as string, input: args.input as Record<string, unknown> })
        return next(args)
      },
      { step: 'initialize' },
    )
  })

  it('needs PIPELINE_JOB_STORE_ACTIONS on the job table and DYNAMODB_PARTITIONS_ACTIONS on the data table', async () => {
    const job = pipelineJob<{ rows: number }>({
      store: new DynamoDBJobStore({ tableName: jobsTable, client }),
      name: 'grants',
    })
    const totals = dynamoDBPartitions({
      client: documentClient(client),
      tableName: reportsTable,
      name: 'grants',
    })
    const replace =
      (rows: number, finish = true) =>
      async (run: Parameters<typeof totals.begin>[0]) => {
        const writer = await totals.begin(run)
        await writer.write(Array.from({ length: rows }, (_, index) => ({ sk: `row-${index}`, index })))
        if (!finish) throw new Error('crashed after writing')
        writer.publish()
        return { rows }
      }
    // Every path that sends something different: a first run, a replay, a forced re-run (which expires the
    // superseded rows), a run that throws (its claim released), a run that writes nothing of its own (a plain
    // completion), a refused concurrent claim, and the reader and the operator's sweep.
    await job.run({ partition: '2024-01-15' }, replace(30))
    await job.run({ partition: '2024-01-15' }, replace(30))
    await job.run({ partition: '2024-01-15', force: true }, replace(30))
    await expect(job.run({ partition: '2024-01-16' }, replace(3, false))).rejects.toThrow('crashed')
    await job.run({ partition: '2024-01-17' }, async () => ({ rows: 0 }))
    await job.run({ partition: '2024-01-18' }, async () => {
      await expect(job.run({ partition: '2024-01-18' }, replace(1))).rejects.toBeInstanceOf(
        PartitionBusyError,
      )
      return { rows: 0 }
    })
    expect((await totals.read('2024-01-15'))?.rows).toHaveLength(30)
    await totals.sweep('2024-01-16')

    const needed = (table: string) =>
      [...new Set(sent.flatMap((command) => iamActionsOn(table, command)))].sort()
    expect(needed(jobsTable)).toEqual([...PIPELINE_JOB_STORE_ACTIONS].sort())
    expect(needed(reportsTable)).toEqual([...DYNAMODB_PARTITIONS_ACTIONS].sort())
    expect(sent.map((command) => command.name)).toContain('TransactWriteItemsCommand')
  })
})

describe('grantPipelineJobs and grantDynamoDBPartitions', () => {
  const stack = new Stack(new App(), 'Grants')
  const idempotency = new IdempotencyTable(stack, 'Idempotency')
  const reports = new Table(stack, 'Reports', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
  })
  // An index the helper never reads: the grant must not reach it.
  reports.addGlobalSecondaryIndex({
    indexName: 'other',
    partitionKey: { name: 'x', type: AttributeType.STRING },
  })
  const role = new Role(stack, 'Job', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
  idempotency.grantPipelineJobs(role)
  grantDynamoDBPartitions(reports, role)
  const statements = policyActions(Template.fromStack(stack))
  const arnOf = (prefix: string) => ({
    'Fn::GetAtt': [
      Object.keys(Template.fromStack(stack).findResources('AWS::DynamoDB::Table')).find((id) =>
        id.startsWith(prefix),
      ),
      'Arn',
    ],
  })

  it('grants the job store only GetItem and UpdateItem on the idempotency table', () => {
    expect(statements).toContainEqual({
      actions: [...PIPELINE_JOB_STORE_ACTIONS].sort(),
      resources: [arnOf('Idempotency')],
    })
  })

  it('grants the partitions helper its four actions on the table alone, not its indexes', () => {
    expect(statements).toContainEqual({
      actions: [...DYNAMODB_PARTITIONS_ACTIONS].sort(),
      resources: [arnOf('Reports')],
    })
    expect(statements.flatMap((statement) => statement.actions)).not.toContain('dynamodb:Scan')
    expect(statements).toHaveLength(2)
  })
})
