import type { EnvironmentFile, GitPackEntry, RegistryPackEntry } from '../../src/environment-file';

/**
 * `comfy-exec env from-workflow`: the environment a UI workflow needs, read from what ComfyUI's
 * frontend records on each node: `properties.cnr_id` + `ver` (a registry pack at a version, or at
 * a git commit for a nightly install; `comfy-core` is ComfyUI itself), `properties.aux_id` +
 * `ver` (a GitHub `owner/repo` at a commit, for packs not in the registry), and
 * `properties.models` (`{name, url, directory}`, which Comfy's templates carry).
 */

/** Frontend-only nodes: converted away before a prompt is sent, so they need no pack. */
const FRONTEND_ONLY = new Set(['Note', 'MarkdownNote', 'Reroute', 'PrimitiveNode', 'SetNode', 'GetNode']);
/** Node modes that do not run: 2 muted ("never"), 4 bypassed. */
const NOT_RUN = new Set([2, 4]);
const COMMIT = /^[0-9a-f]{40}$/;
const SEMVER = /^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/;
const GITHUB_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const SUBGRAPH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UiNode {
  type?: unknown;
  mode?: unknown;
  properties?: { cnr_id?: unknown; aux_id?: unknown; ver?: unknown; models?: unknown };
}

export interface Unplaced {
  type: string;
  reason: string;
}

export interface PlacedPack {
  entry: GitPackEntry | RegistryPackEntry;
  /** The node types that asked for it. */
  types: string[];
  /** Other pins the workflow's nodes were saved with (a pack updated between saves). */
  otherPins: string[];
}

export interface WorkflowEnvironment {
  environment: {
    $schema: string;
    custom_nodes: EnvironmentFile['custom_nodes'];
    /** Without sha256: the workflow does not record it, and the file is not pinned until it is added. */
    models: Omit<EnvironmentFile['models'][number], 'sha256'>[];
  };
  packs: PlacedPack[];
  unplaced: Unplaced[];
  /** The ComfyUI versions (`comfy-core`'s ver) the nodes were saved with, highest first. */
  comfyuiVersions: string[];
  /** Nodes left out because they do not run as saved (muted or bypassed). */
  notRun: number;
}

/**
 * Looks up a registry pack's repository (for a nightly `ver`): undefined when the registry does
 * not know it, null when the registry was not asked or could not be reached.
 */
export type RepositoryLookup = (registryId: string) => Promise<string | undefined | null>;

/** Thrown for a file that is not a UI workflow: an API prompt carries no node properties. */
export class NotAUiWorkflowError extends Error {
  override name = 'NotAUiWorkflowError';
}

export function uiNodesOf(json: unknown): UiNode[] {
  const workflow = json as { nodes?: unknown; definitions?: { subgraphs?: { nodes?: unknown }[] } };
  if (!json || typeof json !== 'object' || !Array.isArray(workflow.nodes)) {
    const looksLikeApi =
      json &&
      typeof json === 'object' &&
      Object.values(json).some((node) => node && typeof node === 'object' && 'class_type' in node);
    throw new NotAUiWorkflowError(
      looksLikeApi
        ? 'this is an API-format prompt: it has no node properties to read packs from. Export the workflow from ComfyUI (Workflow → Export, not Export (API)) and use that file'
        : 'not a ComfyUI workflow: no "nodes" list',
    );
  }
  const subgraphs = Array.isArray(workflow.definitions?.subgraphs) ? workflow.definitions.subgraphs : [];
  return [
    ...(workflow.nodes as UiNode[]),
    ...subgraphs.flatMap((graph) => (Array.isArray(graph.nodes) ? (graph.nodes as UiNode[]) : [])),
  ];
}

interface Candidate {
  kind: 'registry' | 'git';
  /** Registry id, or the git URL. */
  key: string;
  pins: Map<string, number>;
  types: Set<string>;
}

