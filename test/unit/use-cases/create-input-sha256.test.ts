import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../../../lambda/domain/errors';
import { createInput } from '../../../lambda/use-cases/create-input';
import { InMemoryInputStore } from '../../fakes/in-memory-input-store';

const SHA256 = 'a'.repeat(64);

function deps() {
  const inputs = new InMemoryInputStore();
  return {
    inputs,
    clock: { now: () => new Date('2026-12-06T00:00:00Z') },
    ids: { newId: () => '0123abcd-0000-4000-8000-000000000000' },
    config: { maxInputBytes: 1_000_000, uploadUrlTtlSeconds: 900, retentionDays: 7 },
  };
}

describe('CreateInput with the bytes’ sha256 (what a client reuses an upload by)', () => {
  it('hands the declared sha256 to the store, which signs it into the upload', async () => {
    const d = deps();
    await createInput(
      { filename: 'cat.png', content_type: 'image/png', size: 10, sha256: SHA256 },
      'key-a',
      d,
    );
    await createInput({ filename: 'dog.png', content_type: 'image/png', size: 10 }, 'key-a', d);
    expect(d.inputs.presigned.map((p) => p.upload.sha256)).toEqual([SHA256, undefined]);
  });

  it('refuses a sha256 that is not 64 lowercase hex digits', async () => {
    for (const sha256 of ['A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(63)}/`, ''])
      await expect(
        createInput({ filename: 'cat.png', content_type: 'image/png', size: 10, sha256 }, 'key-a', deps()),
      ).rejects.toThrow(new RequestValidationError('sha256 must be 64 lowercase hex digits'));
  });
});
