import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { GetObjectUrlSigner } from '../lambda/adapters/s3-url-signer';
import { coreCatalog } from '../lambda/catalog/core-catalog';
import { convertWorkflow } from '../lambda/domain/workflow/convert-workflow';
import type { NodeCatalog } from '../lambda/domain/workflow/node-catalog';
import type { UiWorkflow } from '../lambda/domain/workflow/ui-workflow';
import { validateAgainstCatalog } from '../lambda/domain/workflow/validate-prompt';
import { createExecute } from '../lambda/use-cases/create-execute';
import { getExecute } from '../lambda/use-cases/get-execute';
import { fakeCreateDeps } from '../test/fakes/use-case-deps';
import { createInput, txt2imgPrompt } from '../test/fixtures/prompts';
import { quantile } from './stats';

const CORPUS = join(import.meta.dirname, '../../shared/corpus');

function stats(samples: number[]) {
  return {
    medianUs: Number(quantile(samples, 0.5).toFixed(1)),
    p99Us: Number(quantile(samples, 0.99).toFixed(1)),
  };
}

/**
 * The dump's machine had none of this workflow's models (empty combo lists): add the values it
 * names, so that the benchmark measures a create that succeeds rather than one that is refused.
 */
/** Every node class of `catalog` that a custom node pack provides. */
function customNodesOf(catalog: NodeCatalog): string[] {
  return Object.entries(catalog)
    .filter(([, spec]) =>
      String((spec as { python_module?: unknown }).python_module ?? '').startsWith('custom_nodes'),
    )
    .map(([name]) => name);
}

function installModelsOf(workflow: unknown, catalog: NodeCatalog) {
  const prompt = convertWorkflow(workflow as UiWorkflow, catalog);
  for (let round = 0; round < 10; round++) {
    const { failure } = validateAgainstCatalog(prompt, catalog);
    const missing = Object.entries(failure?.node_errors ?? {}).flatMap(([id, entry]) =>
      entry.errors
        .filter((e) => e.type === 'value_not_in_list')
        .map((e) => ({ id, name: String(e.extra_info.input_name) })),
    );
    if (missing.length === 0) return;
    for (const { id, name } of missing) {
      const spec = catalog[prompt[id]!.class_type]!;
      const input = (spec.input?.required?.[name] ?? spec.input?.optional?.[name]) as unknown[];
      if (Array.isArray(input[0])) input[0] = [...input[0], prompt[id]!.inputs[name]];
    }
  }
}

/** CreateExecute's and GetExecute's own work, with in-memory ports (no I/O): microseconds per call. */
export async function benchUseCases(runs = 2000) {
  const corpusCatalog = {
    ...JSON.parse(
      readFileSync(join(CORPUS, 'object_info/MeshAiProtocol__Redlip-app__object_info.json'), 'utf8'),
    ),
    ...JSON.parse(readFileSync(join(CORPUS, 'object_info/Hype3808__yuzuki-phone__object_info.json'), 'utf8')),
  } as NodeCatalog;
  const largest = JSON.parse(readFileSync(join(CORPUS, 'pairs/089/workflow.json'), 'utf8'));
  installModelsOf(largest, corpusCatalog);
  const cases = [
    {
      name: 'CreateExecute, small API prompt (7 nodes)',
      prompt: () => txt2imgPrompt(),
      catalog: coreCatalog(),
    },
    {
      name: `CreateExecute, largest convertible corpus UI workflow (pairs/089, ${largest.nodes.length} nodes)`,
      prompt: () => largest,
      catalog: corpusCatalog,
    },
  ];
  const results = [];
  for (const c of cases) {
    const fakes = fakeCreateDeps();
    fakes.deps.catalogs = { forEndpoint: async () => c.catalog };
    // The corpus workflow's custom nodes, allowed on the endpoint as an operator would (issue 25
    // refuses them by default: the case measured a refusal, then stopped the bench).
    fakes.deps.config = {
      ...fakes.deps.config,
      allowedNodes: { [fakes.deps.config.defaultEndpointName]: customNodesOf(c.catalog) },
    };
    const samples: number[] = [];
    let last = '';
    for (let i = 0; i < runs + 100; i++) {
      const started = process.hrtime.bigint();
      const { record } = await createExecute(createInput({ prompt: c.prompt() }), 'owner', fakes.deps);
      if (i >= 100) samples.push(Number(process.hrtime.bigint() - started) / 1e3);
      last = record.prompt_id;
    }
    results.push({ name: c.name, ...stats(samples) });
    const getSamples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      await getExecute(last, 'owner', {
        store: fakes.store,
        payloads: fakes.payloads,
        config: { presignTtlSeconds: 3600 },
      });
      getSamples.push(Number(process.hrtime.bigint() - started) / 1e3);
    }
    if (c === cases[0]) results.push({ name: 'GetExecute (record with no files)', ...stats(getSamples) });
  }
  return [...results, ...(await benchPresign(runs))];
}

/** One presigned GET URL (no I/O either way): the SDK's getSignedUrl and the per-bucket template. */
async function benchPresign(runs: number) {
  const s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const signer = new GetObjectUrlSigner(s3);
  const ways = {
    'Presign one output URL, getSignedUrl (the SDK command stack)': (key: string) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: 'comfy-exec-payloads', Key: key }), {
        expiresIn: 3600,
      }),
    'Presign one output URL, GetObjectUrlSigner (per-bucket template)': (key: string) =>
      signer.sign('comfy-exec-payloads', key, 3600),
  };
  const rows = [];
  for (const [name, sign] of Object.entries(ways)) {
    const samples: number[] = [];
    for (let i = 0; i < runs + 100; i++) {
      const started = process.hrtime.bigint();
      await sign(`executes/${i}/outputs/9/ComfyUI_00001_.png`);
      if (i >= 100) samples.push(Number(process.hrtime.bigint() - started) / 1e3);
    }
    rows.push({ name, ...stats(samples) });
  }
  return rows;
}
