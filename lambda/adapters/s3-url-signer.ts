import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner';

/** RFC 3986 escaping, as SigV4 and the SDK's URL builder apply it to path segments and query parts. */
const escapeUri = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A bucket's GetObject request shape, learnt from one URL the SDK presigned in full. */
export interface UrlTemplate {
  protocol: string;
  hostname: string;
  port?: number;
  /** The path up to the key: `/` (virtual-hosted) or `/{bucket}/` (path-style). */
  pathPrefix: string;
  /** What the SDK puts beside the signature (`x-id=GetObject`, the hoisted checksum mode). */
  query: Record<string, string>;
  signingRegion: string;
  signingService: string;
}

export const TEMPLATE_KEY = 'comfy-exec-url-template';

/**
 * Reads a template from a URL the SDK presigned for TEMPLATE_KEY; undefined for anything but a
 * plain SigV4 S3 URL ending in that key (SigV4a, S3 Express session auth, an unexpected layout),
 * which then keeps going through the SDK's full stack.
 */
export function parseUrlTemplate(presignedUrl: string): UrlTemplate | undefined {
  const url = new URL(presignedUrl);
  const params = url.searchParams;
  const scope = (params.get('X-Amz-Credential') ?? '').split('/');
  const [signingRegion, signingService] = [scope[2], scope[3]];
  if (params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || scope.length !== 5) return undefined;
  if (signingService !== 's3' || !signingRegion || params.has('X-Amz-S3session-Token')) return undefined;
  if (!url.pathname.endsWith(`/${TEMPLATE_KEY}`) || url.hash !== '' || url.username !== '') return undefined;
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (!name.startsWith('X-Amz-')) query[name] = value;
  return {
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    pathPrefix: url.pathname.slice(0, -TEMPLATE_KEY.length),
    query,
    signingRegion,
    signingService,
  };
}

function formatUrl(request: {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null>;
}): string {
  const query = Object.keys(request.query ?? {})
    .sort()
    .flatMap((name) => {
      const value = request.query![name];
      const values = Array.isArray(value) ? value : [value];
      return values.map((v) =>
        v === null || v === undefined ? escapeUri(name) : `${escapeUri(name)}=${escapeUri(v)}`,
      );
    })
    .join('&');
  const port = request.port === undefined ? '' : `:${request.port}`;
  return `${request.protocol}//${request.hostname}${port}${request.path}${query ? `?${query}` : ''}`;
}

/**
 * Presigned GetObject URLs without running the S3 client's middleware stack for each one
 * (endpoint rules, serialization, a cloned stack: ~0.5 ms a URL here). The first URL for a bucket
 * goes through getSignedUrl and becomes the bucket's template; later keys reuse its endpoint and
 * query and are signed by the SDK's own S3RequestPresigner with the same scope. The URLs are the
 * ones getSignedUrl returns (test/adapters/s3-url-signer.test.ts compares them byte for byte).
 */
export class GetObjectUrlSigner {
  private readonly templates = new Map<string, Promise<UrlTemplate | undefined>>();
  /** The templates learnt, so that signing with one waits on nothing before the signature. */
  private readonly learnt = new Map<string, UrlTemplate | undefined>();
  private readonly presigners = new Map<string, S3RequestPresigner>();

  constructor(private readonly s3: S3Client) {}

  sign(bucket: string, key: string, expiresIn: number, signingDate?: Date): Promise<string> {
    if (!this.learnt.has(bucket))
      return this.templateFor(bucket).then(() => this.sign(bucket, key, expiresIn, signingDate));
    return this.signWith(this.learnt.get(bucket), bucket, key, expiresIn, signingDate);
  }

  private async signWith(
    template: UrlTemplate | undefined,
    bucket: string,
    key: string,
    expiresIn: number,
    signingDate?: Date,
  ): Promise<string> {
    if (!template) return this.signInFull(bucket, key, expiresIn, signingDate);
    const presigned = await this.presignerFor(template).presign(
      {
        method: 'GET',
        protocol: template.protocol,
        hostname: template.hostname,
        port: template.port,
        path: template.pathPrefix + key.split('/').map(escapeUri).join('/'),
        query: { ...template.query },
        headers: {},
      },
      {
        expiresIn,
        signingDate,
        signingRegion: template.signingRegion,
        signingService: template.signingService,
      },
    );
    return formatUrl(presigned);
  }

  private signInFull(bucket: string, key: string, expiresIn: number, signingDate?: Date): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn,
      signingDate,
    });
  }

  private templateFor(bucket: string): Promise<UrlTemplate | undefined> {
    let template = this.templates.get(bucket);
    if (!template) {
      template = this.signInFull(bucket, TEMPLATE_KEY, 60).then((url) => {
        const learnt = parseUrlTemplate(url);
        this.learnt.set(bucket, learnt);
        return learnt;
      });
      // A failure (credentials not there yet) is not remembered: the next URL asks again.
      template.catch(() => this.templates.delete(bucket));
      this.templates.set(bucket, template);
    }
    return template;
  }

  private presignerFor(template: UrlTemplate): S3RequestPresigner {
    const id = `${template.signingService}/${template.signingRegion}`;
    let presigner = this.presigners.get(id);
    if (!presigner) {
      // As getSignedUrl builds its own: the client's configuration, the URL's signing scope.
      presigner = new S3RequestPresigner({
        ...this.s3.config,
        signingName: template.signingService,
        region: async () => template.signingRegion,
      });
      this.presigners.set(id, presigner);
    }
    return presigner;
  }
}

const signers = new WeakMap<S3Client, GetObjectUrlSigner>();

/** One signer (and so one set of templates) per S3 client, however many stores wrap it. */
export function urlSignerFor(s3: S3Client): GetObjectUrlSigner {
  let signer = signers.get(s3);
  if (!signer) {
    signer = new GetObjectUrlSigner(s3);
    signers.set(s3, signer);
  }
  return signer;
}
