import { posix } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../../../lambda/domain/errors';
import { mintUploadedInputName } from '../../../lambda/domain/inputs/uploaded-input-name';
import { isUnderPrefix, keyProblem, normalisedKey } from '../../../lambda/domain/object-key';
import { COMFYUI_ROUTES } from '../../../lambda/http/comfyui-routes';
import type { HttpRequest } from '../../../lambda/platform/http-handler';
import type { ComfyFacadeDeps } from '../../../lambda/use-cases/comfyui-facade';
import { ownedFileUri } from '../../../lambda/use-cases/comfyui-files';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { deleteInput } from '../../../lambda/use-cases/delete-input';
import { listInputs } from '../../../lambda/use-cases/list-inputs';
import { listModels } from '../../../lambda/use-cases/list-models';
import { prepareEndpoint } from '../../../lambda/use-cases/prepare-endpoint';
import { InMemoryInputStore } from '../../fakes/in-memory-input-store';
import { InMemoryPayloadStore } from '../../fakes/in-memory-payload-store';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput } from '../../fixtures/prompts';

/**
 * Two keys on one bucket, the store resolving dot segments as s3rver (and any file-system-backed
 * emulator or proxy) does: `key-b/x/../../key-a/y` reaches key A's `y`. Every entry point must
 * refuse such a name before it reaches a store.
 */
class ResolvingInputStore extends InMemoryInputStore {
  private resolved(owner: string, name: string): [string, string] {
    const key = posix.normalize(`${owner}/${name}`);
    const slash = key.indexOf('/');
    return [key.slice(0, slash), key.slice(slash + 1)];
  }
  override async find(owner: string, name: string) {
    const found = await super.find(...this.resolved(owner, name));
    return found && { ...found, name };
  }
  override async delete(owner: string, name: string) {
    return super.delete(...this.resolved(owner, name));
  }
}

const victim = mintUploadedInputName('secret.png', new Date('2026-12-01T00:00:00Z'), 'abcd1234');
/** Looks like an uploaded name of B's (`in-` + 17 characters + `-`), then climbs into A's prefix. */
const climbing = `in-${'b'.repeat(17)}-/../../key-a/${victim}`;

function twoKeys() {
  const made = fakeCreateDeps();
  const inputs = new ResolvingInputStore();
  inputs.upload('key-a', victim);
  made.deps.inputs = inputs;
  return { ...made, inputs };
}

const loadAndSave = (image: string) => ({
  '1': { class_type: 'LoadImage', inputs: { image } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'out' } },
});

/** ComfyUI's routes over the fakes: the facade's own parts, none of which these refusals reach. */
const facadeOf = (deps: object) =>
  ({
    ...deps,
    presignTtlSeconds: 60,
    library: {} as never,
    webSocketUrl: undefined,
    tokenKey: { current: async () => undefined },
  }) as unknown as ComfyFacadeDeps;

describe('object keys from what users send', () => {
  it.each([
    ['a/../b.png', "'..' path segment"],
    ['a/./b.png', "'.' path segment"],
    ['..', "'..' path segment"],
    ['a//b.png', 'empty path segment'],
    ['/a.png', 'empty path segment'],
    ['a\\..\\b.png', 'backslash'],
    ['a\u0000.png', 'control'],
    ['a\n.png', 'control'],
    ['', 'empty'],
    // S3 answered a key over 1024 bytes with a bodiless 400 that became a 500 (attack, issue 27).
    ['a'.repeat(1100), 'over 900 bytes'],
    ['€'.repeat(400), 'over 900 bytes'],
    // A lone surrogate cannot become UTF-8: the SDK threw URIError building the key (a 500).
    ['a\ud800.png', 'lone UTF-16 surrogate'],
    [`${'a'.repeat(201)}.png`, 'a name over 200 bytes'],
  ])('refuses %j: %s', (key, why) => {
    expect(keyProblem(key)).toContain(why);
  });

  it('accepts ordinary keys, and a prefix with its closing slash', () => {
    expect(keyProblem('in-abc-cat.png')).toBeUndefined();
    expect(keyProblem('sets/a/masks/m.png')).toBeUndefined();
    expect(keyProblem(`${'a'.repeat(196)}.png`)).toBeUndefined();
    expect(keyProblem('inputs/abc/', { prefix: true })).toBeUndefined();
    expect(keyProblem('inputs/abc/')).toContain('empty');
  });

  it('compares the normalised key with the prefix', () => {
    expect(normalisedKey('inputs/b/../a/x.png')).toBe('inputs/a/x.png');
    expect(normalisedKey('inputs\\b\\..\\a/x.png')).toBe('inputs/a/x.png');
    expect(isUnderPrefix('s3://bucket/inputs/b/x.png', 's3://bucket/inputs/b/')).toBe(true);
    expect(isUnderPrefix('s3://bucket/inputs/b/../a/x.png', 's3://bucket/inputs/b/')).toBe(false);
    expect(isUnderPrefix('s3://other/inputs/b/x.png', 's3://bucket/inputs/b/')).toBe(false);
  });
});

