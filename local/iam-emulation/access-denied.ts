import type { PolicyStatementJson } from './policy-evaluator';

/** Whose policy a call is checked against: a function's role, or the endpoint's execution role. */
export interface Principal {
  /** What a denial names: the CDK app's function name (`comfyui-socket`), or `endpoint-container`. */
  name: string;
  /** The role session as IAM names it in a refusal. */
  sessionArn: string;
  statements: PolicyStatementJson[];
}

/** What the local stack tells about a call the principal's policy does not allow. */
export interface Denial {
  principal: string;
  /**
   * `refused`: the call was refused. `missing-key-hidden`: S3 answered a read of a missing key
   * with 403, not 404, as the caller may not list where the key would be (harmless when the
   * caller takes 403 for "missing", a defect when it does not).
   */
  kind: 'refused' | 'missing-key-hidden';
  /** `dynamodb:Query`, or `Service.Operation` when the call could not be checked. */
  action: string;
  resource: string;
  message: string;
}

/**
 * The error AWS answers a refused call with: HTTP 403, a client fault (never retried), and the
 * service's own error name, since handlers branch on it: S3 says `AccessDenied` (`Forbidden` for
 * HEAD, which has no body), the JSON services `AccessDeniedException`.
 */
export class AccessDeniedError extends Error {
  readonly $metadata = { httpStatusCode: 403 };
  readonly $fault = 'client' as const;

  constructor(
    readonly denial: Denial,
    errorName: string,
  ) {
    super(denial.message);
    this.name = errorName;
  }
}

/** The error name the service would use for a refusal of `commandName`. */
export function deniedErrorName(clientName: string, commandName: string): string {
  if (clientName !== 'S3Client') return 'AccessDeniedException';
  return commandName === 'HeadObjectCommand' ? 'Forbidden' : 'AccessDenied';
}

/** A refusal in IAM's own words, so logs read as they would on AWS. */
export function accessDenied(
  principal: Pick<Principal, 'name' | 'sessionArn'>,
  request: { action: string; resource: string; reason: string },
  errorName: string,
  kind: Denial['kind'] = 'refused',
): AccessDeniedError {
  const { action, resource, reason } = request;
  return new AccessDeniedError(
    {
      principal: principal.name,
      kind,
      action,
      resource,
      message: `User: ${principal.sessionArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`,
    },
    errorName,
  );
}
