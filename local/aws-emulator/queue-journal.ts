import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { QueuedRequest } from './async-endpoint';

type JournalEntry = { accepted: SerializedRequest } | { started: string } | { done: string };

type SerializedRequest = Omit<QueuedRequest, 'receivedTime' | 'input'> & {
  receivedTime: string;
  input: { location?: string; body?: string };
};

const serialize = (request: QueuedRequest): SerializedRequest => ({
  ...request,
  receivedTime: request.receivedTime.toISOString(),
  input: {
    ...(request.input.location ? { location: request.input.location } : {}),
    ...(request.input.body ? { body: request.input.body.toString('base64') } : {}),
  },
});

const deserialize = (request: SerializedRequest): QueuedRequest => ({
  ...request,
  receivedTime: new Date(request.receivedTime),
  input: {
    ...(request.input.location ? { location: request.input.location } : {}),
    ...(request.input.body ? { body: Buffer.from(request.input.body, 'base64') } : {}),
  },
});

/** What was pending when the journal was last written: still queued, and cut off mid-invocation. */
export interface PendingRequests {
  queued: QueuedRequest[];
  interrupted: QueuedRequest[];
}

/**
 * SageMaker's queue outlives the control plane; the local emulator's lives in one process. With
 * DATA_DIR set, each endpoint appends what it accepted, started and finished to a journal (one
 * JSON line each, appended synchronously so a kill loses nothing acknowledged), and a restarted
 * stack picks up what was pending.
 */
export class QueueJournal {
  constructor(private readonly path: string) {}

  /** Reads what is pending and rewrites the journal to just that. */
  load(): PendingRequests {
    const pending = new Map<string, { request: QueuedRequest; started: boolean }>();
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        let entry: JournalEntry;
        try {
          entry = JSON.parse(line) as JournalEntry;
        } catch {
          continue; // a line cut short by a kill mid-append
        }
        if ('accepted' in entry)
          pending.set(entry.accepted.inferenceId, { request: deserialize(entry.accepted), started: false });
        else if ('started' in entry) {
          const known = pending.get(entry.started);
          if (known) known.started = true;
        } else pending.delete(entry.done);
      }
    }
    const queued = [...pending.values()].filter((p) => !p.started).map((p) => p.request);
    const interrupted = [...pending.values()].filter((p) => p.started).map((p) => p.request);
    const compacted = [
      ...interrupted.flatMap((request) => [
        { accepted: serialize(request) },
        { started: request.inferenceId },
      ]),
      ...queued.map((request) => ({ accepted: serialize(request) })),
    ];
    writeFileSync(`${this.path}.tmp`, compacted.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    renameSync(`${this.path}.tmp`, this.path);
    return { queued, interrupted };
  }

  accepted(request: QueuedRequest): void {
    this.append({ accepted: serialize(request) });
  }

  started(inferenceId: string): void {
    this.append({ started: inferenceId });
  }

  done(inferenceId: string): void {
    this.append({ done: inferenceId });
  }

  private append(entry: JournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify(entry)}\n`);
  }
}
