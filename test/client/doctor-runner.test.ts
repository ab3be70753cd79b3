import { describe, expect, it } from 'vitest';
import { explainFor } from '../../client/cli/doctor/explain';
import {
  type Check,
  CheckFailed,
  type CheckResult,
  exitCodeOf,
  formatResult,
  jsonReport,
  runChecks,
} from '../../client/cli/doctor/runner';
import { ApiError, NetworkError } from '../../client/src/index';

const passing = (name: string, detail = `${name} fine`, needs?: string[]): Check => ({
  name,
  title: `${name} title`,
  ...(needs ? { needs } : {}),
  run: async () => detail,
});
const failing = (name: string, needs?: string[]): Check => ({
  name,
  title: `${name} title`,
  ...(needs ? { needs } : {}),
  run: async () => {
    throw new CheckFailed(`${name} broke`, `fix ${name}`);
  },
});

/** A clock that advances 5 ms per reading: each check takes 5 ms. */
function steppingClock() {
  let t = 0;
  return () => {
    t += 5;
    return t;
  };
}

describe('the doctor check runner', () => {
  it('runs checks in order, timing each and telling each result as it ends', async () => {
    const told: string[] = [];
    const results = await runChecks([passing('a'), failing('b'), passing('c')], {
      now: steppingClock(),
      onResult: (result) => told.push(result.name),
    });
    expect(told).toEqual(['a', 'b', 'c']);
    expect(results).toEqual([
      { name: 'a', title: 'a title', ok: true, skipped: false, ms: 5, detail: 'a fine', hint: '' },
      { name: 'b', title: 'b title', ok: false, skipped: false, ms: 5, detail: 'b broke', hint: 'fix b' },
      { name: 'c', title: 'c title', ok: true, skipped: false, ms: 5, detail: 'c fine', hint: '' },
    ]);
    expect(exitCodeOf(results)).toBe(1);
  });

  it('skips a check whose prerequisite failed or was skipped, saying which, without running it', async () => {
    let ran = false;
    const results = await runChecks([
      failing('api'),
      passing('openapi', 'x', ['api']),
      {
        ...passing('run'),
        endpoint: 'e1',
        needs: ['openapi'],
        run: async () => {
          ran = true;
          return 'ran';
        },
      },
    ]);
    expect(ran).toBe(false);
    expect(results[1]).toMatchObject({
      ok: false,
      skipped: true,
      ms: 0,
      detail: 'skipped: it needs "api title", which failed',
      hint: 'fix "api title" first',
    });
    expect(results[2]).toMatchObject({
      endpoint: 'e1',
      skipped: true,
      detail: expect.stringContaining('was skipped'),
    });
  });

  it('takes prerequisites from an earlier batch, and endpoint checks by name:endpoint', async () => {
    const [first] = await runChecks([passing('api')]);
    const second = await runChecks(
      [
        { ...passing('dry-run'), endpoint: 'e1', needs: ['api'] },
        { ...failing('dry-run'), endpoint: 'e2', needs: ['api'] },
        { ...passing('run'), endpoint: 'e1', needs: ['dry-run:e1'] },
        { ...passing('run'), endpoint: 'e2', needs: ['dry-run:e2'] },
      ],
      { previous: [first!] },
    );
    expect(second.map((r) => [r.name, r.endpoint, r.ok, r.skipped])).toEqual([
      ['dry-run', 'e1', true, false],
      ['dry-run', 'e2', false, false],
      ['run', 'e1', true, false],
      ['run', 'e2', false, true],
    ]);
  });

  it('explains other errors with the given explainer', async () => {
    const [result] = await runChecks(
      [{ name: 'x', title: 'x', run: () => Promise.reject(new Error('boom')) }],
      { explain: (error) => ({ detail: `said: ${(error as Error).message}`, hint: 'do this' }) },
    );
    expect(result).toMatchObject({ ok: false, skipped: false, detail: 'said: boom', hint: 'do this' });
  });

  it('exits 0 only when every check passed', async () => {
    expect(exitCodeOf(await runChecks([passing('a'), passing('b')]))).toBe(0);
    expect(exitCodeOf(await runChecks([passing('a'), passing('b', 'x', ['nothing'])]))).toBe(1);
    expect(exitCodeOf([])).toBe(1);
  });
});

