import { describe, expect, it } from 'vitest';
import { type RecordImage, socketMessagesFor } from '../../../../lambda/domain/comfyui/socket-messages';
import { createdImage } from '../../../fixtures/record-images';

const ID = '6f1c2f5e-3b1a-4c7e-9d2a-0a1b2c3d4e5f';
const created = createdImage(ID);
const running: RecordImage = { ...created, status: 'running', start_time: '2026-12-04T10:00:00.000Z' };
const at = (record: RecordImage, node: string, value: number, max = 20): RecordImage => ({
  ...record,
  progress: { node, value, max, percent: Math.round((value / max) * 100) },
});
const types = (before: RecordImage | undefined, after: RecordImage) =>
  socketMessagesFor(before, after).map((m) => m.type);
/** ComfyUI's per-node entries of a progress_state, from [value, max, state] by node. */
const nodes = (states: Record<string, [number, number, string]>) =>
  Object.fromEntries(
    Object.entries(states).map(([node, [value, max, state]]) => [
      node,
      {
        value,
        max,
        state,
        node_id: node,
        prompt_id: ID,
        display_node_id: node,
        parent_node_id: null,
        real_node_id: node,
      },
    ]),
  );
const state = (states: Record<string, [number, number, string]>) => ({
  type: 'progress_state',
  data: { prompt_id: ID, nodes: nodes(states) },
});

