import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { RUNNING_RECORD_ATTRIBUTES } from '../../lambda/adapters/dynamodb-running-record-store';
import { addComfyExecStacks } from '../../lib/app-stages';
import { loadEnvironments } from '../../lib/config/environments';
import { CONTEXT_PREFIX, readStageConfig } from '../../lib/config/stage-config';
import { acknowledgeNagFindings } from '../../lib/nag-acknowledgements';
import { cliContext, environmentsFolder, ROOT, S3_AND_LIBRARY_MODELS } from './app-template';

/** Every documented setting away from its default (an endpoint of the stack's own). */
const EVERY_SETTING = {
  imageUri: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/comfy-exec-endpoint:v7',
  name: 'studio-b',
  endpointName: 'comfy-async-studio',
  instanceType: 'ml.g6.2xlarge',
  minInstances: 1,
  maxInstances: 4,
  maxConcurrentInvocationsPerInstance: 2,
  modelDataUrl: 's3://studio-models/comfy/models.tar.gz',
  requestTtlSeconds: 7200,
  invocationTimeoutSeconds: 1800,
  retentionDays: 14,
  presignTtlSeconds: 900,
  throttleRateLimit: 20,
  throttleBurstLimit: 40,
  quotaPerDay: 2000,
  logRetentionDays: 90,
  sweepIntervalMinutes: 10,
  alarmEmail: 'ops@example.com',
  defaultWebhooks: JSON.stringify({ abc123def4: { url: 'https://hooks.example.com/comfy' } }),
  inputBuckets: 'studio-inputs,studio-refs',
  modelWriters: 'abc123def4',
  modelCacheBytes: 50 * 1024 ** 3,
  allowNodes: JSON.stringify({ 'comfy-async-studio': ['LoadImageDataSetFromFolder', 'SaveTrainingDataset'] }),
  maxUnfinishedPerKey: 25,
  maxWaitingPerKey: 3,
  maxConnectionsPerKey: 5,
  operatorKeys: 'abc123def4',
  gpuSecondsPerDay: JSON.stringify({ fed987cba6: 3600, '*': 600 }),
  pricePerHour: JSON.stringify({ 'ml.g6.2xlarge': 1.222 }),
  currency: 'EUR',
  removalPolicy: 'destroy',
};

/** Routing to an endpoint the operator already runs, as `-c` flags give them (strings). */
const EXISTING_ENDPOINT = {
  existingEndpointName: 'comfy-async-legacy',
  inputBuckets: '["legacy-inputs"]',
  modelWriters: 'abc123def4,fed987cba6',
  alarmEmail: 'oncall@example.com',
  // As `-c` flags give them: a comma list, JSON text.
  operatorKeys: 'abc123def4,fed987cba6',
  pricePerHour: '{"ml.g5.xlarge": 1.408}',
};

const prefixed = (settings: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(settings).map(([key, value]) => [`${CONTEXT_PREFIX}${key}`, value]));

interface Shape {
  label: string;
  /** environments/{name}.json files, as an operator commits them. @default none */
  environments?: Record<string, unknown>;
  env: Environment;
  settings: Record<string, unknown>;
}

/** What the app is synthesized as: by hand, by the CLI without credentials, by `cdk deploy`. */
const SHAPES: Shape[] = [
  { label: 'env-agnostic (the app run without the CLI)', env: {}, settings: {} },
  {
    label: 'the CLI with no AWS config (region us-east-1, no account)',
    env: { region: 'us-east-1' },
    settings: {},
  },
  { label: 'cdk deploy to us-east-1', env: { account: '123456789012', region: 'us-east-1' }, settings: {} },
  {
    label: 'cdk deploy to eu-west-1, every setting changed',
    env: { account: '210987654321', region: 'eu-west-1' },
    settings: EVERY_SETTING,
  },
  {
    label: 'cdk deploy to ap-southeast-2, an existing endpoint',
    env: { account: '345678901234', region: 'ap-southeast-2' },
    settings: EXISTING_ENDPOINT,
  },
  {
    label: 'cdk deploy to us-west-2, two environments (one endpoint each, models from S3 and the library)',
    env: { account: '456789012345', region: 'us-west-2' },
    settings: {},
    environments: {
      'basic.json': {},
      'video.json': {
        default: true,
        custom_nodes: [
          {
            git: 'https://github.com/kijai/ComfyUI-KJNodes',
            commit: 'a5bd3c86c8ed6b83c55c2d0e7a59515b15a0137f',
          },
        ],
        models: S3_AND_LIBRARY_MODELS,
        endpoint: {
          schedules: [{ cron: 'cron(0 8 ? * MON-FRI *)', timezone: 'Europe/Paris', min_instances: 1 }],
        },
      },
    },
  },
];

