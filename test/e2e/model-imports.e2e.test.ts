import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../lambda/http/openapi';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { LOCAL_SOURCE_TOKEN_PREFIX } from '../../local/model-imports-consumer';
import { type Answer, api, KEY_A, KEY_B } from './local-api';
import { ModelSourceServer } from './model-source-server';

const MIB = 1024 ** 2;
let stack: LocalStack;
const origin = new ModelSourceServer();
const cdn = new ModelSourceServer();
/** The origin's host on another port: another origin, which the origin's token must not reach. */
const otherPort = new ModelSourceServer();

/** A file of `size` bytes whose content depends on `seed` (every byte, so a misplaced range shows). */
function modelBytes(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) % 251;
  return bytes;
}
/** A promise a source server holds a range on, and what lets it go. */
function heldBack() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { until, release };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  // Key A writes the library, key B only reads it; 5 MiB parts keep the files small.
  stack = await startLocalStack({ port: 0, apiKeys: [KEY_A, KEY_B], simStepMs: 1, modelPartBytes: 5 * MIB });
  await origin.start('127.0.0.1');
  origin.redirectBase = await cdn.start('127.0.0.2');
  await otherPort.start('127.0.0.1');
}, 120_000);
afterAll(async () => {
  await Promise.all([origin.stop(), cdn.stop(), otherPort.stop()]);
  await stack?.stop();
});

const document = buildOpenApiDocument() as { paths: Record<string, Record<string, any>> };
/** An answer as the OpenAPI document describes it (the handler conformance test cannot start an import). */
function conforms(path: string, method: string, answer: Answer) {
  const schema =
    document.paths[path]![method].responses[String(answer.status)].content['application/json'].schema;
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  expect(validate(answer.body), JSON.stringify(validate.errors)).toBe(true);
}

/**
 * GET /models/{folder}/{name} until its import is final. It waits as long as the test may; near
 * the test's end it says what it saw last (its last_retry names a failure being retried).
 */
