import { beforeEach, describe, expect, it } from 'vitest';
import { functionEnv, resetParsedEnv } from '../../../lambda/platform/env';
import { lambdaRuntimeInfo } from '../../../lambda/platform/lambda-runtime';

beforeEach(() => resetParsedEnv());

describe('function environment', () => {
  it('applies documented defaults', () => {
    const env = functionEnv('create-execute', {
      TABLE_NAME: 't',
      BUCKET_NAME: 'b',
      ENDPOINT_NAMES: 'a, b',
      USAGE_TABLE_NAME: 'u',
    });
    expect(env).toMatchObject({
      ENDPOINT_NAMES: ['a', 'b'],
      REQUEST_TTL_SECONDS: 21_600,
      INVOCATION_TIMEOUT_SECONDS: 3600,
      RETENTION_DAYS: 30,
      S3_FORCE_PATH_STYLE: false,
      ESD_VERSION: '1.7.0',
      GPU_SECONDS_PER_DAY: '{}',
    });
  });

  it('fails at cold start naming every missing or invalid variable', () => {
    expect(() =>
      functionEnv('create-execute', { BUCKET_NAME: 'b', ENDPOINT_NAMES: ' , ', REQUEST_TTL_SECONDS: '5' }),
    ).toThrow(
      /environment of create-execute is invalid: TABLE_NAME: .*; ENDPOINT_NAMES: must name at least one endpoint; REQUEST_TTL_SECONDS: /,
    );
  });

  it('parses once per function', () => {
    const first = functionEnv('get-execute', { TABLE_NAME: 't', BUCKET_NAME: 'b' });
    expect(functionEnv('get-execute', { TABLE_NAME: 'other', BUCKET_NAME: 'b' })).toBe(first);
  });

  it('reads the Lambda runtime variables per call (the trace id changes per invocation)', () => {
    expect(lambdaRuntimeInfo({ AWS_REGION: 'eu-west-1', _X_AMZN_TRACE_ID: 'Root=1-a' })).toMatchObject({
      region: 'eu-west-1',
      traceHeader: 'Root=1-a',
    });
    expect(lambdaRuntimeInfo({ AWS_DEFAULT_REGION: 'cn-north-1', AWS_REGION: 'x' }).region).toBe(
      'cn-north-1',
    );
  });
});
