import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedJsonExample } from '../fixtures/prompts';
import { callApi } from '../support/api-client';
import { startHandlerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startHandlerHarness>>;
beforeAll(async () => {
  harness = await startHandlerHarness({ extraEndpoints: ['esd-async-test'] });
});
afterAll(() => harness.stop());

/** JSON type names, telling arrays and null apart from objects. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/**
 * The request behind the seed: ESD's Decimal encoder printed every number as a string
 * (defect 7), so numeric strings become numbers again, link output indexes included (the
 * linked node id stays a string: node ids are strings).
 */
function unstringifyNumbers(value: unknown): unknown {
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string')
    return [value[0], unstringifyNumbers(value[1])];
  if (Array.isArray(value)) return value.map(unstringifyNumbers);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unstringifyNumbers(v)]));
  }
  return value;
}

describe("GetExecute against seed 000 (ESD's GetExecute doc example)", () => {
  const seed = seedJsonExample('000_bfbd4ba4848a0840.txt');

  it("returns every key of the seed's data with the same JSON type, the prompt as a real graph", async () => {
    const prompt = unstringifyNumbers(seed.data.prompt_params.prompt);
    const created = await callApi({
      method: 'POST',
      path: '/executes',
      body: { prompt, endpoint_name: seed.data.endpoint_name, need_sync: seed.data.need_sync },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const response = await callApi({ method: 'GET', path: `/executes/${created.body.data.prompt_id}` });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(Object.keys(seed));
    expect(Object.keys(response.body.debug)).toEqual(Object.keys(seed.debug));
    const data = response.body.data;
    for (const [key, value] of Object.entries(seed.data)) {
      expect(data, `data.${key}`).toHaveProperty(key);
      expect(jsonType(data[key]), `type of data.${key}`).toBe(jsonType(value));
    }
    expect(data).toMatchObject({
      endpoint_name: 'esd-async-test',
      status: 'created',
      inference_type: 'Async',
      need_sync: true,
      start_time: '',
    });
    expect(data.prompt_params.prompt).toEqual(prompt);
    expect(data.prompt_params.prompt['10'].inputs.steps).toBe(25);
    expect(data.prompt_params.prompt['6'].inputs.clip).toEqual(['4', 1]);
    expect(data.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(data.prompt_path).toMatch(/^s3:\/\//);
  });
});
