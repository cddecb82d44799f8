import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib'
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { AccountRecovery, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'

export interface PaymentsApiProps {
  readonly createPayment: IFunction
  readonly getPayment: IFunction
  readonly createPayout: IFunction
  readonly getOperation: IFunction
}

/**
 * Steady requests per second across the API. The sample's traffic is a person with curl; the cap bounds the
 * bill (and the simulated gateway's ledger) if a token leaks. Raise it for real load.
 */
const THROTTLE_RATE_PER_SECOND = 50
/** Requests allowed in a burst above the rate: enough for the demo's 50-way duplicate burst to get through. */
const THROTTLE_BURST = 100

/**
 * The HTTP API in front of the payment functions. Every route needs a JWT from the stack's own Cognito user
 * pool; the functions read the caller from its `sub` claim, which scopes idempotency keys per user.
 */
export class PaymentsApi extends Construct {
  readonly url: string
  readonly userPool: UserPool
  readonly userPoolClient: UserPoolClient

  constructor(scope: Construct, id: string, props: PaymentsApiProps) {
    super(scope, id)
    this.userPool = new UserPool(this, 'Users', {
      // Users are created by an administrator (see functions/README.md), never by strangers on the internet.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      accountRecovery: AccountRecovery.NONE,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        // A day to replace the temporary password an administrator sets.
        tempPasswordValidity: Duration.days(1),
      },
      // Sample users only: they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    })
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Sample pool for trying the API from a terminal: MFA would make functions/README.md\'s "get a token with the AWS ' +
        'CLI" step an authenticator enrolment. Require MFA before real customers use a pool like this.',
    })
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is paid; the sample stays on Essentials and admits only ' +
        'users an administrator created.',
    })
    this.userPoolClient = this.userPool.addClient('Cli', {
      // A public client: functions/README.md signs in with `aws cognito-idp initiate-auth`, which cannot hold a secret.
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      // An hour: long enough for a session of curl, short enough that a leaked token soon stops working.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    })

    const authorizer = new HttpUserPoolAuthorizer('Jwt', this.userPool, {
      userPoolClients: [this.userPoolClient],
    })
    const api = new HttpApi(this, 'Http', {
      description: 'Sample payments API protected by lambda-idempotency',
      createDefaultStage: false,
    })
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: THROTTLE_RATE_PER_SECOND, burstLimit: THROTTLE_BURST },
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          // Access logs carry no headers or bodies, so neither tokens nor Idempotency-Keys are written.
          new LogGroup(this, 'AccessLogs', {
            retention: RetentionDays.ONE_MONTH,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
      },
    })
    api.addRoutes({
      path: '/payments',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('CreatePayment', props.createPayment),
      authorizer,
    })
    api.addRoutes({
      path: '/payments/{paymentId}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetPayment', props.getPayment),
      authorizer,
    })
    api.addRoutes({
      path: '/payouts',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('CreatePayout', props.createPayout),
      authorizer,
    })
    api.addRoutes({
      path: '/operations/{id}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetOperation', props.getOperation),
      authorizer,
    })
    this.url = stage.url
  }
}
