import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { comfyProtocolClient } from './comfy-protocol-client';
import { KEY_A, KEY_B, startE2eStack, uploadModel } from './local-api';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

describe("GET /comfyui/models/{folder} through the local stack, as ComfyUI's own", () => {
  it("lists the endpoint's files (those object_info offers) and the library's together", async () => {
    const comfy = comfyProtocolClient(stack.apiUrl, KEY_B);
    const info = (await comfy.call('GET', 'object_info/CheckpointLoaderSimple')).body;
    const endpointFiles: string[] = info.CheckpointLoaderSimple.input.required.ckpt_name[0];
    expect(endpointFiles.length).toBeGreaterThan(0);
    await uploadModel(stack, 'checkpoints', 'library/lists-dream.safetensors', Buffer.from('weights'));
    const listed = await comfy.call('GET', 'models/checkpoints');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([...new Set([...endpointFiles, 'library/lists-dream.safetensors'])].sort());
    // The library is the deployment's (written by model writers), the same for every key.
    expect((await comfyProtocolClient(stack.apiUrl, KEY_A).call('GET', 'models/checkpoints')).body).toEqual(
      listed.body,
    );
  });

  it('answers 404 for the older folder names ComfyUI reads but does not serve, and does not list them', async () => {
    const comfy = comfyProtocolClient(stack.apiUrl, KEY_A);
    for (const folder of ['clip', 'unet', 't2i_adapter', 'nope'])
      expect(await comfy.call('GET', `models/${folder}`)).toMatchObject({ status: 404 });
    const folders: string[] = (await comfy.call('GET', 'models')).body;
    expect(folders).toEqual(expect.arrayContaining(['checkpoints', 'text_encoders', 'diffusion_models']));
    expect(folders.filter((folder) => ['clip', 'unet', 't2i_adapter'].includes(folder))).toEqual([]);
  });
});
