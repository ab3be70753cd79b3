import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';
import { ConditionalWrites } from './s3-conditional-writes';
import { KeyLocks } from './s3-key-locks';
import { MultipartLedger } from './s3-multipart-ledger';
import { signedRequestProblem } from './s3-presign-check';
import { uploadPartCopy } from './s3-upload-part-copy';
import { LOCAL_S3_SCOPE } from './sigv4-scope';

/** Messages quote what the request sent (keys, a credential's region): escaped, they stay text. */
const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function s3Error(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  details: Record<string, string> = {},
) {
  const more = Object.entries(details)
    .map(([name, value]) => `<${name}>${xmlText(value)}</${name}>`)
    .join('');
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlText(message)}</Message>${more}</Error>`,
  );
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The payload bucket's CORS rule as deployed (lib/constructs/payload-bucket.ts). */
const CORS_RULE = {
  methods: ['PUT'],
  headers: ['content-type', 'content-length'],
  maxAgeSeconds: 3000,
};

/** 255 bytes a file name, less the longest suffix s3rver adds to a stored segment (`._S3rver_metadata.json`). */
const MAX_SEGMENT_BYTES = 232;

/** A segment decoded as S3 reads it, or undefined when its percent-encoding is malformed. */
function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Why a key (or listing prefix, or copy source) cannot go to s3rver: S3 keeps `a/../b` as a key
 * of its own, while s3rver resolves dot segments (and collapses doubled slashes) on its file
 * system, so such a key would read or write another key's object. No client here needs one, nor
 * a backslash or control character (lambda/adapters/s3-uri.ts never sends a backslash).
 */
function keyProblem(key: string): string | undefined {
  // Control characters make file names no tool shows as sent (and messages that quote the key no
  // XML): checked first, so no other answer quotes such a key.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key))
    return 'a key has a control character (U+0000 to U+001F or U+007F), which this emulator cannot store as sent';
  const segments = key.split('/');
  if (segments.at(-1) === '') segments.pop(); // a prefix's or folder marker's closing slash
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return `the key '${key}' has a '.' or '..' segment, which S3 keeps literal and this emulator would resolve`;
  if (segments.includes(''))
    return `the key '${key}' has an empty segment, which this emulator would collapse`;
  // s3rver's file names: a backslash separates them on Windows (so `a\..\b` climbs there as
  // `a/../b` does).
  if (key.includes('\\'))
    return `the key '${key}' has a backslash, which this emulator's file system may read as a separator`;
  // s3rver stores each segment as a file name plus '._S3rver_object' and crashes the whole
  // process on ENAMETOOLONG; S3 takes keys up to 1024 bytes, so this is the emulator's limit.
  const long = segments.find((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES);
  if (long !== undefined)
    return `a key segment is ${Buffer.byteLength(long)} bytes; this emulator stores at most ${MAX_SEGMENT_BYTES} (S3 itself takes keys up to 1024 bytes)`;
  return undefined;
}

