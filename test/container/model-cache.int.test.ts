import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCache } from '../../container/src/model-cache';
import type { StagedModelFile } from '../../lambda/use-cases/execute-models';
import { useFreshBucket } from '../support/local-aws';

const { clients, bucket } = useFreshBucket();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'model-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const bytesOf = (size: number, seed: number) => Buffer.alloc(size, seed);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function libraryModel(
  name: string,
  bytes: Buffer,
  sha256: string | null = sha(bytes),
): Promise<StagedModelFile> {
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: `models/loras/${name}`, Body: bytes }));
  return {
    folder: 'loras',
    name,
    source: `s3://${bucket()}/models/loras/${name}`,
    size: bytes.length,
    sha256,
  };
}

const cache = (budgetBytes = 1000) =>
  new ModelCache({ dir, budgetBytes, s3: clients.s3, partBytes: 64, concurrency: 3 });

describe("the endpoint's model cache", () => {
  it('downloads in parallel ranges, verified, to the final name only when complete', async () => {
    const bytes = Buffer.from(Array.from({ length: 700 }, (_, i) => i % 251));
    const model = await libraryModel('ranges.safetensors', bytes);
    const progress: number[] = [];
    const held = await cache().ensure([model], (_model, done) => progress.push(done));
    expect(readFileSync(join(dir, 'loras', 'ranges.safetensors')).equals(bytes)).toBe(true);
    expect(progress.at(-1)).toBe(700);
    expect(held.downloaded).toEqual(['loras/ranges.safetensors']);
    expect(readdirSync(join(dir, 'loras')).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('downloads a file once however many invocations want it at the same time', async () => {
    const model = await libraryModel('shared.safetensors', bytesOf(300, 1));
    const models = cache();
    let partialSeen = false;
    const first = models.ensure([model], () => {
      partialSeen ||= !existsSync(join(dir, 'loras', 'shared.safetensors'));
    });
    const second = models.ensure([model]);
    const [a, b] = await Promise.all([first, second]);
    expect(a.downloaded.length + b.downloaded.length).toBe(1);
    expect(partialSeen).toBe(true); // the final name appears only once the file is whole
  });

  it('refuses a download whose SHA-256 differs from the library, and keeps nothing of it', async () => {
    const model = await libraryModel('bad.safetensors', bytesOf(100, 2), sha(Buffer.from('other')));
    await expect(cache().ensure([model])).rejects.toThrow("the download's SHA-256 is");
    expect(readdirSync(dir, { recursive: true }).filter((name) => String(name).includes('bad'))).toEqual([]);
  });

  it('evicts the least recently used file for room, never one held by a running invocation', async () => {
    const models = cache(500);
    const a = await libraryModel('a.safetensors', bytesOf(200, 3));
    const b = await libraryModel('b.safetensors', bytesOf(200, 4));
    const c = await libraryModel('c.safetensors', bytesOf(200, 5));
    const heldA = await models.ensure([a]);
    (await models.ensure([b])).release();
    // a is older but held: b goes.
    (await models.ensure([c])).release();
    expect(models.has('loras/a.safetensors')).toBe(true);
    expect(models.has('loras/b.safetensors')).toBe(false);
    heldA.release();
    const d = await libraryModel('d.safetensors', bytesOf(200, 6));
    (await models.ensure([d])).release();
    expect(models.has('loras/a.safetensors')).toBe(false);
    expect(models.usedBytes).toBe(400);
  });

  it('fails when every byte of the budget is held, and for a model bigger than the budget', async () => {
    const models = cache(300);
    const a = await libraryModel('held.safetensors', bytesOf(200, 7));
    await models.ensure([a]);
    const b = await libraryModel('next.safetensors', bytesOf(200, 8));
    await expect(models.ensure([b])).rejects.toThrow('held by models in use');
    const big = await libraryModel('big.safetensors', bytesOf(301, 9));
    await expect(models.ensure([big])).rejects.toThrow("over the endpoint's model cache budget of 300 bytes");
  });

  it('takes over what an earlier process left: complete files count, partial downloads are removed', async () => {
    mkdirSync(join(dir, 'loras'), { recursive: true });
    writeFileSync(join(dir, 'loras', 'kept.safetensors'), bytesOf(100, 10));
    writeFileSync(join(dir, 'loras', 'cut.safetensors.partial-abcd'), bytesOf(10, 11));
    const models = cache();
    expect(models.has('loras/kept.safetensors')).toBe(true);
    expect(models.usedBytes).toBe(100);
    const kept = {
      folder: 'loras',
      name: 'kept.safetensors',
      source: 's3://nowhere/x',
      size: 100,
      sha256: null,
    };
    expect((await models.ensure([kept])).downloaded).toEqual([]); // no download: already there
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(join(dir, 'loras', 'cut.safetensors.partial-abcd'))).toBe(false);
  });
});
