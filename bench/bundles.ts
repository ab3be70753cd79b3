import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
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

type ClientName =
  | 'dynamodb'
  | 's3'
  | 'sagemaker-runtime'
  | 'sagemaker'
  | 'logs'
  | 'apigateway-management'
  | 'sqs'
  | 'secrets';

/** The AWS clients each function builds (lambda/platform/composition-root.ts). */
const FUNCTION_CLIENTS: Record<string, ClientName[]> = {
  'create-execute': ['dynamodb', 's3', 'sagemaker-runtime'],
  // The browser-token key (GET /comfyui/token) is read from Secrets Manager.
  'comfyui-api': ['dynamodb', 's3', 'sagemaker-runtime', 'secrets'],
  'comfyui-token-view': ['dynamodb', 's3', 'secrets'],
  'get-execute': ['dynamodb', 's3'],
  'list-executes': ['dynamodb', 's3'],
  'delete-executes': ['dynamodb', 's3'],
  'on-async-result': ['dynamodb', 's3'],
  sweeper: ['dynamodb', 's3'],
  'cancel-execute': ['dynamodb'],
  'get-usage': ['dynamodb'],
  'get-execute-logs': ['dynamodb', 'logs'],
  'list-endpoints': ['sagemaker'],
  workflows: ['sagemaker'],
  'create-input': ['s3'],
  'list-inputs': ['s3'],
  'delete-input': ['s3'],
  'start-model-upload': ['s3', 'sqs', 'secrets'],
  'import-model': ['s3', 'sqs', 'secrets'],
  'complete-model-upload': ['s3'],
  'list-models': ['s3'],
  templates: ['s3'],
  'delete-model': ['s3'],
  'prepare-endpoint': ['s3'],
  'comfyui-socket': ['dynamodb', 'apigateway-management'],
  // S3: outputs too large for the record are read back, and their files signed, for `executed`.
  'comfyui-events': ['dynamodb', 's3', 'apigateway-management'],
  'comfyui-socket-authorizer': ['secrets'],
  'webhook-secret': ['secrets'],
  'dispatch-webhooks': ['sqs'],
  'deliver-webhooks': ['dynamodb', 's3', 'secrets', 'sqs'],
};

/** The client packages whose code a bundle loads: FUNCTION_CLIENTS must name the same (checked). */
const CLIENT_PACKAGES: Record<string, ClientName> = {
  'client-dynamodb': 'dynamodb',
  'client-s3': 's3',
  'client-sagemaker-runtime': 'sagemaker-runtime',
  'client-sagemaker': 'sagemaker',
  'client-cloudwatch-logs': 'logs',
  'client-apigatewaymanagementapi': 'apigateway-management',
  'client-sqs': 'sqs',
  'client-secrets-manager': 'secrets',
};

