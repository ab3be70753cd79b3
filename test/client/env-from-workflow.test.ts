import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironmentFile } from '../../client/src/environment-file';
import { cli } from './cli-harness';

/** Real workflows from public repositories (SOURCES.tsv beside them names each one's origin). */
const WORKFLOWS = join(import.meta.dirname, '../fixtures/workflows-with-packs');
const CORPUS = join(import.meta.dirname, '../../../shared/corpus');
const env = () => ({ PATH: process.env.PATH ?? '', HOME: tmpdir() });

/** A local fake of the registry's `GET /nodes/{id}`, answering the repositories it knows. */
const REPOSITORIES: Record<string, string> = {
  'comfyui-kjnodes': 'https://github.com/kijai/ComfyUI-KJNodes',
  'comfyui-videohelpersuite': 'https://github.com/Kosinkadink/ComfyUI-VideoHelperSuite.git',
};

let server: Server;
let registry: string;
const asked: string[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    asked.push(request.url!);
    const id = /^\/nodes\/([^/?]+)$/.exec(request.url!)?.[1];
    const repository = id ? REPOSITORIES[decodeURIComponent(id)] : undefined;
    response.statusCode = repository ? 200 : 404;
    response.end(JSON.stringify(repository ? { id, repository } : { message: 'Node not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const fromWorkflow = (file: string, ...flags: string[]) =>
  cli(['env', 'from-workflow', join(WORKFLOWS, file), '--registry', registry, ...flags], env());

describe('comfy-exec env from-workflow, on workflows people share', () => {
  it('pins packs not in the registry from aux_id + ver, and registry packs saved at a commit from the repository the registry names', async () => {
    const run = await fromWorkflow('framepack_hv_example.json');
    expect(run.code).toBe(0);
    const environment = JSON.parse(run.stdout);
    expect(environment.custom_nodes).toEqual([
      {
        git: 'https://github.com/kijai/ComfyUI_essentials',
        commit: '76e9d1e4399bd025ce8b12c290753d58f9f53e93',
      },
      // Three nodes, three commits (the pack changed between saves): the first, said so below.
      {
        git: 'https://github.com/kijai/ComfyUI-FramePackWrapper',
        commit: '4f9030a9f4c0bd67d86adf3d3dc07e37118c40bd',
      },
      // The frontend recorded this node's aux_id as the model's repository: kept as saved; the
      // installer's import check is what says it is no node pack.
      { git: 'https://github.com/lllyasviel/FramePack', commit: '0e5fe5d7ca13c76fb8e13708f4b92e7c7a34f20c' },
      { git: 'https://github.com/kijai/ComfyUI-KJNodes', commit: '8ecf5cd05e0a1012087b0da90eea9a13674668db' },
      {
        git: 'https://github.com/Kosinkadink/ComfyUI-VideoHelperSuite',
        commit: '0a75c7958fe320efcb052f1d9f8451fd20c730a8',
      },
    ]);
    expect(run.stderr).toContain(
      'its nodes were also saved with 49fe507eca8246cc9d08a8093892f40c1180e88f, 8e5ec6b7f3acf88255c5d93d062079f18b43aa2b; pinned to what most of them had',
    );
    expect(run.stderr).toContain(
      'saved with ComfyUI 0.3.29, 0.3.28 (comfy-core): set "comfyui": "v0.3.29" to pin it',
    );
    // DownloadAndLoadFramePackModel is bypassed in this file: it does not run, so it asks for nothing.
    expect(run.stderr).toContain('1 muted or bypassed nodes left out');
    expect(run.stderr).not.toContain('could not place');
    expect(asked).toEqual(
      expect.arrayContaining(['/nodes/comfyui-kjnodes', '/nodes/comfyui-videohelpersuite']),
    );
    // What it writes is an environment file the installer and cdk synth accept as it is.
    expect(parseEnvironmentFile(run.stdout, 'framepack.json').custom_nodes).toHaveLength(5);
  });

  it('prefers the registry version to a commit of the same pack, and lists nodes saved without a pack', async () => {
    const run = await fromWorkflow('ltxv-13b-upscale.json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).custom_nodes).toEqual([
      { registry: 'comfyui-kjnodes', version: '1.0.8' },
      {
        git: 'https://github.com/Kosinkadink/ComfyUI-VideoHelperSuite',
        commit: '2c25b8b53835aaeb63f831b3137c705cf9f85dce',
      },
    ]);
    expect(run.stderr).toContain(
      'registry comfyui-kjnodes@1.0.8: FloatToSigmas, ImageConcanate, StringToFloatList\n  its nodes were also saved with 0addfc6101f7a834c7fb6e0a1b26529360ab5350',
    );
    expect(run.stderr).toContain('could not place 7 node types:');
    expect(run.stderr).toContain('  LTXVLoopingSampler: no cnr_id or aux_id');
    expect(run.stderr).toContain('  VHS_LoadVideo: no cnr_id or aux_id');
  });

  it('lists the models a template names, without the sha256 a workflow does not record, and packs the registry does not know as unplaced', async () => {
    const run = await fromWorkflow('video_wan2_2_14B_animate.json');
    expect(run.code).toBe(0);
    const environment = JSON.parse(run.stdout);
    expect(environment.models).toHaveLength(6);
    expect(environment.models[0]).toEqual({
      folder: 'clip_vision',
      name: 'clip_vision_h.safetensors',
      source:
        'https://huggingface.co/Comfy-Org/Wan_2.1_ComfyUI_repackaged/resolve/main/split_files/clip_vision/clip_vision_h.safetensors',
    });
    expect(run.stderr).toContain('models: 6 listed without sha256');
    expect(run.stderr).toContain(
      '  Sam2Segmentation: registry pack ComfyUI-segment-anything-2 at git commit c59676b008a7: the registry names no repository for it',
    );
    expect(environment.custom_nodes).toEqual([
      { git: 'https://github.com/kijai/ComfyUI-KJNodes', commit: '623b5913dc7f240fd8b26422e99f8849a21c5473' },
    ]);
    // Unpinned until each model's sha256 is added: cdk synth says which field.
    expect(() => parseEnvironmentFile(run.stdout, 'animate.json')).toThrow('animate.json: models.0.sha256');
    const pinned = {
      ...environment,
      models: environment.models.map((m: object) => ({ ...m, sha256: 'a'.repeat(64) })),
    };
    expect(parseEnvironmentFile(JSON.stringify(pinned), 'animate.json').models).toHaveLength(6);
  });

  it('asks the registry nothing with --offline, and reads older exports (no properties) and their models', async () => {
    asked.length = 0;
    const offline = await fromWorkflow('framepack_hv_example.json', '--offline');
    expect(asked).toEqual([]);
    expect(offline.stderr).toContain(
      'GetImageSizeAndCount: registry pack comfyui-kjnodes at git commit 8ecf5cd05e0a: the registry was not asked (--offline) or could not be reached',
    );
    const older = await fromWorkflow('default.json');
    expect(JSON.parse(older.stdout)).toEqual({
      $schema: './environment.schema.json',
      custom_nodes: [],
      models: [
        {
          folder: 'checkpoints',
          name: 'v1-5-pruned-emaonly-fp16.safetensors',
          source:
            'https://huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive/resolve/main/v1-5-pruned-emaonly-fp16.safetensors?download=true',
        },
      ],
    });
    expect(older.stderr).toContain('could not place 6 node types:');
  });

  it('says an API-format prompt has no properties to read, with exit 2', async () => {
    const run = await cli(
      [
        'env',
        'from-workflow',
        join(CORPUS, 'api/Comfy-Org__ComfyUI__default_graph_sdxl1_0.json'),
        '--offline',
      ],
      env(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'this is an API-format prompt: it has no node properties to read packs from',
    );
    expect(run.stdout).toBe('');
  });
});
