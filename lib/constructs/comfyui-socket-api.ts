import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat, type IApiKey } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  UsagePlan,
  WebSocketApi,
  WebSocketApiKeySelectionExpression,
  WebSocketRoute,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AttributeType,
  BillingMode,
  type ITable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CONNECTION_TABLE } from '../../lambda/adapters/connection-table';
import { orderedStreamSource } from './stream-reading';

export interface ComfyUiSocketApiProps {
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logRetention: RetentionDays;
}

export interface SocketFunctions {
  /** `$connect`, `$disconnect` and `$default`. */
  readonly socket: IFunction;
  /** `$connect`'s authorizer: names the key API Gateway checks (a browser token's, or x-api-key's). */
  readonly authorizer: IFunction;
  /** Fed by the executes and connections tables' streams. */
  readonly events: IFunction;
  readonly executesTable: ITable;
  /** The key `$connect` requires: the executes API's own. */
  readonly apiKey: IApiKey;
  /** Stream batches that failed every retry. */
  readonly deadLetters: IQueue;
}

/**
 * ComfyUI's websocket as an API Gateway WebSocket API (stage `prod`): `$connect` requires the
 * API key (the REST API's key through a usage plan of its own), taken from its authorizer's
 * answer: the x-api-key header, or the key a browser token (`?token=`) carries, since browsers
 * cannot set a header on a WebSocket. Connections live in a
 * DynamoDB table with a TTL, and the executes table's stream, read in order by one function,
 * becomes ComfyUI's messages posted through the stage's management API.
 */
export class ComfyUiSocketApi extends Construct {
  readonly connections: Table;
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** Set by connect(): the websocket's usage plan, which every API key must be in too. */
  usagePlanId?: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ComfyUiSocketApiProps,
  ) {
    super(scope, id);
    this.connections = new Table(this, 'Connections', {
      partitionKey: { name: CONNECTION_TABLE.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: CONNECTION_TABLE.ttlAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Open connections only: nothing here outlives two hours.
      removalPolicy: RemovalPolicy.DESTROY,
      stream: StreamViewType.NEW_IMAGE,
    });
    this.connections.addGlobalSecondaryIndex({
      indexName: CONNECTION_TABLE.byOwner.indexName,
      partitionKey: { name: CONNECTION_TABLE.byOwner.partitionKey, type: AttributeType.STRING },
    });
    this.api = new WebSocketApi(this, 'Api', {
      description: "comfy-exec: ComfyUI's websocket (/ws) for ComfyUI clients",
      apiKeySelectionExpression: WebSocketApiKeySelectionExpression.AUTHORIZER_USAGE_IDENTIFIER_KEY,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: 'prod',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', {
            retention: props.logRetention,
            removalPolicy: RemovalPolicy.DESTROY,
          }),
        ),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            connectionId: '$context.connectionId',
            routeKey: '$context.routeKey',
            eventType: '$context.eventType',
            status: '$context.status',
            apiKeyId: '$context.identity.apiKeyId',
            sourceIp: '$context.identity.sourceIp',
            error: '$context.error.message',
            integrationError: '$context.integration.error',
          }),
        ),
      },
    });
  }

  /** `https://…/prod`: where the functions post messages (API Gateway's `@connections`). */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  /** The routes, the key's usage plan, and the streams feeding the events function. */
  connect(functions: SocketFunctions): void {
    const integration = new WebSocketLambdaIntegration('Socket', functions.socket);
    new WebSocketRoute(this, 'ConnectRoute', {
      webSocketApi: this.api,
      routeKey: '$connect',
      integration,
      apiKeyRequired: true,
      authorizer: new WebSocketLambdaAuthorizer('ConnectAuthorizer', functions.authorizer, {
        // Either credential may be absent, and an absent identity source refuses without asking
        // the authorizer: Host is in every upgrade, so the authorizer always decides.
        identitySource: ['route.request.header.Host'],
      }),
    });
    this.api.addRoute('$disconnect', { integration });
    this.api.addRoute('$default', { integration });
    const plan = new UsagePlan(this, 'UsagePlan', {
      apiStages: [{ api: this.api, stage: this.stage }],
      throttle: { rateLimit: this.props.throttleRateLimit, burstLimit: this.props.throttleBurstLimit },
    });
    plan.addApiKey(functions.apiKey);
    this.usagePlanId = plan.usagePlanId;
    for (const table of [functions.executesTable, this.connections]) {
      functions.events.addEventSource(
        // A message older than an hour would only confuse a client that has moved on.
        orderedStreamSource(table, { deadLetters: functions.deadLetters, maxRecordAge: Duration.hours(1) }),
      );
    }
  }
}
