import { describe, expect, it, vi } from 'vitest';
import { MAX_RECORDED_OUTPUTS_BYTES } from '../../../lambda/domain/execute-outputs';
import { getExecute } from '../../../lambda/use-cases/get-execute';
import { listExecutes } from '../../../lambda/use-cases/list-executes';
import { recordAsyncResult } from '../../../lambda/use-cases/record-async-result';
import { fakesWithExecutes } from '../../fakes/seeded-records';

/** ListExecutes' template lookup: these tests list no template's runs. */
const NO_TEMPLATES = { get: async () => undefined };

const OUT = 's3://bucket/async-out/x.out';
const config = { presignTtlSeconds: 60 };

async function finishedWith(outputs: Record<string, Record<string, unknown>>) {
  const fakes = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
  const id = fakes.records[0]!.prompt_id;
  fakes.payloads.objects.set(
    OUT,
    JSON.stringify({
      prompt_id: id,
      status: 'success',
      output_path: `s3://bucket/executes/${id}/outputs/`,
      output_files: ['9/ComfyUI_00001_.png'],
      temp_path: `s3://bucket/executes/${id}/temp/`,
      temp_files: ['10/ComfyUI_temp_abcde_00001_.png'],
      outputs,
    }),
  );
  const deps = { store: fakes.store, payloads: fakes.payloads, clock: fakes.clock };
  await recordAsyncResult({ inferenceId: id, completed: true, outputLocation: OUT }, deps);
  return { ...fakes, id };
}

const comfyOutputs = {
  '9': {
    images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', key: '9/ComfyUI_00001_.png' }],
  },
  '10': {
    images: [
      {
        filename: 'ComfyUI_temp_abcde_00001_.png',
        subfolder: '',
        type: 'temp',
        key: '10/ComfyUI_temp_abcde_00001_.png',
      },
    ],
  },
  '11': { text: ['a cat, photographed', '{"a": 1}'], animated: [false] },
  '12': { result: [[1, 2.5, true, null, 'x']] },
};

describe('execute outputs', () => {
  it('GetExecute reports every node output: file items with a signed url, text and values as ComfyUI gave them', async () => {
    const { id, store, payloads } = await finishedWith(comfyOutputs);
    const view = await getExecute(id, 'a', { store, payloads, config });
    expect(view.outputs).toEqual({
      '9': {
        images: [
          {
            ...comfyOutputs['9'].images[0],
            url: `https://signed.example/bucket/executes/${id}/outputs/9/ComfyUI_00001_.png?expires=60`,
          },
        ],
      },
      '10': {
        images: [
          {
            ...comfyOutputs['10'].images[0],
            url: `https://signed.example/bucket/executes/${id}/temp/10/ComfyUI_temp_abcde_00001_.png?expires=60`,
          },
        ],
      },
      '11': comfyOutputs['11'],
      '12': comfyOutputs['12'],
    });
    // ESD's lists are unchanged.
    expect(view.output_files).toEqual([
      `https://signed.example/bucket/executes/${id}/outputs/9/ComfyUI_00001_.png?expires=60`,
    ]);
  });

  it('GetExecute signs each file once, though output_files and outputs both name it', async () => {
    const { id, store, payloads } = await finishedWith(comfyOutputs);
    const presignGet = vi.spyOn(payloads, 'presignGet');
    const view = await getExecute(id, 'a', { store, payloads, config });
    expect(presignGet.mock.calls.map(([uri]) => uri).sort()).toEqual([
      `s3://bucket/executes/${id}/outputs/9/ComfyUI_00001_.png`,
      `s3://bucket/executes/${id}/temp/10/ComfyUI_temp_abcde_00001_.png`,
    ]);
    expect(view.temp_files).toEqual([(view.outputs!['10']!.images as { url: string }[])[0]!.url]);
  });

  it('ListExecutes rows carry the same outputs', async () => {
    const { id, store, payloads } = await finishedWith(comfyOutputs);
    const page = await listExecutes({ limit: 10 }, 'a', { store, payloads, config, templates: NO_TEMPLATES });
    const row = page.executes.find((e) => e.prompt_id === id)!;
    expect(row.outputs?.['11']).toEqual(comfyOutputs['11']);
    const images = row.outputs!['9']!.images as { url: string }[];
    expect(images[0]!.url).toContain('/outputs/9/ComfyUI_00001_.png');
  });

  it('keeps outputs too large for the record in the result object, and still answers them in full', async () => {
    const long = 'y'.repeat(MAX_RECORDED_OUTPUTS_BYTES + 1);
    const { id, store, payloads } = await finishedWith({ '11': { text: [long] } });
    expect(store.records.get(id)).toMatchObject({ outputs: null, outputs_location: OUT });
    const view = await getExecute(id, 'a', { store, payloads, config });
    expect(view.outputs).toEqual({ '11': { text: [long] } });
    expect(view).not.toHaveProperty('outputs_location');
  });

  it('is null before the run answers', async () => {
    const { store, payloads, records } = await fakesWithExecutes([{ owner: 'a', status: 'running' }]);
    const view = await getExecute(records[0]!.prompt_id, 'a', { store, payloads, config });
    expect(view.outputs).toBeNull();
  });
});
