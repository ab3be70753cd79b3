import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_HANDLERS, HANDLERS } from '../lambda/http/route-table';
import { quantile } from './stats';

const ROOT = join(import.meta.dirname, '..');
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The bundle CDK deploys (lib/constructs/comfy-exec-function.ts's esbuild options). */
function bundle(entry: string, outfile: string): number {
  execFileSync(
    join(ROOT, 'node_modules/.bin/esbuild'),
    [
      entry,
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node22',
      '--minify',
      '--main-fields=module,main',
      `--banner:js=${BANNER}`,
      `--outfile=${outfile}`,
      '--log-level=error',
    ],
    // NODE_PATH lets the reference entries written to a temporary directory find the SDK.
    { cwd: ROOT, env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } },
  );
  return statSync(outfile).size;
}

/** Median wall time of `runs` fresh Node processes that import the bundle (and do nothing else). */
function coldImportMs(file: string, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return quantile(samples, 0.5);
}

/**
 * What the AWS SDK alone costs, bundled the same way: the least any handler that reads a record
 * (and signs a file's URL) can weigh, whatever our own code does.
 */
const SDK_REFERENCES = {
  'sdk: DynamoDB GetItem': `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async () => client.send(new GetItemCommand({ TableName: 't', Key: {} }));
`,
  'sdk: + S3 presign': `
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
const client = new DynamoDBClient({});
const s3 = new S3Client({});
export const handler = async () => [
  await client.send(new GetItemCommand({ TableName: 't', Key: {} })),
  await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' })),
];
`,
};

export function benchBundles(runs = 20) {
  const dir = mkdtempSync(join(tmpdir(), 'comfy-exec-bundles-'));
  try {
    const empty = join(dir, 'empty.ts');
    writeFileSync(empty, 'export const handler = async () => ({ statusCode: 200, body: "" });\n');
    const floorBytes = bundle(empty, join(dir, 'empty.mjs'));
    const floorMs = coldImportMs(join(dir, 'empty.mjs'), runs);
    const measure = (name: string, entry: string) => {
      const out = join(dir, `${name.replaceAll(/[^a-z0-9-]+/gi, '_')}.mjs`);
      const bytes = bundle(entry, out);
      const ms = coldImportMs(out, runs);
      return {
        handler: name,
        bundleKB: Math.round(bytes / 1024),
        coldImportMs: Number(ms.toFixed(1)),
        overFloorMs: Number((ms - floorMs).toFixed(1)),
      };
    };
    const references = Object.entries(SDK_REFERENCES).map(([name, source]) => {
      const entry = join(dir, `${name.replaceAll(/[^a-z0-9-]+/gi, '_')}.ts`);
      writeFileSync(entry, source);
      return measure(name, entry);
    });
    const rows = [...HANDLERS, ...EVENT_HANDLERS].map((name) =>
      measure(name, join(ROOT, 'lambda/handlers', `${name}.ts`)),
    );
    return {
      floor: { bundleKB: Math.round(floorBytes / 1024), coldImportMs: Number(floorMs.toFixed(1)) },
      sdkReferences: references,
      handlers: rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
