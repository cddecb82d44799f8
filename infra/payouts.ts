import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import type { Table } from 'aws-cdk-lib/aws-dynamodb'
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { Alias } from 'aws-cdk-lib/aws-lambda'
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs'
import { Construct, type IConstruct } from 'constructs'
import { PAYOUT_EXECUTION_TIMEOUT_SECONDS } from '../functions/handlers/payout-workflow.js'
import { BANK_LEDGER_PARTITION_KEY, PAYMENTS_ENV, PAYOUTS_PARTITION_KEY } from '../functions/shared/tables.js'
import type { IdempotencyTable } from '../lib/cdk/index.js'
import { paymentFunction } from './payment-function.js'
import { sampleTable } from './sample-table.js'

/**
 * 14 days: Lambda remembers an execution's name (and so answers GET /operations/{id}) that long after it ends,
 * past the idempotency record's 24 h, so a client polling a finished payout late still finds it.
 */
const EXECUTION_RETENTION = Duration.days(14)

export interface PayoutsProps {
  readonly idempotency: IdempotencyTable
}

/**
 * The payout half of the sample: POST /payouts (202) starts a durable execution of the payout workflow on its
 * `live` alias, named after the caller's scoped key; GET /operations/{id} reads it back for its owner. The
 * workflow holds its claim in the idempotency table, writes the payouts table and pays through the simulated
 * bank's ledger. No dispatcher: executions are started by the HTTP route, one per request key, not by an event
 * source mapping. Every role gets the actions its code calls, on the resources it calls them on.
 */
export class Payouts extends Construct {
  readonly payouts: Table
  readonly bankLedger: Table
  readonly workflow: NodejsFunction
  readonly live: Alias
  readonly createPayout: NodejsFunction
  readonly getOperation: NodejsFunction

  constructor(scope: Construct, id: string, props: PayoutsProps) {
    super(scope, id)
    const { idempotency } = props
    this.payouts = sampleTable(this, 'Table', PAYOUTS_PARTITION_KEY, {
      // Payouts are money: kept when the stack goes, like the payments.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    this.bankLedger = sampleTable(this, 'BankLedger', BANK_LEDGER_PARTITION_KEY, {
      // The simulated bank stands in for a third party's books: it goes with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    })

    this.workflow = paymentFunction(this, 'Workflow', {
      entry: 'functions/payout-workflow.ts',
      description: 'Durable payout: reserve, transfer once, wait for settlement, record',
      memorySize: 256,
      // One invocation runs a step or two between checkpoints; the settlement wait spends no invocation time.
      timeout: Duration.seconds(30),
      durableConfig: {
        executionTimeout: Duration.seconds(PAYOUT_EXECUTION_TIMEOUT_SECONDS),
        retentionPeriod: EXECUTION_RETENTION,
      },
      environment: {
        [PAYMENTS_ENV.payoutsTable]: this.payouts.tableName,
        [PAYMENTS_ENV.bankLedgerTable]: this.bankLedger.tableName,
      },
    })
    idempotency.connect(this.workflow)
    // The reservation is put (and read back when a re-run finds it); the paid status is an update.
    this.payouts.grant(this.workflow, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem')
    // The bank's conditional put of a transfer, and its counter of repeated calls.
    this.bankLedger.grant(this.workflow, 'dynamodb:PutItem', 'dynamodb:UpdateItem')
    // Executions pin the version they started on; the alias moves to each new version for new executions.
    this.live = new Alias(this, 'WorkflowLive', { aliasName: 'live', version: this.workflow.currentVersion })
    const executionsOfWorkflow = `${this.workflow.functionArn}:*`
    // A Policy beside the role, not its default policy: the function depends on its role, and this names the
    // function's ARN. Execution ARNs are `function:name:version/durable-execution/...`, matched by `name:*` only.
    const checkpoints = new Policy(this, 'WorkflowCheckpoints', {
      roles: [this.workflow.role as NonNullable<NodejsFunction['role']>],
      statements: [
        new PolicyStatement({
          actions: ['lambda:CheckpointDurableExecution', 'lambda:GetDurableExecutionState'],
          resources: [executionsOfWorkflow],
        }),
      ],
    })
    acknowledgeExecutionArns(
      checkpoints,
      this.workflow,
      'checkpoint and read the state of its own executions',
    )

    this.createPayout = paymentFunction(this, 'CreatePayout', {
      entry: 'functions/create-payout.ts',
      description: 'POST /payouts: 202, one durable payout per Idempotency-Key and caller',
      memorySize: 256,
      // One claim, one asynchronous Invoke, one completion: 10 s allows for a cold start and the SDK's retries.
      timeout: Duration.seconds(10),
      environment: { [PAYMENTS_ENV.payoutFunction]: this.live.functionArn },
    })
    idempotency.connect(this.createPayout)
    // LambdaDurableExecutions.start: an asynchronous Invoke of the alias, with the execution's name.
    this.createPayout.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.live.functionArn] }),
    )

    this.getOperation = paymentFunction(this, 'GetOperation', {
      entry: 'functions/get-operation.ts',
      description: 'GET /operations/{id}: a payout in progress or done, for its owner only',
      memorySize: 256,
      // Two reads of the Lambda API: 5 s allows for a cold start and the SDK's retries.
      timeout: Duration.seconds(5),
      environment: { [PAYMENTS_ENV.payoutFunction]: this.live.functionArn },
    })
    // LambdaDurableExecutions.get: find the name among the function's executions, then read that execution.
    this.getOperation.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:ListDurableExecutionsByFunction'],
        // The function, and the alias the list is asked again under when the plain one misses the name.
        resources: [this.workflow.functionArn, this.live.functionArn],
      }),
    )
    this.getOperation.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:GetDurableExecution'], resources: [executionsOfWorkflow] }),
    )
    acknowledgeExecutionArns(
      this.getOperation.role as IRole,
      this.workflow,
      'read the executions of the payout function',
    )
  }
}

/** cdk-nag flags the `:*` of execution ARNs; it is as narrow as Lambda's durable execution ARNs allow. */
function acknowledgeExecutionArns(scope: IConstruct, workflow: NodejsFunction, what: string): void {
  const logicalId = Stack.of(workflow).getLogicalId(workflow.node.defaultChild as CfnElement)
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    reason:
      `Lets the role ${what}: durable execution ARNs extend the function's ARN with a version and the ` +
      "execution's name and id, and version numbers change with every deployment, so the function's own ARN " +
      'followed by :* is the narrowest resource that matches them (AWS Lambda durable functions security guide).',
  })
}
