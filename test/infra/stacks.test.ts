import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambda/http/route-table';
import { readStageConfig } from '../../lib/config/stage-config';
import { IMAGE, synthFast } from './app-template';

process.env.CDK_VALIDATION = 'false';
let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast({
    'comfy-exec:imageUri': IMAGE,
    'comfy-exec:maxInstances': '3',
    'comfy-exec:quotaPerDay': 500,
  });
});

const statementsOf = (template: typeof t.controlPlane, rolePath: string) => {
  const policies = template.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) => id.startsWith(rolePath));
  if (!entry) throw new Error(`no policy for ${rolePath}`);
  return (entry[1] as any).Properties.PolicyDocument.Statement as {
    Action: string | string[];
    Resource: unknown;
  }[];
};

describe('stage config', () => {
  it('applies documented defaults and names bad context keys', () => {
    const config = readStageConfig((key) => (key === 'comfy-exec:imageUri' ? IMAGE : undefined));
    expect(config).toMatchObject({
      endpointName: 'comfy-async-main',
      instanceType: 'ml.g5.xlarge',
      minInstances: 0,
      maxInstances: 1,
      requestTtlSeconds: 21_600,
      retentionDays: 30,
      removalPolicy: 'retain',
    });
    // No context at all is a complete configuration: the image is built from container/Dockerfile.
    expect(readStageConfig(() => undefined).imageUri).toBeUndefined();
    expect(() =>
      readStageConfig((key) => ({ 'comfy-exec:imageUri': IMAGE, 'comfy-exec:instanceType': 'g5' })[key]),
    ).toThrow(/comfy-exec:instanceType/);
  });

  it('refuses a misspelt comfy-exec key instead of leaving the setting at its default', () => {
    const given = {
      'comfy-exec:maxInstanses': '2',
      'comfy-exec:alarmEmail': 'ops@example.com',
      '@aws-cdk/x': true,
    };
    expect(() =>
      readStageConfig((key) => (given as Record<string, unknown>)[key], Object.keys(given)),
    ).toThrow(/unknown CDK context: comfy-exec:maxInstanses \(did you mean comfy-exec:maxInstances\?\)/);
    expect(() => synthFast({ 'comfy-exec:imageUri': IMAGE, 'comfy-exec:endpointNmae': 'x' })).toThrow(
      /comfy-exec:endpointNmae \(did you mean comfy-exec:endpointName\?\)/,
    );
  });

  it('names defaultWebhooks when its JSON does not parse', () => {
    expect(() =>
      readStageConfig((key) => (key === 'comfy-exec:defaultWebhooks' ? '{"abc": {"url": ' : undefined)),
    ).toThrow(/comfy-exec:defaultWebhooks: is not JSON/);
  });
});

