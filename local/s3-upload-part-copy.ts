import http, { type IncomingMessage } from 'node:http';

export interface PartCopyAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** What the part holds, for the multipart ledger (only when status is 200). */
  stored?: { etag: string; size: number };
}

const xmlError = (status: number, code: string, message: string): PartCopyAnswer => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

function request(upstream: URL, options: http.RequestOptions) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = http.request({ host: upstream.hostname, port: upstream.port, ...options }, resolve);
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/**
 * A PUT whose body is `source`, exactly `length` bytes. s3rver rewrites an object in place, so a
 * source replaced while it is read (S3's objects never change under a reader) ends short or is
 * cut off: the PUT is then abandoned with the reason, never left waiting for bytes.
 */
function putExactly(upstream: URL, path: string, source: IncomingMessage, length: number) {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: 'PUT',
        path,
        headers: { 'content-length': String(length) },
      },
      resolve,
    );
    outgoing.on('error', reject);
    let sent = 0;
    let ended = false;
    const abandon = () =>
      outgoing.destroy(new Error(`the copy source changed while it was read (${sent} of ${length} bytes)`));
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    // Registered before pipe's own: a short source is caught before pipe ends the request.
    source.on('end', () => {
      ended = true;
      if (sent !== length) abandon();
    });
    source.on('close', () => {
      if (!ended) abandon();
    });
    source.on('error', abandon);
    source.pipe(outgoing);
  });
}

async function text(answer: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * UploadPartCopy, which s3rver does not implement: the source's byte range (`x-amz-copy-source-range`,
 * or the whole object) is read from s3rver and stored as the part, streamed, and answered with
 * S3's `CopyPartResult`. The request's signature and keys were checked by the front already.
 */
export async function uploadPartCopy(req: IncomingMessage, upstream: URL): Promise<PartCopyAnswer> {
  req.resume();
  const source = String(req.headers['x-amz-copy-source']).replace(/^\//, '').split('?')[0]!;
  const range = req.headers['x-amz-copy-source-range'];
  if (range !== undefined && !/^bytes=\d+-\d+$/.test(String(range)))
    return xmlError(
      400,
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last.',
    );
  const read = await request(upstream, {
    method: 'GET',
    path: `/${source}`,
    headers: range ? { range: String(range) } : {},
  });
  if (read.statusCode === 404) {
    read.resume();
    return xmlError(404, 'NoSuchKey', 'The specified key does not exist.');
  }
  if (range && read.statusCode !== 206) {
    read.resume();
    return xmlError(416, 'InvalidRange', 'The requested range is not satisfiable');
  }
  if (read.statusCode !== 200 && read.statusCode !== 206) {
    read.resume();
    return xmlError(502, 'InternalError', `reading the copy source answered ${read.statusCode}`);
  }
  // S3 copies only from the version the client named by its ETag, when it names one.
  const ifMatch = req.headers['x-amz-copy-source-if-match'];
  if (
    ifMatch !== undefined &&
    String(ifMatch).replace(/"/g, '') !== String(read.headers.etag ?? '').replace(/"/g, '')
  ) {
    read.resume();
    return xmlError(
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
    );
  }
  const size = Number(read.headers['content-length']);
  const stored = await putExactly(upstream, req.url!, read, size);
  if (stored.statusCode !== 200)
    return { status: stored.statusCode ?? 502, headers: {}, body: await text(stored) };
  stored.resume();
  const etag = String(stored.headers.etag ?? '');
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<CopyPartResult><LastModified>${new Date().toISOString()}</LastModified><ETag>${etag.replace(/"/g, '&quot;')}</ETag></CopyPartResult>`,
    stored: { etag, size },
  };
}
