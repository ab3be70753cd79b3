import type { AccessRequest } from './policy-evaluator';

/** One AWS SDK call as the middleware sees it, after signing (so the HTTP request is known). */
export interface SdkCall {
  /** `DynamoDBClient`, `S3Client`, … (the SDK's context.clientName). */
  clientName: string;
  /** `QueryCommand`, … (the SDK's context.commandName). */
  commandName: string;
  input: Record<string, unknown>;
  /** The signed request's method and path (API Gateway's management API names resources by them). */
  request?: { method: string; path: string };
}

/** Where the ARNs of a call point: the local stack's region and account. */
export interface ArnScope {
  region: string;
  account: string;
}

/** The operation without its `Command` suffix: `Query`. */
export const operationOf = (call: SdkCall) => call.commandName.replace(/Command$/, '');

/** A call this emulation has no IAM mapping for: refused, so a new SDK call must be mapped first. */
export class UnmappedCallError extends Error {
  constructor(call: SdkCall, why = 'no IAM mapping is emulated for it') {
    super(`${call.clientName.replace(/Client$/, '')}.${operationOf(call)}: ${why}`);
    this.name = 'UnmappedCallError';
  }
}

/** The string an input field must be (a call without it cannot be authorized, so it is refused). */
export function field(call: SdkCall, name: string, from: Record<string, unknown> = call.input): string {
  const value = from[name];
  if (typeof value !== 'string' || value === '') throw new UnmappedCallError(call, `no ${name} in its input`);
  return value;
}

export type AccessMapper = (call: SdkCall, scope: ArnScope) => AccessRequest[];
