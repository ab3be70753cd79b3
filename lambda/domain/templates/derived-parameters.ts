import { uploadKind } from '../inputs/file-inputs';
import { modelFolderOf } from '../models/model-inputs';
import type { PromptGraph } from '../prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog } from '../workflow/node-catalog';
import { MAX_PARAMETERS, MAX_PLACES_PER_PARAMETER, type ParameterDeclarations } from './template';

/**
 * The inputs people change between runs, as the console's Run page offers them: seeds, sizes,
 * steps, cfg, denoise, the text prompts and the files a loader opens; and a loader's model the
 * endpoint does not list. Everything else stays as the workflow's author left it.
 */
const NUMBERS: Record<string, string> = {
  seed: 'seed',
  noise_seed: 'seed',
  steps: 'steps',
  cfg: 'cfg',
  denoise: 'denoise',
  width: 'width',
  height: 'height',
  batch_size: 'batch_size',
  length: 'length',
};
const TEXTS = new Set(['text', 'prompt', 'positive', 'negative']);

/**
 * What each node's output conditions, read once for the whole graph (a text per encoder would
 * otherwise scan every node): `prompt` for a sampler's positive, `negative_prompt` for its negative.
 */
function conditioningRoles(graph: PromptGraph): Map<string, string> {
  const roles = new Map<string, string>();
  for (const node of Object.values(graph))
    for (const [name, value] of Object.entries(node.inputs)) {
      if (!Array.isArray(value) || (name !== 'positive' && name !== 'negative')) continue;
      const source = String(value[0]);
      if (!roles.has(source)) roles.set(source, name === 'positive' ? 'prompt' : 'negative_prompt');
    }
  return roles;
}

/** A text input's parameter name: by its own name, else by what its node's output conditions. */
function textRole(roles: ReadonlyMap<string, string>, nodeId: string, input: string): string {
  if (input === 'positive') return 'prompt';
  if (input === 'negative') return 'negative_prompt';
  return roles.get(nodeId) ?? 'prompt';
}

interface Candidate {
  name: string;
  node: string;
  places: string[];
  description: string;
  /** The text saved at a text place: the same prompt at two encoders (base and refiner) is one parameter. */
  text?: string;
  /** Texts first, then files, then numbers: a form's order, stable within each. */
  rank: number;
}

function candidateOf(
  graph: PromptGraph,
  catalog: NodeCatalog,
  roles: ReadonlyMap<string, string>,
  nodeId: string,
  input: string,
) {
  const node = graph[nodeId]!;
  const value = node.inputs[input];
  if (Array.isArray(value) || value === undefined) return undefined;
  const spec = inputSpecOf(catalog, node.class_type, input);
  if (!Array.isArray(spec)) return undefined;
  const kind = uploadKind(spec);
  const type = spec[0];
  // A model the endpoint does not list (the exporter's checkpoint): offered, so a run can name one it has.
  const missingModel =
    !kind && modelFolderOf(node.class_type, input) !== undefined && !comboOptions(spec)?.includes(value);
  const name = kind
    ? kind
    : missingModel
      ? input
      : Object.hasOwn(NUMBERS, input) && (type === 'INT' || type === 'FLOAT')
        ? NUMBERS[input]
        : TEXTS.has(input) && type === 'STRING'
          ? textRole(roles, nodeId, input)
          : undefined;
  if (!name) return undefined;
  const title = node._meta?.title ?? node.class_type;
  const rank = kind || missingModel ? 1 : type === 'STRING' ? 0 : 2;
  return {
    name,
    node: nodeId,
    places: [`${nodeId}.${input}`],
    description: `${title} (node ${nodeId}): ${input}`,
    rank,
    ...(rank === 0 && typeof value === 'string' ? { text: value } : {}),
  };
}

/** Text candidates of one role saved with the same text join: one prompt for an SDXL base and refiner. */
function joinedTexts(candidates: Candidate[]): Candidate[] {
  const joined: Candidate[] = [];
  for (const candidate of candidates) {
    const same =
      candidate.text !== undefined &&
      joined.find((earlier) => earlier.name === candidate.name && earlier.text === candidate.text);
    if (same) same.places.push(...candidate.places);
    else joined.push({ ...candidate, places: [...candidate.places] });
  }
  return joined;
}

/**
 * The parameters of a template that declares none. A name found once is the parameter's name
 * (`seed`, `prompt`, `image`); one found at several nodes becomes one parameter per node,
 * `steps_4` and `steps_12`, so two samplers are never silently tied together. Only a text
 * saved identically at several encoders of one role is one parameter with several places.
 */
export function derivedParameters(graph: PromptGraph, catalog: NodeCatalog): ParameterDeclarations {
  const found: Candidate[] = [];
  const roles = conditioningRoles(graph);
  for (const nodeId of Object.keys(graph))
    for (const input of Object.keys(graph[nodeId]!.inputs)) {
      const candidate = candidateOf(graph, catalog, roles, nodeId, input);
      if (candidate) found.push(candidate);
    }
  const candidates = joinedTexts(found.sort((a, b) => a.rank - b.rank));
  const count = new Map<string, number>();
  for (const { name } of candidates) count.set(name, (count.get(name) ?? 0) + 1);
  const declarations: ParameterDeclarations = {};
  for (const candidate of candidates) {
    const { node } = candidate;
    const name =
      count.get(candidate.name) === 1
        ? candidate.name
        : `${candidate.name}_${node.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (Object.hasOwn(declarations, name)) continue;
    if (Object.keys(declarations).length === MAX_PARAMETERS) break;
    declarations[name] = {
      places: candidate.places.slice(0, MAX_PLACES_PER_PARAMETER),
      description: candidate.description,
    };
  }
  return declarations;
}
