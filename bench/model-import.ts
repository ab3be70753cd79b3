/**
 * A model imported from a URL into the library (POST /models with `source`): the real use cases
 * and adapters (ranged GETs, UploadPart, ListParts, complete, one SHA-256 pass, the copy into
 * models/) against the local S3, with the queue played by four jobs at a time in this process
 * (the deployed queue feeds up to ten functions). The floor is what an operator does by hand:
 * one GET streamed to a file, then one PutObject of it. Alternating rounds; medians.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { HttpModelSource } from '../lambda/adapters/http-model-source';
import { S3ModelImports } from '../lambda/adapters/s3-model-imports';
import type { ModelImportJob } from '../lambda/domain/models/model-import';
import { runBounded } from '../lambda/platform/run-bounded';
import { runModelImportJob } from '../lambda/use-cases/run-model-import-job';
import { startModelImport } from '../lambda/use-cases/start-model-import';
import { startS3Local } from '../local/s3-local';
import { localS3Client } from './local-bench';
import { quantile } from './stats';

export interface ModelImportResult {
  bytes: number;
  parts: number;
  rounds: number;
  floorMs: number;
  importMs: number;
  ratio: number;
}

export async function benchModelImport(bytes: number, rounds: number): Promise<ModelImportResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-import-'));
  const s3Local = await startS3Local();
  const s3 = localS3Client(s3Local.endpoint);
  const file = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) file.writeUInt32LE((i * 2654435761) >>> 0, i);
  // The model host: byte ranges answered with 206, as Hugging Face's CDN does.
  const server = createServer((request, response) => {
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    if (!range) return response.writeHead(200, { 'content-length': bytes }).end(file);
    const [first, last] = [Number(range[1]), Math.min(Number(range[2]), bytes - 1)];
    response.writeHead(206, {
      'content-length': last - first + 1,
      'content-range': `bytes ${first}-${last}/${bytes}`,
      etag: '"bench"',
    });
    response.end(file.subarray(first, last + 1));
  });
  const url = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/m`),
    ),
  );
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-imports' }));
    const imports = new S3ModelImports(s3, 'bench-imports');
    const source = new HttpModelSource(
      { tokenFor: async () => undefined, secretName: (host: string) => `tokens/${host}` },
      { timeoutMs: 600_000, allowLoopback: true },
    );
    const jobs: ModelImportJob[] = [];
    const clock = { now: () => new Date() };
    const deps = {
      imports,
      source,
      clock,
      queue: { send: async (sent: ModelImportJob[]) => void jobs.push(...sent) },
      allowLoopback: true,
      models: {
        find: async () => undefined,
        openUploads: async () => [],
        abortUploads: async () => {},
      } as never,
      config: { writers: new Set(['bench']), maxModelBytes: bytes * 2, uploadUrlTtlSeconds: 0 },
    };
    let parts = 0;
    const imported = async (round: number) => {
      const started = performance.now();
      const name = `bench-${round}.safetensors`;
      const answer = await startModelImport({ folder: 'checkpoints', name, source: url }, 'bench', deps);
      parts = answer.import.parts_total;
      while (jobs.length > 0) {
        const batch = jobs.splice(0);
        await runBounded(batch.length, 4, async (index) => {
          await runModelImportJob(batch[index]!, deps);
        });
      }
      const state = await imports.read('checkpoints', name);
      if (state?.status !== 'imported') throw new Error(`import ended ${state?.status}: ${state?.error}`);
      return performance.now() - started;
    };
    const byHand = async () => {
      const started = performance.now();
      const response = await fetch(url);
      const path = join(work, 'download.bin');
      await pipeline(Readable.fromWeb(response.body as ReadableStream), createWriteStream(path));
      await s3.send(
        new PutObjectCommand({
          Bucket: 'bench-imports',
          Key: 'models/checkpoints/by-hand.safetensors',
          Body: readFileSync(path),
        }),
      );
      rmSync(path);
      return performance.now() - started;
    };
    const floorMs: number[] = [];
    const importMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        floorMs.push(await byHand());
        importMs.push(await imported(round));
      } else {
        importMs.push(await imported(round));
        floorMs.push(await byHand());
      }
    }
    const floor = Math.round(quantile(floorMs, 0.5));
    const took = Math.round(quantile(importMs, 0.5));
    return { bytes, parts, rounds, floorMs: floor, importMs: took, ratio: Number((took / floor).toFixed(2)) };
  } finally {
    server.close();
    s3.destroy();
    await s3Local.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
