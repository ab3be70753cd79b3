import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SNSEvent } from 'aws-lambda';
import { matchRoute } from '../../lambda/http/route-table';
import { proxyEvent } from '../../local/proxy-event';

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Concrete path under the stage, e.g. `/executes/abc`. */
  path: string;
  body?: unknown;
  rawBody?: string | null;
  query?: Record<string, string>;
  apiKeyId?: string | null;
}

/** The event API Gateway's Lambda proxy integration sends for a call on stage `prod`. */
export function apiEvent(call: ApiCall): APIGatewayProxyEvent {
  const matched = matchRoute(call.method, call.path);
  if (!matched) throw new Error(`no route for ${call.method} ${call.path}`);
  const body =
    call.rawBody !== undefined ? call.rawBody : call.body === undefined ? null : JSON.stringify(call.body);
  return proxyEvent({
    method: call.method,
    path: call.path,
    route: matched.route,
    pathParameters: matched.pathParameters,
    headers: { 'content-type': 'application/json', 'x-api-key': 'test-key-value', 'user-agent': 'vitest' },
    query: new URLSearchParams(call.query ?? {}),
    body,
    stage: 'prod',
    requestId: randomUUID(),
    apiKey: 'test-key-value',
    apiKeyId: call.apiKeyId === undefined ? 'key-id-a' : call.apiKeyId,
    sourceIp: '127.0.0.1',
  });
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The parsed body of a proxy result. */
export function bodyOf(result: APIGatewayProxyResult): any {
  // ComfyUI's routes answer some calls with no body at all (POST /interrupt, a /view redirect).
  return result.body === '' ? '' : JSON.parse(result.body);
}

/** SNS → Lambda event carrying one SageMaker notification (sagemaker-async.md §4.4). */
export function snsEvent(message: unknown): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:comfy-done:6f0c',
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:comfy-done',
          Subject: '',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'sig',
          SigningCertUrl: 'https://sns.example/cert.pem',
          UnsubscribeUrl: 'https://sns.example/unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
