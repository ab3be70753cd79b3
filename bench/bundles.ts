import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_HANDLERS, HANDLERS } from '../lambda/http/route-table';
import { bundleLambda, coldStartBytes, packageBytes } from '../lib/bundling/lambda-bundle';
import { quantile } from './stats';

const ROOT = join(import.meta.dirname, '..');

/** Median wall time of `runs` fresh Node processes that import the bundle (and do nothing else). */
function coldImportMs(file: string, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(file)});`],
      {
        cwd: tmpdir(),
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

/** The floor: an empty handler, bundled and imported the same way. */
const EMPTY_HANDLER = 'export const handler = async () => ({ statusCode: 200, body: "" });\n';

const slug = (name: string) => name.replaceAll(/[^a-z0-9-]+/gi, '_');

export interface BundleRow {
  handler: string;
  /** The entry and the chunks it imports statically: what a cold start compiles. */
  coldStartKB: number;
  /** Everything deployed, lazy chunks included (source maps left out). */
  packageKB: number;
  coldImportMs: number;
  overFloorMs: number;
}

/** Every function bundled by lib/bundling/lambda-bundle.ts (what CDK deploys), beside the references. */
export function benchBundles(runs = 20) {
  const out = mkdtempSync(join(tmpdir(), 'comfy-exec-bundles-'));
  // Inside node_modules, so the reference entries resolve the project's SDK.
  const sources = join(ROOT, 'node_modules/.cache/comfy-exec-bench');
  mkdirSync(sources, { recursive: true });
  try {
    const measure = (name: string, entry: string, floorMs: number): BundleRow => {
      const outdir = join(out, slug(name));
      const metafile = bundleLambda(entry, outdir, { sourcemap: false });
      const ms = coldImportMs(join(outdir, 'index.mjs'), runs);
      return {
        handler: name,
        coldStartKB: Math.round(coldStartBytes(metafile) / 1024),
        packageKB: Math.round(packageBytes(metafile) / 1024),
        coldImportMs: Number(ms.toFixed(1)),
        overFloorMs: Number((ms - floorMs).toFixed(1)),
      };
    };
    const source = (name: string, text: string) => {
      const entry = join(sources, `${slug(name)}.ts`);
      writeFileSync(entry, text);
      return entry;
    };
    const floor = measure('empty', source('empty', EMPTY_HANDLER), 0);
    return {
      floor: { bundleKB: floor.coldStartKB, coldImportMs: floor.coldImportMs },
      sdkReferences: Object.entries(SDK_REFERENCES).map(([name, text]) =>
        measure(name, source(name, text), floor.coldImportMs),
      ),
      handlers: [...HANDLERS, ...EVENT_HANDLERS].map((name) =>
        measure(name, join(ROOT, 'lambda/handlers', `${name}.ts`), floor.coldImportMs),
      ),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(sources, { recursive: true, force: true });
  }
}
