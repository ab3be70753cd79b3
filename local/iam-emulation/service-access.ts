import type { AccessRequest } from './policy-evaluator';
import { type ArnScope, field, operationOf, type SdkCall, UnmappedCallError } from './sdk-call';

const arn = (scope: ArnScope, service: string, resource: string) =>
  `arn:aws:${service}:${scope.region}:${scope.account}:${resource}`;

/** SageMaker names endpoints in ARNs in lower case. */
export function sageMakerAccess(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call);
  switch (operation) {
    case 'InvokeEndpoint':
    case 'InvokeEndpointAsync':
    case 'DescribeEndpoint': {
      const name = field(call, 'EndpointName').toLowerCase();
      return [{ action: `sagemaker:${operation}`, resource: arn(scope, 'sagemaker', `endpoint/${name}`) }];
    }
    case 'DescribeEndpointConfig': {
      const name = field(call, 'EndpointConfigName').toLowerCase();
      return [
        { action: `sagemaker:${operation}`, resource: arn(scope, 'sagemaker', `endpoint-config/${name}`) },
      ];
    }
    default:
      throw new UnmappedCallError(call);
  }
}

/** Logs Insights: StartQuery on each log group queried (`log-group:NAME:*`); results have no resource. */
export function logsAccess(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call);
  if (operation === 'GetQueryResults' || operation === 'StopQuery')
    return [{ action: `logs:${operation}`, resource: '*' }];
  if (operation !== 'StartQuery') throw new UnmappedCallError(call);
  const groups = [
    ...(typeof call.input.logGroupName === 'string' ? [call.input.logGroupName] : []),
    ...((call.input.logGroupNames as string[] | undefined) ?? []),
    ...((call.input.logGroupIdentifiers as string[] | undefined) ?? []),
  ];
  if (groups.length === 0) throw new UnmappedCallError(call, 'no log group in its input');
  return groups.map((group) => ({
    action: 'logs:StartQuery',
    resource: group.startsWith('arn:')
      ? `${group.replace(/:\*$/, '')}:*`
      : arn(scope, 'logs', `log-group:${group}:*`),
  }));
}

/** SQS: the action of the operation's name (a batch is its single action) on the queue's ARN. */
export function sqsAccess(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call).replace(/Batch$/, '');
  const queue =
    operation === 'GetQueueUrl'
      ? field(call, 'QueueName')
      : (new URL(field(call, 'QueueUrl')).pathname.split('/').pop() ?? '');
  return [{ action: `sqs:${operation}`, resource: arn(scope, 'sqs', queue) }];
}

/**
 * Secrets Manager: the action of the operation's name on the secret's ARN. A secret's ARN ends in
 * a random `-XXXXXX` the caller never names, which is why policies grant `secret:name*`.
 */
export function secretsAccess(call: SdkCall, scope: ArnScope): AccessRequest[] {
  const operation = operationOf(call);
  const id = field(call, operation === 'CreateSecret' ? 'Name' : 'SecretId');
  const resource = id.startsWith('arn:') ? id : arn(scope, 'secretsmanager', `secret:${id}-Local0`);
  return [{ action: `secretsmanager:${operation}`, resource }];
}

/**
 * API Gateway's management API: execute-api:ManageConnections on `apiId/stage/METHOD/@connections/id`,
 * from the signed request (POST to send, GET to describe, DELETE to close).
 */
export function socketManagementAccess(apiId: string) {
  return (call: SdkCall, scope: ArnScope): AccessRequest[] => {
    const request = call.request;
    const match = request && /^\/([^/]+)\/@connections\/([^/]+)$/.exec(request.path);
    if (!request || !match) throw new UnmappedCallError(call, `no @connections path in ${request?.path}`);
    const [, stage, connection] = match;
    return [
      {
        action: 'execute-api:ManageConnections',
        resource: arn(
          scope,
          'execute-api',
          `${apiId}/${stage}/${request.method}/@connections/${decodeURIComponent(connection!)}`,
        ),
      },
    ];
  };
}
