import type { Context } from 'aws-lambda';
import type { LambdaRuntimeInfo } from '../http/debug-urls';

/**
 * What the debug links name for this invocation. The function, log group and log stream come
 * from the invocation's Context, the trace id from Lambda's InvokeStore (per invocation even when
 * an environment runs several at once), each falling back to the runtime's variables.
 */
export function lambdaRuntimeInfo(
  env: Record<string, string | undefined> = process.env,
  context?: Pick<Context, 'functionName' | 'logGroupName' | 'logStreamName'>,
): LambdaRuntimeInfo {
  return {
    region: env.AWS_DEFAULT_REGION ?? env.AWS_REGION ?? 'us-east-1',
    urlSuffix: env.URL_SUFFIX ?? 'amazonaws.com',
    functionName: context?.functionName || env.AWS_LAMBDA_FUNCTION_NAME || '',
    logGroupName: context?.logGroupName || env.AWS_LAMBDA_LOG_GROUP_NAME || '',
    logStreamName: context?.logStreamName || env.AWS_LAMBDA_LOG_STREAM_NAME || '',
    traceHeader: globalThis.awslambda?.InvokeStore?.getXRayTraceId() ?? env._X_AMZN_TRACE_ID ?? '',
    ...(env.DEBUG_LOG_URL ? { debugLogUrl: env.DEBUG_LOG_URL } : {}),
  };
}