describe('the doctor report', () => {
  const result = (fields: Partial<CheckResult>): CheckResult => ({
    name: 'run',
    title: 'execute',
    ok: true,
    skipped: false,
    ms: 42,
    detail: 'success',
    hint: '',
    ...fields,
  });

  it('says each check in one line: ✓ or ✗, what, how long, what was seen, what to do', () => {
    expect(formatResult(result({}))).toBe('✓ execute (42 ms): success');
    expect(formatResult(result({ endpoint: 'comfy-async-a' }))).toBe(
      '✓ execute (comfy-async-a) (42 ms): success',
    );
    expect(formatResult(result({ ok: false, detail: 'stayed created\nfor 60 s', hint: 'check logs' }))).toBe(
      '✗ execute (42 ms): stayed created for 60 s → check logs',
    );
    expect(
      formatResult(
        result({ ok: false, skipped: true, ms: 0, detail: 'skipped: it needs "x", which failed' }),
      ),
    ).toBe('- execute: skipped: it needs "x", which failed');
  });

  it('as JSON: one object with ok, the API URL and the checks', () => {
    const checks = [result({}), result({ name: 'console', ok: false, hint: 'h' })];
    expect(JSON.parse(JSON.stringify(jsonReport('https://x/prod/', checks)))).toEqual({
      ok: false,
      api_url: 'https://x/prod/',
      checks: checks.map((c) => ({ ...c })),
    });
  });
});

describe('the doctor explains client errors in plain words', () => {
  const explain = explainFor('https://abc.execute-api.us-east-1.amazonaws.com/prod/');

  it('a refused key, an unknown route, an unreachable URL, a failing function', () => {
    expect(explain(new ApiError('Ping: HTTP 403 Forbidden', 403, { message: 'Forbidden' }))).toEqual({
      detail: 'the API refused the key (403 Forbidden)',
      hint: expect.stringContaining('aws apigateway get-api-key'),
    });
    expect(
      explain(new ApiError('GetAbout: HTTP 403', 403, { message: 'Missing Authentication Token' })).hint,
    ).toMatch(/deploy again/);
    expect(
      explain(new NetworkError('Ping: cannot reach https://abc/prod/ping: getaddrinfo ENOTFOUND abc')),
    ).toEqual({
      detail: 'cannot reach https://abc.execute-api.us-east-1.amazonaws.com/prod/: getaddrinfo ENOTFOUND abc',
      hint: expect.stringContaining('ApiUrl stack output'),
    });
    const debug = { function_url: 'f', log_url: 'https://logs/here', trace_url: 't' };
    expect(explain(new ApiError('ListEndpoints: HTTP 500', 500, {}, debug)).hint).toBe(
      'the function failed: its logs are at https://logs/here',
    );
  });

  it("a URL that is not the API: a web server's 404 page in one short line, and what URL to use", () => {
    const page = `Ping: HTTP 404 <!DOCTYPE HTML><html><head><title>Error response</title></head><body>${'x'.repeat(400)}</body></html>`;
    const { detail, hint } = explain(new ApiError(page, 404, page));
    expect(detail).not.toContain('<');
    expect(detail.length).toBeLessThan(250);
    expect(hint).toMatch(/not a comfy-exec API: use the ApiUrl stack output/);
  });

  it('against npm start, a refused key points at the key npm start printed, not at AWS', () => {
    const local = explainFor('http://127.0.0.1:3000/prod/');
    expect(local(new ApiError('Ping: HTTP 403 Forbidden', 403, { message: 'Forbidden' })).hint).toMatch(
      /npm start prints its key/,
    );
  });
});
