import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsEmulator } from '../../local/aws-emulator/server';
import { newLocalCredentials } from '../../local/local-credentials';
import { MB, streamBody } from './bounded-body-stream';

/**
 * Finding: the SageMaker / SQS / Secrets Manager / Logs emulator read each body whole, with no
 * limit, before checking its signature. It now takes at most 16 MB (more than any of those
 * services' own limits) and answers 413 past it, in each protocol's error shape.
 */
const pair = newLocalCredentials();
let aws: AwsEmulator;
let url: string;
beforeAll(async () => {
  aws = new AwsEmulator({
    s3: new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: pair }),
    region: 'us-east-1',
    endpoints: [],
    notify: async () => undefined,
    log: () => undefined,
    credentials: [pair],
  });
  url = await aws.start();
});
afterAll(() => aws?.stop());

describe('the AWS emulator: request bodies', () => {
  it('answers an awsJson call past 16 MB with 413 RequestEntityTooLargeException, and stops reading', async () => {
    const outcome = await streamBody(url, 50 * MB, {
      headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' },
    });
    expect(outcome.status).toBe(413);
    expect(JSON.parse(outcome.body)).toMatchObject({ __type: 'RequestEntityTooLargeException' });
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(25 * MB);
  });

  it('answers InvokeEndpointAsync past 16 MB with 413 in restJson (the type in a header)', async () => {
    const outcome = await streamBody(`${url}/endpoints/any/async-invocations`, 50 * MB);
    expect(outcome.status).toBe(413);
    expect(outcome.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(25 * MB);
  });

  it('refuses a Content-Length over 16 MB at once', async () => {
    const outcome = await streamBody(url, 50 * MB, {
      headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' },
      declareLength: true,
    });
    expect(outcome.status).toBe(413);
    expect(outcome.wroteAll).toBe(false);
  });

  it('still reads a body under the limit and refuses it unsigned, as before', async () => {
    const outcome = await streamBody(url, 1 * MB, { headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } });
    expect(outcome.wroteAll).toBe(true);
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body)).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
