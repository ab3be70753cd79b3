import type { TokenKeySource } from '../domain/browser-token';
import {
  type ComfyHistoryEntry,
  historyEntry,
  queueItem,
  queueNumber,
} from '../domain/comfyui/history-entry';
import { ExecuteNotFoundError } from '../domain/errors';
import type { ExecuteRecord } from '../domain/execute-record';
import type { ExecuteStatus } from '../domain/execute-status';
import type { ExecuteSummary, ModelLibrary } from '../domain/ports';
import type { PromptGraph } from '../domain/prompt-graph';
import { isPromptId } from '../domain/prompt-id';
import { nodeSpec } from '../domain/workflow/node-catalog';
import { cancelExecute } from './cancel-execute';
import { type CreateExecuteDeps, type CreateExecuteInput, createExecute } from './create-execute';
import { deleteExecutes } from './delete-executes';
import { recordedOutputs } from './execute-view';
import { findOwnedExecute, promptParamsOf } from './get-execute';

/**
 * ComfyUI's server routes (POST /prompt, /history, /queue, /interrupt, /view, /object_info) for
 * ComfyUI clients, answered from the executes: one record per prompt, visible through both APIs.
 */
export interface ComfyFacadeDeps extends CreateExecuteDeps {
  presignTtlSeconds: number;
  /** The model library, for /models and /embeddings. */
  library: ModelLibrary;
  /** ComfyUI's websocket (`wss://…/prod` on AWS, its own host), for clients that ask here. */
  webSocketUrl: string | undefined;
  /** The key GET /comfyui/token seals browser tokens with. */
  tokenKey: TokenKeySource;
}

/** How many of the caller's executes a listing route reads at most (ComfyUI keeps 10,000 in memory). */
const MAX_LISTED = 200;

/** Listing the caller's executes needs only the store's listing. */
type ListingDeps = { store: Pick<ComfyFacadeDeps['store'], 'listByOwner'> };

export async function ownedRecords(
  owner: string,
  deps: ListingDeps,
  status?: ExecuteStatus,
  max = MAX_LISTED,
) {
  const found: ExecuteSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listByOwner({
      owner,
      ...(status ? { status } : {}),
      limit: Math.min(100, max - found.length),
      ...(cursor ? { cursor } : {}),
    });
    found.push(...page.records);
    cursor = page.cursor ?? undefined;
  } while (cursor && found.length < max);
  return found;
}

/**
 * The record with its prompt and extra_data as sent (read back from the staged request where the
 * record could not hold them: too big, or a 64-bit integer), and the prompt.
 */
async function asSent(record: ExecuteRecord, deps: ComfyFacadeDeps) {
  const params = await promptParamsOf(record, deps.payloads);
  return { record: { ...record, prompt_params: params }, prompt: (params.prompt ?? {}) as PromptGraph };
}

/** The prompt's output nodes (what ComfyUI lists as `outputs_to_execute`). */
async function outputNodes(record: ExecuteRecord, prompt: PromptGraph, deps: ComfyFacadeDeps) {
  const catalog = await deps.catalogs.forEndpoint(record.endpoint_name);
  return Object.keys(prompt).filter((id) => nodeSpec(catalog, prompt[id]!.class_type)?.output_node === true);
}

/** POST /prompt: queue a prompt (API format, or a UI workflow as ESD clients post it). */
export async function queuePrompt(input: CreateExecuteInput, owner: string, deps: ComfyFacadeDeps) {
  const { record, node_errors } = await createExecute(input, owner, deps);
  return { prompt_id: record.prompt_id, number: queueNumber(record), node_errors: node_errors ?? {} };
}

/** GET /prompt: the caller's executes not yet finished. */
export async function queueRemaining(owner: string, deps: ListingDeps) {
  const [created, running] = await Promise.all([
    ownedRecords(owner, deps, 'created'),
    ownedRecords(owner, deps, 'running'),
  ]);
  return { exec_info: { queue_remaining: created.length + running.length } };
}

async function fullRecords(summaries: ExecuteSummary[], deps: ComfyFacadeDeps) {
  const records = await Promise.all(summaries.map((summary) => deps.store.get(summary.prompt_id)));
  return records.filter((record): record is ExecuteRecord => record !== undefined);
}

/** GET /queue: running and pending, as ComfyUI's queue tuples. */
export async function queueState(owner: string, deps: ComfyFacadeDeps) {
  const items = async (status: ExecuteStatus) =>
    Promise.all(
      (await fullRecords(await ownedRecords(owner, deps, status), deps)).map(async (stored) => {
        const { record, prompt } = await asSent(stored, deps);
        return queueItem(record, prompt, await outputNodes(record, prompt, deps));
      }),
    );
  const [running, pending] = await Promise.all([items('running'), items('created')]);
  return { queue_running: running, queue_pending: pending.sort((a, b) => a[0] - b[0]) };
}