/** The shape's environment files, read as bin/app.ts reads environments/. */
function environmentsOf(shape: Shape) {
  return shape.environments ? loadEnvironments(environmentsFolder(shape.environments)) : [];
}

/** bin/app.ts in full but for bundling: cdk.json's context, cdk-nag, CloudFormation's own rules. */
function synthWithChecks(shape: Shape) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-shape-'));
  try {
    const app = new App({
      outdir,
      context: { ...cliContext(), 'aws:cdk:bundling-stacks': [], ...prefixed(shape.settings) },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
    const stacks = addComfyExecStacks(app, { env: shape.env }, environmentsOf(shape));
    acknowledgeNagFindings(stacks);
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: { ruleName: string; violatingConstructs?: { constructPath?: string }[] }[];
      }[];
    };
    const templates = failure
      ? undefined
      : {
          data: Template.fromStack(stacks.data),
          inference: Template.fromStack(stacks.inference),
          controlPlane: Template.fromStack(stacks.controlPlane),
        };
    return { failure, report, templates };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('the app in every shape it is synthesized in, with cdk.json feature flags', () => {
  it.each(SHAPES)('$label: cdk-nag and CloudFormation validation pass', (shape) => {
    const { failure, report } = synthWithChecks(shape);
    const violations = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map(
        (violation) =>
          `${plugin.pluginName}: ${violation.ruleName} at ${(violation.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`,
      ),
    );
    expect(violations).toEqual([]);
    expect(failure).toBeUndefined();
    for (const plugin of report.pluginReports) expect(plugin.conclusion, plugin.pluginName).toBe('success');
  });

  it('the settings take effect where deployed', () => {
    const { data, inference, controlPlane } = synthWithChecks(SHAPES[3]!).templates!;
    data.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    // destroy means the stack can be deleted: both buckets are emptied first (they are not empty).
    data.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    inference.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g6.2xlarge' })],
    });
    inference.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'comfy-async-studio' });
    // The instance's record writes name only its own attributes, merged policies or not.
    inference.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'dynamodb:UpdateItem',
            Condition: {
              'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...RUNNING_RECORD_ATTRIBUTES] },
              StringEquals: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
            },
          }),
        ]),
      }),
    });
    // The cap on waiting creates reaches the function that waits.
    controlPlane.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          MAX_WAITING_PER_KEY: '3',
          MAX_UNFINISHED_PER_KEY: '25',
          GPU_SECONDS_PER_DAY: '{"fed987cba6":3600,"*":600}',
        }),
      },
    });
    // GET /usage prices each endpoint's instance type; only the operator key reads every key's.
    controlPlane.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          OPERATOR_KEYS: 'abc123def4',
          PRICE_PER_HOUR: '{"ml.g6.2xlarge":1.222}',
          CURRENCY: 'EUR',
          ENDPOINT_INSTANCE_TYPES: Match.stringLikeRegexp('"ml.g6.2xlarge"'),
        }),
      },
    });
    controlPlane.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const existing = synthWithChecks(SHAPES[4]!).templates!;
    existing.inference.resourceCountIs('AWS::SageMaker::Endpoint', 0);
    // retain (the default): the data outlives the stack, and nothing deletes objects.
    existing.data.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    existing.data.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('covers every context key the README documents with a value other than its default', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.split('### Context keys')[1]!.split('\n### ')[0]!;
    const documented = [...table.matchAll(/^\| ((?:`[A-Za-z]+`(?:, )?)+) \|/gm)].flatMap((row) =>
      [...row[1]!.matchAll(/`([A-Za-z]+)`/g)].map((key) => key[1]!),
    );
    expect(documented.length).toBeGreaterThan(20);
    const defaults = readStageConfig(() => undefined) as Record<string, unknown>;
    const configs = SHAPES.map(
      (shape) => readStageConfig((key) => prefixed(shape.settings)[key]) as Record<string, unknown>,
    );
    for (const key of documented) {
      const changed = configs.some((config) => JSON.stringify(config[key]) !== JSON.stringify(defaults[key]));
      expect(changed, `no shape sets comfy-exec:${key} away from its default`).toBe(true);
    }
  });

  it('acknowledgements spell no account, region, partition or asset bucket: they hold in any', () => {
    for (const file of ['lib/nag-acknowledgements.ts', 'lib/nag-wildcards.ts']) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      expect(source, file).not.toMatch(/\b\d{12}\b/);
      expect(source, file).not.toMatch(/\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-[a-z]+-\d\b/);
      expect(source, file).not.toMatch(/arn:aws(?:-[a-z]+)*:/);
      expect(source, file).not.toMatch(/cdk-hnb659fds-assets/);
    }
  });
});
