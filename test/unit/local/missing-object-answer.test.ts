import { describe, expect, it } from 'vitest';
import { functionPrincipal } from '../../../local/iam-emulation/function-principal';
import type { LocalResourceNames } from '../../../local/iam-emulation/local-policies';
import { missingObjectAnswer } from '../../../local/iam-emulation/missing-object-answer';
import type { SdkCall } from '../../../local/iam-emulation/sdk-call';

const SCOPE = { region: 'us-east-1', account: '123456789012', socketApiId: 'localsocketapi' };
const NAMES: LocalResourceNames = { bucketName: 'payloads', tableName: 'executes', inputBuckets: [] };
const notFound = Object.assign(new Error('The specified key does not exist.'), {
  name: 'NoSuchKey',
  $metadata: { httpStatusCode: 404 },
});
const read = (key: string, commandName = 'GetObjectCommand'): SdkCall => ({
  clientName: 'S3Client',
  commandName,
  input: { Bucket: 'payloads', Key: key },
});

/** The answer `functionName` gets from S3 for `call` that failed with `error`. */
const answer = (functionName: string, call: SdkCall, error: unknown) =>
  missingObjectAnswer(functionPrincipal(functionName, call, NAMES, SCOPE), call, error);

describe("S3's answer to a read of a missing key", () => {
  it('is 403 Access Denied to a function that may not list where the key would be', () => {
    const hidden = answer('get-execute', read('executes/p/request.json'), notFound);
    expect(hidden?.name).toBe('AccessDenied');
    expect(hidden?.$metadata.httpStatusCode).toBe(403);
    expect(hidden?.message).toContain(
      'comfy-exec-local-get-execute is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::payloads',
    );
    expect(hidden?.message).toContain('missing key executes/p/request.json with 403 Access Denied, not 404');
    expect(hidden?.denial.kind).toBe('missing-key-hidden');
    const head = answer('get-execute', read('executes/p/x', 'HeadObjectCommand'), notFound);
    expect(head?.name).toBe('Forbidden');
  });

  it('is 403 too when its listing is limited to a prefix: a read carries no s3:prefix (strict reading)', () => {
    expect(answer('list-models', read('models/checkpoints/m.safetensors'), notFound)?.name).toBe(
      'AccessDenied',
    );
  });

  it('stays 404 to the Sweeper and OnAsyncResult reading a result object SageMaker has not written', () => {
    const output = read('async-inference/outputs/p.out');
    expect(answer('sweeper', output, notFound)).toBeUndefined();
    expect(answer('on-async-result', read('async-inference/failures/p-error.out'), notFound)).toBeUndefined();
    // Their statements before the fix (no listing): S3 said 403, and the Sweeper stopped there.
    const sweeper = functionPrincipal('sweeper', output, NAMES, SCOPE);
    const before = { ...sweeper, statements: sweeper.statements.filter((s) => s.Action !== 's3:ListBucket') };
    expect(missingObjectAnswer(before, output, notFound)?.name).toBe('AccessDenied');
  });

  it('leaves other errors and other calls as they are', () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    expect(answer('get-execute', read('executes/p/x'), throttled)).toBeUndefined();
    const put: SdkCall = { ...read('executes/p/x'), commandName: 'PutObjectCommand' };
    expect(answer('get-execute', put, notFound)).toBeUndefined();
  });
});
