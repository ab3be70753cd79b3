import { describe, expect, it } from 'vitest';
import { socketFollowCheck, webhookFollowCheck } from '../../client/cli/doctor/follow-checks';
import { keySafeOver, type SocketWitness } from '../../client/cli/doctor/run-witnesses';
import type { DoctorState, RunEvidence } from '../../client/cli/doctor/state';
import type { ComfyExecClient, Execute } from '../../client/src/index';

const ID = '11111111-2222-4333-8444-555555555555';

/** A state whose run left `evidence`, and whose GetExecute answers `webhook` as the record's delivery. */
function stateWith(evidence: Partial<RunEvidence>, webhook: Execute['webhook'] = null): DoctorState {
  const client = {
    get: async () => ({ prompt_id: ID, status: 'success', webhook }) as unknown as Execute,
  } as unknown as ComfyExecClient;
  return {
    client,
    apiUrl: 'https://x/prod/',
    apiKey: 'k',
    info: () => undefined,
    runs: new Map([['comfy-async-a', { promptId: ID, ...evidence }]]),
  };
}

const socketSaying = (types: string[] | undefined): SocketWitness => ({
  clientId: 'c',
  successOf: async () => types,
  close: () => undefined,
});

const delivery = (fields: Partial<NonNullable<Execute['webhook']>>) =>
  ({
    url: 'https://hooks.example.com/x',
    events: ['success'],
    status: 'delivered',
    event: 'success',
    attempts: 1,
    last_error: null,
    delivered_at: '2026-01-01T00:00:03.000Z',
    ...fields,
  }) as NonNullable<Execute['webhook']>;

describe('doctor: the run followed by websocket and webhook', () => {
  it('passes when the socket saw execution_success, and says which stage is broken when not', async () => {
    const seen = stateWith({ socket: socketSaying(['execution_start', 'executing', 'execution_success']) });
    await expect(socketFollowCheck(seen, 'comfy-async-a').run()).resolves.toMatch(
      /execution_success reached this client's socket \(3 messages/,
    );
    const silent = stateWith({ socket: socketSaying(undefined) });
    await expect(socketFollowCheck(silent, 'comfy-async-a').run()).rejects.toMatchObject({
      message: expect.stringMatching(/succeeded but its socket got no execution_success/),
      hint: expect.stringMatching(/ComfyuiEvents function/),
    });
  });

  it("passes on the record's delivered, and names the receiver's error when it failed", async () => {
    const delivered = stateWith(
      { webhook: { url: 'https://hooks.example.com/x' } },
      delivery({ attempts: 2 }),
    );
    await expect(webhookFollowCheck(delivered, 'comfy-async-a').run()).resolves.toBe(
      'delivered `success` to https://hooks.example.com/x in 2 attempt(s)',
    );
    const refused = stateWith(
      { webhook: { url: 'https://hooks.example.com/x' } },
      delivery({ status: 'failed', attempts: 3, last_error: 'HTTP 500', delivered_at: null }),
    );
    await expect(webhookFollowCheck(refused, 'comfy-async-a').run()).rejects.toMatchObject({
      message: expect.stringMatching(/is `failed` after 3 attempt\(s\) \(HTTP 500\)/),
      hint: expect.stringMatching(/receiver refused/),
    });
  });

  it('on a local stack, insists the receiver itself got the signed success', async () => {
    const unsigned = stateWith(
      {
        webhook: {
          url: 'http://127.0.0.1:1/x',
          received: [{ type: 'execute.success', promptId: ID, signed: false }],
        },
      },
      delivery({}),
    );
    await expect(webhookFollowCheck(unsigned, 'comfy-async-a').run()).rejects.toThrow(/webhook-signature/);
    const nothing = stateWith({ webhook: { url: 'http://127.0.0.1:1/x', received: [] } }, delivery({}));
    await expect(webhookFollowCheck(nothing, 'comfy-async-a').run()).rejects.toThrow(
      /receiver got 0 request/,
    );
  });
});

describe('doctor: where the key may go', () => {
  it('never over plain ws:// when the API is https; a local stack is plain both ways', () => {
    expect(
      keySafeOver(
        'https://a.execute-api.eu-west-1.amazonaws.com/prod/',
        'wss://b.execute-api.eu-west-1.amazonaws.com/prod',
      ),
    ).toBe(true);
    expect(keySafeOver('https://a.execute-api.eu-west-1.amazonaws.com/prod/', 'ws://evil.example/prod')).toBe(
      false,
    );
    expect(keySafeOver('http://127.0.0.1:3000/prod/', 'ws://127.0.0.1:3000/prod/comfyui/ws')).toBe(true);
  });
});
