import { describe, expect, it } from 'vitest';
import { parseCreateExecuteBody, parseJsonBody, parseWith } from '../../../lambda/http/parse-request';
import { ListExecutesQuerySchema } from '../../../lambda/http/request-schemas';
import { matchRoute } from '../../../lambda/http/route-table';
import { txt2imgPrompt } from '../../fixtures/prompts';

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('did not throw');
};

describe('CreateExecute body', () => {
  it("answers ESD's messages for a missing body, unknown key, missing or empty prompt", () => {
    expect(message(() => parseJsonBody(null))).toBe(
      'the JSON object must be str, bytes or bytearray, not NoneType',
    );
    expect(message(() => parseCreateExecuteBody({ prompt: txt2imgPrompt(), foo: 1 }))).toBe(
      "ExecuteEvent.__init__() got an unexpected keyword argument 'foo'",
    );
    expect(message(() => parseCreateExecuteBody({ need_sync: true }))).toBe(
      "ExecuteEvent.__init__() missing 1 required positional argument: 'prompt'",
    );
    expect(message(() => parseCreateExecuteBody({ prompt: {} }))).toBe('Prompt is required');
    expect(message(() => parseCreateExecuteBody({ prompt: null }))).toBe('Prompt is required');
  });

  it('names the field for invalid JSON or a wrongly typed field', () => {
    expect(message(() => parseJsonBody('{"prompt":'))).toMatch(/^request body is not valid JSON: /);
    expect(message(() => parseCreateExecuteBody({ prompt: txt2imgPrompt(), prompt_id: 'ABC' }))).toBe(
      'ExecuteEvent: prompt_id must be a canonical lowercase UUID (8-4-4-4-12 hex digits)',
    );
    expect(message(() => parseCreateExecuteBody({ prompt: txt2imgPrompt(), need_sync: 'yes' }))).toMatch(
      /^ExecuteEvent: need_sync /,
    );
    expect(message(() => parseCreateExecuteBody({ prompt: txt2imgPrompt(), workflow: '1abc' }))).toMatch(
      /^ExecuteEvent: workflow must start/,
    );
    expect(message(() => parseCreateExecuteBody([1]))).toBe(
      'request body must be a JSON object (ESD ExecuteEvent)',
    );
  });

  it("accepts every ESD ExecuteEvent field, applying ESD's defaults", () => {
    const input = parseCreateExecuteBody({
      prompt: txt2imgPrompt(),
      prompt_id: '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99',
      endpoint_name: 'comfy-async-x',
      need_sync: false,
      number: '1',
      front: true,
      extra_data: { extra_pnginfo: { workflow: {} } },
      client_id: 'c1',
      workflow: 'txt2img',
      workflow_name: 'x',
      need_prepare: false,
      prepare_props: null,
      multi_async: true,
    });
    expect(input).toMatchObject({
      number: '1',
      front: true,
      multi_async: true,
      need_sync: false,
      client_id: 'c1',
    });
    expect(parseCreateExecuteBody({ prompt: txt2imgPrompt() })).toMatchObject({
      need_sync: true,
      multi_async: false,
      need_prepare: false,
      extra_data: null,
    });
    expect(parseCreateExecuteBody({ prompt: txt2imgPrompt(), endpoint_name: '' })).not.toHaveProperty(
      'endpoint_name',
    );
  });

  it('decodes a base64 body as API Gateway may send it', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}').toString('base64'), true)).toEqual({ a: 1 });
  });
});

describe('ListExecutes query', () => {
  it('defaults limit to 10 and bounds it to 1..100', () => {
    expect(parseWith(ListExecutesQuerySchema(), {}, 'query').limit).toBe(10);
    expect(parseWith(ListExecutesQuerySchema(), { limit: '100' }, 'query').limit).toBe(100);
    for (const limit of ['0', '101', 'ten', '2.5']) {
      expect(message(() => parseWith(ListExecutesQuerySchema(), { limit }, 'query'))).toBe(
        'query: limit must be an integer from 1 to 100',
      );
    }
    expect(message(() => parseWith(ListExecutesQuerySchema(), { status: 'done' }, 'query'))).toMatch(
      /^query: status /,
    );
    expect(message(() => parseWith(ListExecutesQuerySchema(), { sort: 'x' }, 'query'))).toBe(
      'query: unknown key sort',
    );
  });
});

describe('route table', () => {
  it('matches paths and fills path parameters', () => {
    expect(matchRoute('GET', '/executes/abc')).toMatchObject({
      route: { handler: 'get-execute' },
      pathParameters: { prompt_id: 'abc' },
    });
    expect(matchRoute('POST', '/executes/abc/cancel')?.route.handler).toBe('cancel-execute');
    expect(matchRoute('GET', '/')?.route.operationId).toBe('RootAPI');
    expect(matchRoute('PUT', '/executes')).toBeUndefined();
    expect(matchRoute('GET', '/nope')).toBeUndefined();
  });
});

describe('large integers', () => {
  it('keeps integers JavaScript would round as BigInts, and leaves digits inside strings and floats alone', () => {
    expect(
      parseJsonBody('{"prompt":{"3":{"inputs":{"seed":18446744073709551615,"noise":-9007199254740993}}}}'),
    ).toEqual({
      prompt: { '3': { inputs: { seed: 18446744073709551615n, noise: -9007199254740993n } } },
    });
    expect(
      parseJsonBody(
        '{"a":9007199254740991,"b":"18446744073709551615","c":1.8446744073709552e19,"d":-12.5,"e":"\\"9999999999999999999"}',
      ),
    ).toEqual({
      a: 9007199254740991,
      b: '18446744073709551615',
      c: 18446744073709552000,
      d: -12.5,
      e: '"9999999999999999999',
    });
  });
});

describe('bodies no field can hold', () => {
  it('refuses NUL characters, JSON nested past the limit and invalid UTF-8, saying which', () => {
    expect(message(() => parseJsonBody('{"prompt":{"1":{"class_type":"A\\u0000","inputs":{}}}}'))).toBe(
      'request body holds a NUL character (\\u0000) in a string, which no field accepts',
    );
    expect(message(() => parseJsonBody(`{"prompt":${'['.repeat(100)}${']'.repeat(100)}}`))).toBe(
      'request body is nested 101 levels deep; the limit is 64',
    );
    expect(message(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), true))).toBe(
      'request body is not valid UTF-8',
    );
    expect(parseJsonBody('{"text":"a \\\\u0000 written out is fine"}')).toEqual({
      text: 'a \\u0000 written out is fine',
    });
  });

  it('refuses a lone UTF-16 surrogate anywhere, naming where, and keeps pairs (emoji) as they are', () => {
    expect(message(() => parseJsonBody('{"filename":"a\\ud800b.png"}'))).toMatch(
      /^filename holds a lone UTF-16 surrogate/,
    );
    expect(message(() => parseJsonBody('{"prompt":{"10":{"inputs":{"image":"x\\udc00.png"}}}}'))).toMatch(
      /^prompt\.10\.inputs\.image holds a lone UTF-16 surrogate/,
    );
    expect(parseJsonBody('{"text":"\\ud83d\\ude00 ok"}')).toEqual({ text: '😀 ok' });
  });
});