describe('data stack', () => {
  it('keeps payloads private, encrypted, TLS-only, expiring, access-logged', () => {
    t.data.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'payloads/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'executes/', ExpirationInDays: 30 }),
          Match.objectLike({ Prefix: 'inputs/', ExpirationInDays: 30 }),
        ]),
      },
      // Browsers PUT inputs to their presigned URLs.
      CorsConfiguration: {
        CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'], AllowedOrigins: ['*'] })],
      },
    });
    t.data.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('inference stack', () => {
  it('creates the model, an async endpoint config and the endpoint', () => {
    t.inference.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({
        Image: IMAGE,
        Environment: Match.objectLike({ ENDPOINT_NAME: 'comfy-async-main' }),
      }),
    });
    t.inference.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({
          InstanceType: 'ml.g5.xlarge',
          InitialInstanceCount: 1,
          VariantName: 'AllTraffic',
        }),
      ],
      AsyncInferenceConfig: {
        OutputConfig: {
          S3OutputPath: Match.anyValue(),
          S3FailurePath: Match.anyValue(),
          NotificationConfig: { SuccessTopic: Match.anyValue(), ErrorTopic: Match.anyValue() },
        },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 1 },
      },
    });
    t.inference.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'comfy-async-main' });
    t.inference.resourceCountIs('AWS::SNS::Topic', 2);
    t.inference.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('scales from and to zero: target tracking on backlog per instance, a step policy on HasBacklogWithoutCapacity', () => {
    t.inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 3,
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
    });
    t.inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        CustomizedMetricSpecification: Match.objectLike({
          MetricName: 'ApproximateBacklogSizePerInstance',
          Namespace: 'AWS/SageMaker',
        }),
      }),
    });
    t.inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: Match.objectLike({
        StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
      }),
    });
    t.inference.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HasBacklogWithoutCapacity',
      Threshold: 1,
    });
  });

  it('scopes the SageMaker role to the prefixes, table, topics and repository it uses', () => {
    const statements = statementsOf(t.inference, 'EndpointExecutionRoleDefaultPolicy');
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.every((a) => !a.includes('*'))).toBe(true);
    expect(actions).toEqual(
      expect.arrayContaining([
        's3:GetObject',
        's3:PutObject',
        'dynamodb:UpdateItem',
        'sns:Publish',
        'ecr:BatchGetImage',
      ]),
    );
    const star = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
    expect(star.sort()).toEqual(['cloudwatch:PutMetricData', 'ecr:GetAuthorizationToken']);
    // It publishes its own catalog only: endpoints/{its name}/, not every endpoint's.
    const writes = JSON.stringify(statements.filter((s) => [s.Action].flat().includes('s3:PutObject')));
    expect(writes).toContain('/endpoints/comfy-async-main/*');
    expect(writes).not.toMatch(/\/endpoints\/\*"/);
    // The container reads every execute's inputs: staged beside the request, and uploaded ones.
    const reads = JSON.stringify(
      statements.find((s) => [s.Action].flat().includes('s3:GetObject'))?.Resource,
    );
    expect(reads).toContain('/executes/*');
    expect(reads).toContain('/inputs/*');
    expect(reads).toContain('/models/*'); // library models, fetched when a prompt names them
    t.inference.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({
        Environment: Match.objectLike({ MODEL_CACHE_BYTES: String(100 * 1024 ** 3) }),
      }),
    });
    const small = synthFast({
      'comfy-exec:imageUri': 'x',
      'comfy-exec:modelCacheBytes': String(20 * 1024 ** 3),
    });
    small.inference.hasResourceProperties('AWS::SageMaker::Model', {
      PrimaryContainer: Match.objectLike({
        Environment: Match.objectLike({ MODEL_CACHE_BYTES: String(20 * 1024 ** 3) }),
      }),
    });
  });

  it("passes the operator's model writers to the functions that change the library, and no one else", () => {
    const writers = synthFast({ 'comfy-exec:imageUri': 'x', 'comfy-exec:modelWriters': 'abc123,def456' });
    const envs = Object.values(writers.controlPlane.findResources('AWS::Lambda::Function'))
      .map((f: any) => f.Properties.Environment?.Variables ?? {})
      .filter((variables: Record<string, string>) => 'MODEL_WRITERS' in variables);
    expect(envs).toHaveLength(4); // start, complete and delete model uploads; ESD's prepare of models
    for (const variables of envs) expect(variables.MODEL_WRITERS).toBe('abc123,def456');
    expect(() => synthFast({ 'comfy-exec:imageUri': 'x', 'comfy-exec:modelWriters': 'not a key!' })).toThrow(
      /comfy-exec:modelWriters.*not an API key id/,
    );
  });

  it('lets executes read the input buckets an operator lists, and nothing else outside the payload bucket', () => {
    const opened = synthFast({
      'comfy-exec:imageUri': 'x',
      'comfy-exec:inputBuckets': 'shared-media,team-assets',
    });
    const container = JSON.stringify(statementsOf(opened.inference, 'EndpointExecutionRoleDefaultPolicy'));
    expect(container).toContain(':s3:::shared-media/*');
    expect(container).toContain(':s3:::team-assets/*');
    const create = JSON.stringify(statementsOf(opened.controlPlane, 'CreateExecuteRoleDefaultPolicy'));
    expect(create).toContain(':s3:::shared-media/*');
    expect(create).toContain(':s3:::team-assets');
    expect(JSON.stringify(statementsOf(t.controlPlane, 'CreateExecuteRoleDefaultPolicy'))).not.toContain(
      'shared-media',
    );
    const fn = Object.values(opened.controlPlane.findResources('AWS::Lambda::Function')).find((f: any) =>
      JSON.stringify(f.Properties.Environment ?? {}).includes('INPUT_BUCKETS'),
    ) as any;
    expect(fn.Properties.Environment.Variables.INPUT_BUCKETS).toBe('shared-media,team-assets');
    expect(() =>
      synthFast({ 'comfy-exec:imageUri': 'x', 'comfy-exec:inputBuckets': 'Not_A_Bucket' }),
    ).toThrow(/comfy-exec:inputBuckets.*not an S3 bucket name/);
    // The deployment's own buckets hold every key's files: never an input bucket.
    expect(() =>
      synthFast({
        'comfy-exec:imageUri': 'x',
        'comfy-exec:inputBuckets': 'shared-media,comfy-exec-payloads-123456789012-us-east-1',
      }),
    ).toThrow(/comfy-exec:inputBuckets: must not name this deployment's own payload or access-log bucket/);
    expect(() =>
      synthFast({
        'comfy-exec:imageUri': 'x',
        'comfy-exec:inputBuckets': 'comfyexecdata-payloadsaccesslogsa1b2',
      }),
    ).toThrow(/access-log bucket/);
  });

  it('builds the endpoint image itself when no image is given, and lets the endpoint pull it', () => {
    const own = synthFast({});
    const model = Object.values(own.inference.findResources('AWS::SageMaker::Model'))[0] as any;
    expect(JSON.stringify(model.Properties.PrimaryContainer.Image)).toContain('container-assets');
    const pulls = statementsOf(own.inference, 'EndpointExecutionRoleDefaultPolicy').find((s) =>
      [s.Action].flat().includes('ecr:BatchGetImage'),
    );
    expect(JSON.stringify(pulls?.Resource)).toContain('container-assets');
  });

  it('creates no model or endpoint when routed to an existing endpoint', () => {
    const existing = synthFast({ 'comfy-exec:existingEndpointName': 'comfy-async-prod' });
    existing.inference.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    existing.inference.resourceCountIs('AWS::SageMaker::Model', 0);
    existing.controlPlane.hasOutput('EndpointName', { Value: 'comfy-async-prod' });
  });
});

