import { App, RemovalPolicy, Stack } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { BillingMode } from 'aws-cdk-lib/aws-dynamodb'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Key } from 'aws-cdk-lib/aws-kms'
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda'
import { describe, expect, it } from 'vitest'
import { IDEMPOTENCY_KEY_ACTIONS, IDEMPOTENCY_STORE_ACTIONS, IdempotencyTable } from '../../lib/cdk/index.js'
import {
  IDEMPOTENCY_PARTITION_KEY,
  IDEMPOTENCY_TABLE_ENV,
  IDEMPOTENCY_TTL_ATTRIBUTE,
} from '../../lib/dynamodb/schema.js'
import { policyActions } from '../support/cdk-template.js'

function stackWithTable(
  build: (stack: Stack) => IdempotencyTable = (stack) => new IdempotencyTable(stack, 'Idem'),
) {
  const stack = new Stack(new App(), 'Test')
  const table = build(stack)
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
  return { stack, table, role }
}

const tableOf = (stack: Stack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'))

describe('IdempotencyTable defaults', () => {
  const { stack } = stackWithTable()
  const template = Template.fromStack(stack)

  it('keys the table on the partition key the runtime store writes, as a string', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_PARTITION_KEY, AttributeType: 'S' }],
    })
  })

  it('lets DynamoDB TTL read the attribute in which the runtime stores the retention end', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE, Enabled: true },
    })
    expect(IDEMPOTENCY_TTL_ATTRIBUTE).toBe('expiresAt')
  })

  it('bills on demand, keeps point-in-time recovery, and resists deletion twice over', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    })
  })

  it('encrypts with the AWS-managed key, naming no customer key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      // SSEEnabled with no key id is DynamoDB's spelling of the AWS-managed key (aws/dynamodb).
      SSESpecification: Match.objectEquals({ SSEEnabled: true }),
    })
    expect(template.findResources('AWS::KMS::Key')).toEqual({})
  })
})

describe('IdempotencyTable options', () => {
  it('encrypts with a customer-managed key when given one', () => {
    const { stack } = stackWithTable(
      (s) => new IdempotencyTable(s, 'Idem', { encryptionKey: new Key(s, 'Key') }),
    )
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      },
    })
  })

  it('honours opting out of each safety default', () => {
    const { stack } = stackWithTable(
      (s) =>
        new IdempotencyTable(s, 'Idem', {
          tableName: 'idempotency',
          billingMode: BillingMode.PROVISIONED,
          pointInTimeRecovery: false,
          deletionProtection: false,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
    )
    const [table] = tableOf(stack)
    expect(table).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: {
        TableName: 'idempotency',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        DeletionProtectionEnabled: false,
        ProvisionedThroughput: expect.any(Object),
      },
    })
    expect(table?.Properties.BillingMode).not.toBe('PAY_PER_REQUEST')
  })
})

describe('IdempotencyTable grants', () => {
  it('grants exactly the store actions, on this table only, and no wildcard', () => {
    const { stack, table, role } = stackWithTable()
    table.grantIdempotency(role)
    const statements = policyActions(Template.fromStack(stack))
    expect(statements).toEqual([
      {
        actions: [...IDEMPOTENCY_STORE_ACTIONS].sort(),
        resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^IdemTable/), 'Arn'] }],
      },
    ])
  })

  it('adds use of the customer-managed key, scoped to that key', () => {
    const { stack, table, role } = stackWithTable(
      (s) => new IdempotencyTable(s, 'Idem', { encryptionKey: new Key(s, 'Key') }),
    )
    table.grantIdempotency(role)
    expect(policyActions(Template.fromStack(stack))).toContainEqual({
      actions: [...IDEMPOTENCY_KEY_ACTIONS].sort(),
      resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] }],
    })
  })

  it('connect() sets the variable DynamoDBStore reads and grants the function the same actions', () => {
    const { stack, table } = stackWithTable()
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('export const handler = async () => {}'),
    })
    table.connect(fn)
    const template = Template.fromStack(stack)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [IDEMPOTENCY_TABLE_ENV]: { Ref: Match.stringLikeRegexp('^IdemTable') } } },
    })
    expect(policyActions(template).flatMap((s) => s.actions)).toEqual([...IDEMPOTENCY_STORE_ACTIONS].sort())
  })

  it('grants on an imported table by its name, with the same actions', () => {
    const stack = new Stack(new App(), 'Test')
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
    const imported = IdempotencyTable.fromTableName(stack, 'Imported', 'existing-idempotency')
    imported.grantIdempotency(role)
    const [statement] = policyActions(Template.fromStack(stack))
    expect(statement?.actions).toEqual([...IDEMPOTENCY_STORE_ACTIONS].sort())
    expect(JSON.stringify(statement?.resources)).toContain(':table/existing-idempotency')
    expect(imported.tableName).toBe('existing-idempotency')
  })
})
