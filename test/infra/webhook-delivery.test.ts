import { beforeAll, describe, expect, it } from 'vitest';
import { readStageConfig } from '../../lib/config/stage-config';
import { synthFast } from './app-template';

let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast();
});

const resources = (type: string) => Object.entries(t.controlPlane.findResources(type)) as [string, any][];
const mappingsOf = (fn: string) =>
  resources('AWS::Lambda::EventSourceMapping')
    .map(([, m]) => m.Properties)
    .filter((m) => JSON.stringify(m.FunctionName).includes(fn));

describe('webhook delivery in CDK', () => {
  it('queues deliveries on an encrypted FIFO queue with a FIFO dead-letter queue', () => {
    const queues = resources('AWS::SQS::Queue').map(([id, q]) => [id, q.Properties] as const);
    const deliveries = queues.find(([id]) => id.startsWith('WebhooksDeliveries'))![1];
    expect(deliveries).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 100 },
    });
    expect(queues.find(([id]) => id.startsWith('WebhooksDeadLetters'))![1]).toMatchObject({
      FifoQueue: true,
    });
  });

  it('wakes the dispatcher only for executes with a webhook, in order, retried, with a DLQ', () => {
    const [stream] = mappingsOf('DispatchWebhooks');
    expect(stream).toMatchObject({
      StartingPosition: 'LATEST',
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: expect.anything() } },
    });
    expect(JSON.parse(stream.FilterCriteria.Filters[0].Pattern)).toEqual({
      dynamodb: { NewImage: { webhook: { M: { url: { S: [{ exists: true }] } } } } },
    });
    const [queue] = mappingsOf('DeliverWebhooks');
    expect(queue).toMatchObject({ BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it("lets only the webhook functions touch the owners' secrets, under the deployment's prefix", () => {
    const policies = resources('AWS::IAM::Policy').map(([, p]) => p.Properties);
    const touching = policies.filter((p) =>
      p.PolicyDocument.Statement.some(
        (s: any) =>
          [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')) &&
          JSON.stringify(s.Resource).includes('/webhooks/'),
      ),
    );
    expect(touching.map((p) => p.PolicyName).sort()).toEqual([
      expect.stringMatching(/^DeliverWebhooks/),
      expect.stringMatching(/^WebhookSecret/),
    ]);
    const resource = JSON.stringify(
      touching[0].PolicyDocument.Statement.find((s: any) =>
        [s.Action].flat()[0].startsWith('secretsmanager:'),
      ).Resource,
    );
    expect(resource).toContain(':secret:comfy-exec/');
    expect(resource).toContain('/webhooks/*');
  });

  it("lets the token functions touch only the browser tokens' key: the issuer create it, the others read it", () => {
    const policies = resources('AWS::IAM::Policy').map(([, p]) => p.Properties);
    const onTokenKey = policies.flatMap((p) =>
      p.PolicyDocument.Statement.filter((s: any) =>
        JSON.stringify(s.Resource).includes('browser-token-key'),
      ).map((s: any) => [p.PolicyName.replace(/Role.*/, ''), [s.Action].flat().sort()]),
    );
    expect(Object.fromEntries(onTokenKey)).toEqual({
      ComfyuiApi: ['secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue'],
      ComfyuiTokenView: ['secretsmanager:GetSecretValue'],
      ComfyuiSocketAuthorizer: ['secretsmanager:GetSecretValue'],
    });
  });
});

describe("an operator's default webhook per API key", () => {
  const read = (value: unknown) =>
    readStageConfig((key) => (key === 'comfy-exec:defaultWebhooks' ? value : undefined)).defaultWebhooks;

  it('is checked at synth time as CreateExecute checks a webhook, and reaches the creating functions', () => {
    expect(read('{"abc123": {"url": "https://hooks.example.com/x"}}')).toEqual({
      abc123: { url: 'https://hooks.example.com/x', events: ['success', 'failed', 'cancelled'] },
    });
    expect(() => read({ abc123: { url: 'http://hooks.example.com/x' } })).toThrow(
      'comfy-exec:defaultWebhooks.abc123: webhook.url must use https, not http',
    );
    expect(() => read({ abc123: { url: 'https://h.example', events: ['nope'] } })).toThrow('unknown events');
    expect(() => read({ 'not a key': { url: 'https://h.example' } })).toThrow(
      'comfy-exec:defaultWebhooks.not a key',
    );
    const withDefault = synthFast({
      'comfy-exec:imageUri': '123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1',
      'comfy-exec:defaultWebhooks': { abc123: { url: 'https://hooks.example.com/x' } },
    });
    const envs = Object.values(withDefault.controlPlane.findResources('AWS::Lambda::Function')).map(
      (f: any) => f.Properties.Environment?.Variables ?? {},
    );
    expect(envs.filter((env) => env.DEFAULT_WEBHOOKS?.includes('hooks.example.com'))).toHaveLength(2);
  });
});
