import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { NodeCatalogSource } from '../domain/ports';
import type { NodeCatalog } from '../domain/workflow/node-catalog';
import { literalKey } from './s3-uri';

interface Cached {
  catalog: NodeCatalog;
  /** Absent while the endpoint has published nothing (the fallback is cached then). */
  etag?: string;
  checkedAt: number;
  maxAgeMs: number;
}

/**
 * Each endpoint's node catalog: the object_info.json its container publishes at boot
 * (`endpoints/{name}/object_info.json`), cached in the Lambda and re-checked with its ETag after
 * `maxAgeMs`; until one exists, the bundled core catalog.
 */
export class S3NodeCatalogSource implements NodeCatalogSource {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    /** Called only when the endpoint has published nothing (or the copy cannot be read). */
    private readonly fallback: () => NodeCatalog | Promise<NodeCatalog>,
    private readonly maxAgeMs = 60_000,
    /** How long "no object_info yet" is believed: short, so a booting container is seen soon. */
    private readonly missingMaxAgeMs = 5_000,
  ) {}

  async forEndpoint(endpointName: string): Promise<NodeCatalog> {
    const cached = this.cache.get(endpointName);
    if (cached && Date.now() - cached.checkedAt < cached.maxAgeMs) return cached.catalog;
    try {
      const object = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: literalKey(`endpoints/${endpointName}/object_info.json`),
          IfNoneMatch: cached?.etag,
        }),
      );
      const text = await object.Body!.transformToString('utf8');
      let catalog: NodeCatalog;
      try {
        catalog = JSON.parse(text) as NodeCatalog;
      } catch {
        // Caught mid-write (emulators write objects non-atomically): use what we had and ask again next time.
        return cached?.catalog ?? (await this.fallback());
      }
      this.cache.set(endpointName, {
        catalog,
        etag: object.ETag,
        checkedAt: Date.now(),
        maxAgeMs: this.maxAgeMs,
      });
      return catalog;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (cached?.etag && (status === 304 || (error as Error).name === 'NotModified')) {
        cached.checkedAt = Date.now();
        return cached.catalog;
      }
      if ((error as Error).name === 'NoSuchKey' || status === 404) {
        // Remembered briefly: else every create would ask S3 again until the container publishes.
        const catalog = await this.fallback();
        this.cache.set(endpointName, { catalog, checkedAt: Date.now(), maxAgeMs: this.missingMaxAgeMs });
        return catalog;
      }
      throw error;
    }
  }
}
