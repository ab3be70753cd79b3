import { describe, expect, it } from 'vitest';
import { ExecuteNotFoundError } from '../../../lambda/domain/errors';
import type { LogQuery } from '../../../lambda/domain/ports';
import { createExecute } from '../../../lambda/use-cases/create-execute';
import { deleteExecutes } from '../../../lambda/use-cases/delete-executes';
import { getExecute } from '../../../lambda/use-cases/get-execute';
import { getExecuteLogs } from '../../../lambda/use-cases/get-execute-logs';
import { listEndpoints } from '../../../lambda/use-cases/list-endpoints';
import { listExecutes } from '../../../lambda/use-cases/list-executes';
import { fakesWithExecutes } from '../../fakes/seeded-records';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput, txt2imgPrompt } from '../../fixtures/prompts';

/** ListExecutes' template lookup: these tests list no template's runs. */
const NO_TEMPLATES = { get: async () => undefined };

const config = { presignTtlSeconds: 3600 };

describe('getExecute', () => {
  it('returns the public record with file lists as signed URLs', async () => {
    const { store, payloads, records } = await fakesWithExecutes([
      {
        owner: 'a',
        status: 'success',
        extra: { output_path: 's3://bucket/executes/x/outputs/', output_files: ['9/a.png', '/9/b.png'] },
      },
    ]);
    const view = await getExecute(records[0]!.prompt_id, 'a', { store, payloads, config });
    expect(view.output_files).toEqual([
      'https://signed.example/bucket/executes/x/outputs/9/a.png?expires=3600',
      'https://signed.example/bucket/executes/x/outputs/9/b.png?expires=3600',
    ]);
    expect(view).not.toHaveProperty('request_hash');
    expect(view).not.toHaveProperty('prompt_location');
    expect(view.prompt_params.prompt).toEqual(txt2imgPrompt());
  });

  it('reads a prompt kept only in S3 back into prompt_params', async () => {
    const { deps, store, payloads } = fakeCreateDeps();
    const prompt = txt2imgPrompt();
    (prompt['6'] as any).inputs.text = 'y'.repeat(400_000);
    const { record } = await createExecute(createInput({ prompt }), 'a', deps);
    const view = await getExecute(record.prompt_id, 'a', { store, payloads, config });
    expect(view.prompt_params.prompt).toEqual(prompt);
  });

  it('hides other owners’ executes and unknown ids', async () => {
    const { store, payloads, records } = await fakesWithExecutes([{ owner: 'a' }]);
    await expect(getExecute(records[0]!.prompt_id, 'b', { store, payloads, config })).rejects.toThrow(
      ExecuteNotFoundError,
    );
    await expect(getExecute('../../etc', 'a', { store, payloads, config })).rejects.toThrow(
      'execute not found for prompt_id: ../../etc',
    );
  });
});

describe('listExecutes', () => {
  it("lists only the caller's executes, newest first, in pages, with a status filter", async () => {
    const { store, payloads, records } = await fakesWithExecutes([
      { owner: 'a' },
      { owner: 'b' },
      { owner: 'a', status: 'success' },
      { owner: 'a' },
    ]);
    const first = await listExecutes({ limit: 2 }, 'a', { store, payloads, config, templates: NO_TEMPLATES });
    expect(first.executes.map((e) => e.prompt_id)).toEqual([records[3]!.prompt_id, records[2]!.prompt_id]);
    const second = await listExecutes({ limit: 2, cursor: first.last_evaluated_key! }, 'a', {
      store,
      payloads,
      config,
      templates: NO_TEMPLATES,
    });
    expect(second.executes.map((e) => e.prompt_id)).toEqual([records[0]!.prompt_id]);
    expect(second.last_evaluated_key).toBeNull();
    const done = await listExecutes({ limit: 10, status: 'success' }, 'a', {
      store,
      payloads,
      config,
      templates: NO_TEMPLATES,
    });
    expect(done.executes.map((e) => e.prompt_id)).toEqual([records[2]!.prompt_id]);
    expect(Object.keys(first.executes[0]!).sort()).toEqual([
      'complete_time',
      'create_time',
      'endpoint_name',
      'message',
      'need_sync',
      'output_files',
      'output_path',
      'outputs',
      'progress',
      'prompt_id',
      'start_time',
      'status',
      'temp_files',
      'temp_path',
    ]);
  });
});

