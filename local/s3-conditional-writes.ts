import http, { type IncomingHttpHeaders } from 'node:http';
import type { S3Refusal } from './s3-multipart-ledger';

const unquote = (etag: string) => etag.replace(/"/g, '');

/**
 * S3's conditional writes, which s3rver lacks: a PutObject with `If-None-Match: *` is refused
 * with 412 when the key exists, one with `If-Match: <etag>` when the object's ETag differs (404
 * when there is none). The front checks it holding the key's write turn (KeyLocks), so the check
 * and the write are one step, as on S3.
 */
export class ConditionalWrites {
  constructor(private readonly upstream: URL) {}

  /** Whether this request carries a condition the front must check. */
  static applies(method: string | undefined, headers: IncomingHttpHeaders, uploadId: string | null) {
    return method === 'PUT' && !uploadId && ('if-none-match' in headers || 'if-match' in headers);
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
