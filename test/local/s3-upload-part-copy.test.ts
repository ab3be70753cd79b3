import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { uploadPartCopy } from '../../local/s3-upload-part-copy';

/**
 * s3rver rewrites an object in place: a part copy reading the source while it is replaced gets
 * fewer bytes than its Content-Length said. The part's PUT must then fail with the reason; before,
 * it waited for the missing bytes forever (a clean-clone CI run hung on it for 60 s).
 */
const servers: http.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** An s3rver stand-in: GET sends `sent` of `declared` bytes then drops the connection; PUTs are recorded. */
async function upstreamCuttingOff(declared: number, sent: number) {
  const puts: { complete: boolean }[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-length': String(declared), etag: '"abc"' });
      res.write(Buffer.alloc(sent, 7), () => res.socket?.destroy());
      return;
    }
    const put = { complete: false };
    puts.push(put);
    req.on('end', () => {
      put.complete = true;
      res.writeHead(200, { etag: '"part"' }).end();
    });
    req.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), puts };
}

function partCopyRequest(): IncomingMessage {
  const req = Readable.from([]) as unknown as IncomingMessage;
  req.headers = { 'x-amz-copy-source': '/bucket/inputs/moving.bin', 'x-amz-copy-source-if-match': '"abc"' };
  req.url = '/bucket/models/vae/moving.bin?partNumber=1&uploadId=u-1';
  return req;
}

describe('the local S3 front’s UploadPartCopy when the source changes under it', () => {
  it('fails the part with the reason instead of waiting for bytes that never come', async () => {
    const upstream = await upstreamCuttingOff(5 * 1024 * 1024, 64 * 1024);
    await expect(uploadPartCopy(partCopyRequest(), upstream.url)).rejects.toThrow(
      /the copy source changed while it was read \(\d+ of 5242880 bytes\)/,
    );
    expect(upstream.puts.every((put) => !put.complete)).toBe(true);
  });

  it('stores the part when the source arrives whole', async () => {
    const upstream = await upstreamCuttingOff(4096, 4096);
    const answer = await uploadPartCopy(partCopyRequest(), upstream.url);
    expect(answer.status).toBe(200);
    expect(answer.stored).toEqual({ etag: '"part"', size: 4096 });
  });
});
