import { openAsBlob } from 'node:fs';
import WebSocket from 'ws';
import { exactJsonText } from '../../lambda/domain/exact-json';

/** ComfyUI could not be reached, or did not answer in time. */
export class ComfyUnreachableError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'ComfyUnreachableError';
  }
}

export interface ComfyEvent {
  type: string;
  data: Record<string, unknown>;
}

/** `GET /history/{id}` entry, the parts the container reads (comfyui-server-api.md §3). */
export interface HistoryEntry {
  outputs: Record<string, Record<string, unknown>>;
  status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

/** POST /prompt's answer: 200 `{prompt_id, number, node_errors}` or 400 `{error, node_errors}`. */
export interface SubmitAnswer {
  prompt_id?: string;
  number?: number;
  node_errors?: Record<string, unknown>;
  error?: { type?: string; message?: string; details?: string };
}

/** POST /upload/image's answer: the name ComfyUI saved the file under, in `type`'s folder. */
export interface UploadAnswer {
  name?: string;
  subfolder?: string;
  type?: string;
  error?: { type?: string; message?: string };
}

/** One file for ComfyUI's input folder: its bytes (a file on this disk, or none), name and subfolder. */
export interface InputUpload {
  /** A file on this container's disk; absent: an empty file (ComfyUI has no route that deletes one). */
  path?: string;
  name: string;
  subfolder: string;
}

export interface FileRef {
  filename: string;
  subfolder?: string;
  type?: string;
}

/** ComfyUI's HTTP and websocket API, as the endpoint container uses it (comfyui-server-api.md). */
export class ComfyUiClient {
  constructor(
    readonly baseUrl: string,
    private readonly requestTimeoutMs = 30_000,
    /** Sent with every call and the websocket (the local stack's simulator wants its caller's token). */
    private readonly headers: Record<string, string> = {},
  ) {}

  private async call(
    path: string,
    init: RequestInit = {},
    timeoutMs = this.requestTimeoutMs,
  ): Promise<Response> {
    try {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(this.headers)) headers.set(name, value);
      return await fetch(`${this.baseUrl}${path}`, {
        ...init,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ComfyUnreachableError(
        timedOut
          ? `ComfyUI at ${this.baseUrl} did not answer ${path} within ${timeoutMs} ms`
          : `ComfyUI at ${this.baseUrl} is unreachable (${cause})`,
        timedOut,
      );
    }
  }

  private async json<T>(
    path: string,
    init?: RequestInit,
    timeoutMs?: number,
  ): Promise<{ status: number; body: T }> {
    const response = await this.call(path, init, timeoutMs);
    const text = await response.text();
    try {
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
    } catch {
      return {
        status: response.status,
        body: { error: { type: 'invalid_response', message: text.slice(0, 500) } } as T,
      };
    }
  }

  /** True when ComfyUI answers /system_stats within the timeout. */
  async isUp(timeoutMs: number): Promise<boolean> {
    try {
      return (await this.call('/system_stats', {}, timeoutMs)).ok;
    } catch {
      return false;
    }
  }

  async systemStats(): Promise<unknown> {
    const { status, body } = await this.json<unknown>('/system_stats', {}, 30_000);
    if (status !== 200) throw new Error(`GET /system_stats answered ${status}`);
    return body;
  }

  async objectInfo(): Promise<unknown> {
    const { status, body } = await this.json<unknown>('/object_info', {}, 120_000);
    if (status !== 200) throw new Error(`GET /object_info answered ${status}`);
    return body;
  }

  submit(body: Record<string, unknown>) {
    return this.json<SubmitAnswer>('/prompt', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: exactJsonText(body),
    });
  }

  /** The history entry of a finished prompt, or undefined while it is pending (ComfyUI answers {}). */
  async history(promptId: string): Promise<HistoryEntry | undefined> {
    const { body } = await this.json<Record<string, HistoryEntry>>(
      `/history/${encodeURIComponent(promptId)}`,
    );
    return body?.[promptId];
  }

  async interrupt(promptId: string): Promise<void> {
    await this.call('/interrupt', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt_id: promptId }),
    });
  }

  /** A file ComfyUI produced, as an HTTP response whose body streams the bytes. */
  view(file: FileRef, timeoutMs: number): Promise<Response> {
    const query = new URLSearchParams({
      filename: file.filename,
      subfolder: file.subfolder ?? '',
      type: file.type ?? 'output',
    });
    return this.call(`/view?${query}`, {}, timeoutMs);
  }

  /**
   * POST /upload/image into the input folder, replacing a file of the same name (`overwrite`), so
   * the answered name is the one sent unless ComfyUI's multipart parser changed it (it keeps
   * `%22` for a `"`, and drops leading slashes). ComfyUI stores any kind of file this way.
   */
  async uploadInput(file: InputUpload, timeoutMs: number) {
    const form = new FormData();
    // A Blob over the file: fetch streams it from disk rather than reading it into memory.
    const bytes = file.path ? await openAsBlob(file.path) : new Blob([]);
    form.append('image', bytes, file.name);
    form.append('subfolder', file.subfolder);
    form.append('type', 'input');
    form.append('overwrite', 'true');
    return this.json<UploadAnswer>('/upload/image', { method: 'POST', body: form }, timeoutMs);
  }

  /**
   * Asks ComfyUI to send its terminal's writes to this client as `logs` messages (PATCH
   * /internal/logs/subscribe, ComfyUI 0.3.x). False where the server has no such route: the run
   * goes on without ComfyUI's lines.
   */
  async subscribeLogs(clientId: string): Promise<boolean> {
    try {
      const response = await this.call('/internal/logs/subscribe', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId, enabled: true }),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Opens `/ws?clientId=`; resolves once connected. Events arrive through `onEvent`. */
  openEvents(
    clientId: string,
    onEvent: (event: ComfyEvent) => void,
  ): Promise<{ close(): void; closed: () => boolean }> {
    const ws = new WebSocket(
      `${this.baseUrl.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(clientId)}`,
      { headers: this.headers },
    );
    let closed = false;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return; // previews: not needed to follow a prompt
      try {
        onEvent(JSON.parse(String(data)) as ComfyEvent);
      } catch {
        // a frame we cannot read does not stop the run; history is the source of truth
      }
    });
    ws.on('close', () => {
      closed = true;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(
          new ComfyUnreachableError(`ComfyUI at ${this.baseUrl} did not open its websocket in time`, true),
        );
      }, this.requestTimeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve({ close: () => ws.close(), closed: () => closed });
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(
          new ComfyUnreachableError(
            `ComfyUI at ${this.baseUrl} is unreachable (websocket: ${error.message})`,
          ),
        );
      });
    });
  }
}
