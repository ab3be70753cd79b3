import { accessDenied, deniedErrorName, type Principal } from './access-denied';
import { authorize } from './policy-evaluator';
import { type ArnScope, operationOf, type SdkCall } from './sdk-call';
import { accessRequests } from './sdk-call-access';

export interface CheckScope extends ArnScope {
  /** The local WebSocket API's id in execute-api ARNs. */
  socketApiId: string;
}

/** `S3.PutBucketPolicy`: how a call is named when it cannot be put in IAM's terms. */
export const callName = (call: SdkCall) => `${call.clientName.replace(/Client$/, '')}.${operationOf(call)}`;

/**
 * Authorizes one SDK call of `principal`: returns when every authorization the call needs is
 * allowed, else throws the AccessDeniedError AWS would answer with. A call with no IAM mapping
 * is refused too (fail closed), saying so.
 */
export function checkCall(principal: Principal, call: SdkCall, scope: CheckScope): void {
  const errorName = deniedErrorName(call.clientName, call.commandName);
  let requests: ReturnType<typeof accessRequests>;
  try {
    requests = accessRequests(call, scope);
  } catch (error) {
    const reason = `because the local IAM emulation cannot check it: ${(error as Error).message}`;
    throw accessDenied(principal, { action: callName(call), resource: '*', reason }, errorName);
  }
  for (const request of requests) {
    const decision = authorize(principal.statements, request);
    if (!decision.allowed) throw accessDenied(principal, { ...request, reason: decision.reason }, errorName);
  }
}
