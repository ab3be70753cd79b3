import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3PayloadStore } from '../../lambda/adapters/s3-payload-store';
import { recordAsyncResult } from '../../lambda/use-cases/record-async-result';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  // Progress every 100 ms, so several writes race the completion below.
  harness = await startContainerHarness({
    env: { PROGRESS_WRITE_INTERVAL_MS: '100', CANCEL_POLL_MS: '100' },
  });
});
afterAll(() => harness.stop());

describe('a completion written while the container still writes progress (DynamoDB Local)', () => {
  it('refuses every later progress write, stops ComfyUI, and the container’s own answer cannot move the record back', async () => {
    // Over a second of sampling at the simulator's 2 ms a step.
    const record = await harness.create({ prompt: tinyTxt2imgPrompt(11, 600) });
    const running = harness.invoke(record.prompt_path);
    await harness.untilProgress(record.prompt_id);

    // What the Sweeper writes for an execute past its deadline: a conditional move to failed.
    const settled = await harness.store.update(record, {
      from: ['created', 'running'],
      set: { status: 'failed', message: 'timed out (Sweeper)', complete_time: new Date().toISOString() },
    });
    expect(settled?.status).toBe('failed');
    const progressAtCompletion = settled!.progress;

    const answer = await running;
    // The refused progress write told the container: it interrupted ComfyUI instead of sampling on.
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      status: 'cancelled',
      message:
        'the execute was settled elsewhere while running (timed out or deleted); ComfyUI was interrupted',
    });
    const history = harness.simulator!.history.get(record.prompt_id)!;
    expect(history.status.messages.at(-1)![0]).toBe('execution_interrupted');
    // Every progress write after the completion was refused by its condition.
    const after = await harness.store.get(record.prompt_id);
    expect(after).toMatchObject({ status: 'failed', message: 'timed out (Sweeper)' });
    expect(after!.progress).toEqual(progressAtCompletion);
    expect(progressAtCompletion!.value).toBeLessThan(600);

    // SageMaker's notification of the container's answer arrives afterwards: already final.
    const outputKey = `async-out/${record.prompt_id}.out`;
    await harness.clients.s3.send(
      new PutObjectCommand({ Bucket: harness.bucketName, Key: outputKey, Body: JSON.stringify(answer.body) }),
    );
    const outcome = await recordAsyncResult(
      {
        inferenceId: record.prompt_id,
        completed: true,
        outputLocation: `s3://${harness.bucketName}/${outputKey}`,
      },
      {
        store: harness.store,
        payloads: new S3PayloadStore(harness.clients.s3, harness.bucketName),
        clock: { now: () => new Date() },
      },
    );
    // The completion above was written without usage (as the container writes): this counts it.
    expect(outcome).toEqual({ kind: 'already-final', status: 'failed', counted: true });
    expect((await harness.store.get(record.prompt_id))!.status).toBe('failed');
  });
});