async function entryOf(stored: ExecuteRecord, deps: ComfyFacadeDeps): Promise<ComfyHistoryEntry> {
  const { record, prompt } = await asSent(stored, deps);
  const [outputs, nodes] = await Promise.all([
    // ComfyUI's items carry no URL (clients ask /view): the stored outputs, unsigned.
    recordedOutputs(record, deps.payloads),
    outputNodes(record, prompt, deps),
  ]);
  return historyEntry(record, prompt, outputs, nodes);
}

const FINAL: readonly ExecuteStatus[] = ['success', 'failed', 'cancelled'];

/** ComfyUI's history holds what ran: not prompts taken off the queue before they started. */
const inHistory = (record: Pick<ExecuteRecord, 'status' | 'start_time'>) =>
  FINAL.includes(record.status) && !(record.status === 'cancelled' && record.start_time === '');

/** GET /history[?max_items=]: the caller's finished executes, oldest first as ComfyUI lists them. */
export async function history(owner: string, maxItems: number | undefined, deps: ComfyFacadeDeps) {
  const finished = (await ownedRecords(owner, deps)).filter(inHistory).slice(0, maxItems ?? MAX_LISTED);
  const records = (await fullRecords(finished, deps)).reverse();
  const entries = await Promise.all(
    records.map(async (record) => [record.prompt_id, await entryOf(record, deps)]),
  );
  return Object.fromEntries(entries) as Record<string, ComfyHistoryEntry>;
}

/** GET /history/{prompt_id}: `{}` until it is finished, and for ids that are not the caller's (as ComfyUI). */
export async function historyOf(owner: string, promptId: string, deps: ComfyFacadeDeps) {
  const record = await findOwnedExecute(deps.store, promptId, owner).catch((error: unknown) => {
    if (error instanceof ExecuteNotFoundError) return undefined;
    throw error;
  });
  if (!record || !inHistory(record)) return {};
  return { [record.prompt_id]: await entryOf(record, deps) };
}

/**
 * POST /interrupt: with a prompt id, cancel it if it is the caller's and running; without one,
 * every running execute of the caller (ComfyUI interrupts whatever runs).
 */
export async function interrupt(owner: string, promptId: string | undefined, deps: ComfyFacadeDeps) {
  if (promptId !== undefined) {
    if (!isPromptId(promptId)) return;
    const record = await deps.store.get(promptId);
    if (record?.owner === owner && record.status === 'running') await cancelExecute(promptId, owner, deps);
    return;
  }
  const running = await ownedRecords(owner, deps, 'running');
  await Promise.all(running.map((summary) => cancelExecute(summary.prompt_id, owner, deps)));
}

/** What POST /history and POST /queue take: `{clear: true}` and/or `{delete: [prompt_id, ...]}`. */
export interface QueueEdit {
  clear?: boolean;
  delete?: string[];
}

/** The caller's executes an edit names: all of them in these statuses, or the listed ids among them. */
async function edited(
  owner: string,
  edit: QueueEdit,
  statuses: readonly ExecuteStatus[],
  deps: ComfyFacadeDeps,
) {
  const named = new Set((edit.delete ?? []).filter(isPromptId));
  if (!edit.clear && named.size === 0) return [];
  const owned = (await Promise.all(statuses.map((status) => ownedRecords(owner, deps, status)))).flat();
  return owned.map((summary) => summary.prompt_id).filter((id) => edit.clear || named.has(id));
}

/**
 * POST /history: forget finished prompts. Here history is the executes, so they are deleted,
 * outputs included (DeleteExecutes), as `clear` or `delete` names them.
 */
export async function editHistory(owner: string, edit: QueueEdit, deps: ComfyFacadeDeps) {
  await deleteExecutes(await edited(owner, edit, FINAL, deps), owner, deps);
}

/** POST /queue: take pending prompts off the queue (they are cancelled before they run). */
export async function editQueue(owner: string, edit: QueueEdit, deps: ComfyFacadeDeps) {
  const pending = await edited(owner, edit, ['created'], deps);
  await Promise.all(pending.map((id) => cancelExecute(id, owner, deps)));
}

/** GET /object_info[/{node_class}]: the default endpoint's nodes, as its ComfyUI published them. */
export async function objectInfo(nodeClass: string | undefined, deps: ComfyFacadeDeps) {
  const catalog = await deps.catalogs.forEndpoint(deps.config.defaultEndpointName);
  if (nodeClass === undefined) return catalog;
  const spec = nodeSpec(catalog, nodeClass);
  return spec ? { [nodeClass]: spec } : {};
}
