import { createHash } from 'node:crypto';
import { coreCatalog } from '../../lambda/catalog/core-catalog';
import type { Clock, IdGenerator, StoredModel } from '../../lambda/domain/ports';
import type { CreateExecuteDeps } from '../../lambda/use-cases/create-execute';
import { InMemoryExecuteStore } from './in-memory-execute-store';
import { InMemoryInputStore } from './in-memory-input-store';
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
  const inputs = new InMemoryInputStore();
  /** The model library: `folder/name` → the model. */
  const library = new Map<string, StoredModel>();
  const models = { find: async (folder: string, name: string) => library.get(`${folder}/${name}`) };
  /** Host names the fake DNS knows; anything else does not resolve. */
  const hosts = new Map<string, string[]>([['images.example.com', ['93.184.216.34']]]);
  const deps: CreateExecuteDeps = {
    store,
    payloads,
    invoker,
    clock,
    ids: sequentialIds(),
    digest: (text) => createHash('sha256').update(text).digest('hex'),
    catalogs: { forEndpoint: async () => coreCatalog() },
    inputs,
    models,
    resolveHost: async (host) => {
      const addresses = hosts.get(host);
      if (!addresses) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
      return addresses;
    },
    config: {
      defaultEndpointName: 'comfy-async-default',
      endpointNames: ['comfy-async-default', 'comfy-async-sdxl'],
      retentionDays: 30,
      maxInlinePromptBytes: 300_000,
      answerWithinSeconds: 3600,
      libraryBucketUri: 's3://bucket/',
      inputs: {
        readableBuckets: ['shared-media'],
        allowLoopbackUrls: false,
        maxInlineInputs: 100,
        maxSyncedFiles: 1000,
      },
    },
  };
  return { deps, store, payloads, invoker, clock, inputs, hosts, library };
}
