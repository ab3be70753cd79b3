import { describe, expect, it } from 'vitest';
import { RequestValidationError } from '../../../lambda/domain/errors';
import type { ExecuteRecord } from '../../../lambda/domain/execute-record';
import { answerClientMessage, closeSocket, openSocket } from '../../../lambda/use-cases/comfyui-socket';
import { greetConnection, relayExecuteChange } from '../../../lambda/use-cases/relay-execute-changes';
import { InMemoryConnectionStore, RecordingSender } from '../../fakes/in-memory-sockets';
import { fakesWithExecutes } from '../../fakes/seeded-records';
import { ManualClock, sequentialIds } from '../../fakes/use-case-deps';

function socketFakes() {
  return {
    connections: new InMemoryConnectionStore(),
    sender: new RecordingSender(),
    clock: new ManualClock(),
    ids: sequentialIds(),
  };
}

describe('the websocket connection (ComfyUI /ws)', () => {
  it('keeps each connection under its owner and clientId, made up as ComfyUI does when absent', async () => {
    const deps = socketFakes();
    const given = await openSocket({ connectionId: 'c1', owner: 'alice', clientId: 'my-client' }, deps);
    const made = await openSocket({ connectionId: 'c2', owner: 'alice', clientId: undefined }, deps);
    expect(given).toMatchObject({ owner: 'alice', client_id: 'my-client' });
    expect(made.client_id).toMatch(/^[0-9a-f]{32}$/);
    // Gone within API Gateway's two hours, plus slack.
    expect(given.expires_at - deps.clock.now().getTime() / 1000).toBe(7500);
    await closeSocket('c1', deps);
    expect([...deps.connections.rows.keys()]).toEqual(['c2']);
  });

  it('refuses a clientId that could not be a key or a value, and keeps nothing', async () => {
    const deps = socketFakes();
    for (const clientId of ['a b', 'x'.repeat(129), '<script>', 'é']) {
      await expect(openSocket({ connectionId: 'c', owner: 'o', clientId }, deps)).rejects.toThrow(
        RequestValidationError,
      );
    }
    expect(deps.connections.rows.size).toBe(0);
  });

  it("answers the client's feature_flags with the server's, and ignores anything else", async () => {
    const deps = socketFakes();
    await answerClientMessage('c', JSON.stringify({ type: 'feature_flags', data: {} }), deps);
    await answerClientMessage('c', 'not json', deps);
    await answerClientMessage('c', JSON.stringify({ type: 'other' }), deps);
    await answerClientMessage('c', 'null', deps);
    expect(deps.sender.sent.get('c')).toEqual([
      { type: 'feature_flags', data: { supports_preview_metadata: false, max_upload_size: 4_500_000 } },
    ]);
  });
});

