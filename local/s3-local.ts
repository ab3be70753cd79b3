import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface RunningS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * s3rver on 127.0.0.1. Clients talking to it must use path-style addressing and
 * WHEN_REQUIRED checksums: with the SDK's default aws-chunked uploads s3rver stores the
 * chunk framing as data (toolchain.md §9).
 */
export async function startS3Local(options: { port?: number; directory?: string } = {}): Promise<RunningS3> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'comfy-exec-s3-'));
  const server = new S3rver({
    port: options.port ?? 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    resetOnClose: options.directory === undefined,
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: async () => {
      await server.close();
      if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
    },
  };
}
