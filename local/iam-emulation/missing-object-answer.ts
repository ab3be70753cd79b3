import { type AccessDeniedError, accessDenied, deniedErrorName, type Principal } from './access-denied';
import { authorize } from './policy-evaluator';
import type { SdkCall } from './sdk-call';

const READS = new Set(['GetObjectCommand', 'HeadObjectCommand']);

const isNotFound = (error: unknown) => {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
};

/**
 * S3 tells a caller that a key does not exist (404) only when it may list the bucket
 * (s3:ListBucket); to any other caller it answers 403, so that reads cannot probe which keys
 * exist. A handler that takes NoSuchKey for "not there yet" then fails on AWS: this returns the 403
 * S3 would give instead of `error`, or undefined to keep it. Whether a ListBucket limited by an
 * `s3:prefix` condition counts is not documented: a read carries no prefix, so the key is taken as
 * absent (the strict reading: what passes here passes on AWS).
 */
export function missingObjectAnswer(
  principal: Principal,
  call: SdkCall,
  error: unknown,
): AccessDeniedError | undefined {
  if (call.clientName !== 'S3Client' || !READS.has(call.commandName) || !isNotFound(error)) return undefined;
  const { Bucket, Key } = call.input as { Bucket?: string; Key?: string };
  if (!Bucket || Key === undefined) return undefined;
  const listing = {
    action: 's3:ListBucket',
    resource: `arn:aws:s3:::${Bucket}`,
    conditionKeys: { 's3:prefix': undefined, 's3:delimiter': undefined, 's3:max-keys': undefined },
  };
  const decision = authorize(principal.statements, listing);
  if (decision.allowed) return undefined;
  const reason = `${decision.reason}, so S3 answers its read of the missing key ${Key} with 403 Access Denied, not 404`;
  return accessDenied(
    principal,
    { ...listing, reason },
    deniedErrorName(call.clientName, call.commandName),
    'missing-key-hidden',
  );
}