describe('control plane stack', () => {
  it('serves every route of the route table, each needing the API key but browser-token views (CORS preflight does not)', () => {
    const methods = Object.values(t.controlPlane.findResources('AWS::ApiGateway::Method')) as any[];
    for (const route of ROUTES) {
      const found = methods.find(
        (m) => m.Properties.HttpMethod === route.method && m.Properties.OperationName === route.operationId,
      );
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      expect(found.Properties.ApiKeyRequired, route.path).toBe(route.auth !== 'token');
    }
    // Only the two views under /comfyui/t/{token}/ go without a key, both to the token-view function.
    const keyless = methods.filter(
      (m) => m.Properties.HttpMethod !== 'OPTIONS' && !m.Properties.ApiKeyRequired,
    );
    expect(keyless.map((m) => m.Properties.OperationName).sort()).toEqual([
      'ComfyTokenView',
      'ComfyTokenViewApi',
    ]);
    expect(ROUTES.filter((route) => route.auth === 'token').map((route) => route.handler)).toEqual([
      'comfyui-token-view',
      'comfyui-token-view',
    ]);
    // No key's usage plan counts them: the stage's default method throttle (each method its own
    // bucket at the stage's rate) is what bounds them.
    const stage = Object.values(t.controlPlane.findResources('AWS::ApiGateway::Stage'))[0] as any;
    expect(stage.Properties.MethodSettings).toContainEqual(
      expect.objectContaining({
        ResourcePath: '/*',
        HttpMethod: '*',
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      }),
    );
    const options = methods.filter((m) => m.Properties.HttpMethod === 'OPTIONS');
    expect(options.length).toBeGreaterThan(0);
    expect(options.every((m) => m.Properties.ApiKeyRequired !== true)).toBe(true);
    t.controlPlane.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: Match.anyValue(),
    });
    t.controlPlane.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Quota: { Limit: 500, Period: 'DAY' },
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    t.controlPlane.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'DEFAULT_4XX' });
  });

  it('runs one nodejs22.x arm64 function per handler, X-Ray active, environment from the env schemas', () => {
    const functions = Object.values(t.controlPlane.findResources('AWS::Lambda::Function')) as any[];
    const ours = functions.filter((f) => f.Properties.Runtime === 'nodejs22.x');
    expect(ours).toHaveLength(32);
    for (const fn of ours) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.URL_SUFFIX).toEqual({ Ref: 'AWS::URLSuffix' });
    }
    t.controlPlane.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ENDPOINT_NAMES: 'comfy-async-main',
          REQUEST_TTL_SECONDS: '21600',
          INVOCATION_TIMEOUT_SECONDS: '3600',
        }),
      },
    });
  });

  it('grants each function only what it does, with no wildcard actions', () => {
    const create = statementsOf(t.controlPlane, 'CreateExecuteRoleDefaultPolicy').flatMap((s) =>
      [s.Action].flat(),
    );
    expect(create.sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      // The key's usage today (gpuSecondsPerDay), on the usage table.
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      // A failed invocation's usage, added in the transaction that fails the record.
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:DeleteObject',
      // cdk.json's @aws-cdk/aws-iam:minimizePolicies merges the GetObject grants: one with the
      // executes' own objects (Put/Delete too; a create that waits signs its files), one with the
      // caller's inputs, library models and result objects.
      's3:GetObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'sagemaker:InvokeEndpointAsync',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    // Deleting an unfinished execute gives its owner's count back (an UpdateItem in the transaction).
    const deleting = statementsOf(t.controlPlane, 'DeleteExecutesRoleDefaultPolicy').flatMap((s) =>
      [s.Action].flat(),
    );
    expect(deleting).toEqual(expect.arrayContaining(['dynamodb:DeleteItem', 'dynamodb:UpdateItem']));
    // The input routes touch nothing but objects under inputs/ (the code keeps each key to its own prefix).
    const scoped = (role: string) =>
      statementsOf(t.controlPlane, role)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')))
        .map((s) => ({
          actions: [s.Action].flat().sort(),
          resource: JSON.stringify(s.Resource),
          condition: (s as any).Condition,
        }));
    expect(scoped('CreateInputRoleDefaultPolicy')).toEqual([
      { actions: ['s3:PutObject'], resource: expect.stringContaining('/inputs/*'), condition: undefined },
    ]);
    expect(scoped('ListInputsRoleDefaultPolicy')).toEqual([
      {
        actions: ['s3:ListBucket'],
        resource: expect.not.stringContaining('/'),
        condition: { StringLike: { 's3:prefix': ['inputs/*'] } },
      },
      { actions: ['s3:GetObject'], resource: expect.stringContaining('/inputs/*'), condition: undefined },
    ]);
    expect(scoped('DeleteInputRoleDefaultPolicy')).toEqual([
      {
        actions: ['s3:DeleteObject', 's3:GetObject'],
        resource: expect.stringContaining('/inputs/*'),
        condition: undefined,
      },
    ]);
    // A result object the Sweeper or OnAsyncResult reads may not exist: S3 answers 404 (not 403)
    // only to a caller that may list the bucket (a read carries no s3:prefix to condition on).
    for (const role of ['SweeperRoleDefaultPolicy', 'OnAsyncResultRoleDefaultPolicy'])
      expect(scoped(role), role).toContainEqual({
        actions: ['s3:ListBucket'],
        resource: expect.not.stringContaining('/'),
        condition: undefined,
      });
    // A failed multipart copy (over 5 GiB) aborts its upload where it was going.
    expect(
      scoped('PrepareEndpointRoleDefaultPolicy').filter((s) => s.actions.includes('s3:AbortMultipartUpload')),
    ).toEqual([
      expect.objectContaining({ resource: expect.stringContaining('/inputs/*') }),
      expect.objectContaining({ resource: expect.stringContaining('/models/*') }),
    ]);
    // The model library's routes touch nothing but models/ and the imports beside it.
    for (const role of [
      'StartModelUpload',
      'CompleteModelUpload',
      'ListModels',
      'DeleteModel',
      'ImportModel',
    ]) {
      const resources = scoped(`${role}RoleDefaultPolicy`).map((s) => s.resource);
      expect(
        resources.every((r) => /\/(models|model-imports)\/\*/.test(r) || !r.includes('/')),
        role,
      ).toBe(true);
    }
    // Imports read only the gated hosts' tokens (under the deployment's prefix), and use only the imports' queue.
    for (const role of ['StartModelUploadRoleDefaultPolicy', 'ImportModelRoleDefaultPolicy']) {
      const others = statementsOf(t.controlPlane, role).filter((s) =>
        [s.Action].flat().every((a) => !a.startsWith('s3:')),
      );
      const secrets = others.filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
      expect(
        secrets.map((s) => [s.Action].flat()),
        role,
      ).toEqual([['secretsmanager:GetSecretValue']]);
      expect(JSON.stringify(secrets[0]!.Resource)).toContain(':secret:comfy-exec/comfy-exec/model-sources/*');
      const queues = others.filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')));
      expect(
        queues.map((s) => JSON.stringify(s.Resource)),
        role,
      ).toEqual([expect.stringContaining('ModelImportsJobs')]);
    }
    // Ours: every role but the one of CDK's own BucketDeployment function (the console's files).
    const policies = Object.entries(t.controlPlane.findResources('AWS::IAM::Policy'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, policy]) => policy) as any[];
    expect(policies.length).toBeGreaterThan(20);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect(
          [statement.Action].flat().every((a: string) => !a.includes('*')),
          JSON.stringify(statement.Action),
        ).toBe(true);
      }
    }
  });

  it('wires both SageMaker topics to OnAsyncResult with a dead-letter queue, schedules the Sweeper, watches it all', () => {
    t.controlPlane.resourceCountIs('AWS::SNS::Subscription', 2);
    t.controlPlane.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: Match.anyValue(),
    });
    t.controlPlane.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: Match.anyValue() },
    });
    t.controlPlane.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.controlPlane.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    // Seven, the model imports' dead-letter alarm, and (issue 31) the endpoint's failure rate and queue age.
    t.controlPlane.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    // The failure rate from the functions' EMF metrics: failed ÷ ended per endpoint, once 5 have ended.
    t.controlPlane.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 25,
      EvaluationPeriods: 3,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(s + f >= 5, 100 * f / (s + f), 0)' }),
        Match.objectLike({
          Id: 'f',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'ComfyExec',
              MetricName: 'ExecutesFailed',
              Dimensions: Match.arrayWith([{ Name: 'endpoint_name', Value: 'comfy-async-main' }]),
            },
          }),
        }),
      ]),
    });
    // The queue's age: SageMaker's oldest waiting request past 15 minutes.
    t.controlPlane.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SageMaker',
      MetricName: 'ApproximateAgeOfOldestRequest',
      Threshold: 900,
    });
    // The EMF metrics beside SageMaker's backlog and instances; no log metric filter counts executes any more.
    const dashboard = JSON.stringify(t.controlPlane.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of [
      'ExecutesCreated',
      'ExecutesSucceeded',
      'ExecutesFailed',
      'ExecutesCancelled',
      'QueueTime',
      'RunTime',
      'Overhead',
      'OutputBytes',
      'WebhooksDelivered',
      'SocketMessagesSent',
      'ApproximateBacklogSize',
      'CPUUtilization',
    ])
      expect(dashboard, metric).toContain(metric);
    expect(Object.keys(t.controlPlane.findResources('AWS::Logs::MetricFilter'))).toHaveLength(1);
    // Model imports: a FIFO queue held in flight past the function's 15 minutes, read ten at a time at most.
    t.controlPlane.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      VisibilityTimeout: 960,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 10 }),
    });
    t.controlPlane.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    t.controlPlane.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 1024,
      Environment: { Variables: Match.objectLike({ MODEL_IMPORT_QUEUE_URL: Match.anyValue() }) },
    });
    for (const output of ['ApiUrl', 'ApiKeyId', 'BucketName', 'TableName', 'EndpointName', 'DashboardUrl'])
      t.controlPlane.hasOutput(output, Match.anyValue());
  });
});