describe('deleteExecutes', () => {
  it("deletes the caller's executes and their objects, leaving others' alone", async () => {
    const { store, payloads, records } = await fakesWithExecutes([{ owner: 'a' }, { owner: 'b' }]);
    const [mine, theirs] = records;
    payloads.objects.set(`s3://bucket/executes/${mine!.prompt_id}/outputs/9/a.png`, 'png');
    const deleted = await deleteExecutes(
      [mine!.prompt_id, mine!.prompt_id, theirs!.prompt_id, 'unknown'],
      'a',
      { store, payloads },
    );
    expect(deleted).toEqual([mine!.prompt_id]);
    expect(store.records.has(mine!.prompt_id)).toBe(false);
    expect(store.records.has(theirs!.prompt_id)).toBe(true);
    expect([...payloads.objects.keys()].some((uri) => uri.includes(mine!.prompt_id))).toBe(false);
    expect([...payloads.objects.keys()].some((uri) => uri.includes(theirs!.prompt_id))).toBe(true);
  });
});

describe('getExecuteLogs', () => {
  it('answers an empty list before the run starts, without querying', async () => {
    const { store, clock, records } = await fakesWithExecutes([{ owner: 'a' }]);
    const queries: LogQuery[] = [];
    const logs = {
      search: async (q: LogQuery) => {
        queries.push(q);
        return { lines: [], complete: true };
      },
    };
    expect(await getExecuteLogs(records[0]!.prompt_id, 'a', { store, clock, logs })).toEqual({
      results: [],
      complete: true,
    });
    expect(queries).toHaveLength(0);
  });

  it('searches the run window with a margin on each side', async () => {
    const { store, clock, records } = await fakesWithExecutes([
      {
        owner: 'a',
        status: 'success',
        extra: { start_time: '2026-11-22T10:00:00.000Z', complete_time: '2026-11-22T10:05:00.000Z' },
      },
    ]);
    const queries: LogQuery[] = [];
    const line = { timestamp: 't', message: `prompt ${records[0]!.prompt_id} done`, logStream: 's' };
    const logs = {
      search: async (q: LogQuery) => {
        queries.push(q);
        return { lines: [line], complete: true };
      },
    };
    const result = await getExecuteLogs(records[0]!.prompt_id, 'a', { store, clock, logs });
    expect(result.results).toEqual([line]);
    expect(queries[0]).toMatchObject({
      endpointName: 'comfy-async-default',
      from: new Date('2026-11-22T09:59:00.000Z'),
      to: new Date('2026-11-22T10:06:00.000Z'),
    });
  });
});

describe('listEndpoints', () => {
  it("returns ESD's row shape with digit-string counts", async () => {
    const directory = {
      describe: async (endpointName: string) => ({
        endpointName,
        status: 'InService',
        creationTime: new Date('2026-01-01T00:00:00Z'),
        lastModifiedTime: null,
        currentInstanceCount: 0,
        instanceType: 'ml.g5.xlarge',
        failureReason: '',
      }),
    };
    const { endpoints } = await listEndpoints({
      directory,
      config: { endpointNames: ['comfy-async-a'], minInstances: 0, maxInstances: 2 },
      idFor: () => '00000000-0000-0000-0000-000000000000',
    });
    expect(endpoints).toEqual([
      expect.objectContaining({
        endpoint_name: 'comfy-async-a',
        endpoint_status: 'InService',
        current_instance_count: '0',
        min_instance_number: '0',
        max_instance_number: '2',
        autoscaling: true,
        endpoint_type: 'Async',
        service_type: 'comfy',
        startTime: '2026-01-01T00:00:00.000Z',
      }),
    ]);
  });
});
