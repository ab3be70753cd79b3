import type { IncomingMessage } from 'node:http';
import type { SecretLookup } from './local-credentials';
import { headerSignatureProblem } from './s3-presign-check';

/** How a JSON-protocol AWS service (DynamoDB, SQS, Secrets Manager, SageMaker) refuses a request. */
export interface SignatureRefusal {
  type: string;
  message: string;
}

/**
 * Why DynamoDB, SageMaker, SQS, Secrets Manager or Logs would refuse this request's SigV4
 * signature, in their own error types (the SDK names the exception after `type`), or undefined
 * when it is signed with an accepted key. `body` is the whole request body: these services'
 * clients sign its hash.
 */
export async function jsonSignatureRefusal(
  req: IncomingMessage,
  body: Uint8Array,
  secretFor: SecretLookup,
): Promise<SignatureRefusal | undefined> {
  if (!req.headers.authorization)
    return {
      type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    };
  const problem = await headerSignatureProblem(req, secretFor, body);
  if (!problem) return undefined;
  switch (problem.code) {
    case 'InvalidAccessKeyId':
      return {
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      };
    case 'SignatureDoesNotMatch':
      return {
        type: 'InvalidSignatureException',
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      };
    case 'RequestTimeTooSkewed':
      return { type: 'InvalidSignatureException', message: `Signature expired: ${problem.message}` };
    default:
      return { type: 'IncompleteSignatureException', message: problem.message };
  }
}
