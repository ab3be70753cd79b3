import { describe, expect, it } from 'vitest';
import { EndpointNotFoundError, ForbiddenError, RequestValidationError } from '../../../lambda/domain/errors';
import { prepareEndpoint } from '../../../lambda/use-cases/prepare-endpoint';
import { InMemoryInputStore } from '../../fakes/in-memory-input-store';
import { InMemoryPayloadStore } from '../../fakes/in-memory-payload-store';

function deps() {
  const payloads = new InMemoryPayloadStore();
  const inputs = new InMemoryInputStore();
  return {
    payloads,
    inputs,
    deps: {
      payloads,
      inputs,
      writers: new Set(['writer']),
      config: {
        endpointNames: ['comfy-async-main'],
        readableBuckets: ['team-assets'],
        payloadBucketUri: 's3://bucket/',
      },
    },
  };
}

const put = (payloads: InMemoryPayloadStore, uri: string, size = 10) =>
  payloads.files.set(uri, { bytes: new Uint8Array(size) });

const request = (prepare_type: string, s3_source_path: string) => ({
  endpoint_name: 'comfy-async-main',
  prepare_type,
  s3_source_path,
});

describe("ESD's POST /prepare", () => {
  it('copies a prefix laid out as {folder}/{name} into the model library', async () => {
    const { deps: d, payloads } = deps();
    put(payloads, 's3://team-assets/sd/loras/sdxl/ink.safetensors');
    put(payloads, 's3://team-assets/sd/checkpoints/base.safetensors');
    const answer = await prepareEndpoint(request('models', 's3://team-assets/sd'), 'writer', d);
    expect(answer.prepareSuccess).toBe(true);
    expect(answer.prepared.map((p) => p.name).sort()).toEqual([
      'checkpoints/base.safetensors',
      'loras/sdxl/ink.safetensors',
    ]);
    expect(payloads.files.has('s3://bucket/models/loras/sdxl/ink.safetensors')).toBe(true);
    expect(payloads.files.has('s3://bucket/models/checkpoints/base.safetensors')).toBe(true);
  });

  it('copies a model over 5 GiB too, handing the copy its size (the adapter copies it in parts)', async () => {
    const { deps: d, payloads } = deps();
    const source = 's3://team-assets/big/checkpoints/flux-dev.safetensors';
    put(payloads, source);
    payloads.listedSizes.set(source, 23.8 * 1024 ** 3);
    const answer = await prepareEndpoint(request('models', 's3://team-assets/big/'), 'writer', d);
    expect(answer.prepared).toEqual([{ name: 'checkpoints/flux-dev.safetensors', size: 23.8 * 1024 ** 3 }]);
    expect(payloads.copies).toEqual([
      { from: source, to: 's3://bucket/models/checkpoints/flux-dev.safetensors', size: 23.8 * 1024 ** 3 },
    ]);
  });

  it("prepares the caller's own inputs as inputs without copying them onto themselves (S3 refuses that)", async () => {
    const { deps: d, payloads } = deps();
    put(payloads, 's3://bucket/inputs/anyone/refs/m.png');
    const answer = await prepareEndpoint(request('inputs', 's3://bucket/inputs/anyone/refs/'), 'anyone', d);
    expect(answer.prepared).toEqual([{ name: 'm.png', size: 10 }]);
    // Copied under the name relative to the prefix, not onto itself.
    expect(payloads.copies.map((c) => [c.from, c.to])).toEqual([
      ['s3://bucket/inputs/anyone/refs/m.png', 's3://bucket/inputs/anyone/m.png'],
    ]);
    const whole = await prepareEndpoint(request('inputs', 's3://bucket/inputs/anyone/'), 'anyone', d);
    expect(whole.prepareSuccess).toBe(true);
    expect(payloads.copies).toHaveLength(1);
  });

  it("copies inputs into the caller's inputs, where prompts name them by their relative paths", async () => {
    const { deps: d, payloads } = deps();
    put(payloads, 's3://team-assets/refs/masks/m.png');
    await prepareEndpoint(request('inputs', 's3://team-assets/refs/'), 'anyone', d);
    expect(payloads.files.has('s3://bucket/inputs/anyone/masks/m.png')).toBe(true);
  });

  it.each([
    ['nodes', 'would run code or install nodes on the instance: custom nodes belong in the endpoint image'],
    ['custom', 'custom nodes belong in the endpoint image'],
    ['other', 'custom nodes belong in the endpoint image'],
    ['weights', 'must be "models" or "inputs"'],
  ])('refuses prepare_type %s with a 400', async (type, why) => {
    const { deps: d } = deps();
    const attempt = prepareEndpoint(request(type, 's3://team-assets/x/'), 'writer', d);
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(why);
  });

  it("refuses, copying nothing: an unknown endpoint, an unreadable bucket, another key's prefix, a bad layout", async () => {
    const { deps: d, payloads } = deps();
    put(payloads, 's3://team-assets/mixed/loras/ok.safetensors');
    put(payloads, 's3://team-assets/mixed/readme.txt');
    await expect(
      prepareEndpoint({ ...request('models', 's3://team-assets/x/'), endpoint_name: 'nope' }, 'writer', d),
    ).rejects.toThrow(EndpointNotFoundError);
    await expect(prepareEndpoint(request('models', 's3://private/x/'), 'writer', d)).rejects.toThrow(
      'is not readable by this deployment',
    );
    await expect(
      prepareEndpoint(request('inputs', 's3://bucket/inputs/someone-else/'), 'writer', d),
    ).rejects.toThrow('is not readable by this deployment');
    await expect(prepareEndpoint(request('models', 's3://team-assets/mixed/'), 'writer', d)).rejects.toThrow(
      "readme.txt: folder 'readme.txt' is not a ComfyUI model folder",
    );
    expect([...payloads.files.keys()].filter((uri) => uri.startsWith('s3://bucket/'))).toEqual([]);
  });

  it('lets only model writers prepare models', async () => {
    const { deps: d, payloads } = deps();
    put(payloads, 's3://team-assets/sd/loras/x.safetensors');
    await expect(prepareEndpoint(request('models', 's3://team-assets/sd/'), 'reader', d)).rejects.toThrow(
      ForbiddenError,
    );
  });
});