/** Every key a request names: its path's, a listing's prefix and start, a copy's source, a batch delete's. */
function keysNamed(req: IncomingMessage, path: string, query: URLSearchParams, body?: Buffer) {
  const keys: (string | undefined)[] = [decoded(path.split('/').slice(2).join('/'))];
  for (const name of ['prefix', 'start-after', 'marker'])
    if (query.has(name)) keys.push(query.get(name) ?? '');
  // s3rver also takes x-amz-* query parameters, in any case, as headers.
  const copySources = [req.headers['x-amz-copy-source']];
  for (const [name, value] of query) if (name.toLowerCase() === 'x-amz-copy-source') copySources.push(value);
  for (const copySource of copySources)
    if (typeof copySource === 'string')
      keys.push(decoded(copySource.replace(/^\//, '').split('?')[0]!.split('/').slice(1).join('/')));
  if (body && query.has('delete'))
    for (const [, key] of body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g))
      keys.push(key!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
  return keys;
}

/**
 * The local S3 endpoint: s3rver behind what S3 checks and s3rver does not. Every request must be
 * signed (Signature Version 4, in the Authorization header or a presigned URL's query): s3rver
 * would serve anonymous requests, any key's data to anyone. The signature is recomputed over the
 * path as sent (a local upload larger than declared is refused as on AWS), scoped to the region
 * and s3, with S3's limits on a presigned URL's date and expiry, and every x-amz-* header (and
 * content-md5) signed: unsigned, `x-amz-copy-source` would turn a presigned PUT into a copy of
 * any key. Keys with dot or empty segments, backslashes or control characters are refused
 * (s3rver resolves them, or stores them as file names; S3 never does); multipart uploads are
 * completed only with parts that were uploaded, in order, of S3's minimum size (s3rver takes any
 * ETag); UploadPartCopy, which s3rver lacks, is done here (local/s3-upload-part-copy.ts).
 * Conditional writes (If-None-Match, If-Match), which s3rver ignores, are checked here too
 * (local/s3-conditional-writes.ts). CORS is answered as the bucket's rule says (PUT from any origin) and not otherwise.
 * `options.region`: the region signatures must be scoped to (default: the stack's, LOCAL_REGION).
 */
export async function startS3Front(
  target: string,
  port: number,
  secretFor: (accessKeyId: string) => string | undefined,
  options: { region?: string } = {},
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const upstream = new URL(target);
  const scope = { ...LOCAL_S3_SCOPE, region: options.region ?? LOCAL_S3_SCOPE.region };
  const ledger = new MultipartLedger();
  const conditions = new ConditionalWrites(upstream);
  const locks = new KeyLocks();

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
      // Preflights are never signed: answered from the bucket's CORS rule, as S3 does.
      const origin = req.headers.origin;
      if (req.method === 'OPTIONS') {
        req.resume();
        const method = String(req.headers['access-control-request-method'] ?? '');
        const asked = String(req.headers['access-control-request-headers'] ?? '')
          .split(',')
          .map((name) => name.trim().toLowerCase())
          .filter(Boolean);
        if (!origin || !method)
          return s3Error(res, 400, 'BadRequest', 'Insufficient information. Origin request header needed.');
        if (!CORS_RULE.methods.includes(method) || asked.some((name) => !CORS_RULE.headers.includes(name)))
          return s3Error(res, 403, 'AccessForbidden', 'CORSResponse: This CORS request is not allowed.');
        res.writeHead(200, {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': CORS_RULE.methods.join(', '),
          ...(asked.length > 0 ? { 'Access-Control-Allow-Headers': asked.join(', ') } : {}),
          'Access-Control-Max-Age': String(CORS_RULE.maxAgeSeconds),
          Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
        });
        return res.end();
      }
      if (origin && CORS_RULE.methods.includes(req.method ?? '')) {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.setHeader('Access-Control-Allow-Methods', CORS_RULE.methods.join(', '));
        res.setHeader('Access-Control-Max-Age', String(CORS_RULE.maxAgeSeconds));
        res.setHeader('Vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
      }
      const raw = req.url ?? '/';
      const mark = raw.indexOf('?');
      // The path as sent: a URL object would resolve the dot segments this front must see.
      const path = mark < 0 ? raw : raw.slice(0, mark);
      const query = new URLSearchParams(mark < 0 ? '' : raw.slice(mark + 1));
      const signature = await signedRequestProblem(req, secretFor, scope);
      if (signature) {
        req.resume();
        return s3Error(res, signature.status ?? 403, signature.code, signature.message, signature.details);
      }
      const uploadId = query.get('uploadId');
      const [, bucket = '', ...keyParts] = path.split('/');
      let body: Buffer | undefined;
      if (req.method === 'POST' && (uploadId || query.has('delete'))) body = await readAll(req);
      for (const key of keysNamed(req, path, query, body)) {
        const problem = key === undefined ? 'a key is not valid percent-encoding' : keyProblem(key);
        if (problem) {
          req.resume();
          return s3Error(res, 400, 'InvalidArgument', problem);
        }
      }
      if (req.method === 'POST' && uploadId) {
        const refusal = ledger.completionProblem(uploadId, body!.toString('utf8'));
        if (refusal) return s3Error(res, refusal.status, refusal.code, refusal.message);
      }
      // ListMultipartUploads, ListParts and AbortMultipartUpload, which s3rver lacks, from the ledger.
      if (req.method === 'GET' && query.has('uploads') && keyParts.join('') === '') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(ledger.listUploads(bucket, query.get('prefix') ?? ''));
      }
      if (req.method === 'GET' && uploadId) {
        const listed = ledger.listParts(uploadId, Number(query.get('part-number-marker') ?? 0));
        if ('code' in listed) return s3Error(res, listed.status, listed.code, listed.message);
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(listed.xml);
      }
      if (req.method === 'DELETE' && uploadId) {
        req.resume();
        if (!ledger.knows(uploadId))
          return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
        ledger.closed(uploadId);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'PUT' && uploadId && !ledger.knows(uploadId)) {
        req.resume();
        return s3Error(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
      }
      if (req.method === 'PUT' && uploadId && 'x-amz-copy-source' in req.headers) {
        const copied = await uploadPartCopy(req, upstream);
        if (copied.stored)
          ledger.partStored(
            uploadId,
            Number(query.get('partNumber')),
            copied.stored.etag,
            copied.stored.size,
          );
        res.writeHead(copied.status, copied.headers);
        return res.end(copied.body);
      }
      // An object read waits for a write of its key, and a write for reads and writes (KeyLocks).
      const onObject = keyParts.join('') !== '';
      const reading = (req.method === 'GET' || req.method === 'HEAD') && !uploadId;
      const writing = (req.method === 'PUT' || req.method === 'DELETE') && !uploadId;
      if (onObject && (reading || writing || (req.method === 'POST' && uploadId))) {
        const release = await locks.acquire(path, !reading);
        res.on('close', release);
      }
      if (ConditionalWrites.applies(req.method, req.headers, uploadId)) {
        // The body is read whole first: a client that goes away mid-body writes nothing (as on S3).
        const whole = await readAll(req).catch(() => undefined);
        if (!whole || whole.length !== Number(req.headers['content-length'] ?? whole.length))
          return s3Error(
            res,
            400,
            'IncompleteBody',
            'You did not provide the number of bytes specified by the Content-Length HTTP header.',
          );
        const refusal = await conditions.problem(path, req.headers);
        if (refusal) return s3Error(res, refusal.status, refusal.code, refusal.message);
        body = whole;
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
  return {
    endpoint: `http://127.0.0.1:${await listenOnLoopback(server, port)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
