import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { comfyProtocolClient } from './comfy-protocol-client';
import { comfySocket } from './comfy-socket-client';
import { api, KEY_A, startE2eStack } from './local-api';

/**
 * Issue 26: outputs too large for the record (over 64 KB) are kept beside it, in the result
 * object; the websocket still says `executed` for each output node, as ComfyUI would.
 */
let stack: LocalStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 60_000);
afterAll(() => stack?.stop());

const LONG = 'a long caption, '.repeat(6000); // 96,000 characters

describe('executed for outputs stored beside the record', () => {
  it('reads them back and sends executed with the whole text', async () => {
    const socket = await comfySocket(stack.webSocketUrl, KEY_A, 'big-outputs');
    await socket.until((m) => m.type === 'status');
    const prompt = {
      '1': { class_type: 'PrimitiveStringMultiline', inputs: { value: LONG } },
      '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
    };
    const queued = await comfyProtocolClient(stack.apiUrl, KEY_A).queuePrompt(prompt, 'big-outputs');
    expect(queued.status).toBe(200);
    const id = queued.body.prompt_id;
    const messages = await socket.followPrompt(id);
    // Stored beside the record: GetExecute answers them from the result object.
    const record = await api(stack, 'GET', `executes/${id}`);
    expect(record.body.data.status).toBe('success');
    const executed = messages.filter((m) => m.type === 'executed');
    expect(executed.map((m) => m.data.node)).toEqual(['2']);
    expect(executed[0]!.data.output).toEqual(record.body.data.outputs['2']);
    expect((executed[0]!.data.output.text as string[])[0]).toHaveLength(LONG.length);
    socket.close();
  });
});
