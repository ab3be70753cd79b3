import type { ScopeMismatch } from './sigv4-scope';

/**
 * S3's refusals of a request's signature, in its own codes, statuses and words (what its SDKs
 * and error-parsing clients read), shared by the header and presigned URL checks.
 */
export interface SignatureProblem {
  /** The HTTP status S3 answers with; 403 when absent. */
  status?: number;
  code: string;
  message: string;
  /** Further elements of S3's `<Error>` (HeadersNotSigned, Region). */
  details?: Record<string, string>;
  /** Set when the credential scope names another region or service than the endpoint's. */
  wrongScope?: ScopeMismatch;
}

export const MISMATCH: SignatureProblem = {
  code: 'SignatureDoesNotMatch',
  message: 'The request signature we calculated does not match the signature you provided.',
};

export const UNKNOWN_KEY: SignatureProblem = {
  code: 'InvalidAccessKeyId',
  message: 'The AWS Access Key Id you provided does not exist in our records.',
};

export function notSigned(names: readonly string[]): SignatureProblem {
  return {
    code: 'AccessDenied',
    message: 'There were headers present in the request which were not signed',
    details: { HeadersNotSigned: names.join(', ') },
  };
}

/** S3 names the field it read the scope from: the Authorization header, or X-Amz-Credential. */
export function scopedElsewhere(mismatch: ScopeMismatch, presigned: boolean): SignatureProblem {
  const [code, field] = presigned
    ? ['AuthorizationQueryParametersError', 'Error parsing the X-Amz-Credential parameter;']
    : ['AuthorizationHeaderMalformed', 'The authorization header is malformed;'];
  return mismatch.part === 'region'
    ? {
        status: 400,
        code,
        message: `${field} the region '${mismatch.found}' is wrong; expecting '${mismatch.expected}'`,
        details: { Region: mismatch.expected },
        wrongScope: mismatch,
      }
    : {
        status: 400,
        code,
        message: `${field} incorrect service "${mismatch.found}". This endpoint belongs to "${mismatch.expected}".`,
        wrongScope: mismatch,
      };
}

/** S3's longest presigned URL: a week. */
const MAX_EXPIRES_SECONDS = 604_800;

export const queryProblem = (message: string): SignatureProblem => ({
  status: 400,
  code: 'AuthorizationQueryParametersError',
  message,
});

/** Why S3 would refuse this presigned URL's X-Amz-Expires, or its number of seconds. */
export function expiresIn(text: string): SignatureProblem | number {
  if (!/^-?\d+$/.test(text)) return queryProblem('X-Amz-Expires should be a number');
  const seconds = Number(text);
  if (seconds < 0) return queryProblem('X-Amz-Expires must be non-negative');
  if (seconds > MAX_EXPIRES_SECONDS)
    return queryProblem(
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_EXPIRES_SECONDS} seconds`,
    );
  return seconds;
}
