import { beforeAll, describe, expect, it } from 'vitest';
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
      VisibilityTimeout: 90,
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
      p.PolicyDocument.Statement.some((s: any) =>
        [s.Action].flat().some((a: string) => a.startsWith('secretsmanager:')),
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
});
