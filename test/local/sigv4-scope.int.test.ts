import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { useFreshBucket } from '../support/local-aws';
import { errorCode, errorElement, rawRequest, signedHeaders } from './s3-raw-request';
import { signedListTables } from './signed-json-call';

// The suite's S3 and DynamoDB (global setup): local/s3-front.ts and local/dynamodb-front.ts.
const { clients, bucket } = useFreshBucket();
const s3Endpoint = () => inject('s3Endpoint');
const S3RVER = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

beforeAll(async () => {
  await clients.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: 'inputs/a/secret.png', Body: 'A' }));
});

const s3In = (region: string) =>
  new S3Client({
    endpoint: s3Endpoint(),
    region,
    credentials: S3RVER,
    forcePathStyle: true,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

const getUrl = (options: { region?: string; signingDate?: Date; expiresIn?: number } = {}) =>
  getSignedUrl(
    s3In(options.region ?? 'us-east-1'),
    new GetObjectCommand({ Bucket: bucket(), Key: 'inputs/a/secret.png' }),
    {
      expiresIn: options.expiresIn ?? 60,
      ...(options.signingDate ? { signingDate: options.signingDate } : {}),
    },
  );

async function refusal(url: string) {
  const answer = await fetch(url);
  const text = await answer.text();
  return { status: answer.status, code: errorCode(text), text };
}

describe("the local S3 front takes only signatures scoped to the stack's region and to s3, as S3 does", () => {
  it('a header signature for another region: 400 AuthorizationHeaderMalformed naming the region expected', async () => {
    const get = s3In('eu-west-3').send(
      new GetObjectCommand({ Bucket: bucket(), Key: 'inputs/a/secret.png' }),
    );
    await expect(get).rejects.toMatchObject({
      name: 'AuthorizationHeaderMalformed',
      $metadata: { httpStatusCode: 400 },
      message:
        "The authorization header is malformed; the region 'eu-west-3' is wrong; expecting 'us-east-1'",
    });
  });

  it('a header signature for another service: 400 AuthorizationHeaderMalformed', async () => {
    const path = `/${bucket()}/inputs/a/secret.png`;
    const answer = await rawRequest(
      s3Endpoint(),
      'GET',
      path,
      await signedHeaders(s3Endpoint(), 'GET', path, { service: 'dynamodb' }),
    );
    expect(answer.status).toBe(400);
    expect(errorCode(answer.text)).toBe('AuthorizationHeaderMalformed');
    expect(answer.text).toContain('This endpoint belongs to "s3"');
  });

  it('a presigned URL for another region: 400 AuthorizationQueryParametersError', async () => {
    const answer = await refusal(await getUrl({ region: 'eu-west-3' }));
    expect(answer).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
    expect(errorElement(answer.text, 'Region')).toBe('us-east-1');
  });
});

describe("the local S3 front keeps to S3's limits on a presigned URL's date and expiry", () => {
  it('dated ten years ahead: 403 Request is not yet valid; ten minutes ahead (clock skew): taken', async () => {
    const later = await refusal(await getUrl({ signingDate: new Date(Date.now() + 10 * 365 * 86_400_000) }));
    expect(later).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(later.text).toContain('Request is not yet valid');
    const skewed = await fetch(await getUrl({ signingDate: new Date(Date.now() + 10 * 60_000) }));
    expect(skewed.status).toBe(200);
  });

  it('X-Amz-Expires of a week is taken; over a week, below 1 or not a number: refused before any signature', async () => {
    const week = await getUrl({ expiresIn: 604_800 });
    expect((await fetch(week)).status).toBe(200);
    // The SDK signs no longer URL, so the parameter is changed after signing: S3 reads it first.
    const withExpires = (value: string) => week.replace('X-Amz-Expires=604800', `X-Amz-Expires=${value}`);
    const longer = await refusal(withExpires('604801'));
    expect(longer).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
    expect(longer.text).toContain('X-Amz-Expires must be less than a week (in seconds)');
    const negative = await refusal(withExpires('-1'));
    expect(negative).toMatchObject({ status: 400, code: 'AuthorizationQueryParametersError' });
    expect(negative.text).toContain('X-Amz-Expires must be non-negative');
    expect(await refusal(withExpires('soon'))).toMatchObject({ status: 400 });
    const zero = await refusal(withExpires('0'));
    expect(zero).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(zero.text).toContain('Request has expired');
  });
});

describe("the local DynamoDB front takes only signatures scoped to the stack's region and to dynamodb", () => {
  const local = { accessKeyId: 'local', secretAccessKey: 'local' };

  it('an SDK client in another region: InvalidSignatureException', async () => {
    const client = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'eu-west-3',
      credentials: local,
      maxAttempts: 1,
    });
    await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('Credential should be scoped to a valid region'),
    });
  });

  it("a ListTables signed for sqs: InvalidSignatureException naming 'dynamodb'", async () => {
    const answer = await signedListTables(inject('dynamoEndpoint'), local, 'sqs');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({
      __type: expect.stringMatching(/InvalidSignatureException$/),
      message: "Credential should be scoped to correct service: 'dynamodb'. ",
    });
  });
});
