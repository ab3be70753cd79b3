import { S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsEmulator } from '../../local/aws-emulator/server';
import { type LocalCredentials, newLocalCredentials } from '../../local/local-credentials';
import { signedJsonCall } from './signed-json-call';

// The emulator as `npm start` runs it: a key pair made for it, and a webhook secret of some key.
const pair = newLocalCredentials();
const SECRET_ID = 'comfy-exec-local/webhooks/key-0123456789ab';
const S3RVER = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let aws: AwsEmulator;
let url: string;
let queueUrl: string;
beforeAll(async () => {
  aws = new AwsEmulator({
    s3: new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: pair }),
    region: 'us-east-1',
    endpoints: [
      {
        name: 'comfy-async-local',
        instanceType: 'ml.g5.xlarge',
        instanceCount: 1,
        maxConcurrentInvocationsPerInstance: 1,
        s3OutputPath: 's3://bucket/out',
      },
    ],
    notify: async () => undefined,
    log: () => undefined,
    credentials: [pair],
  });
  url = await aws.start();
  aws.secrets.handle('CreateSecret', { Name: SECRET_ID, SecretString: 'whsec_signing-key' });
  queueUrl = aws.sqs.createQueue('comfy-exec-local-webhooks.fifo', 60);
});
afterAll(() => aws?.stop());

const options = (credentials: LocalCredentials, region = 'us-east-1') => ({
  endpoint: url,
  region,
  credentials,
  maxAttempts: 1,
});
const readSecret = (credentials: LocalCredentials, region?: string) =>
  new SecretsManagerClient(options(credentials, region)).send(
    new GetSecretValueCommand({ SecretId: SECRET_ID }),
  );

describe("the local AWS emulator takes only requests signed with the stack's own key pair", () => {
  it("gives a key's webhook signing secret to that pair alone", async () => {
    await expect(readSecret(S3RVER)).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(readSecret({ ...pair, secretAccessKey: 'guessed' })).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: SECRET_ID }),
    });
    expect(unsigned.status).toBe(400);
    const refusal = await unsigned.text();
    expect(refusal).toContain('MissingAuthenticationToken');
    expect(refusal).not.toContain('whsec_');
    await expect(readSecret(pair)).resolves.toMatchObject({ SecretString: 'whsec_signing-key' });
  });

  it("refuses SQS and SageMaker calls signed with any other pair, and takes the stack's", async () => {
    await expect(
      new SQSClient(options(S3RVER)).send(new ReceiveMessageCommand({ QueueUrl: queueUrl })),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(
      new SQSClient(options(pair)).send(new ReceiveMessageCommand({ QueueUrl: queueUrl })),
    ).resolves.toBeDefined();
    const invoke = new InvokeEndpointAsyncCommand({
      EndpointName: 'comfy-async-local',
      InputLocation: 's3://bucket/executes/x/request.json',
    });
    await expect(new SageMakerRuntimeClient(options(S3RVER)).send(invoke)).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(new SageMakerRuntimeClient(options(pair)).send(invoke)).resolves.toMatchObject({
      InferenceId: expect.any(String),
    });
  });
});

describe("the local AWS emulator takes only signatures scoped to the stack's region and the service called", () => {
  it('refuses Secrets Manager and SageMaker Runtime clients of another region', async () => {
    await expect(readSecret(pair, 'eu-west-3')).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('Credential should be scoped to a valid region'),
    });
    const invoke = new InvokeEndpointAsyncCommand({
      EndpointName: 'comfy-async-local',
      InputLocation: 's3://bucket/executes/x/request.json',
    });
    await expect(new SageMakerRuntimeClient(options(pair, 'eu-west-3')).send(invoke)).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
  });

  it("refuses a GetSecretValue signed for another service, and takes it signed for 'secretsmanager'", async () => {
    const getSecret = (service: string) =>
      signedJsonCall(url, pair, {
        service,
        target: 'secretsmanager.GetSecretValue',
        body: JSON.stringify({ SecretId: SECRET_ID }),
        contentType: 'application/x-amz-json-1.1',
      });
    const elsewhere = await getSecret('dynamodb');
    expect(elsewhere.status).toBe(400);
    const refusal = await elsewhere.text();
    expect(refusal).toContain("Credential should be scoped to correct service: 'secretsmanager'.");
    expect(refusal).not.toContain('whsec_');
    expect(await (await getSecret('secretsmanager')).json()).toMatchObject({
      SecretString: 'whsec_signing-key',
    });
  });
});
