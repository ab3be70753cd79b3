import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { type LocalCredentials, secretLookup, TEST_ACCEPTED_CREDENTIALS } from './local-credentials';
import { startS3Front } from './s3-front';
import { listenForThisProcessOnly } from './this-process-only';

/**
 * s3rver's one account: it wants each request's key id to be one of this account's (it checks no
 * V4 signature; the front does), and knows only S3RVER unless told.
 */
const s3rverAccount = createRequire(import.meta.url)('s3rver/lib/models/account.js').DUMMY_ACCOUNT as {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
};

export interface RunningS3 {
  /** The front: every request's signature checked. */
  endpoint: string;
  /** s3rver itself, which answers this process alone (tests check that it refuses any other). */
  internalEndpoint: string;
  stop(): Promise<void>;
}

/**
 * s3rver behind a front on 127.0.0.1 that checks what S3 checks and s3rver does not: a valid
 * Signature Version 4 by one of `credentials` on every request (header or presigned URL, with its
 * expiry), keys taken literally (dot segments refused, never resolved), the bucket's CORS rule,
 * and multipart completions (see s3-front.ts). s3rver itself answers this process alone (it
 * serves anyone's unsigned requests), so the front is the only way in. Clients must use
 * path-style addressing and WHEN_REQUIRED checksums: with the SDK's default aws-chunked uploads
 * s3rver stores the chunk framing as data (toolchain.md §9).
 * `credentials` default: the test suite's fixed pairs (`npm start` passes a pair of its own).
 */
export async function startS3Local(
  options: { port?: number; directory?: string; credentials?: readonly LocalCredentials[] } = {},
): Promise<RunningS3> {
  const directory = options.directory ?? mkdtempSync(join(tmpdir(), 'comfy-exec-s3-'));
  const removeDirectory = () => {
    if (options.directory === undefined) rmSync(directory, { recursive: true, force: true });
  };
  const accepted = options.credentials ?? TEST_ACCEPTED_CREDENTIALS;
  for (const pair of accepted) s3rverAccount.createKeyPair(pair.accessKeyId, pair.secretAccessKey);
  try {
    const s3rver = new S3rver({ directory, silent: true });
    const internal = await listenForThisProcessOnly(s3rver.callback());
    const front = await startS3Front(internal.url, options.port ?? 0, secretLookup(accepted)).catch(
      async (error: Error) => {
        await internal.close();
        throw error;
      },
    );
    return {
      endpoint: front.endpoint,
      internalEndpoint: internal.url,
      stop: async () => {
        await front.stop();
        await internal.close();
        removeDirectory();
      },
    };
  } catch (error) {
    removeDirectory();
    throw error;
  }
}