/** Reads a workflow's packs and models into a pinned environment, listing what it could not place. */
export async function environmentFromWorkflow(
  json: unknown,
  lookupRepository: RepositoryLookup,
): Promise<WorkflowEnvironment> {
  const nodes = uiNodesOf(json);
  const candidates = new Map<string, Candidate>();
  const unplaced = new Map<string, Unplaced>();
  const comfyuiVersions = new Set<string>();
  const models = new Map<string, WorkflowEnvironment['environment']['models'][number]>();
  const nightly = new Map<string, { pins: Map<string, number>; types: Set<string> }>();
  let notRun = 0;
  const note = (kind: Candidate['kind'], key: string, pin: string, types: Iterable<string>, count = 1) => {
    const id = `${kind} ${key}`;
    const candidate = candidates.get(id) ?? { kind, key, pins: new Map(), types: new Set() };
    candidate.pins.set(pin, (candidate.pins.get(pin) ?? 0) + count);
    for (const type of types) candidate.types.add(type);
    candidates.set(id, candidate);
  };
  for (const node of nodes) {
    const type = typeof node.type === 'string' ? node.type : '(no type)';
    const properties = node.properties && typeof node.properties === 'object' ? node.properties : {};
    for (const model of Array.isArray(properties.models) ? properties.models : []) {
      const { name, url, directory } = (model ?? {}) as Record<string, unknown>;
      if (typeof name === 'string' && typeof url === 'string' && typeof directory === 'string')
        models.set(`${directory}/${name}`, { folder: directory, name, source: url });
    }
    if (FRONTEND_ONLY.has(type) && !properties.cnr_id && !properties.aux_id) continue;
    // A subgraph's instance (its type is the subgraph's id): its own nodes are read above.
    if (SUBGRAPH_ID.test(type)) continue;
    if (NOT_RUN.has(node.mode as number)) {
      notRun += 1;
      continue;
    }
    const cnr = typeof properties.cnr_id === 'string' ? properties.cnr_id : undefined;
    const aux = typeof properties.aux_id === 'string' ? properties.aux_id : undefined;
    const ver = typeof properties.ver === 'string' ? properties.ver : undefined;
    if (cnr === 'comfy-core') {
      if (ver) comfyuiVersions.add(ver);
    } else if (cnr && ver && SEMVER.test(ver)) note('registry', cnr, ver, [type]);
    else if (cnr && ver && COMMIT.test(ver)) {
      const entry = nightly.get(cnr) ?? { pins: new Map(), types: new Set() };
      entry.pins.set(ver, (entry.pins.get(ver) ?? 0) + 1);
      entry.types.add(type);
      nightly.set(cnr, entry);
    } else if (aux && ver && COMMIT.test(ver) && GITHUB_REPO.test(aux))
      note('git', `https://github.com/${aux}`, ver, [type]);
    else if (cnr || aux)
      unplaced.set(type, {
        type,
        reason: `${cnr ? `registry pack ${cnr}` : `repository ${aux}`} saved with no version or commit (ver ${ver ?? 'missing'})`,
      });
    else
      unplaced.set(type, {
        type,
        reason: 'no cnr_id or aux_id: saved by an older ComfyUI, or a core node (those need no pack)',
      });
  }
  for (const [id, { pins, types }] of nightly) {
    // A registry pack at a git commit: the same pack, fetched from its repository.
    const registryVersion = candidates.get(`registry ${id}`);
    if (registryVersion) {
      for (const type of types) registryVersion.types.add(type);
      for (const pin of pins.keys()) registryVersion.pins.set(pin, 0);
      continue;
    }
    const repository = await lookupRepository(id);
    if (!repository) {
      const why =
        repository === null
          ? 'the registry was not asked (--offline) or could not be reached, so its repository is unknown'
          : 'the registry names no repository for it';
      for (const type of types)
        unplaced.set(type, {
          type,
          reason: `registry pack ${id} at git commit ${[...pins.keys()][0]!.slice(0, 12)}: ${why}`,
        });
      continue;
    }
    const url = repository.replace(/\/+$/, '').replace(/\.git$/, '');
    for (const [pin, count] of pins) note('git', url, pin, types, count);
  }
  const packs = [...candidates.values()].map((candidate): PlacedPack => {
    // The pin most nodes were saved with; between equals, the highest version, or for commits
    // (which cannot be ordered without the repository) the first in the file.
    const ranked = [...candidate.pins.entries()].sort(
      ([a, countA], [b, countB]) =>
        countB - countA || (SEMVER.test(a) && SEMVER.test(b) ? compareVersions(b, a) : 0),
    );
    const pin = ranked[0]![0];
    return {
      entry:
        candidate.kind === 'registry'
          ? { registry: candidate.key, version: pin }
          : { git: candidate.key, commit: pin },
      types: [...candidate.types].sort(),
      otherPins: ranked.slice(1).map(([other]) => other),
    };
  });
  return {
    environment: {
      $schema: './environment.schema.json',
      custom_nodes: packs.map((pack) => pack.entry),
      models: [...models.values()],
    },
    packs,
    unplaced: [...unplaced.values()],
    comfyuiVersions: [...comfyuiVersions].sort(compareVersions).reverse(),
    notRun,
  };
}

function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split(/[.+-]/).map((part) => Number.parseInt(part, 10) || 0);
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
