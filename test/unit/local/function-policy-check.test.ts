import { Lazy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { CONNECTION_TABLE } from '../../../lambda/adapters/connection-table';
import { functionStatements } from '../../../lib/constructs/function-statements';
import { functionPrincipal } from '../../../local/iam-emulation/function-principal';
import {
  type LocalResourceNames,
  localResources,
  resolvedStatements,
} from '../../../local/iam-emulation/local-policies';
import { authorize } from '../../../local/iam-emulation/policy-evaluator';
import { checkCall } from '../../../local/iam-emulation/principal-check';
import type { SdkCall } from '../../../local/iam-emulation/sdk-call';
import { accessRequests } from '../../../local/iam-emulation/sdk-call-access';
import { refusalOf } from './refusal-of';

const SCOPE = { region: 'us-east-1', account: '123456789012', socketApiId: 'localsocketapi' };
const NAMES: LocalResourceNames = {
  tableName: 'executes',
  bucketName: 'payloads',
  connectionsTableName: 'connections',
  endpointNames: ['comfy-async-local'],
  inputBuckets: [],
  socketStage: 'prod',
};
const ownerQuery: SdkCall = {
  clientName: 'DynamoDBClient',
  commandName: 'QueryCommand',
  input: { TableName: 'connections', IndexName: CONNECTION_TABLE.byOwner.indexName },
};

/** What happens to `call` made by `name`: undefined when allowed, else the refusal. */
const outcome = (name: string, call: SdkCall) =>
  refusalOf(() => checkCall(functionPrincipal(name, call, NAMES, SCOPE), call, SCOPE));

describe("a function's SDK call checked against its deployed statements", () => {
  it('refuses the owner-index Query under the websocket $connect policy as it was before the fix', () => {
    // The statements comfyui-socket had: its connections table, but no Query on the owner index.
    const before = functionStatements('comfyui-socket', localResources(NAMES, SCOPE)).filter(
      (statement) => !statement.actions.includes('dynamodb:Query'),
    );
    expect(before.some((s) => s.actions.includes('dynamodb:PutItem'))).toBe(true);
    const [query] = accessRequests(ownerQuery, SCOPE);
    expect(authorize(resolvedStatements(before, SCOPE), query!)).toEqual({
      allowed: false,
      reason: 'because no identity-based policy allows the dynamodb:Query action',
    });
  });

  it('allows that Query under the policy deployed now, and refuses it to a function without it', () => {
    expect(outcome('comfyui-socket', ownerQuery)).toBeUndefined();
    const refused = outcome('get-execute', ownerQuery);
    expect(refused?.name).toBe('AccessDeniedException');
    expect(refused?.$metadata.httpStatusCode).toBe(403);
    expect(refused?.message).toContain(
      'comfy-exec-local-get-execute is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table/connections/index/owner-index',
    );
    expect(refused?.denial).toMatchObject({
      principal: 'get-execute',
      kind: 'refused',
      action: 'dynamodb:Query',
    });
  });

  it("answers S3 refusals with S3's own error names, which handlers branch on", () => {
    const head = {
      clientName: 'S3Client',
      commandName: 'HeadObjectCommand',
      input: { Bucket: 'payloads', Key: 'models/m' },
    };
    expect(outcome('get-execute', head)?.name).toBe('Forbidden');
    expect(outcome('get-execute', { ...head, commandName: 'GetObjectCommand' })?.name).toBe('AccessDenied');
    expect(outcome('list-models', head)).toBeUndefined();
  });

  it('checks every part of a transaction: one refused item refuses the call', () => {
    const transaction: SdkCall = {
      clientName: 'DynamoDBClient',
      commandName: 'TransactWriteItemsCommand',
      input: { TransactItems: [{ Put: { TableName: 'executes' } }, { Delete: { TableName: 'executes' } }] },
    };
    expect(outcome('create-execute', transaction)?.denial.action).toBe('dynamodb:DeleteItem');
    expect(outcome('comfyui-api', transaction)).toBeUndefined();
  });

  it('resolves the pseudo parameters in statements (the Logs Insights log group ARN)', () => {
    const startQuery: SdkCall = {
      clientName: 'CloudWatchLogsClient',
      commandName: 'StartQueryCommand',
      input: { logGroupName: '/aws/sagemaker/Endpoints/comfy-async-local' },
    };
    expect(outcome('get-execute-logs', startQuery)).toBeUndefined();
    expect(
      outcome('get-execute-logs', { ...startQuery, input: { logGroupName: '/aws/lambda/other' } })?.message,
    ).toContain('log-group:/aws/lambda/other:*');
  });

  it('fails closed, saying why, for a name with no policy, an unmapped call and an unresolvable token', () => {
    expect(outcome('not-a-function', ownerQuery)?.message).toContain(
      'not-a-function is no function of the CDK app',
    );
    const unmapped = {
      clientName: 'S3Client',
      commandName: 'PutBucketPolicyCommand',
      input: { Bucket: 'payloads' },
    };
    expect(outcome('list-models', unmapped)?.message).toContain('S3.PutBucketPolicy: no IAM mapping');
    const token = new PolicyStatement({
      actions: ['s3:GetObject'],
      // A token only a synthesis resolves (a bucket name made elsewhere in the app).
      resources: [`arn:aws:s3:::${Lazy.string({ produce: () => 'b' })}/*`],
    });
    expect(() => resolvedStatements([token], SCOPE)).toThrow(/CDK token the local stack cannot resolve/);
  });

  it('lets every function that shows outputs read the result object outputs too large for the record are in', () => {
    const resultObject: SdkCall = {
      clientName: 'S3Client',
      commandName: 'GetObjectCommand',
      input: { Bucket: 'payloads', Key: 'async-inference/outputs/0f6c1e1a.out' },
    };
    for (const name of ['get-execute', 'list-executes', 'comfyui-api', 'comfyui-events', 'deliver-webhooks'])
      expect(outcome(name, resultObject)?.message, name).toBeUndefined();
    // Before the fix GetExecute could read executes/ only: its view of such an execute failed.
    expect(outcome('cancel-execute', resultObject)?.denial.action).toBe('s3:GetObject');
  });
});
