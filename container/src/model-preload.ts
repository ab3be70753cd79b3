import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type EnvironmentFile, parseEnvironmentFile } from '../../client/src/environment-file';
import { libraryKey, MODELS_PREFIX } from '../../lambda/adapters/s3-model-library';
import { literalKey, parseS3Uri, s3Uri } from '../../lambda/adapters/s3-uri';
import type { ModelCache } from './model-cache';

type EnvironmentModel = EnvironmentFile['models'][number];

export interface PreloadDeps {
  cache: ModelCache;
  s3: S3Client;
  /** The payload bucket: `library:FOLDER/NAME` is its `models/FOLDER/NAME`. */
  bucket: string;
  /** Local stack only: http:// model URLs on this machine (a test server). */
  allowLoopbackHttp: boolean;
  log(message: string, fields?: Record<string, unknown>): void;
}

/** The environment the image was built for (`--build-arg ENVIRONMENT`), read from the file baked into it. */
export async function environmentModels(dir: string, name: string): Promise<EnvironmentModel[]> {
  if (!name) return [];
  const file = join(dir, `${name}.json`);
  return parseEnvironmentFile(await readFile(file, 'utf8'), file).models;
}

/**
 * An https model already imported into the library (POST /models with `source`, or comfy-exec
 * models add --url) with the same SHA-256: read from there, in the region, instead of from the
 * internet by every instance. Anything else (absent, another digest, unreadable): undefined.
 */
async function importedCopy(model: EnvironmentModel, deps: PreloadDeps) {
  const key = libraryKey(model.folder, model.name);
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    return head.Metadata?.sha256 === model.sha256 ? s3Uri(deps.bucket, key) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes each of the environment's models present in the model cache, verified against its
 * SHA-256 and never evicted: the instance reports healthy only after this (SageMaker's startup
 * health check waits for it). Sources: the model library (`library:FOLDER/NAME`), any S3 object
 * the endpoint role may read, or an https URL (from the library when it was imported there).
 */
export async function preloadModels(models: readonly EnvironmentModel[], deps: PreloadDeps): Promise<void> {
  for (const model of models) {
    const started = Date.now();
    // The library's own key (MODELS_PREFIX), checked as every key the service sends is.
    const source = model.source.startsWith('library:')
      ? s3Uri(deps.bucket, literalKey(`${MODELS_PREFIX}${model.source.slice('library:'.length)}`))
      : model.source.startsWith('s3://')
        ? model.source
        : ((await importedCopy(model, deps)) ?? model.source);
    let downloaded: boolean;
    if (source.startsWith('s3://')) {
      const { bucket, key } = parseS3Uri(source);
      const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      const ensured = await deps.cache.ensure([
        {
          folder: model.folder,
          name: model.name,
          source,
          size: head.ContentLength ?? 0,
          sha256: model.sha256,
        },
      ]);
      downloaded = ensured.downloaded.length > 0;
    } else {
      const url = new URL(source);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(deps.allowLoopbackHttp && url.protocol === 'http:' && loopback))
        throw new Error(`model ${model.folder}/${model.name}: ${source} is not an https URL`);
      downloaded = await deps.cache.ensureUrl(model.folder, model.name, source, model.sha256);
    }
    deps.log('environment model present', {
      model: `${model.folder}/${model.name}`,
      source,
      ...(source !== model.source ? { imported_from: model.source } : {}),
      downloaded,
      ms: Date.now() - started,
    });
  }
}
