import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { deployedWorkflows, WORKFLOW_FILES_BUDGET } from '../../lib/config/deployed-workflows';
import { loadEnvironments } from '../../lib/config/environments';
import { environmentsFolder, IMAGE, S3_AND_LIBRARY_MODELS, synthFast } from './app-template';

const KJ_COMMIT = 'a5bd3c86c8ed6b83c55c2d0e7a59515b15a0137f';

/** Two environment files as an operator writes them; the second by name is the default. */
function twoEnvironments() {
  return loadEnvironments(
    environmentsFolder({
      'basic.json': { $schema: './environment.schema.json' },
      'video.json': {
        default: true,
        comfyui: 'v0.3.64',
        custom_nodes: [{ git: 'https://github.com/kijai/ComfyUI-KJNodes', commit: KJ_COMMIT }],
        models: S3_AND_LIBRARY_MODELS,
        endpoint: {
          instance_type: 'ml.g6e.xlarge',
          max_instances: 3,
          concurrency: 2,
          schedules: [
            { cron: 'cron(0 8 ? * MON-FRI *)', timezone: 'Europe/Paris', min_instances: 1 },
            { cron: 'cron(0 20 ? * MON-FRI *)', timezone: 'Europe/Paris', min_instances: 0 },
          ],
        },
      },
    }),
  );
}

