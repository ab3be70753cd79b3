import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { startS3Front } from './s3-front';

/** The local credentials every client here signs with (s3rver's own default account). */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1, behind a front that checks what S3 checks and s3rver does not: a valid
 * Signature Version 4 on every request (header or presigned URL, with its expiry), keys taken
 * literally (dot segments refused, never resolved), the bucket's CORS rule, and multipart
 * completions (see s3-front.ts). Clients talking to it must use path-style addressing and
 * WHEN_REQUIRED checksums: with the SDK's default aws-chunked uploads s3rver stores the
 * chunk framing as data (toolchain.md §9).
 */
export async function startS3Local(options: { port?: number; directory?: string } = {}): Promise<RunningS3> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'comfy-exec-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    resetOnClose: options.directory === undefined,
  });
  const address = await server.run();
  const checker = await startS3Front(`http://127.0.0.1:${address.port}`, options.port ?? 0, (accessKeyId) =>
    accessKeyId === LOCAL_S3_CREDENTIALS.accessKeyId ? LOCAL_S3_CREDENTIALS.secretAccessKey : undefined,
  );
  return {
    endpoint: checker.endpoint,
    stop: async () => {
      await checker.stop();
      await server.close();
      if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}
