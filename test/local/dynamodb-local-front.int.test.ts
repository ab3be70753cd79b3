import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDynamoDb, startDynamoDbLocal } from '../../local/dynamodb-local';
import { newLocalCredentials } from '../../local/local-credentials';
import { expectLoopbackOnly } from './listening-sockets';
import { signedListTables as signedListTablesAs } from './signed-json-call';

// A DynamoDB Local of its own, started as `npm start` starts it: with a key pair made for it.
const pair = newLocalCredentials();
let dynamo: RunningDynamoDb;
beforeAll(async () => {
  dynamo = await startDynamoDbLocal({ credentials: [pair] });
}, 120_000);
afterAll(() => dynamo?.stop());

const listTables = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
  });
  return client.send(new ListTablesCommand({})).finally(() => client.destroy());
};

const signedListTables = (endpoint: string) => signedListTablesAs(endpoint, pair);

describe('DynamoDB Local as the local stack runs it', () => {
  it("takes no connection on the machine's other addresses, on any of its ports", async () => {
    for (const url of [dynamo.endpoint, dynamo.internalEndpoint])
      await expectLoopbackOnly(Number(new URL(url).port), url);
  });

  it('answers the key pair it was given, and refuses unsigned requests, a wrong secret and an unknown key, as DynamoDB does', async () => {
    await expect(listTables(pair)).resolves.toMatchObject({ TableNames: expect.any(Array) });
    await expect(listTables({ ...pair, secretAccessKey: 'guessed' })).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    await expect(listTables({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' })).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    const unsigned = await fetch(dynamo.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({
      __type: expect.stringMatching(/MissingAuthenticationToken/),
    });
    expect((await signedListTables(dynamo.endpoint)).status).toBe(200);
  });

  it('answers on its own port only the front, even a request signed with the right pair', async () => {
    expect(dynamo.internalEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const direct = await signedListTables(dynamo.internalEndpoint);
    expect(direct.status).toBe(403);
    expect(await direct.text()).not.toContain('TableNames');
  });
});
