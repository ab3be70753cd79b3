import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, nextRetryDelaySeconds } from '../../../lambda/domain/webhooks/retry-schedule';
import { parseWebhookSpec } from '../../../lambda/domain/webhooks/webhook-spec';
import { webhookHostProblem } from '../../../lambda/domain/webhooks/webhook-target';
import { firedEvents, webhookId } from '../../../lambda/domain/webhooks/webhook-triggers';

const deployed = { httpsOnly: true };
const local = { httpsOnly: false };
const problem = (input: { url?: unknown; events?: unknown }, rules = deployed) => {
  const parsed = parseWebhookSpec(input, rules);
  return 'problem' in parsed ? parsed.problem : undefined;
};

describe('a webhook spec', () => {
  it('defaults to the final events, keeps a chosen subset in order, once each', () => {
    expect(parseWebhookSpec({ url: 'https://hooks.example.com/x?y=1' }, deployed)).toEqual({
      spec: { url: 'https://hooks.example.com/x?y=1', events: ['success', 'failed', 'cancelled'] },
    });
    expect(
      parseWebhookSpec({ url: 'https://h.example', events: ['success', 'running', 'success'] }, deployed),
    ).toEqual({
      spec: { url: 'https://h.example/', events: ['running', 'success'] },
    });
  });

  it('refuses, naming the field, what is not a URL, http when deployed, credentials, unknown or no events', () => {
    expect(problem({})).toBe('webhook.url must be a URL');
    expect(problem({ url: 'not a url' })).toContain('webhook.url is not a URL');
    expect(problem({ url: 'http://h.example/' })).toBe('webhook.url must use https, not http');
    expect(problem({ url: 'http://127.0.0.1:9/' }, local)).toBeUndefined();
    expect(problem({ url: 'ftp://h.example/' }, local)).toBe('webhook.url must use https or http, not ftp');
    expect(problem({ url: 'https://u:p@h.example/' })).toContain('user name or password');
    expect(problem({ url: `https://h.example/${'x'.repeat(2048)}` })).toContain('at most 2048');
    expect(problem({ url: 'https://h.example/', events: ['done'] })).toContain('unknown events ["done"]');
    expect(problem({ url: 'https://h.example/', events: [] })).toContain('non-empty list');
    expect(problem({ url: 'https://h.example/', events: 'success' })).toContain('non-empty list');
  });

  it('calls only hosts whose every address is public', async () => {
    const dns = async (host: string) =>
      ({ 'ok.example': ['93.184.216.34'], 'mixed.example': ['93.184.216.34', '10.0.0.1'] })[host] ??
      Promise.reject(new Error('ENOTFOUND'));
    const strict = { allowLoopback: false };
    expect(await webhookHostProblem('https://ok.example/', dns, strict)).toBeUndefined();
    expect(await webhookHostProblem('https://mixed.example/', dns, strict)).toContain('10.0.0.1');
    expect(await webhookHostProblem('https://169.254.169.254/latest', dns, strict)).toContain(
      'not a public address',
    );
    expect(await webhookHostProblem('https://[::1]/', dns, strict)).toContain('::1');
    expect(await webhookHostProblem('https://nowhere.example/', dns, strict)).toContain('does not resolve');
    expect(await webhookHostProblem('http://127.0.0.1:8080/', dns, { allowLoopback: true })).toBeUndefined();
  });
});

describe('which changes fire a webhook', () => {
  const all = ['running', 'success', 'failed', 'cancelled'] as const;
  it('fires on a change of status to an event listened to, never on other writes', () => {
    expect(firedEvents('created', 'running', all)).toEqual(['running']);
    expect(firedEvents('running', 'success', all)).toEqual(['success']);
    expect(firedEvents('created', 'cancelled', ['success', 'failed', 'cancelled'])).toEqual(['cancelled']);
    expect(firedEvents('created', 'running', ['success'])).toEqual([]);
    expect(firedEvents('running', 'running', all)).toEqual([]);
    expect(firedEvents(undefined, 'created', all)).toEqual([]);
    expect(firedEvents('success', undefined, all)).toEqual([]);
  });

  it('names each delivery the same way every time', () => {
    expect(webhookId('p1', 'success')).toBe('msg_p1_success');
  });
});

describe('the retry schedule', () => {
  const start = Date.parse('2026-12-04T00:00:00Z');
  it('doubles from the base with jitter, caps at the maximum, and gives up past the window', () => {
    const at = (attempts: number, random: number, elapsedSeconds = 0) =>
      nextRetryDelaySeconds(
        attempts,
        start,
        start + elapsedSeconds * 1000,
        DEFAULT_RETRY_POLICY,
        () => random,
      );
    expect([at(1, 0), at(1, 0.999)]).toEqual([5, 10]);
    expect([at(2, 0), at(3, 0), at(4, 0)]).toEqual([10, 20, 40]);
    expect([at(30, 0), at(30, 0.999)]).toEqual([1800, 3598]);
    expect(at(30, 0, 86_400 - 1800)).toBe(1800);
    expect(at(30, 0, 86_400 - 1000)).toBeUndefined();
  });
});
