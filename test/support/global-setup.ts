import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningDynamoDb, startDynamoDbLocal } from '../../local/dynamodb-local';
import { type RunningS3, startS3Local } from '../../local/s3-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    s3Endpoint: string;
  }
}

/**
 * One DynamoDB Local and one s3rver for the whole run; each test file makes its own table and
 * bucket. The command line and the console are built first, so their tests run the code as it
 * is now, not the dist/ of the last `npm ci`.
 */
export default async function setup(project: TestProject) {
  // The client library first: the console bundles it.
  for (const workspace of ['client', 'console'])
    execFileSync(process.execPath, ['build.mjs'], {
      cwd: join(import.meta.dirname, '../..', workspace),
      stdio: 'inherit',
    });
  let dynamo: RunningDynamoDb | undefined;
  let s3: RunningS3 | undefined;
  try {
    [dynamo, s3] = await Promise.all([startDynamoDbLocal(), startS3Local()]);
  } catch (error) {
    await Promise.all([dynamo?.stop(), s3?.stop()]);
    throw error;
  }
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('s3Endpoint', s3.endpoint);
  return async () => {
    await Promise.all([dynamo?.stop(), s3?.stop()]);
  };
}
