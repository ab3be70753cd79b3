import type { LambdaRuntimeInfo } from '../http/debug-urls';

/**
 * The Lambda runtime's variables, read per invocation: `_X_AMZN_TRACE_ID` changes with every
 * invocation, so this is deliberately not part of the once-parsed function environment.
 */
export function lambdaRuntimeInfo(env: Record<string, string | undefined> = process.env): LambdaRuntimeInfo {
  return {
    region: env.AWS_DEFAULT_REGION ?? env.AWS_REGION ?? 'us-east-1',
    urlSuffix: env.URL_SUFFIX ?? 'amazonaws.com',
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? '',
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    traceHeader: env._X_AMZN_TRACE_ID ?? '',
  };
}
