import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_HANDLERS, HANDLERS } from '../lambda/http/route-table';
import { bundleLambda, coldStartBytes, packageBytes } from '../lib/bundling/lambda-bundle';
import { quantile } from './stats';

const ROOT = join(import.meta.dirname, '..');

/** Wall time of one fresh Node process that imports the bundle (and does nothing else). */
function importOnceMs(file: string): number {
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
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Median cold import of each file over `runs` rounds, every round importing every file once:
 * whatever else the machine does during the minute this takes falls on all bundles alike.
 */
function coldImportMs(files: string[], runs: number): number[] {
  const samples = files.map((): number[] => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, file] of files.entries()) samples[i]!.push(importOnceMs(file));
  }
  return samples.map((s) => quantile(s, 0.5));
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
    const source = (name: string, text: string) => {
      const entry = join(sources, `${slug(name)}.ts`);
      writeFileSync(entry, text);
      return entry;
    };
    const entries = [
      { group: 'floor', name: 'empty', entry: source('empty', EMPTY_HANDLER) },
      ...Object.entries(SDK_REFERENCES).map(([name, text]) => ({
        group: 'sdk',
        name,
        entry: source(name, text),
      })),
      ...[...HANDLERS, ...EVENT_HANDLERS].map((name) => ({
        group: 'handler',
        name,
        entry: join(ROOT, 'lambda/handlers', `${name}.ts`),
      })),
    ];
    const built = entries.map(({ name, entry }) => {
      const outdir = join(out, slug(name));
      return { outdir, metafile: bundleLambda(entry, outdir, { sourcemap: false }) };
    });
    const times = coldImportMs(
      built.map((b) => join(b.outdir, 'index.mjs')),
      runs,
    );
    const floorMs = times[entries.findIndex((e) => e.group === 'floor')]!;
    const rows = entries.map(({ group, name }, i) => ({
      group,
      row: {
        handler: name,
        coldStartKB: Math.round(coldStartBytes(built[i]!.metafile) / 1024),
        packageKB: Math.round(packageBytes(built[i]!.metafile) / 1024),
        coldImportMs: Number(times[i]!.toFixed(1)),
        overFloorMs: Number((times[i]! - floorMs).toFixed(1)),
      } satisfies BundleRow,
    }));
    const inGroup = (group: string) => rows.filter((r) => r.group === group).map((r) => r.row);
    const [floor] = inGroup('floor');
    return {
      floor: { bundleKB: floor!.coldStartKB, coldImportMs: floor!.coldImportMs },
      sdkReferences: inGroup('sdk'),
      handlers: inGroup('handler'),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(sources, { recursive: true, force: true });
  }
}
