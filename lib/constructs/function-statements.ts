import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CONNECTION_TABLE } from '../../lambda/adapters/connection-table';
import { EXECUTE_TABLE } from '../../lambda/adapters/execute-table';
import { USAGE_TABLE } from '../../lambda/adapters/usage-table';
import type { FunctionName } from '../../lambda/platform/env';
import { modelLibraryStatements } from './model-statements';
import { PAYLOAD_PREFIXES } from './payload-bucket';

export interface ControlPlaneResources {
  tableArn: string;
  /** Usage per owner, endpoint and day. */
  usageTableArn: string;
  bucketArn: string;
  /** Buckets executes may read inputs from besides the payload bucket's inputs prefix. */
  inputBuckets: readonly string[];
  /** Every endpoint the deployment may invoke (one per environment), the default first. */
  endpointArns: string[];
  endpointConfigArns: string[];
  endpointNames: string[];
  /** The webhook deliveries' FIFO queue and its dead-letter queue. */
  webhookQueueArn: string;
  webhookDeadLettersArn: string;
  /** Every owner's signing secret: `secret:{prefix}*` (Secrets Manager adds a suffix to each name). */
  webhookSecretsArn: string;
  /** The model imports' FIFO queue. */
  modelImportQueueArn: string;
  /** `secret:{model source prefix}*`: a gated host's token. */
  modelSourceTokensArn: string;
  /** The browser tokens' key: `secret:{name}-*` (Secrets Manager adds a suffix to the name). */
  browserTokenKeyArn: string;
  /** The websocket's connections table. */
  connectionsTableArn: string;
  /** `execute-api:ManageConnections` on the websocket stage's `POST @connections/*`. */
  socketConnectionsArn: string;
}

/**
 * Exactly what each function does, action by action (DESIGN.md: least privilege; no grant
 * helper's wildcard actions). Object ARNs end in `*` because keys are per execute.
 */
