import { createHash } from 'node:crypto';
import { coreCatalog } from '../../lambda/catalog/core-catalog';
import type { Clock, IdGenerator } from '../../lambda/domain/ports';
import type { CreateExecuteDeps } from '../../lambda/use-cases/create-execute';
import { InMemoryExecuteStore } from './in-memory-execute-store';
import { InMemoryPayloadStore } from './in-memory-payload-store';
import { RecordingInvoker } from './recording-invoker';

/** A clock that moves only when told. */
export class ManualClock implements Clock {
  constructor(public current = new Date('2026-11-22T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function sequentialIds(): IdGenerator {
  let n = 0;
  return { newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
}

export function fakeCreateDeps() {
  const store = new InMemoryExecuteStore();
  const payloads = new InMemoryPayloadStore();
  const invoker = new RecordingInvoker();
  const clock = new ManualClock();
  const deps: CreateExecuteDeps = {
    store,
    payloads,
    invoker,
    clock,
    ids: sequentialIds(),
    digest: (text) => createHash('sha256').update(text).digest('hex'),
    catalogs: { forEndpoint: async () => coreCatalog() },
    config: {
      defaultEndpointName: 'comfy-async-default',
      endpointNames: ['comfy-async-default', 'comfy-async-sdxl'],
      retentionDays: 30,
      maxInlinePromptBytes: 300_000,
      answerWithinSeconds: 3600,
    },
  };
  return { deps, store, payloads, invoker, clock };
}
