import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { comfySocket } from './comfy-socket-client';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from './local-api';

/**
 * Issue 25 (Low): what one key may hold at once, so that it cannot fill what every key shares.
 * The stack runs with small caps (2 and 2); the other key is never affected.
 */
let stack: LocalStack;
const FIRST = '0c8a3d55-3f0e-4d0a-9a4e-2f4f7f3c0a01';
const THIRD = '0c8a3d55-3f0e-4d0a-9a4e-2f4f7f3c0a03';

beforeAll(async () => {
  // Executes long enough to stay unfinished until they are cancelled (the invocation timeout is
  // the backstop that ends them if a test fails half-way).
  stack = await startE2eStack({
    maxUnfinishedPerKey: 2,
    maxConnectionsPerKey: 2,
    invocationTimeoutSeconds: 60,
  });
});

afterAll(async () => {
  await stack?.stop();
});

const long = (seed: number) => tinyTxt2imgPrompt(seed, 5000);

describe('per-key caps (maxUnfinishedPerKey, maxConnectionsPerKey)', () => {
  it('answers 429 past the unfinished cap before anything is queued, for that key only', async () => {
    const first = await api(stack, 'POST', 'executes', { body: { prompt: long(1), prompt_id: FIRST } });
    const second = await api(stack, 'POST', 'executes', { body: { prompt: long(2) } });
    expect([first.status, second.status]).toEqual([201, 201]);

    const third = await api(stack, 'POST', 'executes', { body: { prompt: long(3), prompt_id: THIRD } });
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/has 2 executes created or running.*maxUnfinishedPerKey/);
    // Nothing was written for it: the id is free, and the key's listing holds only the two.
    expect((await api(stack, 'GET', `executes/${THIRD}`)).status).toBe(404);
    expect((await api(stack, 'GET', 'executes')).body.data.executes).toHaveLength(2);
    // ComfyUI's own route counts the same executes.
    const viaComfy = await api(stack, 'POST', 'comfyui/prompt', { body: { prompt: long(4) } });
    expect(viaComfy.status).toBe(429);
    expect(viaComfy.body.error).toMatchObject({ type: 'too_many_requests' });
    // An idempotent retry of an execute the key has is not a new one.
    const retry = await api(stack, 'POST', 'executes', { body: { prompt: long(1), prompt_id: FIRST } });
    expect(retry.status).toBe(200);
    // The other key is not held back by A's executes.
    const other = await api(stack, 'POST', 'executes', { body: { prompt: long(5) }, key: KEY_B });
    expect(other.status).toBe(201);

    // Once one of A's ends, A may create again.
    for (const id of [first.body.data.prompt_id, other.body.data.prompt_id])
      await api(stack, 'POST', `executes/${id}/cancel`, { key: id === FIRST ? KEY_A : KEY_B });
    expect((await pollUntilFinal(stack, FIRST)).record.status).toBe('cancelled');
    const again = await api(stack, 'POST', 'executes', { body: { prompt: long(6) } });
    expect(again.status).toBe(201);
    for (const id of [second.body.data.prompt_id, again.body.data.prompt_id]) {
      await api(stack, 'POST', `executes/${id}/cancel`);
      expect((await pollUntilFinal(stack, id)).record.status).toBe('cancelled');
    }
    expect((await pollUntilFinal(stack, other.body.data.prompt_id, KEY_B)).record.status).toBe('cancelled');
  });

  it('holds the unfinished cap against creates racing in parallel', async () => {
    // The second two-key attack got 115 of 250 parallel creates past a cap of 100 while the cap was
    // a count read before the write; the write now takes the place itself.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        api(stack, 'POST', 'executes', { body: { prompt: long(100 + i) }, key: KEY_B }),
      ),
    );
    const created = answers.filter((answer) => answer.status === 201);
    expect(created).toHaveLength(2);
    expect(answers.filter((answer) => answer.status === 429)).toHaveLength(10);
    expect(
      (await api(stack, 'GET', 'executes', { key: KEY_B })).body.data.executes.filter(
        (each: { status: string }) => each.status === 'created' || each.status === 'running',
      ),
    ).toHaveLength(2);
    for (const answer of created) {
      await api(stack, 'POST', `executes/${answer.body.data.prompt_id}/cancel`, { key: KEY_B });
      expect((await pollUntilFinal(stack, answer.body.data.prompt_id, KEY_B)).record.status).toBe(
        'cancelled',
      );
    }
  });

  it('lets exactly the cap through when one key opens 16 websockets at once', async () => {
    // KEY_B has opened no websocket before this test.
    const attempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, n) => comfySocket(stack.webSocketUrl, KEY_B, `race-${n}`)),
    );
    const open = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    const refused = attempts.flatMap((attempt) =>
      attempt.status === 'rejected' ? [(attempt.reason as { statusCode?: number }).statusCode] : [],
    );
    expect(open).toHaveLength(2);
    expect(refused).toEqual(Array(14).fill(429));
    // Both places come back once the two have closed (the next test needs one of them).
    await Promise.all(
      open.map(
        (socket) =>
          new Promise((resolve) => {
            socket.socket.once('close', resolve);
            socket.close();
          }),
      ),
    );
    await expect
      .poll(async () => {
        try {
          const socket = await comfySocket(stack.webSocketUrl, KEY_B, 'race-after');
          await new Promise((resolve) => {
            socket.socket.once('close', resolve);
            socket.close();
          });
          return 'open';
        } catch (error) {
          return (error as { statusCode?: number }).statusCode;
        }
      })
      .toBe('open');
  });
  it('refuses a websocket past the connection cap with 429, for that key only', async () => {
    const open = [
      await comfySocket(stack.webSocketUrl, KEY_A, 'cap-1'),
      await comfySocket(stack.webSocketUrl, KEY_A, 'cap-2'),
    ];
    await expect(comfySocket(stack.webSocketUrl, KEY_A, 'cap-3')).rejects.toMatchObject({ statusCode: 429 });
    const other = await comfySocket(stack.webSocketUrl, KEY_B, 'cap-b');
    other.close();
    // A closed connection frees its place once its $disconnect has removed it.
    const closed = new Promise((resolve) => open[0]!.socket.once('close', resolve));
    open[0]!.close();
    await closed;
    await expect
      .poll(async () => {
        try {
          const socket = await comfySocket(stack.webSocketUrl, KEY_A, 'cap-4');
          socket.close();
          return 'open';
        } catch (error) {
          return (error as { statusCode?: number }).statusCode;
        }
      })
      .toBe('open');
    open[1]!.close();
  });
});
