import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which function an AWS call belongs to. The local stack runs every function in one process, so
 * the client a call goes through says nothing about whose role makes it: the invocation's async
 * context does (as InvokeStore carries its request id), and follows every await and timer it starts.
 */
const running = new AsyncLocalStorage<string>();

/** Runs one invocation of `functionName` (the name lib/constructs/function-statements.ts uses). */
export function runAsFunction<T>(functionName: string, work: () => Promise<T>): Promise<T> {
  return running.run(functionName, work);
}

/** The function whose invocation is running here; undefined outside any invocation. */
export function runningFunction(): string | undefined {
  return running.getStore();
}
