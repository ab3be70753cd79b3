import { dynamoDbAccess } from './dynamodb-access';
import type { AccessRequest } from './policy-evaluator';
import { s3Access } from './s3-access';
import type { AccessMapper, ArnScope, SdkCall } from './sdk-call';
import { UnmappedCallError } from './sdk-call';
import {
  logsAccess,
  sageMakerAccess,
  secretsAccess,
  socketManagementAccess,
  sqsAccess,
} from './service-access';

/**
 * What IAM authorizes for each SDK call, by the client that makes it. A client not listed here
 * is refused (fail closed): a new AWS service in the handlers needs its mapping first.
 */
export function accessRequests(call: SdkCall, scope: ArnScope & { socketApiId: string }): AccessRequest[] {
  const mappers: Record<string, AccessMapper> = {
    DynamoDBClient: dynamoDbAccess,
    S3Client: s3Access,
    SageMakerRuntimeClient: sageMakerAccess,
    SageMakerClient: sageMakerAccess,
    CloudWatchLogsClient: logsAccess,
    SQSClient: sqsAccess,
    SecretsManagerClient: secretsAccess,
    ApiGatewayManagementApiClient: socketManagementAccess(scope.socketApiId),
  };
  const mapper = mappers[call.clientName];
  if (!mapper) throw new UnmappedCallError(call, `no IAM mapping is emulated for ${call.clientName}`);
  return mapper(call, scope);
}
