import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpModelSource } from '../../../lambda/adapters/http-model-source';
import {
  InputTooLargeError,
  ModelExistsError,
  RequestValidationError,
  SourceUnavailableError,
} from '../../../lambda/domain/errors';
import { ABANDONED, type ModelSource } from '../../../lambda/domain/models/model-import';
import type { StoredModel } from '../../../lambda/domain/ports';
import { UrlFetchError } from '../../../lambda/domain/url-fetch-error';
import { getModel } from '../../../lambda/use-cases/get-model';
import { runModelImportJob, settleFailedJob } from '../../../lambda/use-cases/run-model-import-job';
import { startModelImport } from '../../../lambda/use-cases/start-model-import';
import { InMemoryModelImports, RecordingImportQueue } from '../../fakes/in-memory-model-imports';
import { ManualClock } from '../../fakes/use-case-deps';

const MIB = 1024 ** 2;
const WRITER = 'key-writer';

/** A source serving `bytes`; `fail(first)` may throw for a range instead. */
function bytesSource(
  bytes: Buffer,
  fail?: (first: number) => Error | undefined,
): ModelSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    probe: async () => ({ size: bytes.length, etag: '"v1"', ranges: true }),
    readRange: async (_source, first, last) => {
      reads.push(first);
      const error = fail?.(first);
      if (error) throw error;
      return bytes.subarray(first, last + 1);
    },
  };
}

function deps(source: ModelSource, options: { maxModelBytes?: number } = {}) {
  const library = new Map<string, StoredModel>();
  const imports = new InMemoryModelImports();
  return {
    imports,
    queue: new RecordingImportQueue(),
    source,
    clock: new ManualClock(),
    allowLoopback: false,
    attempts: 3,
    models: {
      find: async (folder: string, name: string) => library.get(`${folder}/${name}`),
      openUploads: async () => [],
      abortUploads: async () => {},
      // The library the fake imports publish into.
      delete: async (folder: string, name: string) => imports.published.delete(`${folder}/${name}`),
    } as never,
    config: {
      writers: new Set([WRITER]),
      maxModelBytes: options.maxModelBytes ?? 10 * MIB,
      uploadUrlTtlSeconds: 0,
      partBytes: 5 * MIB,
    },
  };
}

const request = {
  folder: 'loras',
  name: 'detail.safetensors',
  source: 'https://models.example.com/detail.safetensors',
};

/** Runs the queued jobs, as the queue would, until none are left. */
async function drain(d: ReturnType<typeof deps>) {
  while (d.queue.jobs.length > 0) await runModelImportJob(d.queue.jobs.shift()!, d);
}

