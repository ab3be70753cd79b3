import type { APIGatewayProxyEvent } from 'aws-lambda';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { postUploadMask } from '../../../lambda/http/comfyui-upload-routes';
import type { HttpRequest } from '../../../lambda/platform/http-handler';
import type { ComfyFacadeDeps } from '../../../lambda/use-cases/comfyui-facade';
import { MAX_MASK_PIXELS } from '../../../lambda/use-cases/comfyui-mask';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { craftedPng, pngBomb } from '../../fixtures/png-bombs';

const OWNER = 'key-a';

/** The caller's input `original.png` holds `original`; the route answers as it would in Lambda. */
async function postMask(mask: Uint8Array, original: Uint8Array) {
  const { deps, inputs, payloads } = fakeCreateDeps();
  inputs.upload(OWNER, 'original.png', { size: original.byteLength, content_type: 'image/png' });
  payloads.files.set(inputs.uriOf(OWNER, 'original.png'), { bytes: original });
  const facade = {
    ...deps,
    presignTtlSeconds: 60,
    library: {},
    webSocketUrl: undefined,
    tokenKey: { current: async () => undefined },
  } as ComfyFacadeDeps;
  const form = new FormData();
  form.append('image', new Blob([mask], { type: 'image/png' }), 'mask.png');
  form.append('original_ref', JSON.stringify({ filename: 'original.png', type: 'input' }));
  const multipart = new Request('http://localhost/upload/mask', { method: 'POST', body: form });
  const event = {
    body: Buffer.from(await multipart.arrayBuffer()).toString('base64'),
    isBase64Encoded: true,
    headers: { 'content-type': multipart.headers.get('content-type')! },
  } as unknown as APIGatewayProxyEvent;
  const request = { event, owner: OWNER, pathParameter: () => '', query: {} } satisfies HttpRequest;
  const result = await postUploadMask(request, facade);
  return { ...(result as { statusCode: number; raw: unknown }), stored: [...inputs.inputs.keys()] };
}

/** A real (pngjs-written) RGBA image, every pixel `alpha`. */
function png(width: number, height: number, alpha: number) {
  const image = new PNG({ width, height });
  image.data.fill(alpha);
  return PNG.sync.write(image);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('POST /comfyui/upload/mask refuses images too large to decode, before decoding either', () => {
  it("refuses issue 25's 10000×10000 bomb from its header, naming both sizes: nothing decoded, nothing stored", async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const bomb = pngBomb();
    expect(bomb.byteLength).toBeLessThan(20_000);
    for (const [mask, original, what] of [
      [bomb, png(8, 8, 255), 'the mask'],
      [png(8, 8, 255), bomb, 'original_ref'],
    ] as const) {
      const answer = await postMask(mask, original);
      expect(answer.statusCode).toBe(400);
      expect(answer.raw).toBe(
        `400: Bad Request: ${what} is 10000×10000; masks are painted here on images of at most ${MAX_MASK_PIXELS} pixels (4096×2048, 8.4 Mpx)`,
      );
      expect(answer.stored).toEqual(['key-a/original.png']);
    }
    expect(decode).not.toHaveBeenCalled();
  });

  it('counts 16-bit images twice: 4096×2048 at 8 bits passes the size check, at 16 bits it does not', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const narrow = craftedPng({ width: 4096, height: 2048, colorType: 0 });
    // Past the size check, the headers are compared: still nothing decoded.
    expect((await postMask(narrow, png(8, 8, 0))).raw).toBe(
      '400: Bad Request: the mask is 4096×2048, the original 8×8: they must match',
    );
    const wide = craftedPng({ width: 4096, height: 2048, bitDepth: 16, colorType: 0 });
    const answer = await postMask(wide, wide);
    expect(answer.statusCode).toBe(400);
    expect(answer.raw).toMatch(
      /^400: Bad Request: the mask is 4096×2048 at 16 bits a sample \(counting twice\);/,
    );
    expect(decode).not.toHaveBeenCalled();
  });

  it('compares the two headers before decoding either: a mask of another size is refused undecoded', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const answer = await postMask(png(64, 64, 0), png(32, 32, 255));
    expect(answer).toMatchObject({
      statusCode: 400,
      raw: '400: Bad Request: the mask is 64×64, the original 32×32: they must match',
    });
    expect(decode).not.toHaveBeenCalled();
  });

  it('refuses an interlaced image whose data inflates past its header (pngjs would inflate it all) undecoded', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    // 16×16 grey says at most a few hundred bytes; the data is 50 MB of zeros (~50 KB sent).
    const inflating = craftedPng({ width: 16, height: 16, colorType: 0, interlaced: true }, 50_000_000);
    const answer = await postMask(inflating, craftedPng({ width: 16, height: 16, colorType: 0 }));
    expect(answer.statusCode).toBe(400);
    expect(answer.raw).toBe(
      "400: Bad Request: the mask: its image data is not a PNG's or inflates past its 16×16 size",
    );
    expect(decode).not.toHaveBeenCalled();
  });

  it('refuses what is not a PNG from its first bytes', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const answer = await postMask(new TextEncoder().encode('GIF89a not a png at all, no'), png(4, 4, 0));
    expect(answer.raw).toBe('400: Bad Request: the mask is not a PNG (masks are painted on PNG images here)');
    expect(decode).not.toHaveBeenCalled();
  });

  it('still composes images within the limit (one decode each): the original with the mask’s alpha', async () => {
    const decode = vi.spyOn(PNG.sync, 'read');
    const original = new PNG({ width: 3, height: 2 });
    for (let i = 0; i < original.data.length; i++) original.data[i] = i % 4 === 3 ? 255 : 10 * i;
    const answer = await postMask(png(3, 2, 7), PNG.sync.write(original));
    expect(answer.statusCode).toBe(200);
    expect(answer.raw).toMatchObject({ name: expect.stringMatching(/^in-\w+-mask\.png$/), type: 'input' });
    expect(decode).toHaveBeenCalledTimes(2);
  });
});
