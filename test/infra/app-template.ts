import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addComfyExecStacks } from '../../lib/app-stages';
import type { Environment as ComfyEnvironment } from '../../lib/config/environments';

export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/comfy-exec-endpoint:v1';
export const ROOT = join(import.meta.dirname, '../..');

/** Where `cdk deploy` puts the stacks by default in these tests: an account, a region. */
export const DEPLOYED: Environment = { account: '123456789012', region: 'us-east-1' };

/**
 * The context `cdk synth` hands the app from the project's files: cdk.json's "context" (every
 * feature flag) and cdk.context.json's cached lookups when present. Tests that build the app
 * without it synthesize something no operator ever deploys.
 */
export function cliContext(): Record<string, unknown> {
  const read = (name: string) =>
    existsSync(join(ROOT, name))
      ? (JSON.parse(readFileSync(join(ROOT, name), 'utf8')) as Record<string, unknown>)
      : {};
  return { ...((read('cdk.json').context as Record<string, unknown>) ?? {}), ...read('cdk.context.json') };
}

/**
 * The app's stacks from cdk.json's context plus `context`, synthesized fast: no bundling, no
 * CloudFormation validation.
 */
export function synthFast(
  context: Record<string, unknown> = { 'comfy-exec:imageUri': IMAGE },
  env: Environment = DEPLOYED,
  environments: ComfyEnvironment[] = [],
) {
  const app = new App({ context: { ...cliContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = addComfyExecStacks(app, { env }, environments);
  return {
    app,
    stacks,
    data: Template.fromStack(stacks.data),
    inference: Template.fromStack(stacks.inference),
    controlPlane: Template.fromStack(stacks.controlPlane),
  };
}

/** A folder of environment files, as `environments/` in the repository (a string body is written as is). */
/** An environment's models from S3 and from the library, as the infra tests' environment files list them. */
export const S3_AND_LIBRARY_MODELS = [
  {
    folder: 'loras',
    name: 'style.safetensors',
    source: 's3://team-models/loras/style.safetensors',
    sha256: 'a'.repeat(64),
  },
  {
    folder: 'checkpoints',
    name: 'base.safetensors',
    source: 'library:checkpoints/base.safetensors',
    sha256: 'b'.repeat(64),
  },
];

export function environmentsFolder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'environments-'));
  for (const [name, body] of Object.entries(files))
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  return dir;
}
