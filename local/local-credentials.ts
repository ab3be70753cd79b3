import { randomBytes, randomInt } from 'node:crypto';

/** An AWS access key pair the local parts check every request's signature (SigV4) against. */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * What the test suite's shared servers, the handler harness and the bench have always signed with
 * (s3rver's own account, and `local`). Public, so only for parts started by tests or scripts that
 * pass no credentials: `npm start` makes a pair of its own each run (newLocalCredentials).
 */
export const TEST_CREDENTIALS: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const TEST_ACCEPTED_CREDENTIALS: readonly LocalCredentials[] = [
  TEST_CREDENTIALS,
  { accessKeyId: 'local', secretAccessKey: 'local' },
];

const KEY_ID_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * A pair no one else can know: any user of the machine can reach a loopback port, so a fixed or
 * guessable pair would let them read and change the stack's tables, objects and secrets. Shaped as
 * AWS's (20-character key id, 40-character secret) so every SDK and the AWS CLI take it.
 */
export function newLocalCredentials(): LocalCredentials {
  const keyId = Array.from({ length: 15 }, () => KEY_ID_LETTERS[randomInt(KEY_ID_LETTERS.length)]).join('');
  return {
    accessKeyId: `LOCAL${keyId}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
}

/** The secret of an accepted key id, or undefined: what the signature checks look keys up with. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export function secretLookup(accepted: readonly LocalCredentials[]): SecretLookup {
  return (accessKeyId) => accepted.find((pair) => pair.accessKeyId === accessKeyId)?.secretAccessKey;
}

/** A secret only this run's parts share (DynamoDB Local's, the container's caller check). */
export function newPartToken(): string {
  return randomBytes(32).toString('base64url');
}
