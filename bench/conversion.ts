import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExactJson } from '../client/src/exact-json';
import { checkPromptStructure } from '../lambda/domain/prompt-graph';
import { convertWorkflow } from '../lambda/domain/workflow/convert-workflow';
import type { NodeCatalog } from '../lambda/domain/workflow/node-catalog';
import type { UiWorkflow } from '../lambda/domain/workflow/ui-workflow';
import { validateAgainstCatalog } from '../lambda/domain/workflow/validate-prompt';
import { quantile } from './stats';

const CORPUS = join(import.meta.dirname, '../../shared/corpus');

function catalog(): NodeCatalog {
  const read = (name: string) =>
    JSON.parse(readFileSync(join(CORPUS, 'object_info', name), 'utf8')) as NodeCatalog;
  return {
    ...read('MeshAiProtocol__Redlip-app__object_info.json'),
    ...read('Hype3808__yuzuki-phone__object_info.json'),
  };
}

/** The corpus UI workflow with the most API nodes among those the corpus catalogs can convert. */
function largestConvertible(nodeCatalog: NodeCatalog): { name: string; workflow: UiWorkflow; size: number } {
  const candidates: { name: string; workflow: UiWorkflow }[] = [];
  for (const pair of readdirSync(join(CORPUS, 'pairs')).filter((n) => /^\d+$/.test(n))) {
    candidates.push({
      name: `pairs/${pair}`,
      workflow: JSON.parse(readFileSync(join(CORPUS, 'pairs', pair, 'workflow.json'), 'utf8')),
    });
  }
  for (const file of readdirSync(join(CORPUS, 'ui')).filter((n) => n.endsWith('.json'))) {
    candidates.push({
      name: `ui/${file}`,
      workflow: JSON.parse(readFileSync(join(CORPUS, 'ui', file), 'utf8')),
    });
  }
  // Size is what runs: subgraph workflows count the nodes they expand to.
  const convertible = candidates.flatMap(({ name, workflow }) => {
    try {
      return [{ name, workflow, size: Object.keys(convertWorkflow(workflow, nodeCatalog)).length }];
    } catch {
      return [];
    }
  });
  return convertible.sort((a, b) => b.size - a.size)[0]!;
}

/** A chain of `size` nodes: loader → (LoRA, CLIP text) pairs → sampler → decode → save, all linked. */
function syntheticWorkflow(size: number): UiWorkflow {
  const nodes: UiWorkflow['nodes'] = [];
  const links: UiWorkflow['links'] = [];
  let link = 0;
  const connect = (from: number, slot: number, to: number, toSlot: number, type: string) => {
    links.push([++link, from, slot, to, toSlot, type]);
    return link;
  };
  nodes.push({
    id: 1,
    type: 'CheckpointLoaderSimple',
    mode: 0,
    widgets_values: ['v1-5-pruned-emaonly.safetensors'],
  });
  let model = 1;
  for (let id = 2; id < size - 4; id++) {
    nodes.push({
      id,
      type: 'LoraLoaderModelOnly',
      mode: 0,
      inputs: [{ name: 'model', type: 'MODEL', link: connect(model, 0, id, 0, 'MODEL') }],
      widgets_values: ['example_lora.safetensors', 0.5],
    });
    model = id;
  }
  const base = size - 4;
  nodes.push({
    id: base,
    type: 'CLIPTextEncode',
    mode: 0,
    inputs: [{ name: 'clip', type: 'CLIP', link: connect(1, 1, base, 0, 'CLIP') }],
    widgets_values: ['a galaxy in a bottle'],
  });
  nodes.push({ id: base + 1, type: 'EmptyLatentImage', mode: 0, widgets_values: [512, 512, 1] });
  nodes.push({
    id: base + 2,
    type: 'KSampler',
    mode: 0,
    inputs: [
      { name: 'model', type: 'MODEL', link: connect(model, 0, base + 2, 0, 'MODEL') },
      { name: 'positive', type: 'CONDITIONING', link: connect(base, 0, base + 2, 1, 'CONDITIONING') },
      { name: 'negative', type: 'CONDITIONING', link: connect(base, 0, base + 2, 2, 'CONDITIONING') },
      { name: 'latent_image', type: 'LATENT', link: connect(base + 1, 0, base + 2, 3, 'LATENT') },
    ],
    widgets_values: [1, 'fixed', 20, 8, 'euler', 'normal', 1],
  });
  nodes.push({
    id: base + 3,
    type: 'SaveImage',
    mode: 0,
    inputs: [{ name: 'images', type: 'IMAGE', link: connect(base + 2, 0, base + 3, 0, 'IMAGE') }],
    widgets_values: ['bench'],
  });
  return { nodes, links, last_node_id: size, version: 0.4 };
}

/** Conversion + structural check + catalog validation, as CreateExecute runs them; median of many runs. */
function time(workflow: UiWorkflow, nodeCatalog: NodeCatalog, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const started = process.hrtime.bigint();
    const prompt = convertWorkflow(workflow, nodeCatalog);
    checkPromptStructure(prompt);
    validateAgainstCatalog(prompt, nodeCatalog);
    if (i >= 20) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return quantile(samples, 0.5);
}

/** Median ms of parsing `text` with `parse`. */
function timeParse(text: string, parse: (text: string) => unknown, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const started = process.hrtime.bigint();
    parse(text);
    if (i >= 20) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return quantile(samples, 0.5);
}

export function benchConversion() {
  const nodeCatalog = catalog();
  const largest = largestConvertible(nodeCatalog);
  const synthetic = syntheticWorkflow(2000);
  return [
    {
      name: `convert + validate, largest corpus workflow (${largest.name}, ${largest.size} API nodes)`,
      medianMs: time(largest.workflow, nodeCatalog, 500),
      targetMs: 5,
    },
    { name: 'convert + validate, synthetic 2,000-node workflow', medianMs: time(synthetic, nodeCatalog, 50) },
    ...exactParsing(synthetic),
  ];
}

/**
 * What a 64-bit seed costs the body parser: the synthetic workflow's text with JSON.parse, with
 * parseExactJson (the API's parser: JSON.parse itself when no 16 digits stand in a row), and with
 * one KSampler seed of 2^64-1 (the rewriting pass, then a revived parse).
 */
function exactParsing(workflow: UiWorkflow) {
  const text = JSON.stringify({ prompt: workflow });
  const withSeed = text.replace(/"widgets_values":\[(\d+),/, '"widgets_values":[18446744073709551615,');
  const kb = Math.round(text.length / 1024);
  return [
    { name: `parse ${kb} KB of workflow JSON, JSON.parse`, medianMs: timeParse(text, JSON.parse, 100) },
    {
      name: `parse ${kb} KB, parseExactJson, no 64-bit integer`,
      medianMs: timeParse(text, parseExactJson, 100),
    },
    {
      name: `parse ${kb} KB, parseExactJson, one 64-bit seed`,
      medianMs: timeParse(withSeed, parseExactJson, 100),
    },
  ];
}