describe('socketMessagesFor: a record change as the messages ComfyUI would have sent', () => {
  it('says nothing of a queued execute, and starts it at the claim', () => {
    expect(socketMessagesFor(undefined, created)).toEqual([]);
    expect(socketMessagesFor(created, running)).toEqual([
      { type: 'execution_start', data: { prompt_id: ID, timestamp: Date.parse(running.start_time) } },
      {
        type: 'execution_cached',
        data: { nodes: [], prompt_id: ID, timestamp: Date.parse(running.start_time) },
      },
    ]);
  });

  it('says executing when the node changes, and progress at every step, each after its progress_state', () => {
    const step1 = at(running, '3', 1);
    expect(socketMessagesFor(running, step1)).toEqual([
      state({ '3': [0, 1, 'running'] }),
      { type: 'executing', data: { node: '3', display_node: '3', prompt_id: ID } },
      state({ '3': [1, 20, 'running'] }),
      { type: 'progress', data: { value: 1, max: 20, prompt_id: ID, node: '3' } },
    ]);
    expect(types(step1, at(running, '3', 2))).toEqual(['progress_state', 'progress']);
    expect(types(at(running, '3', 2), at(running, '3', 2))).toEqual([]);
    expect(types(at(running, '3', 20), at(running, '8', 1, 1))).toEqual([
      'progress_state',
      'executing',
      'progress_state',
      'progress',
    ]);
    // A stage before ComfyUI runs (a model download) is not a node's progress.
    expect(
      types(running, {
        ...running,
        progress: { node: null, value: 5, max: 10, percent: 50, stage: 'downloading x' },
      }),
    ).toEqual([]);
  });

  it('says executing for each node the container recorded as running, steps or not', () => {
    const loader: RecordImage = { ...running, current_node: '4' };
    expect(socketMessagesFor(running, loader)).toEqual([
      state({ '4': [0, 1, 'running'] }),
      { type: 'executing', data: { node: '4', display_node: '4', prompt_id: ID } },
    ]);
    // The sampler starts and reports its first step in one write: executing first, then progress.
    const sampler: RecordImage = { ...at(running, '3', 1), current_node: '3' };
    expect(types(loader, sampler)).toEqual(['progress_state', 'executing', 'progress_state', 'progress']);
    // The node is the recorded one, not the last to report progress.
    expect(types(sampler, { ...sampler, current_node: '8' })).toEqual(['progress_state', 'executing']);
    expect(socketMessagesFor(sampler, { ...sampler, current_node: '8' })[1]?.data.node).toBe('8');
    expect(types(sampler, sampler)).toEqual([]);
    // Writes are throttled: one may carry the sampler's last steps and the node after it.
    const coalesced: RecordImage = { ...at(running, '3', 20), current_node: '9' };
    expect(socketMessagesFor(loader, coalesced).map((m) => [m.type, m.data.node])).toEqual([
      ['progress_state', undefined],
      ['executing', '3'],
      ['progress_state', undefined],
      ['progress', '3'],
      ['progress_state', undefined],
      ['executing', '9'],
    ]);
  });

  it('says executing for every node started since the last write, each step after its own node', () => {
    const first: RecordImage = { ...running, current_node: '4', started_nodes: ['4'] };
    expect(types(running, first)).toEqual(['progress_state', 'executing']);
    // One throttled write: 5 and 3 started, the sampler reached step 7, then 8 started.
    const later: RecordImage = {
      ...at(running, '3', 7),
      current_node: '8',
      started_nodes: ['4', '5', '3', '8'],
    };
    expect(socketMessagesFor(first, later).map((m) => [m.type, m.data.node])).toEqual([
      ['progress_state', undefined],
      ['executing', '5'],
      ['progress_state', undefined],
      ['executing', '3'],
      ['progress_state', undefined],
      ['progress', '3'],
      ['progress_state', undefined],
      ['executing', '8'],
    ]);
    // What ComfyUI had touched at each: the nodes started up to it, the one in hand running.
    const states = socketMessagesFor(first, later).filter((m) => m.type === 'progress_state');
    expect(states.map((m) => m.data.nodes)).toEqual([
      nodes({ '4': [1, 1, 'finished'], '5': [0, 1, 'running'] }),
      nodes({ '4': [1, 1, 'finished'], '5': [1, 1, 'finished'], '3': [0, 1, 'running'] }),
      nodes({ '4': [1, 1, 'finished'], '5': [1, 1, 'finished'], '3': [7, 20, 'running'] }),
      nodes({
        '4': [1, 1, 'finished'],
        '5': [1, 1, 'finished'],
        '3': [20, 20, 'finished'],
        '8': [0, 1, 'running'],
      }),
    ]);
    // The sampler's last steps reported after 8 started: the step first, then the new node.
    const last: RecordImage = {
      ...at(running, '3', 20),
      current_node: '9',
      started_nodes: [...later.started_nodes!, '9'],
    };
    expect(socketMessagesFor(later, last).map((m) => [m.type, m.data.node])).toEqual([
      ['progress_state', undefined],
      ['progress', '3'],
      ['progress_state', undefined],
      ['executing', '9'],
    ]);
    expect(types(last, last)).toEqual([]);
  });

  it('ends a success with each output node executed, every node finished, execution_success, executing null', () => {
    const success: RecordImage = {
      ...at(running, '3', 20),
      started_nodes: ['4', '3', '9'],
      status: 'success',
      complete_time: '2026-12-04T10:00:05.000Z',
      outputs: { '9': { images: [{ filename: 'a.png', subfolder: '', type: 'output', key: 'k/a.png' }] } },
    };
    expect(socketMessagesFor({ ...at(running, '3', 20), started_nodes: ['4', '3', '9'] }, success)).toEqual([
      {
        type: 'executed',
        data: {
          node: '9',
          display_node: '9',
          // Under the execute's own subfolder: each execute's ComfyUI starts its counters again.
          output: { images: [{ filename: 'a.png', subfolder: ID, type: 'output' }] },
          prompt_id: ID,
        },
      },
      state({ '4': [1, 1, 'finished'], '3': [20, 20, 'finished'], '9': [1, 1, 'finished'] }),
      {
        type: 'execution_success',
        data: { prompt_id: ID, timestamp: Date.parse('2026-12-04T10:00:05.000Z') },
      },
      { type: 'executing', data: { node: null, prompt_id: ID } },
    ]);
    expect(types(success, success)).toEqual([]);
  });

  it('ends a failure with the failing node, an interrupt with execution_interrupted', () => {
    const failed: RecordImage = {
      ...running,
      status: 'failed',
      complete_time: '2026-12-04T10:00:03.000Z',
      message: 'VAEDecode (node 8) failed',
      error: {
        node_id: '8',
        node_type: 'VAEDecode',
        exception_type: 'RuntimeError',
        exception_message: 'boom',
        traceback: ['x'],
        executed: ['4'],
      },
    };
    const [error, done] = socketMessagesFor(running, failed);
    expect(error).toMatchObject({
      type: 'execution_error',
      data: {
        prompt_id: ID,
        node_id: '8',
        node_type: 'VAEDecode',
        exception_message: 'boom',
        exception_type: 'RuntimeError',
        executed: ['4'],
      },
    });
    expect(done).toEqual({ type: 'executing', data: { node: null, prompt_id: ID } });
    expect(
      types(running, { ...running, status: 'cancelled', complete_time: '2026-12-04T10:00:01.000Z' }),
    ).toEqual(['execution_interrupted', 'executing']);
  });

  it('is silent for an execute taken off the queue, and ends the wait of one that failed before it ran', () => {
    expect(
      types(created, { ...created, status: 'cancelled', complete_time: '2026-12-04T10:00:00.000Z' }),
    ).toEqual([]);
    const expired = {
      ...created,
      status: 'failed' as const,
      complete_time: '2026-12-04T11:00:00.000Z',
      message: 'RequestTTLSeconds passed',
    };
    expect(socketMessagesFor(created, expired)[0]).toMatchObject({
      type: 'execution_error',
      data: { prompt_id: ID, node_id: null, exception_message: 'RequestTTLSeconds passed' },
    });
  });
});
