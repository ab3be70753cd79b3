import type { IncomingMessage } from 'node:http';
import { LOCAL_REGION } from './lambda-context';
import type { SecretLookup } from './local-credentials';
import { headerSignatureProblem } from './s3-presign-check';
import { servicesAddressed } from './sigv4-scope';

/** How a JSON-protocol AWS service (DynamoDB, SQS, Secrets Manager, SageMaker) refuses a request. */
export interface SignatureRefusal {
  type: string;
  message: string;
}

/**
 * Why DynamoDB, SageMaker, SQS, Secrets Manager or Logs would refuse this request's SigV4
 * signature, in their own error types (the SDK names the exception after `type`), or undefined
 * when it is signed with an accepted key. `body` is the whole request body: these services'
 * clients sign its hash. The credential scope must name `expected.region` (the stack's) and one
 * of `expected.services`, by default the service the request's X-Amz-Target addresses: each AWS
 * service has an endpoint of its own, where a signature scoped to another is refused.
 */
export async function jsonSignatureRefusal(
  req: IncomingMessage,
  body: Uint8Array,
  secretFor: SecretLookup,
  expected: { region?: string; services?: readonly string[] } = {},
): Promise<SignatureRefusal | undefined> {
  if (!req.headers.authorization)
    return {
      type: 'MissingAuthenticationTokenException',
      message: 'Request is missing Authentication Token',
    };
  const target = req.headers['x-amz-target'];
  const scope = {
    region: expected.region ?? LOCAL_REGION,
    services: expected.services ?? servicesAddressed(typeof target === 'string' ? target : undefined),
  };
  const problem = await headerSignatureProblem(req, secretFor, body, { scope });
  if (!problem) return undefined;
  if (problem.wrongScope)
    return {
      type: 'InvalidSignatureException',
      message:
        problem.wrongScope.part === 'region'
          ? `Credential should be scoped to a valid region, not '${problem.wrongScope.found}'. `
          : `Credential should be scoped to correct service: '${problem.wrongScope.expected}'. `,
    };
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
