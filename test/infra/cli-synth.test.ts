import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The project's root, where an operator types `npx cdk synth`. */
const ROOT = join(import.meta.dirname, '../..');

/**
 * `npx cdk synth` as an operator runs it before `cdk deploy`: cdk.json's app and context, an
 * account, and a region chosen the way the CLI takes it (AWS_REGION: the CLI replaces
 * CDK_DEFAULT_REGION with its own finding, us-east-1 when no AWS config exists). No credentials
 * and no AWS config, so nothing is looked up: the synth must work offline.
 */
function cdkSynthAsTheOperatorDoes(extraArgs: string[] = []) {
  const home = mkdtempSync(join(tmpdir(), 'cdk-home-'));
  try {
    return spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, ...extraArgs], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CI: 'true',
        CDK_DISABLE_VERSION_CHECK: 'true',
        AWS_REGION: 'eu-west-1',
        CDK_DEFAULT_ACCOUNT: '210987654321',
        AWS_CONFIG_FILE: join(home, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('`npx cdk synth` as a child process (the lint gate)', () => {
  it('bundles every function and passes cdk-nag AwsSolutions with every suppression reasoned, in the account and region given', () => {
    const synth = cdkSynthAsTheOperatorDoes();
    expect(synth.status, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    expect(synth.stderr).not.toMatch(/\bERROR\b/);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; environment?: string }>;
    };
    const environments = Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([name, artifact]) => [name, artifact.environment]);
    expect(environments.sort()).toEqual([
      ['ComfyExecControlPlane', 'aws://210987654321/eu-west-1'],
      ['ComfyExecData', 'aws://210987654321/eu-west-1'],
      ['ComfyExecInference', 'aws://210987654321/eu-west-1'],
    ]);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find((p: { pluginName: string }) => p.pluginName === 'AwsSolutions');
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    for (const suppressed of nag.suppressedViolations)
      expect(suppressed.reason.length, suppressed.ruleName).toBeGreaterThan(40);
    const bundles = readdirSync(outdir).filter(
      (name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')),
    );
    expect(bundles).toHaveLength(32);
    // The image asset is staged with exactly what .dockerignore keeps (no Docker needed to synthesize).
    const image = readdirSync(outdir).find(
      (name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'container', 'Dockerfile')),
    );
    expect(image).toBeDefined();
    expect(readdirSync(join(outdir, image!)).sort()).toEqual([
      '.dockerignore',
      'client',
      'container',
      'environments',
      'lambda',
      'package-lock.json',
      'package.json',
      'tsconfig.json',
    ]);
    // Of the client: its package.json (npm ci installs the command line's dependencies), the
    // library (the adapter shares its JSON codec) and the command line (`env install`), but not
    // its build output, dependencies or tests.
    const client = readdirSync(join(outdir, image!, 'client'), { recursive: true }).map(String);
    expect(readdirSync(join(outdir, image!, 'client')).sort()).toEqual(['cli', 'package.json', 'src']);
    expect(client).toEqual(
      expect.arrayContaining(['src/exact-json.ts', 'cli/main.ts', 'cli/env/install.ts']),
    );
    expect(client.filter((file) => /node_modules|dist\/|\.test\.ts$/.test(file))).toEqual([]);
    expect(readdirSync(join(outdir, image!, 'environments'))).toEqual(['environment.schema.json']);
    for (const bundle of bundles) {
      expect(existsSync(join(outdir, bundle, 'index.mjs.map')), bundle).toBe(true);
      // As Lambda loads it: plain Node, nothing of the project around it, lazy chunks beside it.
      const loaded = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(outdir, bundle, 'index.mjs'))}); if (typeof m.handler !== 'function') process.exit(3);`,
        ],
        { cwd: tmpdir(), env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1' }, encoding: 'utf8' },
      );
      expect(loaded.status, `${bundle}: ${loaded.stderr}`).toBe(0);
    }

    // One function all the way to the network: the SDK's middleware, serializer, signer and HTTP
    // handler all run inside the bundle (a CommonJS dependency without `require` would fail here,
    // not at import), and the refused connection comes back as the envelope's 500.
    const template = JSON.parse(
      readFileSync(join(outdir, 'ComfyExecControlPlane.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const [, getExecute] = Object.entries(template.Resources).find(
      ([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('GetExecuteFunction'),
    )!;
    const asset = join(outdir, `asset.${getExecute.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
    const event = {
      httpMethod: 'GET',
      resource: '/executes/{prompt_id}',
      pathParameters: { prompt_id: '9f1c1f7e-8d0e-4c36-9a51-0d2f0e1f6a11' },
      requestContext: { requestId: 'synth-test', identity: { apiKeyId: 'owner' } },
    };
    const invoked = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(join(asset, 'index.mjs'))});
         console.log('RESULT ' + JSON.stringify(await handler(${JSON.stringify(event)})));`,
      ],
      {
        cwd: tmpdir(),
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'synth-test',
          AWS_SECRET_ACCESS_KEY: 'synth-test',
          AWS_MAX_ATTEMPTS: '1',
          AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1',
          TABLE_NAME: 'executes',
          BUCKET_NAME: 'payloads',
        },
      },
    );
    expect(invoked.status, invoked.stderr).toBe(0);
    expect(invoked.stdout + invoked.stderr).toContain('ECONNREFUSED');
    const result = JSON.parse(invoked.stdout.split('RESULT ')[1]!) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toMatchObject({ statusCode: 500, debug: expect.any(Object) });
  }, 300_000);

  it('a misspelt setting stops the synth with one line naming it, not a stack trace', () => {
    const synth = cdkSynthAsTheOperatorDoes(['-c', 'comfy-exec:maxInstanses=2']);
    expect(synth.status).not.toBe(0);
    expect(synth.stderr).toContain(
      'comfy-exec: unknown CDK context: comfy-exec:maxInstanses (did you mean comfy-exec:maxInstances?)',
    );
    expect(synth.stderr).not.toMatch(/^\s+at /m);
  }, 120_000);
});