describe('model imports from a URL', () => {
  it('refuses a source resolving to a private or metadata address before anything is written', async () => {
    const resolving: Record<string, string[]> = {
      'models.example.com': ['10.0.0.5'],
      'both.example.com': ['93.184.216.34', '169.254.169.254'],
    };
    const source = new HttpModelSource(
      { tokenFor: async () => undefined, secretName: (host: string) => `tokens/${host}` },
      {
        timeoutMs: 1000,
        resolve: async (host) => resolving[host] ?? [],
      },
    );
    for (const [url, address] of [
      ['https://models.example.com/x.safetensors', '10.0.0.5'],
      ['https://both.example.com/x.safetensors', '169.254.169.254'],
      ['https://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['https://[::ffff:192.168.1.1]/x', '::ffff:c0a8:101'],
    ]) {
      const d = deps(source);
      const error = await startModelImport({ ...request, source: url! }, WRITER, d).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as Error).message).toContain(`resolves to ${address}, which is not a public address`);
      expect(d.imports.states.size + d.imports.uploads.size + d.queue.jobs.length).toBe(0);
    }
    // http:// is refused outside the local stack, whatever the host.
    const plain = await startModelImport(
      { ...request, source: 'http://models.example.com/x' },
      WRITER,
      deps(source),
    ).catch((e: unknown) => e);
    expect((plain as Error).message).toBe('source must be an https:// URL (http: given)');
  });

  it('answers a source that is down with 502 and one too large with 413, writing nothing', async () => {
    const down = deps({
      ...bytesSource(Buffer.alloc(1)),
      probe: () => Promise.reject(new UrlFetchError('models.example.com answered HTTP 503', 'unavailable')),
    });
    await expect(startModelImport(request, WRITER, down)).rejects.toBeInstanceOf(SourceUnavailableError);
    const large = deps(bytesSource(Buffer.alloc(2 * MIB)), { maxModelBytes: MIB });
    await expect(startModelImport(request, WRITER, large)).rejects.toBeInstanceOf(InputTooLargeError);
    expect(down.imports.states.size + large.imports.states.size).toBe(0);
  });

  it('ends an import whose parts cannot be queued as failed, its upload aborted', async () => {
    const d = deps(bytesSource(Buffer.alloc(6 * MIB)));
    d.queue.failNext = true;
    await expect(startModelImport(request, WRITER, d)).rejects.toThrow('SQS is unreachable');
    expect(d.imports.states.get('loras/detail.safetensors')).toMatchObject({
      status: 'failed',
      error: 'the parts could not be queued',
    });
    expect(d.imports.aborted).toHaveLength(1);
    expect(d.imports.uploads.size).toBe(0);
  });

  it('fetches each part once, finishes once, and publishes the file with its SHA-256', async () => {
    const bytes = Buffer.alloc(12 * MIB + 5, 7);
    const source = bytesSource(bytes);
    const d = deps(source, { maxModelBytes: 20 * MIB });
    const started = await startModelImport(request, WRITER, d);
    expect(started.import).toMatchObject({ status: 'importing', parts_total: 3, bytes_done: 0 });
    await drain(d);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(source.reads).toEqual([0, 5 * MIB, 10 * MIB]);
    expect(d.imports.published.get('loras/detail.safetensors')?.sha256).toBe(sha256);
    expect(d.imports.states.get('loras/detail.safetensors')).toMatchObject({ status: 'imported', sha256 });
    expect(d.imports.staged.size).toBe(0);
  });

  it('retries a passing failure with a growing backoff, and fails the import on its last attempt', async () => {
    const d = deps(
      bytesSource(Buffer.alloc(6 * MIB), (first) => (first > 0 ? new Error('socket hang up') : undefined)),
    );
    await startModelImport(request, WRITER, d);
    const [first, second] = d.queue.jobs.splice(0);
    await runModelImportJob(first!, d);
    const error = await runModelImportJob(second!, d).catch((e: unknown) => e);
    expect(await settleFailedJob(second!, error, 1, d)).toEqual({ retryInSeconds: 15 });
    expect(await settleFailedJob(second!, error, 2, d)).toEqual({ retryInSeconds: 30 });
    // While it retries, the import says so (and is still running).
    expect((await getModel('loras', 'detail.safetensors', d)).import).toMatchObject({
      status: 'importing',
      error: null,
      last_retry: 'attempt 2 of 3 failed, trying again: part 2: socket hang up',
    });
    expect(await settleFailedJob(second!, error, 3, d)).toEqual({ failed: 'part 2: socket hang up' });
    expect(d.imports.states.get('loras/detail.safetensors')).toMatchObject({
      status: 'failed',
      error: 'part 2: socket hang up',
    });
    expect(d.imports.aborted).toHaveLength(1);
  });

  it('fails at once when the source refuses a part, and ignores jobs of an import that ended', async () => {
    const d = deps(
      bytesSource(Buffer.alloc(6 * MIB), (first) =>
        first > 0 ? new UrlFetchError('x answered HTTP 403', 'refused') : undefined,
      ),
    );
    await startModelImport(request, WRITER, d);
    const jobs = d.queue.jobs.splice(0);
    await runModelImportJob(jobs[0]!, d);
    const error = await runModelImportJob(jobs[1]!, d).catch((e: unknown) => e);
    expect(await settleFailedJob(jobs[1]!, error, 1, d)).toEqual({ failed: 'part 2: x answered HTTP 403' });
    // The job again, as a duplicate delivery would bring it: the import has ended, nothing happens.
    expect(await runModelImportJob(jobs[1]!, d)).toBe('skipped');
    expect(d.queue.jobs).toEqual([]);
  });

  it('shows an import whose jobs all crashed as failed once its upload is gone, and lets it start again', async () => {
    const d = deps(bytesSource(Buffer.alloc(6 * MIB)));
    await startModelImport(request, WRITER, d);
    // While its upload is there, it is running: a second import is refused.
    await expect(startModelImport(request, WRITER, d)).rejects.toBeInstanceOf(ModelExistsError);
    const state = (await d.imports.read('loras', 'detail.safetensors'))!;
    d.imports.uploads.delete(state.upload_id); // the bucket's rule aborted it after a day
    const shown = await getModel('loras', 'detail.safetensors', d);
    expect(shown.import).toMatchObject({ status: 'failed', error: ABANDONED, parts_done: 0 });
    await expect(startModelImport(request, WRITER, d)).resolves.toMatchObject({
      import: { status: 'importing' },
    });
  });

  it('lets one of two imports of a name started at the same moment through, aborting the other', async () => {
    const d = deps(bytesSource(Buffer.alloc(6 * MIB)));
    let second: Promise<unknown> | undefined;
    // The second POST reads the name while the first has not written its record yet.
    d.imports.beforeWrite = () => {
      d.imports.beforeWrite = undefined;
      second = startModelImport(
        { ...request, source: 'https://models.example.com/other.safetensors' },
        WRITER,
        d,
      ).catch((error: unknown) => error);
      return new Promise((resolve) => setTimeout(resolve, 5));
    };
    const first = await startModelImport(request, WRITER, d).catch((error: unknown) => error);
    const outcomes = [first, await second];
    const refused = outcomes.filter((outcome) => outcome instanceof ModelExistsError);
    expect(refused).toHaveLength(1);
    expect((refused[0] as Error).message).toContain('started at the same moment');
    // The loser's upload is aborted: one open upload, the winner's, whose record is the one kept.
    expect(d.imports.uploads.size).toBe(1);
    expect(d.imports.aborted).toHaveLength(1);
    expect(d.imports.uploads.has(d.imports.states.get('loras/detail.safetensors')!.upload_id)).toBe(true);
  });

  it('never replaces a model uploaded while the import ran, unless asked', async () => {
    const d = deps(bytesSource(Buffer.alloc(6 * MIB, 3)));
    const library = new Map<string, StoredModel>();
    d.models = {
      find: async (folder: string, name: string) => library.get(`${folder}/${name}`),
      openUploads: async () => [],
      abortUploads: async () => {},
    } as never;
    await startModelImport(request, WRITER, d);
    const model = {
      folder: 'loras',
      name: 'detail.safetensors',
      size: 10,
      sha256: null,
      source: null,
      last_modified: '',
    };
    library.set('loras/detail.safetensors', model);
    const jobs = d.queue.jobs.splice(0);
    for (const job of jobs) await runModelImportJob(job, d);
    const finish = d.queue.jobs.shift()!;
    const error = await runModelImportJob(finish, d).catch((e: unknown) => e);
    expect(await settleFailedJob(finish, error, 1, d)).toEqual({
      failed:
        'a model of that name was added to the library while this import ran; it was not replaced (send the import again with overwrite: true to replace it)',
    });
    expect(d.imports.published.size).toBe(0);
    expect(d.imports.staged.size).toBe(0);
  });

  it('shows a verifying import with all its parts in, and lets a DELETE that races the copy win', async () => {
    const d = deps(bytesSource(Buffer.alloc(6 * MIB, 5)));
    await startModelImport(request, WRITER, d);
    for (const job of d.queue.jobs.splice(0)) await runModelImportJob(job, d);
    // The copy into the library is held while the import is verifying; a DELETE comes meanwhile.
    const publish = d.imports.publish.bind(d.imports);
    d.imports.publish = async (state, sha256) => {
      expect((await getModel('loras', 'detail.safetensors', d)).import).toMatchObject({
        status: 'verifying',
        parts_done: 2,
        bytes_done: 6 * MIB,
      });
      await d.imports.remove('loras', 'detail.safetensors');
      await publish(state, sha256);
    };
    expect(await runModelImportJob(d.queue.jobs.shift()!, d)).toBe('skipped');
    expect(d.imports.published.size).toBe(0);
    expect(d.imports.states.size).toBe(0);
    expect(d.imports.staged.size).toBe(0);
  });

  it('refuses an empty file, and a source whose secret hides behind normalisation', async () => {
    const empty = deps({
      ...bytesSource(Buffer.alloc(0)),
      probe: async () => ({ size: 0, etag: null, ranges: true }),
    });
    await expect(startModelImport(request, WRITER, empty)).rejects.toThrow('source: the file is empty');
    const d = deps(bytesSource(Buffer.alloc(1)));
    for (const source of [
      'https://\tuser:pw@models.example.com/x.safetensors',
      'https:\\\\user:pw@models.example.com/x.safetensors',
      'https:user:pw@models.example.com/x.safetensors',
      'https://models.example.com/x.safetensors?to\nken=secret',
      'https://models.example.com/x.safetensors?%74oken=secret',
      'https://storage.example.com/x.safetensors?X-Goog-Signature=abc',
      'https://models.example.com/x.safetensors?auth_token=s',
      'https://models.example.com/x.safetensors?hf_token=s',
      'https://gitlab.example.com/x.safetensors?private_token=s',
      'https://models.example.com/x.safetensors?api.key=s',
      'https://models.example.com/x.safetensors?client_secret=s',
      'https://models.example.com/x.safetensors?a=1;token=s',
      'https://models.example.com/x.safetensors?token[]=s',
    ]) {
      const error = await startModelImport({ ...request, source }, WRITER, d).catch((e: unknown) => e);
      expect((error as Error).message, source).toContain('source must not carry a password or token');
    }
    const long = `https://models.example.com/${'é'.repeat(400)}.safetensors`;
    await expect(startModelImport({ ...request, source: long }, WRITER, d)).rejects.toThrow(
      'characters once normalised (non-ASCII percent-encoded); at most 1800',
    );
    expect(d.imports.states.size).toBe(0);
  });
});
