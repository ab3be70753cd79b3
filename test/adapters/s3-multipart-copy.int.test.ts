import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCopyCommand } from '@aws-sdk/client-s3';
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
      new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/big/model.bin', Body: bytes }),
    );
    const store = new S3PayloadStore(clients.s3, bucket(), { singleCopyBytes: 6 * MiB, partBytes: 5 * MiB });
    await store.copyObject(
      `s3://${bucket()}/inputs/big/model.bin`,
      `s3://${bucket()}/models/checkpoints/model.bin`,
      bytes.length,
    );
    expect((await read('models/checkpoints/model.bin')).equals(bytes)).toBe(true);
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
    expect(names[0]).toBe('CreateMultipartUploadCommand');
    expect(names.at(-1)).toBe('AbortMultipartUploadCommand');
    expect(names).not.toContain('CompleteMultipartUploadCommand');
  });
});
