import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { objectInfoKey } from '../../container/src/publish-object-info';
import { localClients } from '../support/local-aws';
import { startContainerHarness } from './harness';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const library = randomBytes(150_000);
const elsewhere = randomBytes(90_000);
const fromUrl = randomBytes(120_000);

/** An https source stands in as a server on this machine that answers only when the test lets it. */
let release: () => void = () => {};
const released = new Promise<void>((resolve) => {
  release = resolve;
});
/** Requests the URL has had. */
let urlRequests = 0;
const server: Server = createServer(async (request, response) => {
  urlRequests++;
  await released;
  if (request.url === '/vae.safetensors') response.end(fromUrl);
  else {
    response.statusCode = 404;
    response.end();
  }
});
const serverUrl = new Promise<string>((resolve) =>
  server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** An environments folder holding `name.json` with these models, as the image has it. */
function environments(name: string, models: unknown[]) {
  const dir = mkdtempSync(join(tmpdir(), 'environments-'));
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ models }));
  return dir;
}

let harness: Awaited<ReturnType<typeof startContainerHarness>> | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("endpoint container: the environment's models are present before /ping passes", () => {
  it('fetches from an https URL, the library and another S3 object, verified, then reports healthy', async () => {
    // The container's bucket, made first so the file can name it (as an operator's would).
    const bucket = `comfy-exec-preload-${randomBytes(4).toString('hex')}`;
    const s3 = localClients().s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = (key: string, body: Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    await put('models/checkpoints/tiny.safetensors', library);
    await put('elsewhere/style.safetensors', elsewhere);
    const cache = mkdtempSync(join(tmpdir(), 'model-cache-'));
    const dir = environments('video', [
      {
        folder: 'vae',
        name: 'vae.safetensors',
        source: `${await serverUrl}/vae.safetensors`,
        sha256: sha256(fromUrl),
      },
      {
        folder: 'checkpoints',
        name: 'tiny.safetensors',
        source: 'library:checkpoints/tiny.safetensors',
        sha256: sha256(library),
      },
      {
        folder: 'loras',
        name: 'style.safetensors',
        source: `s3://${bucket}/elsewhere/style.safetensors`,
        sha256: sha256(elsewhere),
      },
    ]);
    harness = await startContainerHarness({
      env: {
        BUCKET_NAME: bucket,
        COMFY_EXEC_ENVIRONMENT: 'video',
        ENVIRONMENTS_DIR: dir,
        MODEL_CACHE_DIR: cache,
        ALLOW_LOOPBACK_INPUT_URLS: 'true',
      },
    });
    // The URL has not answered yet: the instance is not healthy, whatever else is ready.
    expect((await fetch(`${harness.url}/ping`)).status).toBe(503);
    // ComfyUI's catalog is published only after the models: it must list them (S3 keeps seconds).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    release();
    expect(await harness.modelsReady).toEqual({ present: true });
    let published: Date | undefined;
    while (!published)
      published = await s3
        .send(new HeadObjectCommand({ Bucket: bucket, Key: objectInfoKey('comfy-async-test') }))
        .then((head) => head.LastModified)
        .catch(() => undefined);
    const written = statSync(join(cache, 'vae/vae.safetensors')).mtimeMs;
    expect(published.getTime()).toBeGreaterThanOrEqual(Math.floor(written / 1000) * 1000);
    expect(readFileSync(join(cache, 'checkpoints/tiny.safetensors')).equals(library)).toBe(true);
    expect(readFileSync(join(cache, 'loras/style.safetensors')).equals(elsewhere)).toBe(true);
    expect(readFileSync(join(cache, 'vae/vae.safetensors')).equals(fromUrl)).toBe(true);
    // Healthy once the catalog is published too (the container's other condition).
    let status = 0;
    while (status !== 200) status = (await fetch(`${harness.url}/ping`)).status;
    expect(status).toBe(200);
  });

  it('stays unhealthy, saying why, when a model is not what its sha256 says', async () => {
    release();
    const cache = mkdtempSync(join(tmpdir(), 'model-cache-'));
    const dir = environments('broken', [
      {
        folder: 'vae',
        name: 'vae.safetensors',
        source: `${await serverUrl}/vae.safetensors`,
        sha256: 'f'.repeat(64),
      },
    ]);
    harness = await startContainerHarness({
      env: {
        COMFY_EXEC_ENVIRONMENT: 'broken',
        ENVIRONMENTS_DIR: dir,
        MODEL_CACHE_DIR: cache,
        ALLOW_LOOPBACK_INPUT_URLS: 'true',
        MODEL_PRELOAD_RETRY_MS: '5',
      },
    });
    expect(await harness.modelsReady).toEqual({
      present: false,
      problem: `model vae/vae.safetensors: the SHA-256 of ${await serverUrl}/vae.safetensors is ${sha256(fromUrl)}, the environment says ${'f'.repeat(64)} (not used)`,
    });
    expect((await fetch(`${harness.url}/ping`)).status).toBe(503);
    // Nothing unverified is left where ComfyUI would read it.
    expect(() => readFileSync(join(cache, 'vae/vae.safetensors'))).toThrow();
  });

  it('refuses an http:// model on a deployed instance (only a local stack may fetch from this machine)', async () => {
    release();
    const dir = environments('local', [
      {
        folder: 'vae',
        name: 'vae.safetensors',
        source: `${await serverUrl}/vae.safetensors`,
        sha256: sha256(fromUrl),
      },
    ]);
    harness = await startContainerHarness({
      env: {
        COMFY_EXEC_ENVIRONMENT: 'local',
        ENVIRONMENTS_DIR: dir,
        MODEL_CACHE_DIR: mkdtempSync(join(tmpdir(), 'model-cache-')),
        MODEL_PRELOAD_RETRY_MS: '5',
      },
    });
    expect(await harness.modelsReady).toEqual({
      present: false,
      problem: `model vae/vae.safetensors: ${await serverUrl}/vae.safetensors is not an https URL`,
    });
  });

  it('takes an https model from the library when it was imported there with the same SHA-256', async () => {
    release();
    const bucket = `comfy-exec-preload-${randomBytes(4).toString('hex')}`;
    const s3 = localClients().s3;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // As an import (POST /models with source) leaves it: its digest and source as metadata.
    const importedLora = randomBytes(70_000);
    const stale = randomBytes(60_000);
    const source = `${await serverUrl}/vae.safetensors`;
    const put = (key: string, body: Buffer, digest: string) =>
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, Metadata: { sha256: digest, source } }),
      );
    await put('models/loras/imported.safetensors', importedLora, sha256(importedLora));
    // A library file of that name with another digest is not the environment's model.
    await put('models/vae/vae.safetensors', stale, sha256(stale));
    const cache = mkdtempSync(join(tmpdir(), 'model-cache-'));
    const dir = environments('imported', [
      {
        folder: 'loras',
        name: 'imported.safetensors',
        source: `https://huggingface.co/o/r/resolve/main/imported.safetensors`,
        sha256: sha256(importedLora),
      },
      { folder: 'vae', name: 'vae.safetensors', source, sha256: sha256(fromUrl) },
    ]);
    const before = urlRequests;
    harness = await startContainerHarness({
      env: {
        BUCKET_NAME: bucket,
        COMFY_EXEC_ENVIRONMENT: 'imported',
        ENVIRONMENTS_DIR: dir,
        MODEL_CACHE_DIR: cache,
        ALLOW_LOOPBACK_INPUT_URLS: 'true',
      },
    });
    expect(await harness.modelsReady).toEqual({ present: true });
    // The huggingface.co URL was never fetched (this machine has no network): the library's copy was used.
    expect(readFileSync(join(cache, 'loras/imported.safetensors')).equals(importedLora)).toBe(true);
    // The other came from its URL, once.
    expect(readFileSync(join(cache, 'vae/vae.safetensors')).equals(fromUrl)).toBe(true);
    expect(urlRequests - before).toBe(1);
  });

  it('is healthy with no environment, or one without models, as before', async () => {
    harness = await startContainerHarness({
      env: { COMFY_EXEC_ENVIRONMENT: 'plain', ENVIRONMENTS_DIR: environments('plain', []) },
    });
    expect(await harness.modelsReady).toEqual({ present: true });
  });
});
