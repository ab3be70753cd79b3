import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib';
import type { addComfyExecStacks } from './app-stages';
import { ComfyUiSocketApi } from './constructs/comfyui-socket-api';
import { PAYLOAD_PREFIXES } from './constructs/payload-bucket';
import { WebConsole } from './constructs/web-console';
import { acknowledgeWildcardResources, assetBucketObjects, objectsOfBuckets } from './nag-wildcards';

type Stacks = ReturnType<typeof addComfyExecStacks>;

const acknowledge = (stack: Stack, rules: [id: string, reason: string][]) =>
  Validations.of(stack).acknowledge(...rules.map(([id, reason]) => ({ id, reason })));

const iam5 = (resource: string) => `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`;

/**
 * The cdk-nag findings the design accepts, each with its reason. Anything not listed here fails
 * the synth. Wildcards appear only where AWS offers no narrower resource.
 */
export function acknowledgeNagFindings(stacks: Stacks): void {
  const { config } = stacks;
  const bucketArn = `arn:<AWS::Partition>:s3:::${config.name}-payloads-<AWS::AccountId>-<AWS::Region>`;
  // Every endpoint the deployment routes to: one per environment, or the single one.
  const endpointNames = stacks.inference.endpoints.map((endpoint) => endpoint.name);
  const objectKeys = Object.values(PAYLOAD_PREFIXES).map((prefix): [string, string] => [
    iam5(`${bucketArn}/${prefix}*`),
    `Object keys under ${prefix} are per execute (executes/{prompt_id}/...) or per SageMaker result: the prefix is the narrowest resource.`,
  ]);
  const executeOutputs = ['outputs', 'temp'].map((area): [string, string] => [
    iam5(`${bucketArn}/${PAYLOAD_PREFIXES.executes}*/${area}/*`),
    `The endpoint writes each execute's ${area} files under executes/{prompt_id}/${area}/, and nothing else there (not the staged requests): prompt ids are known only at run time.`,
  ]);
  const endpointLogs = endpointNames.map((endpointName): [string, string] => [
    iam5(
      `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/${endpointName}:*`,
    ),
    "The endpoint's one log group; its streams (one per instance) are created at run time.",
  ]);
  const forcedStar: [string, string] = [
    iam5('*'),
    'Only actions without resource-level permissions use "*": X-Ray PutTraceSegments/PutTelemetryRecords (active tracing), Logs Insights GetQueryResults/StopQuery, CloudWatch PutMetricData and ECR GetAuthorizationToken.',
  ];

  const existingConfig: [string, string][] = config.existingEndpointName
    ? [
        [
          iam5('arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:endpoint-config/*'),
          "The existing endpoint's config name is not known to these stacks (ListEndpoints describes it).",
        ],
      ]
    : [];

  const socketApi = stacks.controlPlane.node.children.find((child) => child instanceof ComfyUiSocketApi);
  const socketApiId = socketApi
    ? stacks.controlPlane.getLogicalId(socketApi.api.node.defaultChild as CfnElement)
    : undefined;
  const socketConnections: [string, string][] = socketApiId
    ? [
        [
          iam5(
            `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${socketApiId}>/prod/POST/@connections/*`,
          ),
          "Connection ids are API Gateway's, one per open websocket: the stage's @connections is the narrowest resource.",
        ],
      ]
    : [];

  // The console's files: CDK's BucketDeployment copies them with a singleton Lambda CDK builds.
  const control = stacks.controlPlane;
  const deployment = control.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  const webConsole = control.node.children.find((child) => child instanceof WebConsole);
  if (deployment && webConsole) {
    const filesId = control.getLogicalId(webConsole.files.node.defaultChild as CfnElement);
    const copying =
      "CDK's BucketDeployment function copying the console's built files, scoped by CDK to the asset bucket and the console's bucket.";
    Validations.of(deployment).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's BucketDeployment function: its log permissions are the AWS-managed basic execution role.",
      },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((action) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
        reason: copying,
      })),
      { id: iam5(`<${filesId}.Arn>/*`), reason: copying },
    );
    // The asset bucket's ARN is resolved per account, region and partition: matched, not spelled.
    acknowledgeWildcardResources(deployment, assetBucketObjects(control), copying);
  }

  if (config.inputBuckets.length > 0) {
    const inputObjects = objectsOfBuckets(config.inputBuckets);
    const reason =
      'Buckets the operator lists in comfy-exec:inputBuckets: executes may name any object in them as an s3:// input, read-only.';
    for (const stack of [stacks.inference, stacks.controlPlane])
      acknowledgeWildcardResources(stack, inputObjects, reason);
  }

  acknowledge(stacks.data, [
    ['AwsSolutions-S1', 'This is the server access log bucket itself; logging it into itself would loop.'],
  ]);
  const ownCatalog: [string, string][] = config.existingEndpointName
    ? []
    : endpointNames.map((endpointName) => [
        iam5(`${bucketArn}/${PAYLOAD_PREFIXES.endpoints}${endpointName}/*`),
        "The endpoint's own catalog objects (object_info.json, system_stats.json), written by its container: the narrowest resource.",
      ]);
  acknowledge(stacks.inference, [
    ...objectKeys,
    ...executeOutputs,
    ...ownCatalog,
    ...endpointLogs,
    forcedStar,
    ...existingConfig,
  ]);
  acknowledge(stacks.controlPlane, [
    ...objectKeys,
    ...endpointLogs,
    forcedStar,
    ...existingConfig,
    ...socketConnections,
    [
      iam5(
        `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:comfy-exec/${config.name}/webhooks/*`,
      ),
      "One signing secret per API key, created on first use under the deployment's prefix; Secrets Manager appends a random suffix to each name.",
    ],
    [
      iam5(
        `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:comfy-exec/${config.name}/model-sources/*`,
      ),
      "One optional token per gated model host (huggingface.co, civitai.com), added by the operator under the deployment's prefix without a redeploy; Secrets Manager appends a random suffix to each name. Read only (GetSecretValue).",
    ],
    [
      iam5(
        `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:comfy-exec/${config.name}/browser-token-key-*`,
      ),
      "One secret, the browser tokens' key, created by the first GET /comfyui/token; the wildcard is only the random suffix Secrets Manager appends to its name.",
    ],
    [
      'AwsSolutions-L1',
      'Functions run nodejs22.x on purpose: the bundled AWS SDK and the tests are pinned to Node 22 (toolchain.md); moving runtimes is a tested change, not a default.',
    ],
    [
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue (for OnAsyncResult and the Sweeper); it has none of its own.',
    ],
    [
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway execution logging requires this account-level role with the AWS-managed push-to-CloudWatch policy.',
    ],
    [
      'AwsSolutions-APIG4',
      'Access is by API key, as in ESD whose clients this API serves: each key is an owner, its executes invisible to other keys. No IAM or Cognito authorizer.',
    ],
    [
      'AwsSolutions-COG4',
      'No Cognito user pool: access is by API key (ESD-compatible), see AwsSolutions-APIG4.',
    ],
    [
      'AwsSolutions-S1',
      "The console's bucket holds its built files only (no data); CloudFront reads it through origin access control, and every API call the console makes is in the API's access logs.",
    ],
    [
      'AwsSolutions-CFR3',
      'The console is static files; what it does is in the API access logs. Operators may turn on CloudFront standard logging.',
    ],
    [
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate; with a custom domain and certificate, set minimumProtocolVersion to TLSv1.2_2021.',
    ],
    [
      'AwsSolutions-CFR1',
      'No geographic restriction: the console is for the API key holders, wherever they are.',
    ],
    ['AwsSolutions-CFR2', 'WAF is left to operators (as for the API, AwsSolutions-APIG3).'],
    [
      'AwsSolutions-APIG3',
      'WAF is left to operators (attach a web ACL to the stage); the usage plan throttles and caps every key.',
    ],
  ]);
}
