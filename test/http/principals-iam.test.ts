import { beforeAll, describe, it } from 'vitest'
import { DynamoDBStore } from '../../lib/index.js'
import { createIdempotencyTestTable, testDynamoDBClient } from '../support/dynamodb.js'
import {
  assumedRoleArn,
  functionUrlWith,
  httpApiV1With,
  httpApiWith,
  IDENTITY_POOL_ROLE_ARN,
  iamAuthorizer,
  iamIdentity,
  iamUserArn,
  restWith,
} from '../support/http-auth-events.js'
import { wrappers } from '../support/http-harness.js'
import { expectKeptApart, type TwoCallers } from '../support/two-callers.js'

const client = testDynamoDBClient()
let store: DynamoDBStore

beforeAll(async () => {
  store = new DynamoDBStore({
    tableName: await createIdempotencyTestTable(client, 'http-principal-iam'),
    client,
  })
})

const ALICE_ID = 'eu-west-1:0f4c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b'
const MALLORY_ID = 'eu-west-1:9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b'

/** IAM callers each source must tell apart; the comments say what the old default (the caller ARN) confused. */
const iamCallers: [string, TwoCallers][] = [
  [
    // Both assume the identity pool's one role: the old default read the shared role ARN for both.
    'a function URL with IAM auth, two users of one Cognito identity pool',
    {
      alice: (spec) =>
        functionUrlWith(spec, {
          authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE_ID }),
        }),
      mallory: (spec) =>
        functionUrlWith(spec, {
          authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: MALLORY_ID }),
        }),
    },
  ],
  [
    'an HTTP API with IAM auth, two users of one Cognito identity pool',
    {
      alice: (spec) =>
        httpApiWith(spec, { authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE_ID }) }),
      mallory: (spec) =>
        httpApiWith(spec, { authorizer: iamAuthorizer(IDENTITY_POOL_ROLE_ARN, { identityId: MALLORY_ID }) }),
    },
  ],
  [
    'a REST API with IAM auth, two users of one Cognito identity pool',
    {
      alice: (spec) =>
        restWith(spec, { identity: iamIdentity(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE_ID }) }),
      mallory: (spec) =>
        restWith(spec, { identity: iamIdentity(IDENTITY_POOL_ROLE_ARN, { identityId: MALLORY_ID }) }),
    },
  ],
  [
    'an HTTP API payload 1.0 with IAM auth, a signed-in user and a guest of one identity pool',
    {
      alice: (spec) =>
        httpApiV1With(spec, { identity: iamIdentity(IDENTITY_POOL_ROLE_ARN, { identityId: ALICE_ID }) }),
      mallory: (spec) =>
        httpApiV1With(spec, {
          identity: iamIdentity(IDENTITY_POOL_ROLE_ARN, { identityId: MALLORY_ID, authenticated: false }),
        }),
    },
  ],
  [
    'a function URL with IAM auth, two sessions of one assumed role',
    {
      alice: (spec) =>
        functionUrlWith(spec, { authorizer: iamAuthorizer(assumedRoleArn('PartnerAccess', 'alice')) }),
      mallory: (spec) =>
        functionUrlWith(spec, { authorizer: iamAuthorizer(assumedRoleArn('PartnerAccess', 'mallory')) }),
    },
  ],
  [
    'a REST API with IAM auth, two sessions of one assumed role',
    {
      alice: (spec) => restWith(spec, { identity: iamIdentity(assumedRoleArn('PartnerAccess', 'alice')) }),
      mallory: (spec) =>
        restWith(spec, { identity: iamIdentity(assumedRoleArn('PartnerAccess', 'mallory')) }),
    },
  ],
  [
    'an HTTP API with IAM auth, two IAM users',
    {
      alice: (spec) => httpApiWith(spec, { authorizer: iamAuthorizer(iamUserArn('alice')) }),
      mallory: (spec) => httpApiWith(spec, { authorizer: iamAuthorizer(iamUserArn('mallory')) }),
    },
  ],
]

describe.each(wrappers)('two IAM callers on one key %s, on DynamoDB Local', (_path, wrap) => {
  it.each(iamCallers)("keeps Mallory from Alice's answer: %s", async (_name, callers) => {
    await expectKeptApart(wrap, { store }, callers)
  })
})
