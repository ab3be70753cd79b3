import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { listenOnLoopback } from '../listen-on-loopback';
import { fromCaller, NOT_THE_CALLER, refuseUpgrade } from './caller-gate';
import { loadObjectInfo, type ObjectInfo } from './catalog';
import { failedEntry, promptRefusal, SYSTEM_STATS } from './fixed-answers';
import { contentTypeFor, readBody, sendJson } from './http-helpers';
import {
  type HistoryEntry,
  type QueuedPrompt,
  type RunEnvironment,
  runPrompt,
  type SimEvent,
} from './run-prompt';
import { SimulatorFiles } from './simulator-files';
import { SimulatedTerminal } from './terminal-log';
import { uploadImage } from './upload-image';
import { validatePrompt } from './validate-prompt';

export interface ComfyUiSimulatorOptions {
  port?: number;
  /** Delay per sampler step (and per other node), ms. */
  stepMs?: number;
  /** An /object_info file; default: ComfyUI's core nodes. */
  objectInfoPath?: string;
  /** Where output/temp/input folders live; default: a temp folder removed on stop. */
  dataDir?: string;
  /** Tests only: replace a node's reported outputs (a misbehaving custom node)... */
  rewriteOutput?: RunEnvironment['rewriteOutput'];
  /** ...and serve bytes for /view queries ComfyUI itself would refuse. */
  viewOverride?: (query: URLSearchParams) => Buffer | undefined;
  /**
   * Tests only: answer POST /prompt this long after the prompt starts running, as a busy
   * server's worker thread may start it before the HTTP answer leaves. @default 0 (answer first)
   */
  answerAfterStartMs?: number;
  /** Answer only requests carrying this in x-comfy-exec-caller-token (npm start: its container). */
  callerToken?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Sent only to the prompt's own client: without a client_id ComfyUI 0.3.64 sends none of these,
 * while `progress`, `progress_state` and `status` reach every socket (recorded in
 * test/fixtures/real-comfyui/broadcast.messages.json; comfyui-server-api.md §8 says otherwise).
 */
const CLIENT_ONLY = new Set([
  'execution_start',
  'execution_cached',
  'executing',
  'executed',
  'execution_success',
  'execution_error',
]);

/** A ComfyUI stand-in speaking its HTTP and websocket API, for `npm start` and the tests. */
export class ComfyUiSimulator {
  readonly info: ObjectInfo;
  readonly files: SimulatorFiles;
  readonly history = new Map<string, HistoryEntry>();
  private readonly pending: QueuedPrompt[] = [];
  private running?: QueuedPrompt & { interrupted: boolean };
  private counter = 0;
  private readonly sockets = new Map<WebSocket, string>();
  private readonly terminal = new SimulatedTerminal((clientId, event) => this.sendTo(clientId, event));
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly ownsDataDir: boolean;
  url = '';

