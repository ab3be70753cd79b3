import http, { type IncomingHttpHeaders } from 'node:http';
import type { S3Refusal } from './s3-multipart-ledger';

const unquote = (etag: string) => etag.replace(/"/g, '');

/**
 * S3's conditional writes, which s3rver lacks: a PutObject with `If-None-Match: *` is refused
 * with 412 when the key exists, one with `If-Match: <etag>` when the object's ETag differs (404
 * when there is none). Writes to one key with a condition are taken one at a time, so the check
 * and the write are one step, as on S3.
 */
export class ConditionalWrites {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly upstream: URL) {}

  /** Whether this request carries a condition the front must check. */
  static applies(method: string | undefined, headers: IncomingHttpHeaders, uploadId: string | null) {
    return method === 'PUT' && !uploadId && ('if-none-match' in headers || 'if-match' in headers);
  }

  /** Runs `write` after every earlier conditional write to `path` has finished. */
  serialised<T>(path: string, write: () => Promise<T>): Promise<T> {
    const earlier = this.queues.get(path) ?? Promise.resolve();
    const next = earlier.then(write, write);
    const settled = next.catch(() => undefined);
    this.queues.set(path, settled);
    void settled.then(() => {
      if (this.queues.get(path) === settled) this.queues.delete(path);
    });
    return next;
  }

  /** Why S3 would refuse this conditional PutObject of `path`, or undefined. */
  async problem(path: string, headers: IncomingHttpHeaders): Promise<S3Refusal | undefined> {
    const current = await this.head(path);
    const ifNoneMatch = headers['if-none-match'];
    const ifMatch = headers['if-match'];
    if (ifNoneMatch !== undefined && ifNoneMatch !== '*')
      return { status: 501, code: 'NotImplemented', message: 'If-None-Match takes only *.' };
    if (ifNoneMatch === '*' && current !== undefined)
      return {
        status: 412,
        code: 'PreconditionFailed',
        message: 'At least one of the pre-conditions you specified did not hold',
      };
    if (typeof ifMatch === 'string') {
      if (current === undefined)
        return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
      if (unquote(current) !== unquote(ifMatch))
        return {
          status: 412,
          code: 'PreconditionFailed',
          message: 'At least one of the pre-conditions you specified did not hold',
        };
    }
    return undefined;
  }

  /** The object's ETag, or undefined when there is no such key (s3rver serves unsigned HEADs to the front). */
  private head(path: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        { host: this.upstream.hostname, port: this.upstream.port, method: 'HEAD', path },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode === 200 ? String(answer.headers.etag ?? '') : undefined);
        },
      );
      request.on('error', reject);
      request.end();
    });
  }
}
