import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { bringModels } from '../../container/src/bring-files';
import type { InvocationDeps } from '../../container/src/invocation-deps';
import { ModelCache } from '../../container/src/model-cache';
import type { ExecuteRecord } from '../../lambda/domain/execute-record';
import type { RecordChange } from '../../lambda/domain/ports';
import { useFreshBucket } from '../support/local-aws';

const { clients, bucket } = useFreshBucket();
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a model download before the run', () => {
  it("shows in the record's progress (which model, bytes) and releases the model afterwards", async () => {
    const size = 3 * 1024 ** 2;
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: 'models/loras/x.safetensors',
        Body: Buffer.alloc(size, 1),
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'model-progress-'));
    dirs.push(dir);
    const models = new ModelCache({ dir, budgetBytes: 10 * size, s3: clients.s3, partBytes: 1024 ** 2 });
    const writes: RecordChange[] = [];
    const deps = {
      store: { update: async (_key: unknown, change: RecordChange) => writes.push(change) },
      config: { PROGRESS_WRITE_INTERVAL_MS: 100 },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      models,
    } as unknown as InvocationDeps;
    const staged = {
      prompt_id: 'p',
      prompt: {},
      model_files: [
        {
          folder: 'loras',
          name: 'x.safetensors',
          source: `s3://${bucket()}/models/loras/x.safetensors`,
          size,
          sha256: null,
        },
      ],
    };
    const held = await bringModels(staged, { prompt_id: 'p', owner: 'o' } as ExecuteRecord, deps);
    if ('httpStatus' in held) throw new Error(held.result.message);
    expect(held.downloadMs).toBeGreaterThanOrEqual(0);
    const progress = writes.map((change) => change.set.progress);
    expect(progress.at(-1)).toEqual({
      value: size,
      max: size,
      node: null,
      percent: 100,
      stage: 'downloading loras/x.safetensors',
    });
    held.release();
  });
});
