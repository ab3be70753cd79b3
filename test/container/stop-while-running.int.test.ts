import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Uri } from '../../lambda/adapters/s3-uri';
import { startComfyUiSimulator } from '../../local/comfyui-simulator/server';
import { freePort } from '../../local/free-port';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

// The adapter as the image runs it: its own process, stopped by signals. When ComfyUI dies the
// entrypoint sends the adapter SIGTERM at once (and on SageMaker's SIGTERM, twice: its trap, then
// after `wait -n`); the invocation that was running must still get its answer, saying why, or
// SageMaker records only that the connection broke (found by scripts/rehearse-endpoint-image.ts).
const ROOT = join(import.meta.dirname, '../..');
let harness: Awaited<ReturnType<typeof startContainerHarness>>;
let simulator: Awaited<ReturnType<typeof startComfyUiSimulator>>;
let adapter: ChildProcess;
let url: string;

beforeAll(async () => {
  simulator = await startComfyUiSimulator({ stepMs: 100 });
  harness = await startContainerHarness({ comfyUrl: simulator.url });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  adapter = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'container/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env, // the harness put the local table, bucket and AWS endpoints there
      PORT: String(port),
      COMFYUI_URL: simulator.url,
      ENDPOINT_NAME: '',
      COMFYUI_REQUEST_TIMEOUT_MS: '2000',
    },
    stdio: 'ignore',
  });
  for (let i = 0; i < 300; i++) {
    const ping = await fetch(`${url}/ping`).then(
      (r) => r.status,
      () => 0,
    );
    if (ping === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
afterAll(async () => {
  if (adapter.exitCode === null && adapter.signalCode === null) adapter.kill('SIGKILL');
  await harness.stop();
});

describe('the endpoint adapter stopped while an invocation runs', () => {
  it('answers the running invocation (ComfyUI gone: 502 with the reason), refuses new connections, then exits', async () => {
    const record = await harness.create({ prompt: tinyTxt2imgPrompt(1, 300) }); // ~30 s at 100 ms a step
    const { bucket, key } = parseS3Uri(record.prompt_path);
    const staged = await harness.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const answer = fetch(`${url}/invocations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: await staged.Body!.transformToString(),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as any }),
      (error: Error) => ({ status: 0, body: { connection: String(error.cause ?? error) } }),
    );
    await harness.untilProgress(record.prompt_id);
    const exited = new Promise<number | null>((resolve) => adapter.once('exit', (code) => resolve(code)));

    await simulator.stop(); // ComfyUI dies mid-run
    adapter.kill('SIGTERM'); // what entrypoint.sh does next
    await new Promise((resolve) => setTimeout(resolve, 100));
    adapter.kill('SIGTERM'); // and again, as after SageMaker's own SIGTERM

    expect(
      await fetch(`${url}/ping`).then(
        (r) => r.status,
        () => 'refused',
      ),
    ).toBe('refused');
    const { status, body } = await answer;
    expect(status, JSON.stringify(body)).toBe(502);
    expect(body).toMatchObject({
      prompt_id: record.prompt_id,
      status: 'failed',
      error: { type: 'comfyui_unreachable' },
    });
    expect(body.message).toMatch(/ComfyUI at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    expect(await exited).toBe(0);
  });
});
