import { endpointRoleStatements } from '../../lib/constructs/endpoint-role-statements';
import type { Principal } from './access-denied';
import { resolvedStatements } from './local-policies';
import type { ArnScope } from './sdk-call';

/**
 * The endpoint's execution role as IAM sees it locally: the statements the CDK app gives it
 * (lib/constructs/endpoint-role-statements.ts) for the resources the container's environment names.
 */
export function endpointRolePrincipal(env: Record<string, string | undefined>, scope: ArnScope): Principal {
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${scope.region}:${scope.account}:${resource}`;
  return {
    name: 'endpoint-container',
    // SageMaker assumes the execution role in a session it names SageMaker.
    sessionArn: `arn:aws:sts::${scope.account}:assumed-role/comfy-exec-local-endpoint-role/SageMaker`,
    statements: resolvedStatements(
      endpointRoleStatements({
        endpointName: env.ENDPOINT_NAME ?? 'comfy-exec-local-unset',
        bucketArn: `arn:aws:s3:::${env.BUCKET_NAME}`,
        tableArn: arn('dynamodb', `table/${env.TABLE_NAME}`),
        // The notifications are SageMaker's, not the container's: these only fill the statements.
        successTopicArn: arn('sns', 'comfy-exec-local-success'),
        errorTopicArn: arn('sns', 'comfy-exec-local-error'),
        topicKeyArn: arn('kms', 'key/comfy-exec-local'),
        inputBuckets: (env.INPUT_BUCKETS ?? '').split(',').filter(Boolean),
      }),
      scope,
    ),
  };
}
