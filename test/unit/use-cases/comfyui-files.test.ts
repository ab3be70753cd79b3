import { describe, expect, it } from 'vitest';
import { comfyOutputs } from '../../../lambda/domain/comfyui/history-entry';
import type { ExecuteRecord } from '../../../lambda/domain/execute-record';
import type { ComfyFacadeDeps } from '../../../lambda/use-cases/comfyui-facade';
import { ownedFileUri } from '../../../lambda/use-cases/comfyui-files';
import { fakesWithExecutes } from '../../fakes/seeded-records';

/**
 * Issue 26: ComfyUI's /view finds any file of any of the caller's executes in one or two reads.
 * Every execute's ComfyUI starts its counters again, so every execute here saves the same name.
 */
const saved = (id: string, key = `9/ComfyUI_00001_.png`) => ({
  output_path: `s3://bucket/executes/${id}/outputs/`,
  temp_path: `s3://bucket/executes/${id}/temp/`,
  outputs: { '9': { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output', key }] } },
});

async function manyExecutes(count: number) {
  const fakes = await fakesWithExecutes(
    Array.from({ length: count }, () => ({ owner: 'a', status: 'success' as const })),
  );
  for (const record of fakes.records) Object.assign(record, saved(record.prompt_id));
  const deps = {
    ...fakes.deps,
    presignTtlSeconds: 60,
    library: {} as never,
    webSocketUrl: undefined,
    tokenKey: { current: async () => undefined },
  };
  let reads = 0;
  const get = fakes.store.get.bind(fakes.store);
  fakes.store.get = async (id: string) => {
    reads++;
    return get(id);
  };
  return { ...fakes, deps: deps as unknown as ComfyFacadeDeps, reads: () => reads };
}

/** The file item a ComfyUI client was given for an execute (by /history or the websocket). */
const itemOf = (record: ExecuteRecord) =>
  comfyOutputs(record.outputs, record.prompt_id)['9']!.images as {
    filename: string;
    subfolder: string;
    type: string;
  }[];

describe("ComfyUI's /view over every execute of the caller", () => {
  it("finds the 250th-newest execute's file, not a newer execute's file of the same name, in one read", async () => {
    const { records, deps, reads } = await manyExecutes(250);
    const oldest = records[0]!;
    const [item] = itemOf(oldest);
    expect(item).toEqual({ filename: 'ComfyUI_00001_.png', subfolder: oldest.prompt_id, type: 'output' });
    expect(await ownedFileUri('a', item!, deps)).toBe(
      `s3://bucket/executes/${oldest.prompt_id}/outputs/9/ComfyUI_00001_.png`,
    );
    expect(reads()).toBe(1);
  });

  it('finds a file of an execute whose outputs are stored beside the record (two reads)', async () => {
    const { records, deps, payloads, reads } = await manyExecutes(1);
    const record = records[0]!;
    const location = `s3://bucket/async-out/${record.prompt_id}.out`;
    payloads.objects.set(
      location,
      JSON.stringify({
        prompt_id: record.prompt_id,
        status: 'success',
        ...saved(record.prompt_id, '9/big.png'),
      }),
    );
    const item = itemOf(record)[0]!;
    Object.assign(record, { outputs: null, outputs_location: location });
    expect(await ownedFileUri('a', item, deps)).toBe(
      `s3://bucket/executes/${record.prompt_id}/outputs/9/big.png`,
    );
    expect(reads()).toBe(1);
  });

  it("answers nothing for another key's execute, or a name that execute never saved", async () => {
    const { records, deps } = await manyExecutes(1);
    const item = itemOf(records[0]!)[0]!;
    expect(await ownedFileUri('b', item, deps)).toBeUndefined();
    expect(await ownedFileUri('a', { ...item, filename: 'ComfyUI_00002_.png' }, deps)).toBeUndefined();
    expect(await ownedFileUri('a', { ...item, type: 'temp' }, deps)).toBeUndefined();
  });

  it('still finds a bare name (a link from before executes had subfolders): the newest execute that saved it', async () => {
    const { records, deps } = await manyExecutes(3);
    const newest = records.at(-1)!;
    expect(
      await ownedFileUri('a', { filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }, deps),
    ).toBe(`s3://bucket/executes/${newest.prompt_id}/outputs/9/ComfyUI_00001_.png`);
  });
});
