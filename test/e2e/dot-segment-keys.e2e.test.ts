import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_ENDPOINT_NAME, type LocalStack } from '../../local/local-stack';
import { halvesPng } from '../fixtures/media';
import { api, KEY_A, KEY_B, startE2eStack } from './local-api';

/**
 * Two keys on `npm start`, whose S3 (s3rver) resolves dot segments: B names A's input through
 * every entry point that turns a user's name into an S3 key, and is refused each time with a 400
 * naming the field; A's input stays A's. And the local S3 itself serves no unsigned request.
 */
let stack: LocalStack;
/** A's uploaded input: its name, its URI, and the owner digest that names A's prefix. */
let secret: { name: string; uri: string; digestA: string; prefixB: string };

beforeAll(async () => {
  stack = await startE2eStack();
  const bytes = halvesPng(8, 8);
  const created = await api(stack, 'POST', 'inputs', {
    body: { filename: 'secret.png', content_type: 'image/png', size: bytes.length },
    key: KEY_A,
  });
  expect(created.status).toBe(201);
  const { upload, name, s3_uri: uri } = created.body.data;
  expect(
    (await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes })).status,
  ).toBe(200);
  const digestA = /\/inputs\/([^/]+)\//.exec(uri)![1]!;
  const prefixB = (await api(stack, 'GET', 'inputs', { key: KEY_B })).body.data.s3_prefix as string;
  secret = { name, uri, digestA, prefixB };
}, 120_000);
afterAll(() => stack?.stop());

/** A's input is still there, A's alone. */
async function untouched() {
  const listed = await api(stack, 'GET', 'inputs', { key: KEY_A });
  expect(listed.body.data.inputs.map((input: { name: string }) => input.name)).toContain(secret.name);
}

const loadAndSave = (image: string) => ({
  '1': { class_type: 'LoadImage', inputs: { image } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'stolen' } },
});

describe("key B cannot reach key A's input through dot segments", () => {
  it("an uploaded-input name in a prompt: in-…-/../../<A's prefix>/<A's input>", async () => {
    const climbing = `in-${'b'.repeat(17)}-/../../${secret.digestA}/${secret.name}`;
    const answer = await api(stack, 'POST', 'executes', {
      key: KEY_B,
      body: { prompt: loadAndSave(climbing) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain("input 'image'");
    expect(answer.body.message).toContain("has a '..' path segment");
    const comfy = await api(stack, 'POST', 'comfyui/prompt', {
      key: KEY_B,
      body: { prompt: loadAndSave(climbing) },
    });
    expect(comfy.status).toBe(400);
    expect(JSON.stringify(comfy.body)).toContain("'..' path segment");
    await untouched();
  });

  it('an inline s3:// input and need_prepare through their own prefix', async () => {
    const climbing = `${secret.prefixB}../${secret.digestA}/${secret.name}`;
    const inline = await api(stack, 'POST', 'executes', {
      key: KEY_B,
      body: { prompt: loadAndSave('stolen.png'), inputs: { 'stolen.png': climbing } },
    });
    expect(inline.status).toBe(400);
    expect(inline.body.message).toContain("inputs['stolen.png']");
    const synced = await api(stack, 'POST', 'executes', {
      key: KEY_B,
      body: {
        prompt: loadAndSave(secret.name),
        need_prepare: true,
        prepare_props: { prepare_type: 'inputs', s3_source_path: `${secret.prefixB}../${secret.digestA}/` },
      },
    });
    expect(synced.status).toBe(400);
    expect(synced.body.message).toContain('prepare_props.s3_source_path: s3://');
    expect(synced.body.message).toContain("'..' path segment");
  });

  it('POST /prepare of inputs from a path through their own prefix', async () => {
    const answer = await api(stack, 'POST', 'prepare', {
      key: KEY_B,
      body: {
        endpoint_name: LOCAL_ENDPOINT_NAME,
        prepare_type: 'inputs',
        s3_source_path: `${secret.prefixB}../${secret.digestA}/`,
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('s3_source_path s3://');
    expect(answer.body.message).toContain("'..' path segment");
    const listedB = await api(stack, 'GET', 'inputs', { key: KEY_B });
    expect(listedB.body.data.inputs).toEqual([]);
  });

  it('DELETE /inputs/..%2F<A prefix>%2F<A input>', async () => {
    for (const path of [
      `inputs/..%2F${secret.digestA}%2F${encodeURIComponent(secret.name)}`,
      `inputs/in-x%2F..%2F..%2F${secret.digestA}%2F${encodeURIComponent(secret.name)}`,
      `inputs/..%5C${secret.digestA}%5C${encodeURIComponent(secret.name)}`,
    ]) {
      const answer = await api(stack, 'DELETE', path, { key: KEY_B });
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/^name '.*' (has a '\.\.' path segment|contains a backslash)$/);
    }
    await untouched();
  });

  it('GET /comfyui/view?filename=../… and a subfolder that climbs', async () => {
    for (const query of [
      `filename=..%2F${secret.digestA}%2F${encodeURIComponent(secret.name)}&type=input`,
      `filename=..%5C${secret.digestA}%5C${encodeURIComponent(secret.name)}&type=input`,
      `filename=${encodeURIComponent(secret.name)}&subfolder=..%2F..%2F${secret.digestA}&type=input`,
    ]) {
      const answer = await fetch(`${stack.apiUrl}comfyui/view?${query}`, {
        headers: { 'x-api-key': KEY_B },
        redirect: 'manual',
      });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatch(/^400: Bad Request: (filename|subfolder) '/);
    }
    await untouched();
  });
});

describe('the local S3 serves no unsigned request', () => {
  it("an upload URL stripped of its signature cannot list, read or overwrite A's input", async () => {
    const endpoint = (await stack.s3.config.endpoint!()) as {
      hostname: string;
      port?: number;
      protocol: string;
    };
    const base = `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}/${stack.bucket}`;
    const key = secret.uri.replace(/^s3:\/\/[^/]+\//, '');
    for (const [method, url] of [
      ['GET', `${base}?list-type=2&prefix=inputs/`],
      ['GET', `${base}/${key}`],
      ['PUT', `${base}/${key}`],
    ] as const) {
      const answer = await fetch(url, { method, ...(method === 'PUT' ? { body: 'overwritten' } : {}) });
      expect(answer.status).toBe(403);
    }
    await untouched();
  });
});
