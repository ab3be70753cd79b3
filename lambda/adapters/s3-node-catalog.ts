import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { NodeCatalogSource } from '../domain/ports';
import type { NodeCatalog } from '../domain/workflow/node-catalog';

interface Cached {
  catalog: NodeCatalog;
  etag?: string;
  checkedAt: number;
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
    private readonly fallback: NodeCatalog,
    private readonly maxAgeMs = 60_000,
  ) {}

  async forEndpoint(endpointName: string): Promise<NodeCatalog> {
    const cached = this.cache.get(endpointName);
    if (cached && Date.now() - cached.checkedAt < this.maxAgeMs) return cached.catalog;
    try {
      const object = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: `endpoints/${endpointName}/object_info.json`,
          IfNoneMatch: cached?.etag,
        }),
      );
      const text = await object.Body!.transformToString('utf8');
      let catalog: NodeCatalog;
      try {
        catalog = JSON.parse(text) as NodeCatalog;
      } catch {
        // Caught mid-write (emulators write objects non-atomically): use what we had and ask again next time.
        return cached?.catalog ?? this.fallback;
      }
      this.cache.set(endpointName, { catalog, etag: object.ETag, checkedAt: Date.now() });
      return catalog;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (cached && (status === 304 || (error as Error).name === 'NotModified')) {
        cached.checkedAt = Date.now();
        return cached.catalog;
      }
      if ((error as Error).name === 'NoSuchKey' || status === 404) return this.fallback;
      throw error;
    }
  }
}
