import { LOCAL_REGION } from './lambda-context';

/**
 * What a Signature Version 4 credential scope (`<key id>/<yyyymmdd>/<region>/<service>/aws4_request`)
 * must name for an endpoint to take it: AWS refuses a signature scoped to another region or to
 * another service, so a signature made for one part of the stack is no key to another.
 */
export interface ExpectedScope {
  region: string;
  /** The signing names this endpoint answers to (`s3`, `dynamodb`, `sqs`, …). */
  services: readonly string[];
}

/** Which part of a credential scope names what this endpoint is not, and what it names. */
export interface ScopeMismatch {
  part: 'region' | 'service';
  found: string;
  /** The region, or the service names, this endpoint expects. */
  expected: string;
}

/** The S3 front's scope: the stack's one region (the one `npm start` gives every client). */
export const LOCAL_S3_SCOPE: ExpectedScope = { region: LOCAL_REGION, services: ['s3'] };

export function scopeMismatch(
  region: string,
  service: string,
  expected: ExpectedScope,
): ScopeMismatch | undefined {
  if (region !== expected.region) return { part: 'region', found: region, expected: expected.region };
  if (!expected.services.includes(service))
    return { part: 'service', found: service, expected: expected.services.join(', ') };
  return undefined;
}

/** Each JSON-protocol service's `X-Amz-Target` prefix and signing name (DynamoDB Streams signs as `dynamodb`). */
const TARGET_PREFIXES: readonly [prefix: string, service: string][] = [
  ['DynamoDB_', 'dynamodb'],
  ['DynamoDBStreams_', 'dynamodb'],
  ['AmazonSQS.', 'sqs'],
  ['secretsmanager.', 'secretsmanager'],
  ['Logs_', 'logs'],
  ['SageMaker.', 'sagemaker'],
];

/**
 * The signing name(s) a request to a port that serves several JSON-protocol services may be
 * scoped to: the one its `X-Amz-Target` addresses. A request without one is SageMaker Runtime's
 * InvokeEndpointAsync, the one REST-JSON call the local stack serves; an unknown target may be
 * signed for any of these services, and is then refused as an unknown operation.
 */
export function servicesAddressed(target: string | undefined): readonly string[] {
  if (!target) return ['sagemaker'];
  const known = TARGET_PREFIXES.find(([prefix]) => target.startsWith(prefix));
  return known ? [known[1]] : [...new Set(TARGET_PREFIXES.map(([, service]) => service))];
}
