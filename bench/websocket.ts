/**
 * ComfyUI's websocket on the local stack: how long after a record is written its message reaches
 * a connected client (DynamoDB Local's stream, the poller, the events function, @connections).
 * The claim (`start_time`) against `execution_start`, the completion (`complete_time`) against
 * `execution_success`, and the latter against a client polling GetExecute every 20 ms. Locally
 * the stream is read after every write (and every 50 ms); on AWS the stream's own delivery
 * replaces that, so these are the local figures only.
 */
import WebSocket from 'ws';
import { tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { type BrowserTokenResult, benchBrowserTokenViews } from './browser-token';
import { BENCH_KEY, startBenchStack } from './local-bench';
import { percentiles } from './stats';

export interface WebSocketResult {
  prompts: number;
  /** /view of the last prompt's image, with the key and with a browser token. */
  browserToken: BrowserTokenResult;
  claimToMessageMs: { p50: number; p99: number };
  completionToMessageMs: { p50: number; p99: number };
  /**
   * `execution_success`'s arrival minus when a client polling GetExecute every 20 ms (beside the
   * socket, for the same prompt) first saw `success`: negative when the socket told it first.
   */
  messageAfterPollMs: { p50: number; p99: number };
}

/** When GetExecute, asked every 20 ms, first answers `success` for `id`. */
async function seenByPolling(
  api: { request(method: string, path: string): Promise<{ body: unknown }> },
  id: string,
) {
  for (;;) {
    const { body } = await api.request('GET', `executes/${id}`);
    if ((body as { data?: { status?: string } }).data?.status === 'success') return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function benchWebSocket(prompts: number): Promise<WebSocketResult> {
  const bench = await startBenchStack();
  const socket = new WebSocket(`${bench.stack.webSocketUrl}?clientId=bench`, {
    headers: { 'x-api-key': BENCH_KEY },
  });
  const arrivals = new Map<string, number>();
  const outputs = new Map<string, { filename: string; subfolder: string; type: string }>();
  let wake: (() => void) | undefined;
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {
      type: string;
      data: {
        prompt_id?: string;
        output?: { images?: { filename: string; subfolder: string; type: string }[] };
      };
    };
    if (message.data.prompt_id) arrivals.set(`${message.type} ${message.data.prompt_id}`, Date.now());
    const image = message.type === 'executed' ? message.data.output?.images?.[0] : undefined;
    if (image && message.data.prompt_id) outputs.set(message.data.prompt_id, image);
    wake?.();
  });
  try {
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const claim: number[] = [];
    const completion: number[] = [];
    const againstPoll: number[] = [];
    for (let i = 0; i < prompts; i++) {
      const { status, body } = await bench.api.request('POST', 'comfyui/prompt', {
        prompt: tinyTxt2imgPrompt(i),
        client_id: 'bench',
      });
      if (status !== 200) throw new Error(`queue: ${status}`);
      const id = (body as { prompt_id: string }).prompt_id;
      const polled = seenByPolling(bench.api, id);
      const deadline = Date.now() + 30_000;
      while (!arrivals.has(`execution_success ${id}`)) {
        if (Date.now() > deadline) throw new Error(`no execution_success for ${id}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      const record = await bench.readRecord(id);
      claim.push(arrivals.get(`execution_start ${id}`)! - Date.parse(record!.start_time));
      completion.push(arrivals.get(`execution_success ${id}`)! - Date.parse(record!.complete_time));
      againstPoll.push(arrivals.get(`execution_success ${id}`)! - (await polled));
    }
    const executed = [...outputs.values()].at(-1);
    if (!executed) throw new Error('no executed message carried an image');
    const browserToken = await benchBrowserTokenViews(bench.stack.apiUrl, executed, prompts);
    return {
      prompts,
      claimToMessageMs: percentiles(claim),
      completionToMessageMs: percentiles(completion),
      messageAfterPollMs: percentiles(againstPoll),
      browserToken,
    };
  } finally {
    socket.close();
    await bench.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchWebSocket(Number(process.argv[2] ?? 30)), null, 2));
  process.exit(0);
}
