import { fileURLToPath } from 'node:url'
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  ApplicationLogLevel,
  Architecture,
  type DurableConfig,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
} from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface PaymentFunctionProps {
  /** The handler module, relative to the repository root (`functions/create-payment.ts`). */
  readonly entry: string
  readonly description: string
  readonly memorySize: number
  readonly timeout: Duration
  readonly environment: Readonly<Record<string, string>>
  /** A durable function: its role is not given the checkpoint actions here (see infra/payouts.ts). */
  readonly durableConfig?: DurableConfig
}

/**
 * One sample Lambda: nodejs22.x on arm64, bundled here by the local esbuild (never Docker) into minified ESM with
 * a source map, JSON logs kept a month, and a role that may write only to its own log group. Table access is
 * granted by the caller, action by action.
 */
export function paymentFunction(scope: Construct, id: string, props: PaymentFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    // A month covers an incident noticed late without keeping request logs indefinitely.
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  })
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs ${props.entry}: its own log group, plus the table actions granted to it`,
  })
  role.addToPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  )

  const fn = new NodejsFunction(scope, id, {
    entry: `${REPO_ROOT}${props.entry}`,
    projectRoot: REPO_ROOT,
    depsLockFilePath: `${REPO_ROOT}package-lock.json`,
    description: props.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    durableConfig: props.durableConfig,
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel.INFO,
    systemLogLevelV2: SystemLogLevel.INFO,
    // Stack traces in the logs point at the TypeScript sources, through the bundled source map.
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    bundling: {
      forceDockerBundling: false,
      format: OutputFormat.ESM,
      target: 'node22',
      // The ESM builds of the SDK and Middy, so nothing CommonJS needs a `require` shim in the ESM output
      // (test/cdk/payments-bundle.test.ts fails if one appears).
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      // The sources live in this repository; leaving them out of the map keeps the upload small.
      sourcesContent: false,
      // Pin the SDK the package is tested with instead of whatever version the runtime ships that day.
      bundleAwsSDK: true,
    },
  })
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'nodejs22.x is the runtime the package is built and tested for (its engines and esbuild target); move to ' +
      'a newer runtime together with the test matrix, not ahead of it.',
  })
  return fn
}