describe('every entry point refuses dot-segment keys with a 400 naming the field, writing nothing', () => {
  it("an uploaded-input name in a prompt (in-…-/../../<A's input>)", async () => {
    const { deps, payloads, store } = twoKeys();
    const attempt = createExecute(createInput({ prompt: loadAndSave(climbing) }), 'key-b', deps);
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(
      `LoadImage (node 1) input 'image': '${climbing}' has a '..' path segment`,
    );
    expect(store.records.size).toBe(0);
    expect(payloads.objects.size + payloads.files.size).toBe(0);
  });

  it("need_prepare's s3_source_path", async () => {
    const { deps, store } = twoKeys();
    const attempt = createExecute(
      createInput({
        prompt: loadAndSave(victim),
        need_prepare: true,
        prepare_props: { prepare_type: 'inputs', s3_source_path: 's3://bucket/inputs/key-b/../key-a/' },
      }),
      'key-b',
      deps,
    );
    await expect(attempt).rejects.toThrow(
      "prepare_props.s3_source_path: s3://bucket/inputs/key-b/../key-a/ has a '..' path segment",
    );
    expect(store.records.size).toBe(0);
  });

  it("POST /prepare's s3_source_path", async () => {
    const payloads = new InMemoryPayloadStore();
    payloads.files.set(`s3://bucket/inputs/key-a/${victim}`, { bytes: new Uint8Array(4) });
    const attempt = prepareEndpoint(
      {
        endpoint_name: 'comfy-async-main',
        prepare_type: 'inputs',
        s3_source_path: 's3://bucket/inputs/key-b/./../key-a',
      },
      'key-b',
      {
        payloads,
        inputs: new InMemoryInputStore(),
        writers: new Set(),
        config: {
          endpointNames: ['comfy-async-main'],
          readableBuckets: [],
          payloadBucketUri: 's3://bucket/',
        },
      },
    );
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(
      "s3_source_path s3://bucket/inputs/key-b/./../key-a has a '..' path segment",
    );
    expect(payloads.files.size).toBe(1);
  });

  it.each([`../key-a/${victim}`, `in-x/../../key-a/${victim}`, `..\\key-a\\${victim}`, '.'])(
    'DELETE /inputs/%s',
    async (name) => {
      const { deps, inputs } = twoKeys();
      const attempt = deleteInput(name, 'key-b', deps);
      await expect(attempt).rejects.toThrow(RequestValidationError);
      await expect(attempt).rejects.toThrow(`name '${name}'`);
      expect(await inputs.find('key-a', victim)).toBeDefined();
    },
  );

  it('the listing cursors (exclusive_start_key) of GET /inputs and GET /models', async () => {
    const { deps } = twoKeys();
    const inputs = listInputs({ limit: 10, cursor: `../key-a/${victim}` }, 'key-b', deps);
    await expect(inputs).rejects.toThrow(RequestValidationError);
    await expect(inputs).rejects.toThrow("exclusive_start_key '../key-a/");
    const models = listModels(
      { limit: 10, cursor: 'loras/../../inputs/x' },
      { models: { list: async () => ({ models: [], cursor: null }) } as never },
    );
    await expect(models).rejects.toThrow(
      "exclusive_start_key 'loras/../../inputs/x' has a '..' path segment",
    );
  });

  it.each([
    [{ filename: '.', subfolder: '', type: 'input' }, "filename '.' has a '.' path segment"],
    [{ filename: 'a\\b.png', subfolder: '', type: 'input' }, "filename 'a\\b.png' contains a backslash"],
    [{ filename: 'a\u0001.png', subfolder: '', type: 'input' }, 'control characters'],
    [{ filename: 'x.png', subfolder: 'a/./b', type: 'output' }, "subfolder 'a/./b' has a '.' path segment"],
    [{ filename: 'x.png', subfolder: 'a//b', type: 'output' }, "subfolder 'a//b' has an empty path segment"],
  ])("ComfyUI's /view and /upload/mask file reference %j", async (file, why) => {
    const { deps } = twoKeys();
    const facade = facadeOf(deps);
    const attempt = ownedFileUri('key-b', file, facade);
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(why);
  });

  it('GET /comfyui/view?filename=../… answers 400 naming the field', async () => {
    const { deps } = twoKeys();
    const facade = facadeOf(deps);
    const request = {
      event: {} as APIGatewayProxyEvent,
      owner: 'key-b',
      query: { filename: 'a\\..\\x.png', type: 'input' },
      pathParameter: () => '',
    } satisfies HttpRequest;
    const answer = await COMFYUI_ROUTES['GET /comfyui/view']!(request, facade);
    expect(answer).toMatchObject({
      statusCode: 400,
      raw: expect.stringContaining("filename 'a\\..\\x.png'"),
    });
  });

  it('POST /comfyui/upload/image with a subfolder that leaves the input folder', async () => {
    const { deps, inputs } = twoKeys();
    const facade = facadeOf(deps);
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }), 'cat.png');
    form.append('subfolder', '../../key-a');
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer()).toString('base64');
    const request = {
      event: {
        body,
        isBase64Encoded: true,
        headers: { 'content-type': encoded.headers.get('content-type')! },
      } as unknown as APIGatewayProxyEvent,
      owner: 'key-b',
      query: {},
      pathParameter: () => '',
    } satisfies HttpRequest;
    const answer = await COMFYUI_ROUTES['POST /comfyui/upload/image']!(request, facade);
    expect(answer).toMatchObject({
      statusCode: 400,
      raw: "400: Bad Request: subfolder '../../key-a' has a '..' path segment",
    });
    expect([...inputs.inputs.values()].filter((input) => input.owner === 'key-b')).toEqual([]);
  });
});
