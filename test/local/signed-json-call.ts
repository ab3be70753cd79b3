import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../local/s3-presign-check';

type Credentials = { accessKeyId: string; secretAccessKey: string };

/**
 * A JSON-protocol call (DynamoDB, Secrets Manager, …) as any client could send it to `endpoint`,
 * signed (SigV4) with `credentials` for `service`: another service's scope is how the scope
 * checks are tried.
 */
export async function signedJsonCall(
  endpoint: string,
  credentials: Credentials,
  call: { service: string; target: string; body: string; contentType?: string },
): Promise<Response> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: call.service,
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': call.contentType ?? 'application/x-amz-json-1.0',
      'x-amz-target': call.target,
    },
    body: call.body,
  });
  return fetch(endpoint, { method: 'POST', headers: signed.headers, body: call.body });
}

/** A DynamoDB ListTables, signed for `service`. */
export const signedListTables = (endpoint: string, credentials: Credentials, service = 'dynamodb') =>
  signedJsonCall(endpoint, credentials, { service, target: 'DynamoDB_20120810.ListTables', body: '{}' });
