import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3PayloadStore } from '../../../lambda/adapters/s3-payload-store';
import { documentClient, resetClients, s3Client } from '../../../lambda/platform/clients';
import type { Denial } from '../../../local/iam-emulation/access-denied';
import { enforceFunctionPolicies } from '../../../local/iam-emulation/policy-enforcement';
import { runAsFunction } from '../../../local/iam-emulation/running-function';
import { MIDDLEWARE_NAME } from '../../../local/iam-emulation/sdk-middleware';

const ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'executes',
  BUCKET_NAME: 'payloads',
  CONNECTIONS_TABLE_NAME: 'connections',
  // Unused: every call below stops before the network.
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9',
};
const saved = Object.fromEntries(Object.keys(ENV).map((key) => [key, process.env[key]]));
const denials: Denial[] = [];
let stopReporting: () => void;

type Answer = (commandName: string) => Record<string, unknown>;

/** The clients the handlers use, answering right after the IAM check instead of sending. */
function offline<C extends { middlewareStack: { addRelativeTo(m: never, o: never): void } }>(
  client: C,
  answer: Answer = () => ({ Items: [] }),
): C {
  client.middlewareStack.addRelativeTo(
    ((_next: unknown, context: { commandName: string }) => async () => ({
      output: { $metadata: {}, ...answer(context.commandName) },
      response: {},
    })) as never,
    {
      name: 'answerOffline',
      relation: 'after',
      toMiddleware: MIDDLEWARE_NAME,
      override: true,
    } as never,
  );
  return client;
}

const ownerQuery = new QueryCommand({
  TableName: 'connections',
  IndexName: 'owner-index',
  KeyConditionExpression: '#o = :o',
  ExpressionAttributeNames: { '#o': 'owner' },
  ExpressionAttributeValues: { ':o': 'key-a' },
});

beforeAll(() => {
  Object.assign(process.env, ENV);
  resetClients();
  stopReporting = enforceFunctionPolicies((denial) => denials.push(denial));
});

afterAll(() => {
  stopReporting();
  for (const [key, value] of Object.entries(saved))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  resetClients();
});

describe('IAM enforcement on the clients lambda/platform/clients.ts builds', () => {
  it("holds each invocation to its own function's policy, however invocations interleave", async () => {
    const client = offline(documentClient({ region: 'us-east-1' }, 'websocket'));
    const [socket, health] = await Promise.allSettled([
      runAsFunction('comfyui-socket', async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return client.send(ownerQuery);
      }),
      runAsFunction('health', () => client.send(ownerQuery)),
    ]);
    expect(socket.status).toBe('fulfilled');
    expect(health.status).toBe('rejected');
    const error = (health as PromiseRejectedResult).reason as Error;
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(
      'comfy-exec-local-health is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table/connections/index/owner-index',
    );
    expect(denials.at(-1)).toMatchObject({ principal: 'health', action: 'dynamodb:Query' });
  });

  it('leaves calls outside any invocation alone (the stack itself, tests)', async () => {
    const client = offline(documentClient({ region: 'us-east-1' }, 'websocket'));
    await expect(client.send(ownerQuery)).resolves.toBeDefined();
  });

  it('does not check a presigned URL (no call), but checks the same operation sent', async () => {
    const s3 = offline(s3Client({ region: 'us-east-1', s3ForcePathStyle: true }));
    const before = denials.length;
    const put = new PutObjectCommand({ Bucket: 'payloads', Key: 'models/m.bin' });
    const url = await runAsFunction('get-execute', () => getSignedUrl(s3, put));
    expect(url).toContain('X-Amz-Signature=');
    expect(denials.length).toBe(before);
    await expect(runAsFunction('get-execute', () => s3.send(put))).rejects.toThrow(
      /get-execute is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::payloads\/models\/m\.bin/,
    );
    await expect(
      runAsFunction('get-execute', () =>
        s3.send(new GetObjectCommand({ Bucket: 'payloads', Key: 'executes/p/outputs/9/a.png' })),
      ),
    ).resolves.toBeDefined();
  });

  it('lets PrepareEndpoint abort the multipart copy that failed (an object over 5 GiB)', async () => {
    const s3 = offline(s3Client({ region: 'us-east-1', s3ForcePathStyle: true }), (command) => {
      if (command === 'UploadPartCopyCommand') throw new Error('part copy failed');
      return command === 'CreateMultipartUploadCommand' ? { UploadId: 'upload-1' } : {};
    });
    // Small limits stand for 5 GiB: this copy goes multipart.
    const payloads = new S3PayloadStore(s3, 'payloads', { singleCopyBytes: 1, partBytes: 5 * 1024 ** 2 });
    const before = denials.length;
    await expect(
      runAsFunction('prepare-endpoint', () =>
        payloads.copyObject(
          's3://payloads/inputs/key-a/big.safetensors',
          's3://payloads/models/checkpoints/big.safetensors',
          10,
        ),
      ),
    ).rejects.toThrow('part copy failed');
    // The abort's refusal is swallowed by the copy, so the report is where it shows.
    expect(denials.slice(before)).toEqual([]);
  });
});
