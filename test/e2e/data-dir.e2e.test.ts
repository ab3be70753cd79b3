import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/local-stack';
import { tinyTxt2imgPrompt, txt2imgPrompt } from '../fixtures/prompts';
import { api, KEY_A, pollUntilFinal } from './local-api';

const dataDir = mkdtempSync(join(tmpdir(), 'comfy-exec-data-'));
/** Every stack started, so one left running by a failed test is stopped too (no orphaned DynamoDB Local). */
const running = new Set<LocalStack>();
afterAll(async () => {
  await Promise.all([...running].map((stack) => stack.stop().catch(() => undefined)));
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (simStepMs = 1, directory = dataDir) => {
  const stack = await startLocalStack({ port: 0, apiKeys: [KEY_A], simStepMs, dataDir: directory });
  running.add(stack);
  return stack;
};
const stop = (stack: LocalStack) => {
  running.delete(stack);
  return stack.stop();
};
/** Each test starts the stack twice: on a busy machine one start alone has taken 80 s. */
const TWO_STARTS_MS = 300_000;

describe('DATA_DIR', () => {
  it(
    'keeps executes and their outputs across a restart of the local stack',
    async () => {
      const first = await start();
      let id: string;
      try {
        id = (await api(first, 'POST', 'executes', { body: { prompt: txt2imgPrompt(99) } })).body.data
          .prompt_id;
        expect((await pollUntilFinal(first, id)).record.status).toBe('success');
      } finally {
        await stop(first);
      }
      // Every key's prompts, inputs and outputs are in there: nothing of it for other users.
      const entries = readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).map((name) =>
        join(dataDir, name),
      );
      expect(entries.length).toBeGreaterThan(10);
      const open = entries.filter((path) => (lstatSync(path).mode & 0o077) !== 0);
      expect(open).toEqual([]);
      const second = await start();
      try {
        const again = await api(second, 'GET', `executes/${id}`);
        expect(again.body.data).toMatchObject({ prompt_id: id, status: 'success' });
        expect((await fetch(again.body.data.output_files[0])).status).toBe(200);
        expect(
          (await api(second, 'GET', 'executes')).body.data.executes.map(
            (e: { prompt_id: string }) => e.prompt_id,
          ),
        ).toContain(id);
      } finally {
        await stop(second);
      }
    },
    TWO_STARTS_MS,
  );

  it(
    'works the SageMaker queue it had when restarted mid-flight: queued executes complete, the cut-off one fails',
    async () => {
      const directory = mkdtempSync(join(dataDir, 'restart-'));
      // 100 steps: 5 s at 50 ms a step, still running when the stack stops.
      const slowPrompt = (seed: number) => tinyTxt2imgPrompt(seed, 100);
      const first = await start(50, directory);
      const ids: string[] = [];
      try {
        for (const seed of [1, 2, 3]) {
          const created = await api(first, 'POST', 'executes', { body: { prompt: slowPrompt(seed) } });
          expect(created.status, JSON.stringify(created.body)).toBe(201);
          ids.push(created.body.data.prompt_id);
        }
        // Until the first is running (however long a busy machine takes to claim it).
        while ((await api(first, 'GET', `executes/${ids[0]}`)).body.data.status === 'created')
          await new Promise((resolve) => setTimeout(resolve, 25));
        expect((await api(first, 'GET', `executes/${ids[0]}`)).body.data.status).toBe('running');
        expect((await api(first, 'GET', `executes/${ids[1]}`)).body.data.status).toBe('created');
      } finally {
        await stop(first);
      }
      const second = await start(1, directory);
      try {
        const [cutOff, ...queued] = await Promise.all(ids.map((id) => pollUntilFinal(second, id)));
        expect(cutOff!.record).toMatchObject({ status: 'failed' });
        expect(cutOff!.record.message).toContain('the endpoint instance restarted during the invocation');
        for (const execute of queued)
          expect([execute.record.status, execute.record.message]).toEqual(['success', '']);
        // Nothing was invoked anew after the restart: the journal carried all three, and the
        // cut-off one failed (above) instead of being queued again.
        const accepted = second.aws.invokeCalls.filter((call) => call.answer === 'accepted');
        expect(accepted).toHaveLength(0);
      } finally {
        await stop(second);
      }
    },
    TWO_STARTS_MS,
  );
});