async function untilImportEnds(path: string): Promise<Answer> {
  const deadline = Date.now() + 55_000;
  for (;;) {
    const answer = await api(stack, 'GET', `models/${path}`);
    if (['imported', 'failed'].includes(answer.body.data?.import?.status)) return answer;
    if (Date.now() > deadline)
      throw new Error(`the import of ${path} has not ended: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The staged and library objects of a model, as S3 holds them (undefined when absent). */
async function stored(key: string) {
  try {
    return await stack.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
  } catch {
    return undefined;
  }
}

describe('end to end through HTTP: models from a URL', () => {
  it('imports a gated model through a CDN redirect in ranged parts, the token sent only to its host', async () => {
    const bytes = modelBytes(11 * MIB + 7, 3);
    const { until: held, release } = heldBack();
    // The origin wants the token; its redirect goes to the CDN (as Hugging Face's resolve/ URLs do).
    origin.serve('gated.safetensors', { bytes, token: 'hf_local_token' });
    cdn.serve('gated.safetensors', { bytes, holdRangeFrom: { at: 10 * MIB, until: held } });
    origin.redirectBase = cdn.base;
    stack.aws.secrets.handle('CreateSecret', {
      Name: `${LOCAL_SOURCE_TOKEN_PREFIX}127.0.0.2_${new URL(cdn.base).port}`,
      SecretString: 'hf_local_token',
    });
    // The token's host is the CDN here: the origin, asked without one, refuses (401, named).
    const refused = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'gated.safetensors', source: `${origin.base}/gated.safetensors` },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('answered HTTP 401');
    expect(refused.body.message).toContain('gated model needs a token');
    expect((await api(stack, 'GET', 'models/loras/gated.safetensors')).status).toBe(404);

    stack.aws.secrets.handle('CreateSecret', {
      Name: `${LOCAL_SOURCE_TOKEN_PREFIX}127.0.0.1_${new URL(origin.base).port}`,
      SecretString: 'hf_local_token',
    });
    const source = `${origin.base}/redirect/gated.safetensors`;
    origin.serve('gated.safetensors', { bytes, token: 'hf_local_token' });
    cdn.serve('gated.safetensors', { bytes, holdRangeFrom: { at: 10 * MIB, until: held } });
    // The redirect goes to the CDN, which needs no token: the source's host is the origin.
    const started = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'sdxl/gated.safetensors', source },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    conforms('/models', 'post', started);
    expect(started.body.data.import).toMatchObject({
      status: 'importing',
      source,
      size: bytes.length,
      parts_total: 3,
      parts_done: 0,
    });

    // Progress while the last part is held back: the two others uploaded, by bytes.
    const path = `loras/${encodeURIComponent('sdxl/gated.safetensors')}`;
    let progress: Answer;
    const deadline = Date.now() + 50_000;
    do {
      progress = await api(stack, 'GET', `models/${path}`, { key: KEY_B });
      if (Date.now() > deadline)
        throw new Error(`parts 1 and 2 are not in: ${JSON.stringify(progress.body)}`);
    } while (progress.body.data.import.parts_done < 2);
    conforms('/models/{folder}/{name}', 'get', progress);
    expect(progress.body.data).toMatchObject({
      model: null,
      import: { status: 'importing', parts_done: 2, bytes_done: 10 * MIB },
    });
    release();

    const ended = await untilImportEnds(path);
    conforms('/models/{folder}/{name}', 'get', ended);
    expect(ended.body.data.import).toMatchObject({ status: 'imported', error: null, sha256: sha256(bytes) });
    expect(ended.body.data.model).toMatchObject({ size: bytes.length, sha256: sha256(bytes), source });
    const object = await stack.s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: 'models/loras/sdxl/gated.safetensors' }),
    );
    expect(sha256(Buffer.from(await object.Body!.transformToByteArray()))).toBe(sha256(bytes));
    expect(await stored('model-imports/loras/sdxl/gated.safetensors.data')).toBeUndefined();

    // Every part went to the origin with the token, and on to the CDN without it.
    const parts = ['bytes=0-5242879', 'bytes=5242880-10485759', `bytes=10485760-${bytes.length - 1}`];
    const toOrigin = origin.seen.filter((seen) => seen.path === '/redirect/gated.safetensors');
    const toCdn = cdn.seen.filter((seen) => seen.path === '/gated.safetensors');
    expect(toOrigin.every((seen) => seen.authorization === 'Bearer hf_local_token')).toBe(true);
    expect(toCdn.every((seen) => seen.authorization === undefined)).toBe(true);
    expect(toCdn.map((seen) => seen.range).sort()).toEqual(['bytes=0-0', ...parts].sort());

    const listed = await api(stack, 'GET', 'models?folder=loras', { key: KEY_B });
    expect(listed.body.data.models).toContainEqual(ended.body.data.model);
  });

  it('fails an import whose file is not the declared SHA-256, adding nothing to the library', async () => {
    const bytes = modelBytes(6 * MIB, 5);
    origin.serve('wrong.safetensors', { bytes });
    const started = await api(stack, 'POST', 'models', {
      body: {
        folder: 'vae',
        name: 'wrong.safetensors',
        source: `${origin.base}/wrong.safetensors`,
        sha256: 'a'.repeat(64),
      },
    });
    expect(started.status).toBe(202);
    const ended = await untilImportEnds('vae/wrong.safetensors');
    expect(ended.body.data.model).toBeNull();
    expect(ended.body.data.import.status).toBe('failed');
    expect(ended.body.data.import.error).toBe(
      `the file's SHA-256 is ${sha256(bytes)}, not the ${'a'.repeat(64)} declared: nothing was added to the library`,
    );
    expect(await stored('models/vae/wrong.safetensors')).toBeUndefined();
    expect(await stored('model-imports/vae/wrong.safetensors.data')).toBeUndefined();

    // Tried again with the right digest: imported.
    const again = await api(stack, 'POST', 'models', {
      body: {
        folder: 'vae',
        name: 'wrong.safetensors',
        source: `${origin.base}/wrong.safetensors`,
        sha256: sha256(bytes),
      },
    });
    expect(again.status).toBe(202);
    expect((await untilImportEnds('vae/wrong.safetensors')).body.data.import.status).toBe('imported');
  });

  it('fails an import whose source changes between its parts', async () => {
    let requests = 0;
    origin.serve('changing.safetensors', {
      bytes: modelBytes(6 * MIB, 9),
      etag: () => `"v${++requests > 1 ? 2 : 1}"`,
    });
    const started = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'changing.safetensors', source: `${origin.base}/changing.safetensors` },
    });
    expect(started.status).toBe(202);
    const ended = await untilImportEnds('loras/changing.safetensors');
    expect(ended.body.data.import.status).toBe('failed');
    expect(ended.body.data.import.error).toContain('changed during the import');
    expect(ended.body.data.model).toBeNull();
  });

  it('imports a small file from a server without byte ranges in one part', async () => {
    const bytes = modelBytes(300_000, 1);
    origin.serve('plain.pt', { bytes, noRanges: true });
    const started = await api(stack, 'POST', 'models', {
      body: { folder: 'upscale_models', name: 'plain.pt', source: `${origin.base}/plain.pt` },
    });
    expect(started.status).toBe(202);
    expect(started.body.data.import.parts_total).toBe(1);
    const ended = await untilImportEnds('upscale_models/plain.pt');
    expect(ended.body.data.model).toMatchObject({ size: bytes.length, sha256: sha256(bytes) });
  });

  it('answers every bad request with a 4xx naming what is wrong, writing nothing', async () => {
    origin.serve('big.bin', { bytes: modelBytes(11 * MIB, 2), noRanges: true });
    const { until, release } = heldBack();
    origin.serve('held.safetensors', {
      bytes: modelBytes(6 * MIB, 4),
      holdRangeFrom: { at: 5 * MIB, until },
    });
    const cases: [Record<string, unknown>, string | null, number, string][] = [
      [{ source: `${origin.base}/nothing-here` }, KEY_A, 400, 'answered HTTP 404'],
      [{ source: `${origin.base}/x?token=hf_secret` }, KEY_A, 400, 'must not carry a password or token'],
      [{ source: 'https://user:pw@example.com/x' }, KEY_A, 400, 'must not carry a password or token'],
      [{ source: 'ftp://example.com/x' }, KEY_A, 400, 'source must be an http:// or https:// URL'],
      [{ source: 'not a url' }, KEY_A, 400, "source 'not a url' is not a URL"],
      [{ source: `${origin.base}/big.bin` }, KEY_A, 400, 'does not answer byte ranges'],
      [
        { source: `${origin.base}/plain.pt`, sha256: 'XYZ' },
        KEY_A,
        400,
        'sha256 must be 64 lowercase hex digits',
      ],
      [{ source: `${origin.base}/plain.pt`, size: 3 }, KEY_A, 400, 'size'],
      [{ source: `${origin.base}/plain.pt` }, KEY_B, 403, "the operator's modelWriters list"],
    ];
    for (const [extra, key, status, message] of cases) {
      const answer = await api(stack, 'POST', 'models', {
        body: { folder: 'loras', name: 'bad.safetensors', ...extra },
        key,
      });
      expect([answer.status, answer.body.message], JSON.stringify(extra)).toEqual([
        status,
        expect.stringContaining(message),
      ]);
    }
    expect((await api(stack, 'GET', 'models/loras/bad.safetensors')).status).toBe(404);
    expect(await stored('model-imports/loras/bad.safetensors.json')).toBeUndefined();

    // A model already there, and one being imported, are not imported over.
    const present = await api(stack, 'POST', 'models', {
      body: { folder: 'upscale_models', name: 'plain.pt', source: `${origin.base}/plain.pt` },
    });
    expect([present.status, present.body.message]).toEqual([
      409,
      expect.stringContaining('send overwrite: true'),
    ]);
    const held = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'held.safetensors', source: `${origin.base}/held.safetensors` },
    });
    expect(held.status).toBe(202);
    const twice = await api(stack, 'POST', 'models', {
      body: {
        folder: 'loras',
        name: 'held.safetensors',
        source: `${origin.base}/held.safetensors`,
        overwrite: true,
      },
    });
    expect([twice.status, twice.body.message]).toEqual([
      409,
      expect.stringContaining('is being imported already'),
    ]);

    // Deleting it stops the import: its record and staged upload go; nothing reaches the library.
    expect((await api(stack, 'DELETE', 'models/loras/held.safetensors', { key: KEY_B })).status).toBe(403);
    expect((await api(stack, 'DELETE', 'models/loras/held.safetensors')).status).toBe(204);
    expect((await api(stack, 'GET', 'models/loras/held.safetensors')).status).toBe(404);
    expect(await stored('model-imports/loras/held.safetensors.json')).toBeUndefined();
    // The part in flight then finds its upload gone, and nothing comes back.
    release();
    expect((await api(stack, 'GET', 'models/loras/held.safetensors')).status).toBe(404);
  });

  it('sends a token to its origin only, and never shows a signed redirect in an error', async () => {
    const bytes = modelBytes(1 * MIB, 6);
    // The token for 127.0.0.1 exists (the first test made it): a redirect to another port of the
    // same host is another origin, and gets none.
    otherPort.serve('ported.safetensors', { bytes });
    origin.redirectBase = otherPort.base;
    const started = await api(stack, 'POST', 'models', {
      body: {
        folder: 'loras',
        name: 'ported.safetensors',
        source: `${origin.base}/redirect/ported.safetensors`,
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await untilImportEnds('loras/ported.safetensors')).body.data.import.status).toBe('imported');
    expect(otherPort.seen.map((seen) => seen.authorization)).toEqual([undefined, undefined]);

    // A CDN refusing its signed URL: the answer names its origin alone, not the signed path or query.
    cdn.serve('refused.safetensors', { bytes, status: 403 });
    origin.redirectBase = cdn.base;
    const refused = await api(stack, 'POST', 'models', {
      body: {
        folder: 'loras',
        name: 'refused.safetensors',
        source: `${origin.base}/redirect/refused.safetensors`,
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe(
      `source: ${cdn.base}/… answered HTTP 403, after a redirect from ${new URL(origin.base).host}: a token is only ever sent to ${origin.base}`,
    );
    expect(refused.body.message).not.toMatch(/X-Sig|refused\.safetensors/);
  });

  it('fails an import whose parts come back without the ETag the probe had', async () => {
    origin.serve('untagged.safetensors', { bytes: modelBytes(6 * MIB, 8), noEtagOnParts: true });
    const started = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'untagged.safetensors', source: `${origin.base}/untagged.safetensors` },
    });
    expect(started.status).toBe(202);
    const ended = await untilImportEnds('loras/untagged.safetensors');
    expect(ended.body.data.import).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('changed during the import'),
    });
  });

  it('keeps an upload and an import of one name apart, and a DELETE stops an import without losing the model', async () => {
    const { until, release } = heldBack();
    const bytes = modelBytes(6 * MIB, 10);
    origin.serve('kept.safetensors', { bytes, holdRangeFrom: { at: 5 * MIB, until } });
    // plain.pt is in the library (an earlier test): importing over it, asked, then stopped.
    const before = (await api(stack, 'GET', 'models/upscale_models/plain.pt')).body.data.model;
    const started = await api(stack, 'POST', 'models', {
      body: {
        folder: 'upscale_models',
        name: 'plain.pt',
        source: `${origin.base}/kept.safetensors`,
        overwrite: true,
      },
    });
    expect(started.status).toBe(202);
    // An upload of the name while the import runs is refused, naming the import.
    const upload = await api(stack, 'POST', 'models', {
      body: { folder: 'upscale_models', name: 'plain.pt', size: 10, overwrite: true },
    });
    expect([upload.status, upload.body.message]).toEqual([409, expect.stringContaining('is being imported')]);
    const stopped = await api(stack, 'DELETE', 'models/upscale_models/plain.pt');
    expect(stopped.status).toBe(204);
    release();
    // The model it would have replaced is still there, unchanged; a second DELETE removes it.
    const after = await api(stack, 'GET', 'models/upscale_models/plain.pt');
    expect(after.body.data).toMatchObject({ model: before, import: null });
    expect((await api(stack, 'DELETE', 'models/upscale_models/plain.pt')).status).toBe(204);
    expect((await api(stack, 'GET', 'models/upscale_models/plain.pt')).status).toBe(404);
  });

  it('does not let an upload begun before an import replace it afterwards', async () => {
    // An upload of the name is open (started, parts not yet completed): an import is refused...
    const upload = await api(stack, 'POST', 'models', {
      body: { folder: 'loras', name: 'both.safetensors', size: 100 },
    });
    expect(upload.status).toBe(201);
    const bytes = modelBytes(3000, 12);
    origin.serve('both.safetensors', { bytes });
    const body = { folder: 'loras', name: 'both.safetensors', source: `${origin.base}/both.safetensors` };
    const refused = await api(stack, 'POST', 'models', { body });
    expect([refused.status, refused.body.message]).toEqual([
      409,
      expect.stringContaining('an upload of loras/both.safetensors is in progress'),
    ]);
    // ...unless asked to overwrite: the import then ends the upload, which can no longer complete.
    expect((await api(stack, 'POST', 'models', { body: { ...body, overwrite: true } })).status).toBe(202);
    expect((await untilImportEnds('loras/both.safetensors')).body.data.model).toMatchObject({ size: 3000 });
    const [part] = upload.body.data.parts;
    const put = await fetch(part.url, { method: 'PUT', body: new Uint8Array(100) });
    const completed = await api(stack, 'POST', 'models/complete', {
      body: {
        folder: 'loras',
        name: 'both.safetensors',
        upload_id: upload.body.data.upload_id,
        parts: [{ part_number: 1, etag: put.headers.get('etag') ?? '"none"' }],
      },
    });
    expect(completed.status).toBe(400);
    expect((await api(stack, 'GET', 'models/loras/both.safetensors')).body.data.model).toMatchObject({
      size: 3000,
    });
  });
});
