import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalAddresses, isLoopback, listeningSockets, tryConnect } from './listening-sockets';
import { type NpmStartProcess, runNpmStart } from './npm-start-process';

/**
 * What another user of the machine, or another machine, can reach of a running `npm start`
 * (issue 25): nothing but loopback ports, each asking for this run's own key pair (or, for the
 * API, an API key). Linux only: the listening sockets are read from /proc.
 */
const home = mkdtempSync(join(tmpdir(), 'comfy-exec-home-'));
chmodSync(home, 0o700);
const S3RVER = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let npmStart: NpmStartProcess;
const printed = new Map<string, string>();

beforeAll(async () => {
  // As a user runs it: the file in their home, none named by the environment.
  npmStart = runNpmStart({ HOME: home, COMFY_EXEC_LOCAL_STACK_FILE: undefined });
  const banner = await npmStart.ready();
  printed.set('api', new URL(/^API URL: (\S+)$/m.exec(banner.join('\n'))![1]!).port);
  // The parts' own lines come after Ready.
  for (const [part, pattern] of [
    ['dynamodb', /^\[dynamodb\] DynamoDB Local at (\S+)/],
    ['s3', /^\[s3\] s3rver at (\S+)/],
    ['emulator', /^\[sagemaker\] async endpoint \S+ \(and Logs Insights\) at (\S+)/],
    ['container', /^\[container\] endpoint container at (\S+)/],
    ['comfyui', /^\[comfyui\] ComfyUI simulator at (\S+)/],
  ] as const)
    printed.set(part, new URL(pattern.exec(await npmStart.line(pattern))![1]!).port);
}, 240_000);

afterAll(async () => {
  await npmStart?.stop();
  npmStart?.kill();
  rmSync(home, { recursive: true, force: true });
});

const url = (part: string) => `http://127.0.0.1:${printed.get(part)}`;

describe.runIf(process.platform === 'linux')('npm start, seen from elsewhere on the machine', () => {
  it('listens on loopback only, every part of it, and takes no connection on other addresses', async () => {
    const sockets = listeningSockets(npmStart.remaining());
    expect(sockets.length).toBeGreaterThanOrEqual(printed.size);
    expect(sockets.filter((socket) => !isLoopback(socket.address))).toEqual([]);
    for (const address of externalAddresses())
      for (const { port } of sockets)
        expect(await tryConnect(address, port), `${address}:${port}`).toBe('refused');
  });

  it("takes only this run's own key pair (in its file, in the user's home), not the public S3RVER one", async () => {
    const calls = (credentials: typeof S3RVER) => {
      const common = { region: 'us-east-1', credentials, maxAttempts: 1 };
      return Promise.allSettled([
        new DynamoDBClient({ ...common, endpoint: url('dynamodb') }).send(new ListTablesCommand({})),
        new S3Client({ ...common, endpoint: url('s3'), forcePathStyle: true }).send(
          new ListObjectsV2Command({ Bucket: 'comfy-exec-local' }),
        ),
        new SecretsManagerClient({ ...common, endpoint: url('emulator') }).send(new ListSecretsCommand({})),
      ]);
    };
    const [dynamo, s3, secrets] = await calls(S3RVER);
    expect(dynamo).toMatchObject({ status: 'rejected', reason: { name: 'UnrecognizedClientException' } });
    expect(s3).toMatchObject({ status: 'rejected', reason: { name: 'InvalidAccessKeyId' } });
    expect(secrets).toMatchObject({ status: 'rejected', reason: { name: 'UnrecognizedClientException' } });
    const folder = join(home, '.comfy-exec', 'run');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    // Its own file, named for its process: no other stack of the user's can replace or remove it.
    const [own, ...others] = readdirSync(folder).filter((name) => /^local-stack-\d+\.json$/.test(name));
    expect(others).toEqual([]);
    const { aws } = JSON.parse(readFileSync(join(folder, own!), 'utf8'));
    expect(aws.access_key_id).not.toBe('S3RVER');
    expect(aws.endpoints).toEqual({ dynamodb: url('dynamodb'), s3: url('s3'), emulator: url('emulator') });
    const [dynamoOwn, s3Own] = await calls({
      accessKeyId: aws.access_key_id,
      secretAccessKey: aws.secret_access_key,
    });
    expect(dynamoOwn).toMatchObject({ status: 'fulfilled', value: { TableNames: expect.any(Array) } });
    expect(s3Own).toMatchObject({ status: 'fulfilled' });
  });

  it("answers nothing on its parts' own ports (DynamoDB Local's, s3rver's) to anyone but their fronts", async () => {
    const own = listeningSockets(npmStart.remaining()).filter(
      ({ port }) => ![...printed.values()].includes(String(port)),
    );
    expect(own.length).toBeGreaterThanOrEqual(2);
    for (const { port } of own) {
      const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'GET' });
      expect(answer.status, `port ${port}: ${await answer.clone().text()}`).toBe(403);
      expect(await answer.text()).not.toMatch(/ListAllMyBucketsResult|TableNames/);
    }
  });

  it('runs no staged request posted to the container by anyone but its SageMaker emulator', async () => {
    const forged = await fetch(`${url('container')}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt_id: '00000000-0000-4000-8000-000000000000', prompt: {} }),
    });
    expect(forged.status).toBe(403);
    expect((await fetch(`${url('container')}/ping`)).status).toBe(403);
  });

  it("shows no key's prompts or files from the ComfyUI simulator to anyone but the container", async () => {
    for (const path of [
      '/history',
      '/queue',
      '/view?filename=ComfyUI_00001_.png&type=output',
      '/object_info',
    ])
      expect((await fetch(`${url('comfyui')}${path}`)).status, path).toBe(403);
    const posted = await fetch(`${url('comfyui')}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: { '1': { class_type: 'EmptyImage', inputs: {} } } }),
    });
    expect(posted.status).toBe(403);
  });
});
