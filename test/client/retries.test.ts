import { describe, expect, it } from 'vitest';
import { ApiError, ComfyExecClient, NetworkError, PromptValidationError } from '../../client/src/index';

const EXECUTE = { prompt_id: 'p', status: 'failed', message: 'throttled' };

/** A fetch that answers from a script, one entry per call, and records what it was asked. */
function scripted(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const envelope = (status: number, data: unknown) =>
  json(status, { statusCode: status, debug: {}, data, message: '' });

function client(answers: (Response | Error)[], retries = 5) {
  const fake = scripted(answers);
  const retried: string[] = [];
  const api = new ComfyExecClient({
    apiUrl: 'https://api.example/prod/',
    apiKey: 'k',
    fetch: fake.fetch,
    retry: { retries, minDelayMs: 1, maxDelayMs: 2, onRetry: ({ reason }) => retried.push(reason) },
  });
  return { api, calls: fake.calls, retried };
}

describe('the client retries what is worth retrying', () => {
  it('retries 429, 502, 503 and 504 and network failures, then answers', async () => {
    const { api, calls, retried } = client([
      json(429, { message: 'Too Many Requests' }),
      json(502, { message: 'Internal server error' }),
      new TypeError('fetch failed'),
      json(503, { message: 'Service Unavailable' }),
      json(504, { message: 'Endpoint request timed out' }),
      envelope(200, { prompt_id: 'p', status: 'success' }),
    ]);
    await expect(api.get('p')).resolves.toMatchObject({ status: 'success' });
    expect(calls).toHaveLength(6);
    expect(retried).toEqual(['HTTP 429', 'HTTP 502', 'fetch failed', 'HTTP 503', 'HTTP 504']);
    expect(calls[0]!.url).toBe('https://api.example/prod/executes/p');
    expect((calls[0]!.init.headers as Record<string, string>)['x-api-key']).toBe('k');
  });

  it('sends the same create, prompt_id included, on every attempt', async () => {
    const { api, calls } = client([
      json(429, { message: 'Too Many Requests' }),
      envelope(201, { prompt_id: 'p1' }),
    ]);
    await api.create({ prompt: {}, prompt_id: 'p1' });
    expect(calls.map((c) => c.init.body)).toEqual([calls[0]!.init.body, calls[0]!.init.body]);
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ prompt_id: 'p1', dry_run: false });
  });

  it('gives up after the retries it is allowed, with the last answer', async () => {
    const { api, calls } = client(
      Array.from({ length: 4 }, () => json(429, { message: 'Too Many Requests' })),
      3,
    );
    const error = await api.get('p').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, message: 'GetExecute: HTTP 429 Too Many Requests' });
    expect(calls).toHaveLength(4);
  });

  it('does not retry a 429 that lasts: a key’s GPU seconds of the day used up, or a Retry-After past a minute', async () => {
    const quota = json(429, {
      statusCode: 429,
      debug: {},
      data: { used_gpu_seconds: 3, cap_gpu_seconds: 2, resets_at: '2026-12-08T00:00:00.000Z' },
      message: 'this API key has used 3 of its 2 GPU seconds today (UTC)',
    });
    const longWait = new Response(JSON.stringify({ message: 'Too Many Requests' }), {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '3600' },
    });
    for (const answer of [quota, longWait]) {
      const { api, calls } = client([answer, envelope(201, { prompt_id: 'p' })]);
      const error = await api.create({ prompt: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 429 });
      expect(calls).toHaveLength(1);
    }
  });

  it('says the API cannot be reached when the network never answers', async () => {
    const { api } = client(
      Array.from({ length: 3 }, () => new TypeError('fetch failed')),
      2,
    );
    await expect(api.get('p')).rejects.toThrow(NetworkError);
  });

  it('does not retry answers: a 400, a 403, a 404, or a create SageMaker refused (recorded failed)', async () => {
    for (const [answer, expected] of [
      [
        envelope(404, 'execute not found for prompt_id: p'),
        'GetExecute: HTTP 404 execute not found for prompt_id: p',
      ],
      [json(403, { message: 'Forbidden' }), 'GetExecute: HTTP 403 Forbidden'],
    ] as const) {
      const { api, calls } = client([answer]);
      await expect(api.get('p')).rejects.toThrow(expected);
      expect(calls).toHaveLength(1);
    }
    const refused = client([envelope(503, EXECUTE)]);
    await expect(refused.api.create({ prompt: {} })).rejects.toMatchObject({ status: 503 });
    expect(refused.calls).toHaveLength(1);

    const invalid = client([
      envelope(400, {
        error: {
          type: 'prompt_outputs_failed_validation',
          message: 'Prompt outputs failed validation',
          details: '',
        },
        node_errors: { '9': { errors: [], dependent_outputs: [], class_type: 'SaveImage' } },
      }),
    ]);
    const error = await invalid.api.create({ prompt: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PromptValidationError);
    expect((error as PromptValidationError).nodeErrors).toHaveProperty('9');
    expect(invalid.calls).toHaveLength(1);
  });

  it('stops at once when the caller aborts', async () => {
    const { api, calls } = client(
      Array.from({ length: 6 }, () => json(503, { message: 'Service Unavailable' })),
    );
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(api.get('p', controller.signal)).rejects.toThrow('stop');
    expect(calls.length).toBeLessThanOrEqual(1);
  });
});
