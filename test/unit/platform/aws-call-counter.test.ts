import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { AwsCallCounter, totalCalls } from '../../../lambda/platform/aws-call-counter';

/** A real client whose requests stop before the network: the counter sits above that point. */
function offlineClient() {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  client.middlewareStack.add((() => async () => ({ output: { $metadata: {} }, response: {} })) as never, {
    step: 'build',
    name: 'answerOffline',
  });
  return client;
}

const get = new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } });
const put = new PutItemCommand({ TableName: 't', Item: { id: { S: '1' } } });

describe('AwsCallCounter', () => {
  it('counts each task’s calls by Service.Operation, however the tasks interleave', async () => {
    const counter = new AwsCallCounter();
    const client = counter.attach(offlineClient());
    const [first, second] = await Promise.all([
      counter.run(async (calls) => {
        await client.send(get);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await client.send(put);
        return calls();
      }),
      counter.run(async (calls) => {
        await client.send(get);
        await client.send(get);
        return calls();
      }),
    ]);
    expect(first).toEqual({ 'DynamoDB.GetItem': 1, 'DynamoDB.PutItem': 1 });
    expect(second).toEqual({ 'DynamoDB.GetItem': 2 });
    expect(totalCalls(first)).toBe(2);
    expect(counter.untracked).toEqual({});
  });

  it('counts calls made outside any task as untracked', async () => {
    const counter = new AwsCallCounter();
    const client = counter.attach(offlineClient());
    await client.send(put);
    expect(counter.untracked).toEqual({ 'DynamoDB.PutItem': 1 });
  });

  it('stops counting a detached client', async () => {
    const counter = new AwsCallCounter();
    const client = counter.attach(offlineClient());
    await client.send(put);
    counter.detach(client);
    await client.send(put);
    await counter.run(async () => client.send(get));
    expect(counter.untracked).toEqual({ 'DynamoDB.PutItem': 1 });
  });
});

describe('AwsCallCounter and presigned URLs', () => {
  it('does not count a presign, which never reaches the network', async () => {
    const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const counter = new AwsCallCounter();
    const s3 = counter.attach(
      new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    );
    const counts = await counter.run(async (calls) => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k.png' }), {
        expiresIn: 60,
      });
      expect(url).toContain('X-Amz-Signature');
      return calls();
    });
    expect(counts).toEqual({});
  });
});
