import { describe, expect, it } from 'vitest';
import type { ModelLibrary, StoredModel } from '../../../lambda/domain/ports';
import type { NodeCatalog } from '../../../lambda/domain/workflow/node-catalog';
import { comfyModelFiles, comfyModelFolders } from '../../../lambda/use-cases/comfyui-model-files';
import { InMemoryPayloadStore } from '../../fakes/in-memory-payload-store';

/** object_info entries as ComfyUI 0.3.64 publishes them (v1 combos, and a v3 COMBO). */
const catalog: NodeCatalog = {
  CheckpointLoaderSimple: {
    input: { required: { ckpt_name: [['sd15.safetensors', 'sdxl/base.safetensors'], { tooltip: '…' }] } },
  },
  ImageOnlyCheckpointLoader: {
    input: { required: { ckpt_name: [['svd.safetensors', 'sd15.safetensors']] } },
  },
  CLIPLoader: {
    input: {
      required: {
        clip_name: ['COMBO', { options: ['t5xxl.safetensors', 'clip_l.safetensors'] }],
        type: [['stable_diffusion', 'flux']],
      },
    },
  },
  // Not a loader: its combos are no folder's files.
  KSampler: { input: { required: { sampler_name: [['euler', 'dpmpp_2m']] } } },
};

function library(models: Pick<StoredModel, 'folder' | 'name'>[]): ModelLibrary {
  return {
    list: async ({ folder }) => ({
      models: models
        .filter((model) => model.folder === folder)
        .map((model) => ({ ...model, size: 1, sha256: null, last_modified: '2026-11-22T10:00:00Z' })),
      cursor: null,
    }),
  } as ModelLibrary;
}

const deps = (models: Pick<StoredModel, 'folder' | 'name'>[] = []) => ({
  library: library(models),
  payloads: new InMemoryPayloadStore(),
  catalogs: { forEndpoint: async () => catalog },
  config: { defaultEndpointName: 'comfy-async-default', libraryBucketUri: 's3://bucket/' },
});

describe("GET /comfyui/models/{folder}: what the endpoint has and the library's, as ComfyUI lists a folder", () => {
  it('lists the endpoint’s own files (its loaders’ choices) with the library’s, once each, sorted', async () => {
    const files = await comfyModelFiles(
      'checkpoints',
      deps([
        { folder: 'checkpoints', name: 'library/dream.safetensors' },
        { folder: 'checkpoints', name: 'sd15.safetensors' },
        { folder: 'loras', name: 'detail.safetensors' },
      ]),
    );
    expect(files).toEqual([
      'library/dream.safetensors',
      'sd15.safetensors',
      'sdxl/base.safetensors',
      'svd.safetensors',
    ]);
  });

  it('reads v3 COMBO choices, and the library’s older folder name with the current one', async () => {
    const files = await comfyModelFiles(
      'text_encoders',
      deps([{ folder: 'clip', name: 'old_clip.safetensors' }]),
    );
    expect(files).toEqual(['clip_l.safetensors', 'old_clip.safetensors', 't5xxl.safetensors']);
  });

  it('answers an empty list for a folder nothing is in, and 404 (undefined) where ComfyUI does', async () => {
    expect(await comfyModelFiles('loras', deps())).toEqual([]);
    for (const folder of ['clip', 'unet', 't2i_adapter', 'nope', '__proto__', 'constructor'])
      expect(await comfyModelFiles(folder, deps())).toBeUndefined();
  });

  it('lists the folders ComfyUI serves, not the older names it reads as parts of others', () => {
    expect(comfyModelFolders()).toEqual(
      expect.arrayContaining(['checkpoints', 'text_encoders', 'diffusion_models']),
    );
    expect(comfyModelFolders()).not.toEqual(expect.arrayContaining(['clip']));
    expect(comfyModelFolders().filter((folder) => ['clip', 'unet', 't2i_adapter'].includes(folder))).toEqual(
      [],
    );
  });
});
