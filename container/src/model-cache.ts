import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { StagedModelFile } from '../../lambda/use-cases/execute-models';
import { PrefixHasher } from './prefix-hasher';
import { rangedDownload } from './ranged-download';

/** A model the run cannot have: the execute fails with this reason before ComfyUI runs. */
export class ModelUnavailableError extends Error {}

interface Entry {
  size: number;
  lastUsed: number;
}

export interface ModelCacheOptions {
  /** The folder ComfyUI reads library models from (extra_model_paths.yaml): `{dir}/{folder}/{name}`. */
  dir: string;
  /** Most bytes of library models kept; least recently used ones go first. */
  budgetBytes: number;
  s3: S3Client;
  partBytes?: number;
  concurrency?: number;
}

const SIDECAR = '.sha256';
const PARTIAL = '.partial-';

/**
 * Library models on the endpoint's disk. Concurrency-safe (one download per file however many
 * invocations want it), atomic (downloaded under a temporary name, renamed when verified),
 * verified (size, and SHA-256 when the library has one), and bounded (least recently used files
 * are evicted to stay within the budget, never one a running invocation holds; models baked into
 * the image live elsewhere and are never touched).
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  private readonly downloads = new Map<string, Promise<void>>();
  private readonly holds = new Map<string, number>();

  constructor(private readonly options: ModelCacheOptions) {
    this.scan(options.dir);
  }

  /** What a previous process left: complete files are entries, partial downloads are removed. */
  private scan(dir: string) {
    if (!existsSync(dir)) return;
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) this.scan(path);
      else if (item.name.includes(PARTIAL)) void rm(path, { force: true });
      else if (!item.name.endsWith(SIDECAR)) {
        const stat = statSync(path);
        this.entries.set(relative(this.options.dir, path), { size: stat.size, lastUsed: stat.mtimeMs });
      }
    }
  }

  private pathOf(key: string): string {
    const path = resolve(this.options.dir, key);
    if (!path.startsWith(resolve(this.options.dir) + sep))
      throw new ModelUnavailableError(`model path '${key}' leaves the model cache`);
    return path;
  }

  get usedBytes(): number {
    let used = 0;
    for (const entry of this.entries.values()) used += entry.size;
    return used;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /**
   * Makes every model present, holding each until `release()`. Reports download progress as bytes
   * of the model being fetched; answers how long downloads took.
   */
  async ensure(
    models: readonly StagedModelFile[],
    onProgress: (model: StagedModelFile, bytes: number) => void = () => {},
  ): Promise<{ downloadMs: number; downloaded: string[]; release: () => void }> {
    const started = Date.now();
    const held: string[] = [];
    const downloaded: string[] = [];
    const release = () => {
      for (const key of held.splice(0)) this.holds.set(key, (this.holds.get(key) ?? 1) - 1);
    };
    try {
      for (const model of models) {
        const key = `${model.folder}/${model.name}`;
        this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
        held.push(key);
        if (this.fresh(key, model)) {
          await this.touch(key);
          continue;
        }
        let download = this.downloads.get(key);
        if (!download) {
          download = this.download(key, model, (bytes) => onProgress(model, bytes)).finally(() =>
            this.downloads.delete(key),
          );
          this.downloads.set(key, download);
          downloaded.push(key);
        }
        await download;
      }
    } catch (error) {
      release();
      throw error;
    }
    return { downloadMs: downloaded.length > 0 ? Date.now() - started : 0, downloaded, release };
  }

  /**
   * Makes a model from an https URL present (an environment's `models`), verified against its
   * SHA-256, and holds it for good: the environment's models are never evicted.
   */
  async ensureUrl(folder: string, name: string, url: string, sha256: string): Promise<boolean> {
    const key = `${folder}/${name}`;
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
    const entry = this.entries.get(key);
    const sidecar = `${this.pathOf(key)}${SIDECAR}`;
    if (entry && existsSync(sidecar) && readFileSync(sidecar, 'utf8') === sha256) return false;
    let download = this.downloads.get(key);
    if (!download) {
      download = this.downloadUrl(key, url, sha256).finally(() => this.downloads.delete(key));
      this.downloads.set(key, download);
    }
    await download;
    return true;
  }

  private async downloadUrl(key: string, url: string, sha256: string) {
    const response = await fetch(url, { redirect: 'follow' }).catch((error: Error) => {
      throw new ModelUnavailableError(`model ${key}: cannot reach ${url}: ${error.cause ?? error.message}`);
    });
    if (!response.ok || !response.body)
      throw new ModelUnavailableError(`model ${key}: ${url} answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (Number.isFinite(declared)) await this.makeRoom(key, declared);
    const path = this.pathOf(key);
    const partial = `${path}${PARTIAL}${randomBytes(4).toString('hex')}`;
    await mkdir(dirname(path), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(partial),
      );
      const actual = hash.digest('hex');
      if (actual !== sha256)
        throw new ModelUnavailableError(
          `model ${key}: the SHA-256 of ${url} is ${actual}, the environment says ${sha256} (not used)`,
        );
      if (!Number.isFinite(declared)) await this.makeRoom(key, size);
      await writeFile(`${path}${SIDECAR}`, sha256);
      await rename(partial, path);
      this.entries.set(key, { size, lastUsed: Date.now() });
    } catch (error) {
      await rm(partial, { force: true });
      if (error instanceof ModelUnavailableError) throw error;
      throw new ModelUnavailableError(
        `model ${key}: ${url} could not be downloaded: ${(error as Error).message}`,
      );
    }
  }

  /** Present with the library's size (and SHA-256, when it has one). */
  private fresh(key: string, model: StagedModelFile): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.size !== model.size) return false;
    if (!model.sha256) return true;
    const sidecar = `${this.pathOf(key)}${SIDECAR}`;
    return existsSync(sidecar) && readFileSync(sidecar, 'utf8') === model.sha256;
  }

  private async touch(key: string) {
    const now = Date.now();
    this.entries.get(key)!.lastUsed = now;
    await utimes(this.pathOf(key), now / 1000, now / 1000).catch(() => undefined);
  }

  /** Frees room for `size` bytes, least recently used first, skipping files in use. */
  private async makeRoom(key: string, size: number) {
    if (size > this.options.budgetBytes)
      throw new ModelUnavailableError(
        `model ${key} is ${size} bytes, over the endpoint's model cache budget of ${this.options.budgetBytes} bytes`,
      );
    const evictable = [...this.entries.entries()]
      .filter(([other]) => other !== key && (this.holds.get(other) ?? 0) === 0)
      .sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    while (this.usedBytes - (this.entries.get(key)?.size ?? 0) + size > this.options.budgetBytes) {
      const oldest = evictable.shift();
      if (!oldest)
        throw new ModelUnavailableError(
          `no room for model ${key} (${size} bytes): the cache budget of ${this.options.budgetBytes} bytes is held by models in use`,
        );
      this.entries.delete(oldest[0]);
      await rm(this.pathOf(oldest[0]), { force: true });
      await rm(`${this.pathOf(oldest[0])}${SIDECAR}`, { force: true });
    }
  }

  private async download(key: string, model: StagedModelFile, onBytes: (bytes: number) => void) {
    await this.makeRoom(key, model.size);
    const path = this.pathOf(key);
    const partial = `${path}${PARTIAL}${randomBytes(4).toString('hex')}`;
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(model.source);
    if (!match) throw new ModelUnavailableError(`model ${key}: ${model.source} is not an s3:// URI`);
    await mkdir(dirname(path), { recursive: true });
    // The SHA-256 is taken while the download runs, over the prefix already written, off the event loop.
    const hashing = model.sha256 ? new PrefixHasher(partial) : undefined;
    try {
      await rangedDownload(
        this.options.s3,
        { bucket: match[1]!, key: match[2]!, size: model.size },
        partial,
        {
          partBytes: this.options.partBytes,
          concurrency: this.options.concurrency,
          onBytes,
          onContiguous: (bytes) => hashing?.advanceTo(bytes),
        },
      );
      const size = statSync(partial).size;
      if (size !== model.size)
        throw new ModelUnavailableError(
          `model ${key}: downloaded ${size} bytes, the library says ${model.size}`,
        );
      if (model.sha256 && hashing) {
        const actual = await hashing.digest(size);
        if (actual !== model.sha256)
          throw new ModelUnavailableError(
            `model ${key}: the download's SHA-256 is ${actual}, the library says ${model.sha256} (corrupt or replaced; not used)`,
          );
        await writeFile(`${path}${SIDECAR}`, model.sha256);
      } else await rm(`${path}${SIDECAR}`, { force: true });
      await rename(partial, path);
      this.entries.set(key, { size: model.size, lastUsed: Date.now() });
    } catch (error) {
      await hashing?.close();
      await rm(partial, { force: true });
      if (error instanceof ModelUnavailableError) throw error;
      const name = (error as Error).name;
      throw new ModelUnavailableError(
        name === 'NoSuchKey' || name === 'NotFound'
          ? `model ${key} is no longer in the library (${model.source})`
          : `model ${key} could not be downloaded: ${(error as Error).message}`,
      );
    }
  }
}
