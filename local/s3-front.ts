import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultipartLedger } from './s3-multipart-ledger';
import { presignedRequestProblem } from './s3-presign-check';

function s3Error(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The local S3 endpoint: s3rver behind what S3 checks and s3rver does not. Presigned requests
 * have their Signature Version 4 signature and expiry recomputed (a local upload larger than
 * declared is refused as on AWS), and multipart uploads are completed only with parts that were
 * uploaded, in order, of S3's minimum size (s3rver takes any ETag). The bucket's CORS rule is
 * answered here as S3 would (PUT from any origin). Everything else passes through.
 */
export async function startS3Front(
  target: string,
  port: number,
  secretFor: (accessKeyId: string) => string | undefined,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const ledger = new MultipartLedger();

  /** Sends the request on to s3rver; `body` when it was read here, else streamed. */
  const forward = (req: IncomingMessage, body: Buffer | undefined) =>
    new Promise<{
      status: number;
      headers: http.IncomingHttpHeaders;
      answer: IncomingMessage;
      requestBytes: number;
    }>((resolve, reject) => {
      let requestBytes = 0;
      const outgoing = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, answer, requestBytes }),
      );
      outgoing.on('error', reject);
      if (body) outgoing.end(body);
      else {
        req.on('data', (chunk: Buffer) => {
          requestBytes += chunk.length;
        });
        req.pipe(outgoing);
      }
    });

  const server = http.createServer((req, res) => {
    void (async () => {
      // The payload bucket's CORS rule, as deployed: browsers PUT to presigned URLs from any origin.
      if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', '*');
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        const allowed = req.headers['access-control-request-method'] === 'PUT';
        res.writeHead(allowed ? 200 : 403, {
          ...(allowed
            ? {
                'Access-Control-Allow-Methods': 'PUT',
                'Access-Control-Allow-Headers': 'content-type, content-length',
                'Access-Control-Max-Age': '3000',
              }
            : {}),
        });
        return res.end();
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const query = url.searchParams;
      if (query.has('X-Amz-Signature')) {
        const problem = await presignedRequestProblem(req, secretFor);
        if (problem) {
          req.resume();
          return s3Error(res, 403, problem.code, problem.message);
        }
      }
      const uploadId = query.get('uploadId');
      const [, bucket = '', ...keyParts] = url.pathname.split('/');
      let body: Buffer | undefined;
      if (req.method === 'POST' && uploadId) {
        body = await readAll(req);
        const refusal = ledger.completionProblem(uploadId, body.toString('utf8'));
        if (refusal) return s3Error(res, refusal.status, refusal.code, refusal.message);
      }
      if (req.method === 'PUT' && uploadId && !ledger.knows(uploadId)) {
        req.resume();
        return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      }
      const initiating = req.method === 'POST' && query.has('uploads');
      const { status, headers, answer, requestBytes } = await forward(req, body);
      if (initiating && status === 200) {
        const xml = (await readAll(answer)).toString('utf8');
        const id = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)?.[1];
        if (id) ledger.opened(id, bucket, decodeURIComponent(keyParts.join('/')));
        res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(xml)) });
        return res.end(xml);
      }
      if (status === 200 && uploadId && req.method === 'PUT')
        ledger.partStored(
          uploadId,
          Number(query.get('partNumber')),
          String(headers.etag ?? ''),
          requestBytes,
        );
      if (status === 200 && uploadId && (req.method === 'POST' || req.method === 'DELETE'))
        ledger.closed(uploadId);
      res.writeHead(status, headers);
      answer.pipe(res);
    })().catch((error: Error) => s3Error(res, 500, 'InternalError', error.message));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