export function functionStatements(name: FunctionName, r: ControlPlaneResources): PolicyStatement[] {
  const table = (...actions: string[]) =>
    new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [r.tableArn] });
  /** Finishing or deleting an execute adds its usage (UpdateItem in the same transaction). */
  const addUsage = new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [r.usageTableArn] });
  const readUsage = new PolicyStatement({ actions: ['dynamodb:Query'], resources: [r.usageTableArn] });
  const index = (indexName: string) =>
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${r.tableArn}/index/${indexName}`] });
  const objects = (actions: string[], ...prefixes: string[]) =>
    new PolicyStatement({
      actions: actions.map((a) => `s3:${a}`),
      resources: prefixes.map((p) => `${r.bucketArn}/${p}*`),
    });
  const { executes, asyncInference, inputs, models } = PAYLOAD_PREFIXES;
  const secrets = new PolicyStatement({
    actions: [
      'secretsmanager:GetSecretValue',
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
    ],
    resources: [r.webhookSecretsArn],
  });
  const tokenKey = (...actions: string[]) =>
    new PolicyStatement({
      actions: actions.map((a) => `secretsmanager:${a}`),
      resources: [r.browserTokenKeyArn],
    });
  const manageConnections = new PolicyStatement({
    actions: ['execute-api:ManageConnections'],
    resources: [r.socketConnectionsArn],
  });
  /** ListBucket limited to keys under these prefixes. */
  const listing = (...prefixes: string[]) =>
    new PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [r.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((p) => `${p}*`) } },
    });
  /**
   * SageMaker's result objects: an execute whose outputs are too large for its record keeps them
   * there (its `outputs_location`), so every view of outputs reads them. The prefix is the one
   * SageMaker writes under (nag-acknowledgements.ts reasons each payload prefix's wildcard).
   */
  const resultObjects = objects(['GetObject'], asyncInference);
  /**
   * ListBucket with no prefix condition: what makes S3 answer a read of a missing key with 404.
   * A read carries no s3:prefix, so a prefix-limited listing is not documented to count.
   */
  const missingKeysAnswered = new PolicyStatement({ actions: ['s3:ListBucket'], resources: [r.bucketArn] });
  // Operator-listed input buckets: read and list (need_prepare syncs a prefix of one).
  const inputBuckets =
    r.inputBuckets.length === 0
      ? []
      : [
          new PolicyStatement({
            actions: ['s3:GetObject', 's3:ListBucket'],
            resources: r.inputBuckets.flatMap((name) => [
              `arn:${Aws.PARTITION}:s3:::${name}`,
              `arn:${Aws.PARTITION}:s3:::${name}/*`,
            ]),
          }),
        ];
  switch (name) {
    case 'create-execute':
      return [
        // PutItem and UpdateItem in one transaction: the record, and its owner's unfinished count.
        table('GetItem', 'PutItem', 'UpdateItem'),
        // GetObject: a create that waited shows the finished execute as GetExecute does (its
        // files signed, a large prompt or large outputs read back).
        objects(['PutObject', 'DeleteObject', 'GetObject'], executes),
        resultObjects,
        // Uploaded inputs and library models a prompt names (HeadObject), and synced input prefixes.
        objects(['GetObject'], inputs, models),
        listing(inputs),
        ...inputBuckets,
        // The endpoint's node catalog, published by its container; a run by name reads its template.
        objects(['GetObject'], PAYLOAD_PREFIXES.endpoints, PAYLOAD_PREFIXES.templates),
        new PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: r.endpointArns }),
        // The caller's usage today (gpuSecondsPerDay), and a failed invocation's.
        readUsage,
        addUsage,
      ];
    // ESD's /schemas: the caller's templates (listed by its own prefix), typed by the endpoint's catalog.
    case 'templates':
      return [
        objects(['GetObject', 'PutObject', 'DeleteObject'], PAYLOAD_PREFIXES.templates),
        listing(PAYLOAD_PREFIXES.templates),
        objects(['GetObject'], PAYLOAD_PREFIXES.endpoints),
      ];
    // ComfyUI's routes: create as CreateExecute does, read and list as Get/ListExecutes, cancel.
    case 'comfyui-api':
      return [
        table('GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'),
        listing(executes, models),
        index(EXECUTE_TABLE.byOwner.indexName),
        index(EXECUTE_TABLE.byOwnerStatus.indexName),
        objects(['PutObject', 'DeleteObject', 'GetObject'], executes),
        objects(['GetObject'], inputs, models, PAYLOAD_PREFIXES.endpoints),
        resultObjects,
        // ComfyUI's /upload/image stores the file as one of the caller's inputs.
        objects(['PutObject'], inputs),
        listing(inputs),
        ...inputBuckets,
        new PolicyStatement({ actions: ['sagemaker:InvokeEndpointAsync'], resources: r.endpointArns }),
        // GET /comfyui/token: the key it seals tokens with, created by the first token.
        tokenKey('GetSecretValue', 'CreateSecret'),
        // Creates check the daily GPU cap; cancels and deletes add usage.
        readUsage,
        addUsage,
      ];
    // /view with a browser token: find and sign one of the token's key's files; read the token key.
    case 'comfyui-token-view':
      return [
        table('GetItem'),
        index(EXECUTE_TABLE.byOwner.indexName),
        objects(['GetObject'], executes, inputs),
        resultObjects,
        listing(inputs),
        tokenKey('GetSecretValue'),
      ];
    case 'get-execute':
      return [table('GetItem'), objects(['GetObject'], executes), resultObjects];
    case 'list-executes':
      return [
        index(EXECUTE_TABLE.byOwner.indexName),
        index(EXECUTE_TABLE.byOwnerStatus.indexName),
        index(EXECUTE_TABLE.byOwnerTemplate.indexName),
        // `?template=` reads the caller's template: its runs are those of the one saved now.
        objects(['GetObject'], executes, PAYLOAD_PREFIXES.templates),
        resultObjects,
      ];
    case 'delete-executes':
      // UpdateItem: deleting an unfinished execute gives its owner's count back, in the same transaction.
      // PutItem: an execute deleted while it runs leaves a marker of what was counted
      // (deleted-run-marker.ts), for its notification to add the rest of the run.
      return [
        table('GetItem', 'DeleteItem', 'UpdateItem', 'PutItem'),
        objects(['DeleteObject'], executes),
        listing(executes),
        addUsage,
      ];
    case 'cancel-execute':
      return [table('GetItem', 'UpdateItem'), addUsage];
    // Its own rows (Query on the table), and every key's of a day for an operator (the index).
    case 'get-usage':
      return [
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [r.usageTableArn, `${r.usageTableArn}/index/${USAGE_TABLE.byDay.indexName}`],
        }),
      ];
    // Presigned uploads are signed with the function's own credentials: it needs PutObject itself.
    case 'create-input':
      return [objects(['PutObject'], inputs)];
    case 'start-model-upload':
    case 'complete-model-upload':
    case 'list-models':
    case 'delete-model':
    case 'import-model':
      return modelLibraryStatements(name, r, { objects, listing });
    // Copies from the caller's inputs prefix or an operator-listed bucket into the library or inputs.
    // A copy over 5 GiB goes multipart, and a failed one aborts its upload (no parts left to bill).
    case 'prepare-endpoint':
      return [
        listing(inputs),
        objects(['GetObject', 'PutObject', 'AbortMultipartUpload'], inputs),
        objects(['PutObject', 'AbortMultipartUpload'], models),
        ...inputBuckets,
      ];
    case 'get-prepare':
      return [];
    case 'list-inputs':
      return [listing(inputs), objects(['GetObject'], inputs)];
    case 'delete-input':
      return [objects(['GetObject', 'DeleteObject'], inputs)];
    case 'get-execute-logs':
      return [
        table('GetItem'),
        new PolicyStatement({
          actions: ['logs:StartQuery'],
          resources: r.endpointNames.map(
            (name) =>
              `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/${name}:*`,
          ),
        }),
        // Logs Insights query results have no resource-level permissions.
        new PolicyStatement({ actions: ['logs:GetQueryResults', 'logs:StopQuery'], resources: ['*'] }),
      ];
    // Both describe each endpoint and its config (its instance type).
    case 'workflows':
    case 'list-endpoints':
      return [
        new PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: r.endpointArns }),
        new PolicyStatement({
          actions: ['sagemaker:DescribeEndpointConfig'],
          resources: r.endpointConfigArns,
        }),
      ];
    // Both read result objects that may not exist: SageMaker writes no failure object for a
    // timeout or an expired request, and no output until the run ends. S3 answers a read of a
    // missing key with 404 only to a caller that may list the bucket, else 403 Access Denied, which
    // the reads do not take for "missing": without this the Sweeper stopped at the first execute
    // with no result object, and OnAsyncResult retried such a notification into its DLQ.
    case 'on-async-result':
      return [
        table('GetItem', 'UpdateItem'),
        addUsage,
        objects(['GetObject'], asyncInference),
        missingKeysAnswered,
      ];
    case 'sweeper':
      return [
        table('GetItem', 'UpdateItem'),
        addUsage,
        index(EXECUTE_TABLE.pending.indexName),
        objects(['GetObject'], asyncInference),
        missingKeysAnswered,
      ];
    // $connect keeps the connection (taking one of its owner's places: the owner's connections
    // are read, a holder's row checked), $disconnect drops it, a feature_flags message is answered.
    case 'comfyui-socket':
      return [
        new PolicyStatement({
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
          resources: [r.connectionsTableArn],
        }),
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${r.connectionsTableArn}/index/${CONNECTION_TABLE.byOwner.indexName}`],
        }),
        manageConnections,
      ];
    // A browser token's key is opened with the token key; an x-api-key header needs nothing.
    case 'comfyui-socket-authorizer':
      return [tokenKey('GetSecretValue')];
    // The streams' reads are granted by the event source; the owner's connections and queue are read here.
    case 'comfyui-events':
      return [
        // GetItem: whether a connection is still open before it is greeted.
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
          resources: [r.connectionsTableArn],
        }),
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${r.connectionsTableArn}/index/${CONNECTION_TABLE.byOwner.indexName}`],
        }),
        table('GetItem'),
        index(EXECUTE_TABLE.byOwnerStatus.indexName),
        // Outputs too large for the record, read back for `executed`.
        resultObjects,
        manageConnections,
      ];
    // The caller's signing secret: created on first use, read, rotated.
    case 'webhook-secret':
      return [secrets];
    case 'dispatch-webhooks':
      return [new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [r.webhookQueueArn] })];
    // One attempt: the record (GetExecute's view, signed URLs), the owner's secret, the backoff
    // as the message's visibility, a delivery given up to the dead-letter queue.
    case 'deliver-webhooks':
      return [
        table('GetItem', 'UpdateItem'),
        objects(['GetObject'], executes),
        resultObjects,
        secrets,
        new PolicyStatement({ actions: ['sqs:ChangeMessageVisibility'], resources: [r.webhookQueueArn] }),
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [r.webhookDeadLettersArn] }),
      ];
    case 'health':
    case 'api-doc':
      return [];
  }
}
