import type { ServerResponse } from 'node:http';
import { sendJson } from './http-helpers';
import type { SimEvent } from './run-prompt';

export interface TerminalEntry {
  t: string;
  m: string;
}

/** ComfyUI keeps its last 300 terminal writes (app/logger.py `setup_logger(capacity=300)`). */
const CAPACITY = 300;
/** What ComfyUI reports with no terminal attached (shutil.get_terminal_size's fallback). */
const TERMINAL_SIZE = { cols: 80, rows: 24 };

/** Python's `datetime.now().isoformat()`: local time, microseconds (left out when zero), no zone. */
export function pythonIsoNow(now = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}`;
  const time = `${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
  const micros = now.getMilliseconds() * 1000;
  return `${date}T${time}${micros === 0 ? '' : `.${String(micros).padStart(6, '0')}`}`;
}

/**
 * ComfyUI's terminal as its API shows it: each write kept and, for the clients that PATCHed
 * /internal/logs/subscribe, sent as a `logs` message (api_server/services/terminal_service.py: the
 * size the first time a message goes out, null after while it stays the same). Recorded against
 * the real server in test/fixtures/real-comfyui/logs.messages.json.
 */
export class SimulatedTerminal {
  private readonly entries: TerminalEntry[] = [];
  private readonly subscribers = new Set<string>();
  private sizeSent = false;

  constructor(
    /** Sends one event to one client; false when no socket of that client is open. */
    private readonly sendTo: (clientId: string, event: SimEvent) => boolean,
  ) {}

  /** One write, as `logging` makes it: the message and its newline in one piece. */
  write(text: string): void {
    const entry = { t: pythonIsoNow(), m: text };
    this.entries.push(entry);
    if (this.entries.length > CAPACITY) this.entries.shift();
    if (this.subscribers.size === 0) return;
    const size = this.sizeSent ? null : TERMINAL_SIZE;
    this.sizeSent = true;
    for (const clientId of [...this.subscribers]) {
      // As ComfyUI: a subscriber whose socket has gone is dropped when the next write finds it so.
      if (!this.sendTo(clientId, { type: 'logs', data: { entries: [entry], size } }))
        this.subscribers.delete(clientId);
    }
  }

  /** `/internal/logs*`; false when the path is not one of them. */
  route(method: string, path: string, body: string, res: ServerResponse): boolean {
    if (method === 'GET' && path === '/internal/logs') {
      sendJson(res, 200, this.entries.map((entry) => `${entry.t} - ${entry.m}`).join(''));
      return true;
    }
    if (method === 'GET' && path === '/internal/logs/raw') {
      sendJson(res, 200, { entries: this.entries, size: TERMINAL_SIZE });
      return true;
    }
    if (method !== 'PATCH' || path !== '/internal/logs/subscribe') return false;
    let request: { clientId?: unknown; enabled?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      request = {};
    }
    // ComfyUI reads both keys without a check: a missing one is its KeyError, a 500.
    if (
      request === null ||
      typeof request !== 'object' ||
      !('clientId' in request) ||
      !('enabled' in request)
    ) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('500 Internal Server Error\n\nServer got itself in trouble');
      return true;
    }
    const clientId = String(request.clientId);
    if (request.enabled) this.subscribers.add(clientId);
    else this.subscribers.delete(clientId);
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
    return true;
  }
}
