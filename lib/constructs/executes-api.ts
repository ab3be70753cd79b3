import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKeySourceType,
  Cors,
  EndpointType,
  type IApiKey,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BINARY_MEDIA_TYPES } from '../../lambda/http/binary-media';
import { type HttpHandlerName, ROUTES } from '../../lambda/http/route-table';

export interface ExecutesApiProps {
  /** The function behind each route-table handler. */
  readonly handlers: Record<HttpHandlerName, IFunction>;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly quotaPerDay: number;
  readonly logRetention: RetentionDays;
}

/** ESD's gateway error bodies (esd-executes-api.md §4): `{message, requestId}`; validation 400s add statusCode. */
const GATEWAY_RESPONSES: [ResponseType, string][] = [
  [
    ResponseType.BAD_REQUEST_BODY,
    '{"statusCode":400,"message":$context.error.validationErrorString,"requestId":"$context.extendedRequestId"}',
  ],
  [
    ResponseType.BAD_REQUEST_PARAMETERS,
    '{"statusCode":400,"message":$context.error.validationErrorString,"requestId":"$context.extendedRequestId"}',
  ],
  [
    ResponseType.DEFAULT_4XX,
    '{"message":$context.error.messageString,"requestId":"$context.extendedRequestId"}',
  ],
  [
    ResponseType.DEFAULT_5XX,
    '{"message":$context.error.messageString,"requestId":"$context.extendedRequestId"}',
  ],
];

/**
 * The REST API, stage `prod`, built from the route table the local gateway also serves: every
 * method needs the API key (a usage plan with throttling and a quota), CORS preflight does not;
 * path parameters validated at the gateway, access logs, execution logs and X-Ray tracing.
 */
export class ExecutesApi extends Construct {
  readonly api: RestApi;
  readonly apiKeyId: string;
  /** The one key; the websocket's `$connect` requires it too. */
  readonly apiKey: IApiKey;
  /** Another key added to it (and to the websocket's) is another owner: see README "API keys". */
  readonly usagePlanId: string;

  constructor(scope: Construct, id: string, props: ExecutesApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'comfy-exec: ComfyUI executes API (ESD-compatible)',
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER,
      // ComfyUI's multipart uploads reach the function intact, base64-encoded.
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      deployOptions: {
        stageName: 'prod',
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowMethods: Cors.ALL_METHODS,
        allowHeaders: ['*'],
      },
    });
    for (const [type, template] of GATEWAY_RESPONSES) {
      this.api.addGatewayResponse(`Response${type.responseType}`, {
        type,
        templates: { 'application/json': template },
      });
    }
    // Path parameters are checked here; bodies have no gateway models (the handlers answer with
    // ESD's own messages), so body validation has nothing to reject.
    const parameters = new RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integrations = new Map<HttpHandlerName, LambdaIntegration>();
    for (const route of ROUTES) {
      const resource = route.path
        .split('/')
        .filter(Boolean)
        .reduce<IResource>(
          (parent, part) => parent.getResource(part) ?? parent.addResource(part),
          this.api.root,
        );
      // Each function is invoked under one permission for this API (`{api}/*/*/*`), not one per
      // method: ComfyUI's routes alone are dozens (bare and under /api), and per-method permissions
      // took the control plane to 450 of CloudFormation's 500 resources a stack. The API invokes a
      // function only for the methods integrated with it, and nothing else may use the permission.
      const integration =
        integrations.get(route.handler) ??
        new LambdaIntegration(props.handlers[route.handler], { scopePermissionToMethod: false });
      integrations.set(route.handler, integration);
      const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(
        ([, name]) => [`method.request.path.${name}`, true] as const,
      );
      resource.addMethod(route.method, integration, {
        // A browser token's route: an `<img src>` sends no key; its handler checks the token.
        apiKeyRequired: route.auth !== 'token',
        operationName: route.operationId,
        ...(pathParameters.length > 0
          ? { requestParameters: Object.fromEntries(pathParameters), requestValidator: parameters }
          : {}),
      });
    }
    const key = this.api.addApiKey('ApiKey', {
      description: 'comfy-exec API key (its id is the owner of what it creates)',
    });
    const plan = this.api.addUsagePlan('UsagePlan', {
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      quota: { limit: props.quotaPerDay, period: Period.DAY },
    });
    plan.addApiKey(key);
    plan.addApiStage({ stage: this.api.deploymentStage });
    this.apiKeyId = key.keyId;
    this.apiKey = key;
    this.usagePlanId = plan.usagePlanId;
  }
}
