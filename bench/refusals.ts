import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertWorkflow } from '../lambda/domain/workflow/convert-workflow';
import type { UiWorkflow } from '../lambda/domain/workflow/ui-workflow';
import type { ComfyFacadeDeps } from '../lambda/use-cases/comfyui-facade';
import { uploadMask } from '../lambda/use-cases/comfyui-mask';
import { fakeCreateDeps } from '../test/fakes/use-case-deps';
import { corpusCatalog } from '../test/fixtures/corpus-pairs';
import { pngBomb } from '../test/fixtures/png-bombs';
import { subgraphBomb } from '../test/fixtures/workflow-bombs';
import { quantile } from './stats';

const CORPUS = join(import.meta.dirname, '../../shared/corpus');

async function medianMs(runs: number, work: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const started = process.hrtime.bigint();
    await work();
    if (i >= 5) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return Number(quantile(samples, 0.5).toFixed(3));
}

const refused = (work: () => unknown) => async () => {
  try {
    await work();
  } catch {
    return;
  }
  throw new Error('not refused');
};

/**
 * Issue 25's bombs refused (median ms), beside the work real requests of the same kind take: the
 * subgraph bomb (800 instances of a 400-node subgraph, refused at MAX_PROMPT_NODES 5000) against
 * the largest subgraph workflow of the corpus, and the 10000×10000 PNG through the mask upload.
 */
export async function benchRefusals(runs = 200) {
  const catalog = corpusCatalog();
  const bomb = subgraphBomb(800, 400);
  const withSubgraphs = readdirSync(join(CORPUS, 'ui'))
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({
      name,
      workflow: JSON.parse(readFileSync(join(CORPUS, 'ui', name), 'utf8')) as UiWorkflow,
    }))
    .filter(({ workflow }) => (workflow.definitions?.subgraphs?.length ?? 0) > 0)
    .flatMap(({ name, workflow }) => {
      try {
        return [{ name, workflow, size: Object.keys(convertWorkflow(workflow, catalog, 5000)).length }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.size - a.size);
  const largest = withSubgraphs[0]!;

  const { deps, inputs, payloads } = fakeCreateDeps();
  const facade = { ...deps, presignTtlSeconds: 60, library: {}, webSocketUrl: undefined } as ComfyFacadeDeps;
  inputs.upload('bench', 'original.png');
  const png = pngBomb();
  payloads.files.set(inputs.uriOf('bench', 'original.png'), { bytes: png });
  const ref = { filename: 'original.png', subfolder: '', type: 'input' };
  const mask = { filename: 'mask.png', contentType: 'image/png', bytes: png };

  return [
    {
      name: `refuse the subgraph bomb (800 × 400-node subgraph, ${JSON.stringify(bomb).length} bytes)`,
      medianMs: await medianMs(
        runs,
        refused(() => convertWorkflow(bomb, catalog, 5000)),
      ),
    },
    {
      name: `convert the largest corpus subgraph workflow (ui/${largest.name}, ${largest.size} API nodes)`,
      medianMs: await medianMs(runs, () => convertWorkflow(largest.workflow, catalog, 5000)),
    },
    {
      name: `refuse a 10000×10000 PNG (${png.byteLength} bytes) in POST /comfyui/upload/mask (in-memory ports)`,
      medianMs: await medianMs(
        runs,
        refused(() => uploadMask(mask, ref, 'bench', facade)),
      ),
    },
  ];
}
