import type { IncomingMessage } from 'node:http';
import { jsonSignatureRefusal } from './aws-json-signature';
import type { SecretLookup } from './local-credentials';

/** How API Gateway refuses a call to an IAM-authorized API: 403, the type in `x-amzn-ErrorType`. */
export interface IamRefusal {
  type: string;
  message: string;
}

const MISSING_TOKEN: IamRefusal = {
  type: 'MissingAuthenticationTokenException',
  message: 'Missing Authentication Token',
};
const INVALID_TOKEN: IamRefusal = {
  type: 'UnrecognizedClientException',
  message: 'The security token included in the request is invalid.',
};

/**
 * Why API Gateway would refuse a `@connections` call from its Authorization header alone, so
 * before any of its body is read: none (what anyone who saw a connection id in the log would
 * send), a key pair the stack does not accept, or a signature scoped to another service.
 */
export function connectionsHeaderRefusal(
  req: IncomingMessage,
  secretFor: SecretLookup,
): IamRefusal | undefined {
  const authorization = req.headers.authorization;
  if (!authorization) return MISSING_TOKEN;
  const scope = /Credential=([^/,\s]+)\/[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\//.exec(authorization);
  // Malformed: refused here too, so no body is read for a header anyone can write.
  if (!scope)
    return {
      type: 'IncompleteSignatureException',
      message: `Authorization header requires 'Credential' parameter. Authorization=${authorization.slice(0, 64)}`,
    };
  if (!secretFor(scope[1]!)) return INVALID_TOKEN;
  if (scope[2] !== 'execute-api')
    return {
      type: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'execute-api'. ",
    };
  return undefined;
}

/**
 * Why API Gateway would refuse this `@connections` call's SigV4 signature (the management API
 * takes IAM-signed calls only), or undefined when an accepted key pair signed it; `body` is the
 * whole request body, whose hash the SDK's management client signs.
 */
export async function connectionsSignatureRefusal(
  req: IncomingMessage,
  body: Uint8Array,
  secretFor: SecretLookup,
): Promise<IamRefusal | undefined> {
  // The same SigV4 answers as the JSON services', scoped to execute-api in the stack's region.
  return (
    connectionsHeaderRefusal(req, secretFor) ??
    (await jsonSignatureRefusal(req, body, secretFor, { services: ['execute-api'] }))
  );
}
