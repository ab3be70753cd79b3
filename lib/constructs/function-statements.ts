import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EXECUTE_TABLE } from '../../lambda/adapters/execute-table';
import type { FunctionName } from '../../lambda/platform/env';
import { PAYLOAD_PREFIXES } from './payload-bucket';

export interface ControlPlaneResources {
  tableArn: string;
  bucketArn: string;
  endpointArn: string;
  endpointConfigArn: string;
  endpointName: string;
}

/**
 * Exactly what each function does, action by action (DESIGN.md: least privilege; no grant
 * helper's wildcard actions). Object ARNs end in `*` because keys are per execute.
 */
export function functionStatements(name: FunctionName, r: ControlPlaneResources): PolicyStatement[] {
  const table = (...actions: string[]) =>
    new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [r.tableArn] });
  const index = (indexName: string) =>
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${r.tableArn}/index/${indexName}`] });
  const objects = (actions: string[], ...prefixes: string[]) =>
    new PolicyStatement({
      actions: actions.map((a) => `s3:${a}`),
      resources: prefixes.map((p) => `${r.bucketArn}/${p}*`),
    });
  const { executes, asyncInference } = PAYLOAD_PREFIXES;
  switch (name) {
    case 'create-execute':
      return [
        table('GetItem', 'PutItem', 'UpdateItem'),
        objects(['PutObject', 'DeleteObject'], executes),
        // The endpoint's node catalog, published by its container.
        objects(['GetObject'], PAYLOAD_PREFIXES.endpoints),
        new PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: [r.endpointArn] }),
      ];
    case 'get-execute':
      return [table('GetItem'), objects(['GetObject'], executes)];
    case 'list-executes':
      return [
        index(EXECUTE_TABLE.byOwner.indexName),
        index(EXECUTE_TABLE.byOwnerStatus.indexName),
        objects(['GetObject'], executes),
      ];
    case 'delete-executes':
      return [
        table('GetItem', 'DeleteItem'),
        objects(['DeleteObject'], executes),
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [r.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${executes}*`] } },
        }),
      ];
    case 'cancel-execute':
      return [table('GetItem', 'UpdateItem')];
    case 'get-execute-logs':
      return [
        table('GetItem'),
        new PolicyStatement({
          actions: ['logs:StartQuery'],
          resources: [
            `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${r.endpointName}:*`,
          ],
        }),
        // Logs Insights query results have no resource-level permissions.
        new PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
      ];
    case 'list-endpoints':
      return [
        new PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: [r.endpointArn] }),
        new PolicyStatement({
          actions: ['sagemaker:DescribeEndpointConfig'],
          resources: [r.endpointConfigArn],
        }),
      ];
    case 'on-async-result':
      return [table('GetItem', 'UpdateItem'), objects(['GetObject'], asyncInference)];
    case 'sweeper':
      return [
        table('GetItem', 'UpdateItem'),
        index(EXECUTE_TABLE.pending.indexName),
        objects(['GetObject'], asyncInference),
      ];
    case 'health':
    case 'api-doc':
      return [];
  }
}
