import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * What Lambda gives one invocation of a function: its variables (the debug links read them) and
 * its Context (Powertools Logger adds it to every line). The local stack runs every function in
 * one process, so each invocation sets them afresh.
 */
export function lambdaInvocationContext(handler: string, region: string): Context {
  const functionName = `comfy-exec-local-${handler}`;
  const logGroupName = `/aws/lambda/${functionName}`;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    _X_AMZN_TRACE_ID: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`,
  });
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