function clientsIn(metafile: Metafile): ClientName[] {
  const found = new Set<ClientName>();
  for (const output of Object.values(metafile.outputs))
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const client = CLIENT_PACKAGES[input.match(/node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//)?.[1] ?? ''];
      if (client && bytesInOutput > 0) found.add(client);
    }
  return [...found].sort();
}

/** One call through each client, so the bundle keeps what that call needs and nothing else. */
const CLIENT_CODE: Record<ClientName, { imports: string; call: string }> = {
  dynamodb: {
    imports: `import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';`,
    call: `DynamoDBDocumentClient.from(new DynamoDBClient({})).send(new GetCommand({ TableName: 't', Key: {} }))`,
  },
  s3: {
    imports: `import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';\nimport { getSignedUrl } from '@aws-sdk/s3-request-presigner';`,
    call: `getSignedUrl(new S3Client({}), new GetObjectCommand({ Bucket: 'b', Key: 'k' }))`,
  },
  'sagemaker-runtime': {
    imports: `import { InvokeEndpointAsyncCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';`,
    call: `new SageMakerRuntimeClient({}).send(new InvokeEndpointAsyncCommand({ EndpointName: 'e', InputLocation: 's3://b/k' }))`,
  },
  sagemaker: {
    imports: `import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';`,
    call: `new SageMakerClient({}).send(new DescribeEndpointCommand({ EndpointName: 'e' }))`,
  },
  sqs: {
    imports: `import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';`,
    call: `new SQSClient({}).send(new SendMessageCommand({ QueueUrl: 'https://q.example/1/q', MessageBody: 'b' }))`,
  },
  secrets: {
    imports: `import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';`,
    call: `new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: 's' }))`,
  },
  'apigateway-management': {
    imports: `import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';`,
    call: `new ApiGatewayManagementApiClient({ endpoint: 'https://a.example' }).send(new PostToConnectionCommand({ ConnectionId: 'c', Data: new Uint8Array() }))`,
  },
  logs: {
    imports: `import { CloudWatchLogsClient, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';`,
    call: `new CloudWatchLogsClient({}).send(new StartQueryCommand({ logGroupName: 'g', queryString: 'q', startTime: 0, endTime: 1 }))`,
  },
};

/** A function's SDK reference: its own clients, one call each, nothing of ours. */
function referenceSource(clients: ClientName[]): string {
  return `${clients.map((c) => CLIENT_CODE[c].imports).join('\n')}
export const handler = async () => Promise.all([${clients.map((c) => CLIENT_CODE[c].call).join(', ')}]);
`;
}

const referenceName = (clients: ClientName[]) => `ref: ${clients.join(' + ') || 'none'}`;

/** The floor: an empty handler, bundled and imported the same way. */
const EMPTY_HANDLER = 'export const handler = async () => ({ statusCode: 200, body: "" });\n';

const slug = (name: string) => name.replaceAll(/[^a-z0-9-]+/gi, '_');

/** A function's own share: what it adds to the SDK clients it needs (issue 15's targets). */
export interface OurShareRow {
  handler: string;
  reference: string;
  overReferenceKB: number;
  overReferenceMs: number;
}

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
      ...[...new Set(Object.values(FUNCTION_CLIENTS).map((clients) => clients.join(',')))].map((key) => {
        const clients = key.split(',') as ClientName[];
        return {
          group: 'reference',
          name: referenceName(clients),
          entry: source(referenceName(clients), referenceSource(clients)),
        };
      }),
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
    // A function measured against the wrong reference would report the SDK's cost as its own.
    for (const [i, { group, name }] of entries.entries()) {
      const declared = [...(FUNCTION_CLIENTS[name] ?? [])].sort();
      const found = clientsIn(built[i]!.metafile);
      if (group === 'handler' && found.join() !== declared.join())
        throw new Error(
          `${name} loads the clients ${found.join(', ') || 'none'}; FUNCTION_CLIENTS says ${declared.join(', ') || 'none'}`,
        );
    }
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
    const references = inGroup('reference');
    // Functions with no AWS client: their reference is the empty handler.
    const ourShare: OurShareRow[] = inGroup('handler').map((row) => {
      const clients = FUNCTION_CLIENTS[row.handler] ?? [];
      const reference =
        clients.length === 0 ? floor! : references.find((r) => r.handler === referenceName(clients))!;
      return {
        handler: row.handler,
        reference: clients.length === 0 ? 'empty handler' : reference.handler,
        overReferenceKB: row.coldStartKB - reference.coldStartKB,
        overReferenceMs: Number((row.coldImportMs - reference.coldImportMs).toFixed(1)),
      };
    });
    return {
      floor: { bundleKB: floor!.coldStartKB, coldImportMs: floor!.coldImportMs },
      sdkReferences: inGroup('sdk'),
      handlers: inGroup('handler'),
      references,
      ourShare,
      targets: { overReferenceKB: 250, overReferenceMs: 30 },
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(sources, { recursive: true, force: true });
  }
}