describe('relaying execute changes to the websockets', () => {
  async function setup() {
    const fakes = await fakesWithExecutes([
      { owner: 'alice', extra: { prompt_params: { client_id: 'tab-1' } } as Partial<ExecuteRecord> },
    ]);
    const sockets = socketFakes();
    for (const [id, owner, client] of [
      ['mine', 'alice', 'tab-1'],
      ['other-tab', 'alice', 'tab-2'],
      ['bob', 'bob', 'tab-1'],
    ] as const)
      await openSocket({ connectionId: id, owner, clientId: client }, sockets);
    const deps = { ...sockets, store: fakes.store, payloads: fakes.payloads };
    return { record: fakes.records[0]!, deps };
  }

  it("tells the prompt's own client its messages, every connection of the owner the queue, nobody else anything", async () => {
    const { record, deps } = await setup();
    await relayExecuteChange(undefined, record, deps);
    const running: ExecuteRecord = { ...record, status: 'running', start_time: '2026-11-22T10:00:01.000Z' };
    deps.store.records.set(record.prompt_id, running);
    await relayExecuteChange(record, running, deps);
    const done: ExecuteRecord = { ...running, status: 'success', complete_time: '2026-11-22T10:00:09.000Z' };
    deps.store.records.set(record.prompt_id, done);
    await relayExecuteChange(running, done, deps);
    expect(deps.sender.types('mine')).toEqual([
      'status',
      'status',
      'execution_start',
      'execution_cached',
      'execution_success',
      'status',
      'executing',
    ]);
    expect(deps.sender.types('other-tab')).toEqual(['status', 'status', 'status']);
    expect(deps.sender.types('bob')).toEqual([]);
    const queue = (deps.sender.sent.get('mine') ?? []).filter((m) => m.type === 'status').map((m) => m.data);
    expect(queue).toEqual([
      { status: { exec_info: { queue_remaining: 1 } } },
      { status: { exec_info: { queue_remaining: 1 } } },
      { status: { exec_info: { queue_remaining: 0 } } },
    ]);
  });

  it('sends executed for outputs too large for the record, read from its result object', async () => {
    const { record, deps } = await setup();
    const running: ExecuteRecord = { ...record, status: 'running', start_time: '2026-11-22T10:00:01.000Z' };
    const location = `s3://bucket/async-out/${record.prompt_id}.out`;
    const image = {
      filename: 'ComfyUI_00001_.png',
      subfolder: '',
      type: 'output',
      key: '9/ComfyUI_00001_.png',
    };
    deps.payloads.objects.set(
      location,
      JSON.stringify({
        prompt_id: record.prompt_id,
        status: 'success',
        output_path: `s3://bucket/executes/${record.prompt_id}/outputs/`,
        output_files: ['9/ComfyUI_00001_.png'],
        outputs: { '9': { images: [image] } },
      }),
    );
    const done = {
      ...running,
      status: 'success',
      complete_time: '2026-11-22T10:00:09.000Z',
      outputs: null,
      outputs_location: location,
    } as ExecuteRecord;
    await relayExecuteChange(running, done, deps);
    const executed = (deps.sender.sent.get('mine') ?? []).filter((m) => m.type === 'executed');
    expect(executed.map((m) => m.data)).toEqual([
      {
        node: '9',
        display_node: '9',
        prompt_id: record.prompt_id,
        output: { images: [{ filename: 'ComfyUI_00001_.png', subfolder: record.prompt_id, type: 'output' }] },
      },
    ]);
  });

  it("broadcasts to all of the owner's connections a prompt queued without client_id, as ComfyUI does", async () => {
    const { record, deps } = await setup();
    const anonymous = { ...record, prompt_params: { ...record.prompt_params, client_id: null } };
    const running = { ...anonymous, status: 'running' as const, start_time: '2026-11-22T10:00:01.000Z' };
    await relayExecuteChange(anonymous, running, deps);
    expect(deps.sender.types('other-tab')).toEqual(['status', 'execution_start', 'execution_cached']);
  });

  it('reads no connections for a change that says nothing', async () => {
    const { record, deps } = await setup();
    let reads = 0;
    const counting = {
      ...deps,
      connections: Object.assign(deps.connections, {
        ofOwner: async () => {
          reads++;
          return [];
        },
      }),
    };
    await relayExecuteChange(record, { ...record, inference_id: 'abc' }, counting);
    expect(reads).toBe(0);
    await relayExecuteChange(undefined, record, counting);
    expect(reads).toBe(1);
  });

  it('drops a gone connection and still tells the others', async () => {
    const { record, deps } = await setup();
    deps.sender.gone.add('mine');
    await relayExecuteChange(undefined, record, deps);
    expect(deps.connections.rows.has('mine')).toBe(false);
    expect(deps.sender.types('other-tab')).toEqual(['status']);
  });

  it('greets a new connection with the queue and its sid, and the node its running prompt is at', async () => {
    const { record, deps } = await setup();
    deps.store.records.set(record.prompt_id, { ...record, status: 'running', current_node: '3' });
    const mine = deps.connections.rows.get('mine')!;
    await greetConnection(mine, deps);
    expect(deps.sender.sent.get('mine')).toEqual([
      { type: 'status', data: { status: { exec_info: { queue_remaining: 1 } }, sid: 'tab-1' } },
      { type: 'executing', data: { node: '3' } },
    ]);
    await greetConnection(deps.connections.rows.get('other-tab')!, deps);
    expect(deps.sender.types('other-tab')).toEqual(['status']);
  });

  it('neither greets nor waits for a connection closed before its greeting (a connect/close storm)', async () => {
    const { deps } = await setup();
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const closed = { ...deps.connections.rows.get('mine')!, connected_at: new Date().toISOString() };
    await deps.connections.remove('mine');
    deps.sender.gone.add('mine');
    await greetConnection(closed, { ...deps, sleep });
    expect(waits).toEqual([]);
    expect(deps.sender.sent.get('mine') ?? []).toEqual([]);
  });

  it('waits for a connection still opening, and forgets one that never opens', async () => {
    const { deps } = await setup();
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const opening = { ...deps.connections.rows.get('mine')!, connected_at: new Date().toISOString() };
    deps.sender.gone.add('mine');
    await greetConnection(opening, { ...deps, sleep });
    expect(waits).toEqual([200, 400, 600, 800]);
    expect(deps.connections.rows.has('mine')).toBe(false);
    // An old connection that is gone is not waited for.
    waits.length = 0;
    await greetConnection(deps.connections.rows.get('other-tab')!, {
      ...deps,
      sleep,
      sender: Object.assign(new RecordingSender(), { gone: new Set(['other-tab']) }),
    });
    expect(waits).toEqual([]);
  });
});
