import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { multipartCopy } from '../../lambda/adapters/s3-multipart-copy';
import { S3PayloadStore } from '../../lambda/adapters/s3-payload-store';
import { useFreshBucket } from '../support/local-aws';

/**
 * Issue 26: POST /prepare copies objects over 5 GiB (CopyObject's limit) in parts. The limit and
 * part size are made small here; the suite's S3 (s3rver behind local/s3-front.ts) does
 * UploadPartCopy as S3 does, and refuses to complete with parts under 5 MiB as S3 does.
 */
const { clients, bucket } = useFreshBucket();
const MiB = 1024 ** 2;

const read = async (key: string) => {
  const answer = await clients.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
};

describe('copyObject past the single-copy limit', () => {
  it('copies in ranged parts, byte for byte, when the object is over the limit', async () => {
    const bytes = randomBytes(11 * MiB + 123);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: 'inputs/big/model.bin',
        Body: bytes,
        ContentType: 'application/octet-stream',
        Metadata: { sha256: 'ab'.repeat(32) },
      }),
    );
    const store = new S3PayloadStore(clients.s3, bucket(), { singleCopyBytes: 6 * MiB, partBytes: 5 * MiB });
    await store.copyObject(
      `s3://${bucket()}/inputs/big/model.bin`,
      `s3://${bucket()}/models/checkpoints/model.bin`,
      bytes.length,
    );
    expect((await read('models/checkpoints/model.bin')).equals(bytes)).toBe(true);
    // As CopyObject does: the source's metadata (a model's SHA-256) and content type come along.
    const copied = await clients.s3.send(
      new HeadObjectCommand({ Bucket: bucket(), Key: 'models/checkpoints/model.bin' }),
    );
    expect(copied.Metadata).toEqual({ sha256: 'ab'.repeat(32) });
    expect(copied.ContentType).toBe('application/octet-stream');
  });

  it('fails, leaving nothing, when the source changes between the listing and a part', async () => {
    await clients.s3.send(
      new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/moving.bin', Body: randomBytes(11 * MiB) }),
    );
    const s3 = clients.s3;
    const replaced = { done: false };
    // The second part is asked for after the source was replaced.
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCopyCommand' && !replaced.done) {
          replaced.done = true;
          await s3.send(
            new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/moving.bin', Body: randomBytes(11 * MiB) }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'replaceSourceOnce' },
    );
    try {
      const store = new S3PayloadStore(s3, bucket(), { singleCopyBytes: 6 * MiB, partBytes: 5 * MiB });
      await expect(
        store.copyObject(
          `s3://${bucket()}/inputs/moving.bin`,
          `s3://${bucket()}/models/vae/moving.bin`,
          11 * MiB,
        ),
      ).rejects.toThrow();
      await expect(
        s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: 'models/vae/moving.bin' })),
      ).rejects.toThrow();
    } finally {
      s3.middlewareStack.remove('replaceSourceOnce');
    }
  });

  it('copies in one call at or under the limit', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/small.bin', Body: 'small' }));
    const store = new S3PayloadStore(clients.s3, bucket(), { singleCopyBytes: 6 * MiB });
    await store.copyObject(`s3://${bucket()}/inputs/small.bin`, `s3://${bucket()}/models/vae/small.bin`, 5);
    expect((await read('models/vae/small.bin')).toString()).toBe('small');
  });
});

describe('multipartCopy when a part fails', () => {
  it('aborts the upload (no parts left to bill) and throws', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(s3);
    mock.onAnyCommand().resolves({ UploadId: 'u-1' });
    mock.on(UploadPartCopyCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown' }));
    await expect(
      multipartCopy(s3, { bucket: 'b', key: 'from' }, { bucket: 'b', key: 'to' }, 12 * MiB, 5 * MiB),
    ).rejects.toThrow('slow down');
    const names = mock.calls().map((call) => call.args[0].constructor.name);
    expect(names.slice(0, 2)).toEqual(['HeadObjectCommand', 'CreateMultipartUploadCommand']);
    expect(names.at(-1)).toBe('AbortMultipartUploadCommand');
    expect(names).not.toContain('CompleteMultipartUploadCommand');
  });
});
