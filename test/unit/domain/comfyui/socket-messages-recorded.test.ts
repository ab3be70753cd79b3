import { describe, expect, it } from 'vitest';
import { type RecordImage, socketMessagesFor } from '../../../../lambda/domain/comfyui/socket-messages';
import { createdImage } from '../../../fixtures/record-images';
import { readFixture } from '../../../support/real-comfyui-recording';

/**
 * Our websocket's messages for an execute, against what ComfyUI 0.3.64 sent its client for the
 * same prompt (test/fixtures/real-comfyui/progress.messages.json: EmptyImage → a node with three
 * progress steps → SaveImage). A record carries less than ComfyUI says (not every finish), so
 * ours must be the real sequence with some messages left out: each one of the server's, with its
 * shape and values, in the server's order relative to the others.
 */
const ID = '0b6cf0d2-5a8e-4b57-9d47-3c8f0a1e2b3c';
type Message = { type: string; data: Record<string, any> };

/** Ids and clocks as the recording normalised them; a file item's folder is ours (per execute). */
function normalised(message: Message): Message {
  const text = JSON.stringify(message).replaceAll(ID, '<prompt_id>');
  const copy = JSON.parse(text, (key, value) => (key === 'timestamp' ? 0 : value)) as Message;
  if (copy.type === 'executed') copy.data.output = '<output>';
  return copy;
}

/** Walks the record through the writes the container makes for that run, one per event. */
function recordWrites(): RecordImage[] {
  const created = createdImage(ID);
  const running: RecordImage = { ...created, status: 'running', start_time: '2026-12-06T08:00:00.000Z' };
  const started = (...nodes: string[]): RecordImage => ({
    ...running,
    current_node: nodes.at(-1),
    started_nodes: nodes,
  });
  const step = (value: number): RecordImage => ({
    ...started('1', '2'),
    progress: { node: '2', value, max: 3, percent: Math.round((value / 3) * 100) },
  });
  const last = { ...step(3), current_node: '3', started_nodes: ['1', '2', '3'] };
  const item = { filename: 'progress_00001_.png', subfolder: 'comfy-exec-fixture', type: 'output', key: 'k' };
  return [
    created,
    running,
    started('1'),
    started('1', '2'),
    step(1),
    step(2),
    step(3),
    last,
    {
      ...last,
      status: 'success',
      complete_time: '2026-12-06T08:00:01.000Z',
      outputs: { '3': { images: [item] } },
    },
  ];
}

describe("socketMessagesFor against the real server's recorded messages", () => {
  it('says progress_state before executing and progress, and all finished before execution_success, as ComfyUI did', () => {
    const writes = recordWrites();
    const ours = writes
      .slice(1)
      .flatMap((after, i) => socketMessagesFor(writes[i], after))
      .map(normalised);
    const real = (JSON.parse(readFixture('progress.messages.json').toString('utf8')) as Message[])
      .filter((m) => m.type !== 'status') // the queue size is the relay's to add
      .map(normalised);
    // Every one of ours is the server's next matching message: a subsequence, in order.
    let at = 0;
    for (const message of ours) {
      const found = real.findIndex((m, i) => i >= at && JSON.stringify(m) === JSON.stringify(message));
      expect(found, `not in the server's order: ${JSON.stringify(message)}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
    expect(ours.map((m) => m.type)).toEqual([
      'execution_start',
      'execution_cached',
      'progress_state',
      'executing',
      'progress_state',
      'executing',
      'progress_state',
      'progress',
      'progress_state',
      'progress',
      'progress_state',
      'progress',
      'progress_state',
      'executing',
      'executed',
      'progress_state',
      'execution_success',
      'executing',
    ]);
  });
});
