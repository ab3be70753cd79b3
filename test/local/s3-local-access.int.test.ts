import { execFile } from 'node:child_process';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newLocalCredentials } from '../../local/local-credentials';
import { type RunningS3, startS3Local } from '../../local/s3-local';
import { expectLoopbackOnly } from './listening-sockets';

// An S3 of its own, started as `npm start` starts it: with a key pair made for it.
const pair = newLocalCredentials();
let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3Local({ credentials: [pair] });
  await client(pair).send(new CreateBucketCommand({ Bucket: 'private' }));
  await client(pair).send(new PutObjectCommand({ Bucket: 'private', Key: 'secret.txt', Body: 'secret' }));
});
afterAll(() => s3?.stop());

function client(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A GET sent by another process of this machine (as another user's would be), answering its status and body. */
function getFromAnotherProcess(url: string): Promise<string> {
  const script =
    'fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text()), (e) => console.log("error", e.cause?.code ?? e.message))';
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script, url], (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    ),
  );
}

describe('the local S3 as npm start runs it', () => {
  it('refuses the public S3RVER pair every local S3 once took, and takes the pair it was given', async () => {
    await expect(
      client({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }).send(
        new GetObjectCommand({ Bucket: 'private', Key: 'secret.txt' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    const object = await client(pair).send(new GetObjectCommand({ Bucket: 'private', Key: 'secret.txt' }));
    expect(await object.Body!.transformToString()).toBe('secret');
  });

  it('keeps s3rver itself from any other process: no unsigned read around the front', async () => {
    expect(s3.internalEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await getFromAnotherProcess(`${s3.internalEndpoint}/private/secret.txt`);
    expect(answer).toMatch(/^403 /);
    expect(await getFromAnotherProcess(`${s3.endpoint}/private/secret.txt`)).toMatch(
      /^403 [\s\S]*<Code>AccessDenied<\/Code>/,
    );
  });

  it("takes no connection on the machine's other addresses", async () => {
    for (const url of [s3.endpoint, s3.internalEndpoint])
      await expectLoopbackOnly(Number(new URL(url).port), url);
  });
});
