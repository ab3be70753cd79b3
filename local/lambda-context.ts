import { randomBytes, randomUUID } from 'node:crypto';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import { runAsFunction } from './iam-emulation/running-function';

/**
 * The local stack runs every function in one process, many invocations at once, as Lambda runs
 * one execution environment with `AWS_LAMBDA_MAX_CONCURRENCY`: each invocation's request id and
 * trace id live in Lambda's InvokeStore (AsyncLocalStorage-backed), where Powertools and the
 * debug links read them, never in `process.env`, which a concurrent invocation would overwrite.
 */
/** The region every local function runs in. */
export const LOCAL_REGION = 'us-east-1';
/** The account every local ARN names. */
export const LOCAL_ACCOUNT_ID = '123456789012';

let store: Awaited<ReturnType<typeof InvokeStore.getInstanceAsync>> | undefined;

/** Registers the multi-invocation store as Lambda's runtime does (globalThis.awslambda.InvokeStore). */
export async function startInvokeStore(): Promise<void> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  store ??= await InvokeStore.getInstanceAsync(true);
}

/** What Lambda gives one invocation of a function: its Context, and the trace id it runs under. */
export function lambdaInvocationContext(
  handler: string,
  region: string,
): { context: Context; traceId: string } {
  const functionName = `comfy-exec-local-${handler}`;
  const logGroupName = `/aws/lambda/${functionName}`;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const logStreamName = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
  const traceId = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
  // API Gateway's 29 s, counted down as Lambda counts an invocation's time (a handler that waits reads it).
  const deadline = Date.now() + 29_000;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  return { context, traceId };
}

/**
 * Runs one invocation of a handler inside its own InvokeStore context, as Lambda's runtime does,
 * as `handlerName` (the CDK app's function name): the local IAM emulation checks its calls
 * against that function's policy.
 */
export async function invokeLocally<E, R>(
  handlerName: string,
  region: string,
  handler: (event: E, context: Context) => Promise<R>,
  event: E,
): Promise<R> {
  await startInvokeStore();
  const { context, traceId } = lambdaInvocationContext(handlerName, region);
  return store!.run(
    {
      [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId,
      [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: traceId,
    },
    () => runAsFunction(handlerName, () => handler(event, context)),
  );
}
