import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NpmStart, startNpmStart } from '../client/cli-harness';
import { type NpmStartProcess, runNpmStart } from './npm-start-process';

/** A real /object_info with custom node packs (comfyui_essentials among them), from the corpus. */
const PACKS_OBJECT_INFO = join(
  import.meta.dirname,
  '../../../shared/corpus/object_info/MeshAiProtocol__Redlip-app__object_info.json',
);

/** EmptyImage → ImageFlip+ (comfyui_essentials) → SaveImage. */
const flipPrompt = {
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 48, batch_size: 1, color: 255 } },
  '2': { class_type: 'ImageFlip+', inputs: { image: ['1', 0], axis: 'x' }, _meta: { title: 'Flip' } },
  '3': { class_type: 'SaveImage', inputs: { images: ['2', 0], filename_prefix: 'flipped' } },
};

let stack: NpmStart;
beforeAll(async () => {
  stack = await startNpmStart({
    ENVIRONMENTS: `basic,packs=${PACKS_OBJECT_INFO}`,
    ALLOW_NODES: 'ImageFlip+',
  });
}, 240_000);
afterAll(async () => stack?.stop());

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, stack.apiUrl), {
    method,
    headers: { 'x-api-key': stack.apiKey, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('npm start with several environments: one endpoint each, as cdk deploy makes them', () => {
  it('lists both endpoints, the first the default', async () => {
    const { status, body } = await api('GET', 'endpoints');
    expect(status).toBe(200);
    expect(body.data.endpoints.map((endpoint: { endpoint_name: string }) => endpoint.endpoint_name)).toEqual([
      'comfy-async-basic',
      'comfy-async-packs',
    ]);
  });

  it('refuses a node only another environment has, naming where it is, and writes nothing', async () => {
    const { status, body } = await api('POST', 'executes', {
      prompt: flipPrompt,
      prompt_id: 'c0ffee00-0000-4000-8000-000000000028',
    });
    expect(status).toBe(400);
    expect(body.data.error).toMatchObject({
      type: 'missing_node_type',
      message:
        'Node \'Flip\' (ImageFlip+) not found on endpoint comfy-async-basic; endpoint comfy-async-packs has it: send the prompt there ("workflow_name": "packs" or "endpoint_name": "comfy-async-packs").',
      extra_info: { class_type: 'ImageFlip+', available_on: ['comfy-async-packs'] },
    });
    expect((await api('GET', 'executes/c0ffee00-0000-4000-8000-000000000028')).status).toBe(404);
  });

  it('runs it where workflow_name sends it, on that environment’s own container', async () => {
    const created = await api('POST', 'executes', { prompt: flipPrompt, workflow_name: 'packs' });
    expect(created.status).toBe(201);
    const id = created.body.data.prompt_id as string;
    let execute = created.body.data;
    while (!['success', 'failed', 'cancelled'].includes(execute.status))
      execute = (await api('GET', `executes/${id}?wait=20`)).body.data;
    expect(execute).toMatchObject({
      status: 'success',
      endpoint_name: 'comfy-async-packs',
      workflow_name: 'packs',
    });
  });
});

describe("ESD's /workflows: the deployed environments", () => {
  it('lists them with their endpoint and status, answers one by name, 404 for none', async () => {
    const list = await api('GET', 'workflows');
    expect(list.status).toBe(200);
    expect(list.body.data.last_evaluated_key).toBeNull();
    expect(
      list.body.data.workflows
        .map((row: Record<string, unknown>) => [row.name, row.endpoint_name, row.status])
        .sort(),
    ).toEqual([
      ['basic', 'comfy-async-basic', 'Enabled'],
      ['packs', 'comfy-async-packs', 'Enabled'],
    ]);
    const one = await api('GET', 'workflows/packs');
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({
      name: 'packs',
      endpoint_name: 'comfy-async-packs',
      endpoint_status: 'InService',
      status: 'Enabled',
      s3_location: '',
      size: '',
    });
    expect(Date.parse(one.body.data.create_time)).not.toBeNaN();
    const none = await api('GET', 'workflows/video');
    expect(none.status).toBe(404);
    expect(none.body.message).toBe('workflow with name video not found');
  });

  it('answers 405 to creating or deleting one: that is a deploy', async () => {
    const create = await api('POST', 'workflows', {
      name: 'video',
      image_uri: 'x',
      payload_json: '{}',
      size: '1',
    });
    expect(create.status).toBe(405);
    expect(create.body.message).toContain(
      'creating a workflow is a deploy here: add environments/{name}.json',
    );
    const remove = await api('DELETE', 'workflows', { workflow_name_list: ['packs'] });
    expect(remove.status).toBe(405);
    expect(remove.body.message).toContain(
      'deleting a workflow is a deploy here: remove environments/{name}.json',
    );
    expect((await api('GET', 'workflows/packs')).status).toBe(200);
  });
});

describe('npm start refuses environments it cannot make, in one line', () => {
  const runs: NpmStartProcess[] = [];
  const folders: string[] = [];
  afterAll(() => {
    for (const run of runs) run.kill();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });
  it.each([
    [
      'video-2',
      "npm start: ENVIRONMENTS: the name 'video-2' must start with a letter, hold only letters and digits",
    ],
    [
      'a,b=/no/such/object_info.json',
      "npm start: ENVIRONMENTS: b: '/no/such/object_info.json' is neither a ComfyUI URL nor an /object_info file here",
    ],
  ])(
    'ENVIRONMENTS=%s',
    async (value, message) => {
      const home = mkdtempSync(join(tmpdir(), 'npm-start-environments-'));
      folders.push(home);
      const run = runNpmStart({
        ENVIRONMENTS: value,
        COMFY_EXEC_LOCAL_STACK_FILE: join(home, 'local-stack.json'),
      });
      runs.push(run);
      expect(await run.exited()).toBe(1);
      expect(await run.survivors()).toEqual([]);
      expect(run.stderr).toEqual([expect.stringContaining(message)]);
    },
    120_000,
  );
});