  constructor(private readonly options: ComfyUiSimulatorOptions = {}) {
    this.info = loadObjectInfo(options.objectInfoPath);
    this.ownsDataDir = options.dataDir === undefined;
    this.files = new SimulatorFiles(options.dataDir ?? mkdtempSync(join(tmpdir(), 'comfyui-sim-')));
    this.server = createServer((req, res) => {
      if (!fromCaller(req, options.callerToken)) return sendJson(res, 403, { error: NOT_THE_CALLER });
      this.route(req, res).catch((error: Error) => sendJson(res, 500, { error: error.message }));
    });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (!fromCaller(req, options.callerToken)) return refuseUpgrade(socket);
      if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        this.connect(ws, url.searchParams.get('clientId') ?? randomUUID()),
      );
    });
  }

  async start(): Promise<string> {
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, this.options.port)}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets.keys()) ws.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.ownsDataDir) rmSync(this.files.root, { recursive: true, force: true });
  }

  private connect(ws: WebSocket, clientId: string) {
    this.sockets.set(ws, clientId);
    ws.on('close', () => this.sockets.delete(ws));
    ws.send(
      JSON.stringify({
        type: 'status',
        data: { status: { exec_info: { queue_remaining: this.queueRemaining() } }, sid: clientId },
      }),
    );
  }

  private queueRemaining() {
    return this.pending.length + (this.running ? 1 : 0);
  }

  private emit(event: SimEvent, clientId: string | undefined) {
    if (!clientId && CLIENT_ONLY.has(event.type)) return;
    const text = JSON.stringify(event);
    for (const [ws, id] of this.sockets) if (!clientId || id === clientId) ws.send(text);
  }

  private sendTo(clientId: string, event: SimEvent): boolean {
    const open = [...this.sockets].filter(([, id]) => id === clientId);
    for (const [ws] of open) ws.send(JSON.stringify(event));
    return open.length > 0;
  }

  private broadcastStatus() {
    this.emit(
      { type: 'status', data: { status: { exec_info: { queue_remaining: this.queueRemaining() } } } },
      undefined,
    );
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/api(?=\/)/, '');
    const method = req.method ?? 'GET';
    if (
      url.pathname.startsWith('/internal/') &&
      this.terminal.route(method, url.pathname, await readBody(req), res)
    )
      return;
    if (method === 'GET' && path === '/system_stats') return sendJson(res, 200, SYSTEM_STATS);
    if (method === 'GET' && path === '/object_info') return sendJson(res, 200, this.info);
    if (method === 'GET' && path.startsWith('/object_info/')) {
      const name = decodeURIComponent(path.slice('/object_info/'.length));
      return sendJson(res, 200, this.info[name] ? { [name]: this.info[name] } : {});
    }
    if (method === 'POST' && path === '/prompt') return this.submit(await readBody(req), res);
    if (method === 'GET' && path === '/history') {
      const max = Number(url.searchParams.get('max_items') ?? Number.POSITIVE_INFINITY);
      return sendJson(res, 200, Object.fromEntries([...this.history].slice(-max)));
    }
    if (method === 'GET' && path.startsWith('/history/')) {
      const id = decodeURIComponent(path.slice('/history/'.length));
      const entry = this.history.get(id);
      return sendJson(res, 200, entry ? { [id]: entry } : {});
    }
    if (method === 'GET' && path === '/queue') return sendJson(res, 200, this.queue());
    if (method === 'POST' && path === '/interrupt') return this.interrupt(await readBody(req), res);
    if (method === 'GET' && path === '/view') return this.view(url.searchParams, res);
    if (method === 'POST' && path === '/upload/image') return uploadImage(req, res, this.files);
    sendJson(res, 404, { error: `not found: ${method} ${path}` });
  }

  private queue() {
    const tuple = (q: QueuedPrompt) => [q.number, q.promptId, q.prompt, q.extraData, q.outputs];
    return {
      queue_running: this.running ? [tuple(this.running)] : [],
      queue_pending: this.pending.map(tuple),
    };
  }

  private async submit(text: string, res: ServerResponse) {
    this.terminal.write('got prompt\n');
    // The wire body of POST /prompt: free-form JSON, checked field by field below.
    let body: {
      prompt?: unknown;
      prompt_id?: unknown;
      client_id?: string;
      extra_data?: Record<string, unknown>;
      number?: unknown;
    };
    try {
      body = JSON.parse(text || '{}');
    } catch {
      return sendJson(res, 400, promptRefusal('invalid_json', 'Invalid JSON'));
    }
    if (!body.prompt || typeof body.prompt !== 'object') {
      return sendJson(res, 400, promptRefusal('no_prompt', 'No prompt provided', 'No prompt provided'));
    }
    if (body.prompt_id != null && !UUID.test(String(body.prompt_id))) {
      return sendJson(res, 400, promptRefusal('invalid_prompt_id', 'prompt_id must be a valid UUID'));
    }
    const prompt = body.prompt as QueuedPrompt['prompt'];
    const outcome = validatePrompt(prompt, this.info, this.files);
    if (!outcome.ok) return sendJson(res, 400, { error: outcome.error, node_errors: outcome.node_errors });
    const extraData = {
      ...(body.extra_data ?? {}),
      ...(body.client_id ? { client_id: body.client_id } : {}),
    };
    const queued: QueuedPrompt = {
      number: body.number !== undefined ? Number(body.number) : this.counter++,
      promptId: typeof body.prompt_id === 'string' ? body.prompt_id : randomUUID(),
      prompt,
      extraData,
      outputs: outcome.outputs,
      body: text,
    };
    this.pending.push(queued);
    this.pending.sort((a, b) => a.number - b.number);
    const answer = () =>
      sendJson(res, 200, {
        prompt_id: queued.promptId,
        number: queued.number,
        node_errors: outcome.node_errors,
      });
    const late = this.options.answerAfterStartMs;
    if (late === undefined) answer();
    this.broadcastStatus();
    void this.work();
    if (late !== undefined) setTimeout(answer, late);
  }

  private interrupt(text: string, res: ServerResponse) {
    const promptId = text ? (JSON.parse(text) as { prompt_id?: string }).prompt_id : undefined;
    if (this.running && (!promptId || this.running.promptId === promptId)) this.running.interrupted = true;
    sendJson(res, 200, {});
  }

  private view(query: URLSearchParams, res: ServerResponse) {
    const override = this.options.viewOverride?.(query);
    if (override) {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': override.length });
      return res.end(override);
    }
    const located = this.files.locate(
      query.get('type') ?? 'output',
      query.get('subfolder') ?? '',
      query.get('filename') ?? '',
    );
    if (located.status !== 200) return sendJson(res, located.status, {});
    if (!located.path || !existsSync(located.path)) return sendJson(res, 404, {});
    const name = located.path.split('/').pop()!;
    res.writeHead(200, {
      'Content-Type': contentTypeFor(name),
      'Content-Length': statSync(located.path).size,
      'Content-Disposition': `filename="${name}"`,
    });
    createReadStream(located.path).pipe(res);
  }

  private async work() {
    if (this.running) return;
    while (this.pending.length > 0) {
      const next = this.pending.shift()!;
      this.running = { ...next, interrupted: false };
      // ComfyUI's queue says its size again as the worker takes the prompt (PromptQueue.get).
      this.broadcastStatus();
      const clientId = typeof next.extraData.client_id === 'string' ? next.extraData.client_id : undefined;
      const running = this.running;
      const began = performance.now();
      const entry = await runPrompt(next, {
        info: this.info,
        stepMs: this.options.stepMs ?? 20,
        files: this.files,
        emit: (event) => this.emit(event, clientId),
        interrupted: () => running.interrupted,
        log: (text) => this.terminal.write(text),
        rewriteOutput: this.options.rewriteOutput,
      }).catch((error: Error) => failedEntry(next, error));
      this.history.set(next.promptId, entry);
      this.running = undefined;
      // ComfyUI's worker: the outcome (sent while executing), the queue, then `executing` null.
      this.broadcastStatus();
      this.emit({ type: 'executing', data: { node: null, prompt_id: next.promptId } }, clientId);
      this.terminal.write(`Prompt executed in ${((performance.now() - began) / 1000).toFixed(2)} seconds\n`);
    }
  }
}

export async function startComfyUiSimulator(
  options: ComfyUiSimulatorOptions = {},
): Promise<ComfyUiSimulator> {
  const simulator = new ComfyUiSimulator(options);
  await simulator.start();
  return simulator;
}
