import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  executeCreated,
  executeEnded,
  resetMetrics,
  socketMessages,
  webhookAttempted,
} from '../../../lambda/platform/metrics';
import { captureEmf, emfOn } from '../../support/emf';

function emfLinesOf(work: () => void): Record<string, any>[] {
  const capture = captureEmf();
  try {
    work();
  } finally {
    capture.stop();
  }
  return capture.lines;
}

beforeEach(() => {
  emfOn();
  resetMetrics();
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetMetrics();
});

const usage = {
  owner: 'key-a',
  endpoint_name: 'comfy-async-main',
  day: '2026-12-07',
  status: 'success' as const,
  gpu_ms: 5000,
  queue_ms: 120,
  output_bytes: 4096,
  comfyui_ms: 4600,
};

describe('EMF metrics (no call: one line to stdout each)', () => {
  it('an execute’s end: outcome, queue and run time, overhead and bytes, by endpoint, in namespace ComfyExec', () => {
    const [line, ...rest] = emfLinesOf(() => executeEnded(usage));
    expect(rest).toEqual([]);
    const { CloudWatchMetrics } = line!._aws;
    expect(CloudWatchMetrics[0].Namespace).toBe('ComfyExec');
    expect(CloudWatchMetrics[0].Dimensions).toEqual([['service', 'endpoint_name']]);
    expect(CloudWatchMetrics[0].Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit])).toEqual(
      [
        ['ExecutesSucceeded', 'Count'],
        ['QueueTime', 'Milliseconds'],
        ['RunTime', 'Milliseconds'],
        ['OutputBytes', 'Bytes'],
        ['Overhead', 'Milliseconds'],
      ],
    );
    expect(line).toMatchObject({
      service: 'comfy-exec',
      endpoint_name: 'comfy-async-main',
      ExecutesSucceeded: 1,
      QueueTime: 120,
      RunTime: 5000,
      OutputBytes: 4096,
      Overhead: 400,
    });
  });

  it('a run by name is counted per template too; a never-claimed end has no overhead', () => {
    const lines = emfLinesOf(() =>
      executeEnded({ ...usage, status: 'cancelled', gpu_ms: 0, template: 'portrait', comfyui_ms: undefined }),
    );
    expect(lines.map((line) => line._aws.CloudWatchMetrics[0].Dimensions)).toEqual([
      [['service', 'endpoint_name']],
      [['service', 'endpoint_name', 'template']],
    ]);
    expect(lines[0]).not.toHaveProperty('Overhead');
    expect(lines[1]).toMatchObject({ template: 'portrait', ExecutesCancelled: 1 });
  });

  it('creates, webhook attempts and websocket batches; dimensions never leak from one event to the next', () => {
    const lines = emfLinesOf(() => {
      executeCreated('comfy-async-main', 'portrait');
      webhookAttempted('retry');
      socketMessages(3, 1);
      socketMessages(0, 0);
    });
    expect(
      lines.map((line) =>
        Object.keys(line)
          .filter((key) => key !== '_aws')
          .sort(),
      ),
    ).toEqual([
      ['ExecutesCreated', 'endpoint_name', 'service'],
      ['ExecutesCreated', 'endpoint_name', 'service', 'template'],
      ['WebhookRetries', 'service'],
      ['SocketConnectionsGone', 'SocketMessagesSent', 'service'],
    ]);
  });
});
