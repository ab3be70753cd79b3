/**
 * Webhooks on the local stack: from the record turning final to the signed delivery reaching a
 * receiver (the executes stream, the dispatcher, the FIFO queue, the delivery function), and
 * what they save a client: the GetExecute calls of polling once a second for a 30 s execute.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { startBenchStack } from './local-bench';
import { quantile } from './stats';

export interface WebhookResult {
  executes: number;
  finalToDeliveryMs: { p50: number; p99: number };
  getExecuteCalls: { withWebhook: number; pollingEverySecondFor30s: number };
}

export async function benchWebhooks(executes: number): Promise<WebhookResult> {
  const arrived = new Map<string, number>();
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      arrived.set((JSON.parse(body) as { data: { prompt_id: string } }).data.prompt_id, Date.now());
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const bench = await startBenchStack();
  try {
    const delays: number[] = [];
    for (let i = 0; i < executes; i++) {
      const { status, body } = await bench.api.request('POST', 'executes', {
        prompt: tinyTxt2imgPrompt(i),
        webhook: { url },
      });
      if (status !== 201) throw new Error(`create: ${status} ${JSON.stringify(body)}`);
      const id = (body as { data: { prompt_id: string } }).data.prompt_id;
      for (const deadline = Date.now() + 30_000; !arrived.has(id); ) {
        if (Date.now() > deadline) throw new Error(`no delivery for ${id}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const record = await bench.readRecord(id);
      delays.push(arrived.get(id)! - Date.parse(record!.complete_time));
    }
    return {
      executes,
      finalToDeliveryMs: {
        p50: Number(quantile(delays, 0.5).toFixed(1)),
        p99: Number(quantile(delays, 0.99).toFixed(1)),
      },
      getExecuteCalls: { withWebhook: 0, pollingEverySecondFor30s: 30 },
    };
  } finally {
    await bench.stop();
    receiver.closeAllConnections();
    receiver.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebhooks(Number(process.argv[2] ?? 30)), null, 2));
  process.exit(0);
}
