/**
 * The install sets: for each documented way to use the package, what a project installs besides it. The one
 * table: `npm run check:package` type-checks each set from the packed tarball with only these packages resolvable
 * (check-install-sets.ts), and docs/packaging.md shows the same lines (test/package/install-sets.unit.test.ts
 * checks both, and that every subpath package.json exports is in some set).
 */
export interface InstallSet {
  /** Names the set's consumer file, `consumer/sets/<id>.ts`. */
  readonly id: string
  /** What it is for, as the docs' table says it. */
  readonly use: string
  /** The subpaths (package.json `exports` keys) the consumer file imports. */
  readonly entryPoints: readonly string[]
  /** `npm install lambda-idempotency ...`: what the code needs at run time (and its types). */
  readonly install: readonly string[]
  /** `npm install -D ...`: what only compiling (type packages) or local runs need. */
  readonly installDev?: readonly string[]
}

/** Every set also has TypeScript and @types/node, as any TypeScript project for Lambda does. */
export const TOOLCHAIN = ['typescript', '@types/node'] as const

/** This repository's node_modules folder for an install spec that names a version npm installs under an alias. */
export const ALIASED: Readonly<Record<string, string>> = { '@middy/core@7': '@middy/core-7' }

/** `@middy/core@6` → `@middy/core`. */
export const packageName = (spec: string) => spec.replace(/(?<=.)@.*$/, '')

const SDK = '@aws-sdk/client-dynamodb'
const LAMBDA_TYPES = '@types/aws-lambda'

export const INSTALL_SETS: readonly InstallSet[] = [
  {
    id: 'root',
    use: 'a plain handler (`makeIdempotent`, `DynamoDBStore`), no Middy, no @types/aws-lambda',
    entryPoints: ['.'],
    install: [SDK],
  },
  {
    id: 'root-middy6',
    use: "the Middy 6 middleware (Middy 6's own types import @types/aws-lambda)",
    entryPoints: ['.'],
    install: [SDK, '@middy/core@6'],
    installDev: [LAMBDA_TYPES],
  },
  {
    id: 'root-middy7',
    use: "the Middy 7 middleware (ESM only; Middy 7's own types import the durable SDK and @types/aws-lambda)",
    entryPoints: ['.'],
    install: [SDK, '@middy/core@7', '@aws/durable-execution-sdk-js'],
    installDev: [LAMBDA_TYPES],
  },
  {
    id: 'http',
    use: 'API Gateway and function URLs: its event types are those of @types/aws-lambda',
    entryPoints: ['.', './http'],
    install: [SDK],
    installDev: [LAMBDA_TYPES],
  },
  {
    id: 'events',
    use: 'SQS, Kinesis, Kafka, DynamoDB Streams and S3 batches: their event types are those of @types/aws-lambda',
    entryPoints: ['.', './events'],
    install: [SDK],
    installDev: [LAMBDA_TYPES],
  },
  {
    id: 'dynamodb',
    use: 'own writes in lib-dynamodb’s plain values (`documentWrites`), a DocumentClient for the store',
    entryPoints: ['.', './dynamodb'],
    install: [SDK, '@aws-sdk/lib-dynamodb', '@aws-sdk/util-dynamodb'],
  },
  {
    id: 'durable',
    use: "Lambda durable functions (the durable SDK's own types import @types/aws-lambda)",
    entryPoints: ['.', './durable'],
    install: [SDK, '@aws/durable-execution-sdk-js', '@aws-sdk/client-lambda'],
    installDev: [LAMBDA_TYPES],
  },
  {
    id: 'postgres',
    use: 'the PostgreSQL store (it takes your pool and imports none of pg itself)',
    entryPoints: ['.', './postgres'],
    install: [SDK, 'pg'],
    installDev: ['@types/pg'],
  },
  {
    id: 'store',
    use: 'a store of your own, or a tool that reads records',
    entryPoints: ['.', './store'],
    install: [SDK],
  },
  {
    id: 'testing',
    use: 'tests: the store contract, DynamoDB Local (needs Java 17+) and a table per test file',
    entryPoints: ['.', './testing'],
    install: [SDK],
    installDev: ['amplify-dynamodb-simulator'],
  },
  {
    id: 'cdk',
    use: 'the CDK app: `IdempotencyTable`, the dashboard (no AWS SDK needed)',
    entryPoints: ['./cdk'],
    install: [],
    installDev: ['aws-cdk-lib', 'constructs'],
  },
  {
    id: 'pipelines',
    use: 'a re-runnable job (`pipelineJob`); no backend, no AWS SDK',
    entryPoints: ['./pipelines'],
    install: [],
  },
  {
    id: 'pipelines-dynamodb',
    use: 'pipeline runs and writes on DynamoDB',
    entryPoints: ['./pipelines', './pipelines/dynamodb'],
    install: [SDK, '@aws-sdk/lib-dynamodb'],
  },
  {
    id: 'pipelines-postgres',
    use: 'pipeline runs and writes on PostgreSQL',
    entryPoints: ['./pipelines', './pipelines/postgres'],
    install: ['pg'],
    installDev: ['@types/pg'],
  },
  {
    id: 'pipelines-s3',
    use: "pipeline output on S3 (the job's runs recorded by the DynamoDB or PostgreSQL line's store)",
    entryPoints: ['./pipelines/s3'],
    install: ['@aws-sdk/client-s3'],
  },
]

/** The entry points as a reader writes them: `lambda-idempotency`, `lambda-idempotency/http`. */
export const importPath = (subpath: string) =>
  subpath === '.' ? 'lambda-idempotency' : `lambda-idempotency/${subpath.slice(2)}`

/** The set's install commands, as docs/packaging.md shows them. */
export function installLines(set: InstallSet): string[] {
  const lines = [['npm install lambda-idempotency', ...set.install].join(' ')]
  if (set.installDev?.length) lines.push(['npm install -D', ...set.installDev].join(' '))
  return lines
}