describe('one endpoint per environment (environments/{name}.json), as cdk deploy synthesizes it', () => {
  it('makes comfy-async-{name} for each, with its own image built for it, the default first', () => {
    const { app, inference, controlPlane, stacks } = synthFast({}, undefined, twoEnvironments());
    inference.resourceCountIs('AWS::SageMaker::Endpoint', 2);
    inference.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'comfy-async-video' });
    inference.hasResourceProperties('AWS::SageMaker::Endpoint', { EndpointName: 'comfy-async-basic' });
    expect(stacks.inference.endpoints.map((endpoint) => endpoint.name)).toEqual([
      'comfy-async-video',
      'comfy-async-basic',
    ]);
    // Its own instance type and concurrency; what it leaves out, today's context keys.
    inference.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [Match.objectLike({ InstanceType: 'ml.g6e.xlarge' })],
      AsyncInferenceConfig: Match.objectLike({
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
      }),
    });
    inference.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({ InstanceType: 'ml.g5.xlarge', ContainerStartupHealthCheckTimeoutInSeconds: 900 }),
      ],
    });
    // Models fetched at start-up: SageMaker's longest start-up health check, and the role reads
    // the one S3 object outside the library (the library is the payload bucket's models/).
    inference.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: [
        Match.objectLike({
          InstanceType: 'ml.g6e.xlarge',
          ContainerStartupHealthCheckTimeoutInSeconds: 3600,
        }),
      ],
    });
    const videoRole = JSON.stringify(
      Object.entries(inference.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('Video')),
    );
    expect(videoRole).toContain('":s3:::team-models/loras/style.safetensors"');
    expect(JSON.stringify(inference.findResources('AWS::IAM::Policy')).match(/team-models/g)).toHaveLength(1);
    // Scaling from zero for each, and the video environment's working-hours schedule.
    inference.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2);
    inference.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 0,
      MaxCapacity: 3,
      ScheduledActions: [
        {
          ScheduledActionName: Match.stringLikeRegexp('Schedule0'),
          Schedule: 'cron(0 8 ? * MON-FRI *)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 1 },
        },
        {
          ScheduledActionName: Match.stringLikeRegexp('Schedule1'),
          Schedule: 'cron(0 20 ? * MON-FRI *)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 0 },
        },
      ],
    });
    // Two image assets of container/Dockerfile, each told which environment to install.
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, `${stacks.inference.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, { source: { dockerFile: string; dockerBuildArgs?: object } }> };
    const images = Object.values(manifest.dockerImages).map((image) => image.source.dockerBuildArgs);
    expect(Object.values(manifest.dockerImages).map((image) => image.source.dockerFile)).toEqual([
      'container/Dockerfile',
      'container/Dockerfile',
    ]);
    expect(images).toEqual(
      expect.arrayContaining([
        { ENVIRONMENT: 'video', COMFYUI_VERSION: 'v0.3.64' },
        { ENVIRONMENT: 'basic' },
      ]),
    );
    expect(images).toHaveLength(2);
    // The control plane routes to both (the default first) and may invoke only them.
    controlPlane.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ENDPOINT_NAMES: 'comfy-async-video,comfy-async-basic' }) },
    });
    const invokes = Object.values(controlPlane.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter(
        (statement) => statement.Action === 'sagemaker:InvokeEndpointAsync',
      ),
    );
    expect(invokes.length).toBeGreaterThan(0);
    for (const statement of invokes)
      expect([statement.Resource].flat().sort()).toEqual([
        'arn:aws:sagemaker:us-east-1:123456789012:endpoint/comfy-async-basic',
        'arn:aws:sagemaker:us-east-1:123456789012:endpoint/comfy-async-video',
      ]);
    // GET /workflows answers each environment with its file and image; ListEndpoints with its own scaling.
    const variablesWith = (name: string) =>
      Object.values(controlPlane.findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.Environment?.Variables ?? {})
        .find((variables) => name in variables);
    const workflows = JSON.stringify(variablesWith('WORKFLOWS')!.WORKFLOWS);
    expect(workflows).toContain('\\"name\\":\\"video\\",\\"endpoint_name\\":\\"comfy-async-video\\"');
    expect(workflows).toContain('cdk-hnb659fds-container-assets');
    expect(workflows).toContain(`${KJ_COMMIT}`);
    expect(JSON.parse(variablesWith('ENDPOINT_SCALING')!.ENDPOINT_SCALING)).toEqual({
      'comfy-async-video': [0, 3],
      'comfy-async-basic': [0, 1],
    });
    // A backlog line per endpoint on the dashboard.
    const dashboard = JSON.stringify(controlPlane.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('comfy-async-video');
    expect(dashboard).toContain('comfy-async-basic');
  });

  it('keeps the single endpoint without environments, and refuses settings that contradict them', () => {
    const { stacks } = synthFast();
    expect(stacks.inference.endpoints.map((endpoint) => endpoint.name)).toEqual(['comfy-async-main']);
    expect(() => synthFast({ 'comfy-exec:imageUri': IMAGE }, undefined, twoEnvironments())).toThrow(
      'imageUri names one image for the endpoint, and environments/ builds one per environment',
    );
    expect(() =>
      synthFast({ 'comfy-exec:existingEndpointName': 'theirs' }, undefined, twoEnvironments()),
    ).toThrow('existingEndpointName routes to an endpoint made elsewhere');
    const [basic, video] = twoEnvironments();
    expect(() => synthFast({}, undefined, [video!, { ...basic!, default: true }])).toThrow(
      'environments/basic.json: default: environments/video.json is the default already',
    );
  });
});

describe('GET /workflows carries the environment files while they fit a function environment', () => {
  const endpoint = (name: string, fileJson: string) => ({
    name: `comfy-async-${name}`,
    arn: 'arn',
    configArn: 'arn',
    instanceType: 'ml.g5.xlarge',
    environment: { name, imageUri: `image-${name}`, fileJson, minInstances: 0, maxInstances: 1 },
  });
  it('writes each environment, and leaves payload_json empty past the budget (Lambda allows 4 KB of environment)', () => {
    expect(
      JSON.parse(
        deployedWorkflows([
          endpoint('a', '{"pip":[]}'),
          { name: 'x', arn: 'arn', configArn: 'arn', instanceType: 'ml.g5.xlarge' },
        ]),
      ),
    ).toEqual([
      { name: 'a', endpoint_name: 'comfy-async-a', image_uri: 'image-a', payload_json: '{"pip":[]}' },
    ]);
    const large = `{"pip":["${'x'.repeat(WORKFLOW_FILES_BUDGET)}"]}`;
    expect(
      JSON.parse(deployedWorkflows([endpoint('a', '{}'), endpoint('b', large)])).map(
        (row: { payload_json: string }) => row.payload_json,
      ),
    ).toEqual(['', '']);
  });
});
