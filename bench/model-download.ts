/**
 * Making a model available on the endpoint: ModelCache.ensure (ranged parallel GetObjects,
 * written at their offsets, then the SHA-256 check and the rename) against the floor, one
 * GetObject streamed to a file as `aws s3 cp` does, from the same local S3 in the same run.
 * Alternating rounds, so neither always runs first; medians.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ModelCache } from '../container/src/model-cache';
import { preloadModels } from '../container/src/model-preload';
import { startS3Local } from '../local/s3-local';
import { localS3Client } from './local-bench';
import { quantile } from './stats';

export interface ModelDownloadResult {
  bytes: number;
  rounds: number;
  floorMs: number;
  cacheMs: number;
  ratio: number;
  floorMBps: number;
  cacheMBps: number;
  /** An environment's model preloaded at start-up from the library (HeadObject, then the cache). */
  preloadMs: number;
  preloadRatio: number;
  /** The same from an http URL (streamed, SHA-256 on the way), against one fetch streamed to a file. */
  urlFloorMs: number;
  urlPreloadMs: number;
  urlRatio: number;
}

export async function benchModelDownload(bytes: number, rounds: number): Promise<ModelDownloadResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-model-'));
  const s3Local = await startS3Local();
  const s3 = localS3Client(s3Local.endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-models' }));
    // A file of `bytes` pseudo-random bytes (not compressible, not all zero), uploaded once.
    const source = join(work, 'source.safetensors');
    const block = Buffer.alloc(1024 ** 2);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
    const out = createWriteStream(source);
    for (let written = 0; written < bytes; written += block.length)
      out.write(block.subarray(0, Math.min(block.length, bytes - written)));
    await new Promise<void>((resolve) => out.end(resolve));
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(source)) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench-models',
        Key: 'models/checkpoints/bench.safetensors',
        Body: createReadStream(source),
        ContentLength: bytes,
      }),
    );
    // The same bytes from a URL (the file server an environment's https model stands for).
    const server = createServer((_request, response) => {
      response.setHeader('content-length', String(bytes));
      void pipeline(createReadStream(source), response).catch(() => undefined);
    });
    const url = await new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () =>
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/bench.safetensors`),
      ),
    );

    const floorMs: number[] = [];
    const cacheMs: number[] = [];
    const preloadMs: number[] = [];
    const urlFloorMs: number[] = [];
    const urlPreloadMs: number[] = [];
    const model = { folder: 'checkpoints', name: 'bench.safetensors', sha256 };
    const preloaded = async (source: string, into: number[]) => {
      const dir = join(work, 'preload');
      rmSync(dir, { recursive: true, force: true });
      const cache = new ModelCache({ dir, budgetBytes: bytes * 2, s3 });
      const started = performance.now();
      await preloadModels([{ ...model, source }], {
        cache,
        s3,
        bucket: 'bench-models',
        allowLoopbackHttp: true,
        log: () => {},
      });
      into.push(performance.now() - started);
      if (statSync(join(dir, 'checkpoints', 'bench.safetensors')).size !== bytes)
        throw new Error('short preload');
    };
    const urlFloor = async () => {
      const started = performance.now();
      const response = await fetch(url);
      await pipeline(
        Readable.fromWeb(response.body as ReadableStream),
        createWriteStream(join(work, 'url.bin')),
      );
      urlFloorMs.push(performance.now() - started);
      rmSync(join(work, 'url.bin'));
    };
    const floor = async () => {
      const started = performance.now();
      const object = await s3.send(
        new GetObjectCommand({ Bucket: 'bench-models', Key: 'models/checkpoints/bench.safetensors' }),
      );
      await pipeline(object.Body as Readable, createWriteStream(join(work, 'floor.bin')));
      floorMs.push(performance.now() - started);
      rmSync(join(work, 'floor.bin'));
    };
    const cached = async () => {
      const dir = join(work, 'cache');
      rmSync(dir, { recursive: true, force: true });
      const cache = new ModelCache({ dir, budgetBytes: bytes * 2, s3 });
      const started = performance.now();
      const held = await cache.ensure([
        {
          folder: 'checkpoints',
          name: 'bench.safetensors',
          source: 's3://bench-models/models/checkpoints/bench.safetensors',
          size: bytes,
          sha256,
        },
      ]);
      cacheMs.push(performance.now() - started);
      held.release();
      if (statSync(join(dir, 'checkpoints', 'bench.safetensors')).size !== bytes)
        throw new Error('short download');
    };
    const steps = [
      floor,
      cached,
      () => preloaded('library:checkpoints/bench.safetensors', preloadMs),
      urlFloor,
      () => preloaded(url, urlPreloadMs),
    ];
    for (let round = 0; round < rounds; round++) {
      // Each round starts one step later, so no way of fetching always runs first.
      for (let step = 0; step < steps.length; step++) await steps[(round + step) % steps.length]!();
    }
    server.close();
    rmSync(source);
    const floorMedian = quantile(floorMs, 0.5);
    const cacheMedian = quantile(cacheMs, 0.5);
    const mbps = (ms: number) => Number((bytes / 1024 ** 2 / (ms / 1000)).toFixed(1));
    return {
      bytes,
      rounds,
      floorMs: Number(floorMedian.toFixed(1)),
      cacheMs: Number(cacheMedian.toFixed(1)),
      ratio: Number((cacheMedian / floorMedian).toFixed(2)),
      floorMBps: mbps(floorMedian),
      cacheMBps: mbps(cacheMedian),
      preloadMs: Number(quantile(preloadMs, 0.5).toFixed(1)),
      preloadRatio: Number((quantile(preloadMs, 0.5) / floorMedian).toFixed(2)),
      urlFloorMs: Number(quantile(urlFloorMs, 0.5).toFixed(1)),
      urlPreloadMs: Number(quantile(urlPreloadMs, 0.5).toFixed(1)),
      urlRatio: Number((quantile(urlPreloadMs, 0.5) / quantile(urlFloorMs, 0.5)).toFixed(2)),
    };
  } finally {
    await s3Local.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const mib = Number(process.argv[2] ?? 1024);
  console.log(
    JSON.stringify(await benchModelDownload(mib * 1024 ** 2, Number(process.argv[3] ?? 3)), null, 2),
  );
  process.exit(0);
}
