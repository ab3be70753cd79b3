import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';
import { type Received, startReceiver } from './webhook-receiver';

let stack: LocalStack;
beforeAll(async () => {
  // Retries a second apart, given up after 6 s, receivers given 1 s to answer. Secrets are read on
  // every attempt, so the rotation below is seen by the next delivery; caching them (60 s by
  // default) is test/unit/adapters/cached-webhook-secrets.test.ts's.
  stack = await startE2eStack({
    webhookRetry: { baseSeconds: 1, maxSeconds: 1, windowSeconds: 6, timeoutMs: 1000, secretCacheSeconds: 0 },
  });
}, 60_000);
afterAll(() => stack?.stop());

const secretOf = async (key = KEY_A) => (await api(stack, 'GET', 'webhooks/secret', { key })).body.data;

/** What the standardwebhooks library's own verifier makes of a delivery (throws when the signature is wrong). */
const verified = (secret: string, received: Received) =>
  new Webhook(secret).verify(received.body, received.headers as Record<string, string>) as {
    type: string;
    data: Record<string, any>;
  };

async function create(body: Record<string, unknown>, key = KEY_A) {
  const created = await api(stack, 'POST', 'executes', { body, key });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.data.prompt_id as string;
}

describe('signed webhooks', () => {
  it('delivers running, then success once, signed, with the execute as GetExecute shows it', async () => {
    const receiver = await startReceiver();
    const { secret } = await secretOf();
    const id = await create({
      prompt: tinyTxt2imgPrompt(41),
      webhook: { url: receiver.url, events: ['running', 'success'] },
    });
    const [running, success] = await receiver.until(2);
    expect(verified(secret, running!)).toMatchObject({
      type: 'execute.running',
      data: { prompt_id: id, status: 'running' },
    });
    const done = verified(secret, success!);
    expect(done).toMatchObject({ type: 'execute.success', data: { prompt_id: id, status: 'success' } });
    // Signed output URLs, as GetExecute gives them: they download.
    const image = done.data.outputs['9'].images[0];
    expect((await fetch(image.url)).status).toBe(200);
    expect(success!.headers['webhook-id']).toBe(`msg_${id}_success`);
    // A delivery queued again (a stream record handed over twice, a dispatcher retry) is dropped
    // by the queue: same webhook-id, one delivery.
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: stack.aws.url,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: process.env.WEBHOOK_QUEUE_URL,
        MessageBody: JSON.stringify({ prompt_id: id, event: 'success', webhook_id: `msg_${id}_success` }),
        MessageGroupId: id,
        MessageDeduplicationId: `msg_${id}_success`,
      }),
    );
    sqs.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(2);
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(record.webhook).toMatchObject({
      status: 'delivered',
      event: 'success',
      attempts: 1,
      last_error: null,
    });
    await receiver.stop();
  });

  it('tells how a failed and a cancelled execute ended', async () => {
    const receiver = await startReceiver();
    const failing = await create({
      prompt: tinyTxt2imgPrompt(42),
      extra_data: { simulate: { fail_node: '3' } },
      webhook: { url: receiver.url },
    });
    const [failed] = await receiver.until(1);
    const { secret } = await secretOf();
    expect(verified(secret, failed!)).toMatchObject({
      type: 'execute.failed',
      data: { prompt_id: failing, status: 'failed', error: expect.anything() },
    });
    // The reason names the failing node, as GetExecute does.
    expect(verified(secret, failed!).data.message).toContain('KSampler (node 3)');
    expect(verified(secret, failed!).data.error).toMatchObject({ type: 'execution_error', node_id: '3' });
    const slow = await create({ prompt: tinyTxt2imgPrompt(43, 400), webhook: { url: receiver.url } });
    expect((await api(stack, 'POST', `executes/${slow}/cancel`)).status).toBe(200);
    const cancelled = await receiver.until(2);
    expect(verified(secret, cancelled[1]!)).toMatchObject({
      type: 'execute.cancelled',
      data: { prompt_id: slow },
    });
    await receiver.stop();
  });

  it('retries a receiver that answers 500 three times, and delivers on the fourth attempt with the same id', async () => {
    const receiver = await startReceiver((_received, count) => (count <= 3 ? 500 : 204));
    const id = await create({ prompt: tinyTxt2imgPrompt(44), webhook: { url: receiver.url } });
    const attempts = await receiver.until(4);
    expect(new Set(attempts.map((a) => a.headers['webhook-id']))).toEqual(new Set([`msg_${id}_success`]));
    // Each retry waited for the backoff (about a second here).
    for (let i = 1; i < 4; i++) expect(attempts[i]!.at - attempts[i - 1]!.at).toBeGreaterThanOrEqual(400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(record.webhook).toMatchObject({ status: 'delivered', attempts: 4, last_error: null });
    await receiver.stop();
  });

  it('leaves the execute a success and the delivery failed, in the dead-letter queue, when the receiver never answers', async () => {
    const receiver = await startReceiver(() => 'hang');
    const id = await create({ prompt: tinyTxt2imgPrompt(45), webhook: { url: receiver.url } });
    const { record } = await pollUntilFinal(stack, id);
    expect(record.status).toBe('success');
    let webhook: Record<string, unknown> | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      webhook = (await api(stack, 'GET', `executes/${id}`)).body.data.webhook;
      if (webhook?.status === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(webhook).toMatchObject({ status: 'failed', last_error: 'no answer within 1000 ms' });
    expect((await api(stack, 'GET', `executes/${id}`)).body.data.status).toBe('success');
    const dead = stack.aws.sqs.peek('comfy-exec-local-webhooks-dlq.fifo').map((m) => JSON.parse(m.body));
    expect(dead).toContainEqual(
      expect.objectContaining({ prompt_id: id, event: 'success', reason: 'no answer within 1000 ms' }),
    );
    await receiver.stop();
  });

  it('signs with the old and the new secret for a day after a rotation; another key has its own', async () => {
    const receiver = await startReceiver();
    const { secret: old } = await secretOf();
    const rotated = (await api(stack, 'POST', 'webhooks/secret/rotate')).body.data;
    expect(rotated.previous).toMatchObject({ secret: old, valid_until: expect.any(String) });
    expect(Date.parse(rotated.previous.valid_until) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    await create({ prompt: tinyTxt2imgPrompt(46), webhook: { url: receiver.url } });
    const [delivery] = await receiver.until(1);
    expect(verified(old, delivery!).type).toBe('execute.success');
    expect(verified(rotated.secret, delivery!).type).toBe('execute.success');
    const { secret: others } = await secretOf(KEY_B);
    expect(others).not.toBe(rotated.secret);
    expect(() => verified(others, delivery!)).toThrow();
    await receiver.stop();
  });

  it('refuses a bad webhook at create time, naming it, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'not a url' }, 'webhook.url is not a URL'],
      [{ url: 'ftp://127.0.0.1/x' }, 'webhook.url must use https or http, not ftp'],
      [{ url: 'https://169.254.169.254/latest' }, 'not a public address'],
      [{ url: 'https://10.1.2.3/hook' }, 'not a public address'],
      [{ url: 'https://hooks.example.invalid/' }, 'does not resolve'],
      [{ url: 'http://127.0.0.1:9/x', events: ['done'] }, 'unknown events ["done"]'],
      [{ url: 'http://127.0.0.1:9/x', extra: 1 }, 'unknown key extra in webhook'],
    ];
    const before = (await api(stack, 'GET', 'executes?limit=100')).body.data.executes.length;
    for (const [webhook, message] of cases) {
      const answer = await api(stack, 'POST', 'executes', {
        body: { prompt: tinyTxt2imgPrompt(47), webhook },
      });
      expect(answer.status, JSON.stringify(webhook)).toBe(400);
      expect(answer.body.message).toContain(message);
    }
    expect((await api(stack, 'GET', 'executes?limit=100')).body.data.executes.length).toBe(before);
  });
});
