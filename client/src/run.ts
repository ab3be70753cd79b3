import type { ComfyExecClient } from './client';
import { ExecuteFailedError, PromptValidationError } from './errors';
import { placeInput, replaceFileName } from './file-inputs';
import type { FollowOptions } from './follow';
import { uploadOnce } from './input-uploads';
import { classLackingInput, type NodeInfo, PromptEditError, setInput } from './prompt-edits';
import { type PromptSource, type ResolvedPrompt, resolvePromptSource } from './prompt-source';
import type { FileData } from './transfers';
import {
  type ApiPrompt,
  type CreatedInput,
  type CreateExecuteRequest,
  type Execute,
  FINAL_STATUSES,
  type UploadedInput,
} from './types';

export interface RunOptions extends FollowOptions {
  /** The endpoint to run on (default: the deployment's first). */
  endpointName?: string;
  /** The execute's id (default: a new UUID, so a retried create is never run twice). */
  promptId?: string;
  /**
   * Input files, each keyed by `NODE.INPUT` (`10.image`), by an input name only one node has
   * (`image`), or by the file name a file input holds (`example.png`), in that order. A value is a
   * file (uploaded to your inputs first, unless an upload of the same name and bytes is there) or
   * an `https://`, `data:` or `s3://` source.
   */
  inputs?: Record<string, FileData | string>;
  /**
   * Values to change before running, `NODE.INPUT` → value: `{ '3.seed': 42 }`. An input the node
   * lacks is added when the class's catalog entry has it as a widget.
   */
  set?: Record<string, unknown>;
  /** Any other CreateExecute field (extra_data, client_id, ...). */
  request?: Partial<CreateExecuteRequest>;
  /**
   * Seconds the create may hold its answer for the execute's end (0–29): a short prompt then
   * needs one round trip. Default 20 without `onProgress` (nothing to show meanwhile), else 0.
   */
  waitSeconds?: number;
  onCreated?: (execute: Execute) => void;
  onUpload?: (input: CreatedInput) => void;
  /** An earlier upload of the same file name and bytes is used instead of uploading again. */
  onReuse?: (input: UploadedInput) => void;
}

/**
 * Applies `--set` values. A node lacking the input costs one catalog look-up of its class (only
 * then: most sets name inputs the prompt has).
 */
export async function applySets(
  client: ComfyExecClient,
  prompt: ApiPrompt,
  options: Pick<RunOptions, 'set' | 'signal'>,
) {
  const catalog = new Map<string, Promise<NodeInfo | undefined>>();
  for (const [target, value] of Object.entries(options.set ?? {})) {
    const lacking = classLackingInput(prompt, target);
    if (lacking && !catalog.has(lacking)) catalog.set(lacking, client.nodeInfo(lacking, options.signal));
    setInput(prompt, target, value, lacking ? await catalog.get(lacking) : undefined);
  }
}

/** The UI workflow converted by the endpoint (a dry run), so its nodes' inputs can be named. */
async function toApiFormat(client: ComfyExecClient, prompt: ResolvedPrompt, options: RunOptions) {
  try {
    const converted = await client.dryRun(
      { prompt: prompt.prompt, ...(options.endpointName ? { endpoint_name: options.endpointName } : {}) },
      options.signal,
    );
    return { prompt: converted.prompt, kind: 'api' as const, from: prompt.from };
  } catch (error) {
    // Refused as converted (a model the endpoint lacks): the sets may be the fix, and the create
    // validates the prompt again once they are applied.
    if (error instanceof PromptValidationError && error.prompt)
      return { prompt: error.prompt, kind: 'api' as const, from: prompt.from };
    if (error instanceof PromptValidationError)
      error.message +=
        ' (converting the UI workflow to name its inputs; name the file the workflow uses instead, e.g. example.png=cat.png, or save it in the API format)';
    throw error;
  }
}

const nameOfSource = (source: string) => {
  if (source.startsWith('data:'))
    throw new PromptEditError('a data: URL has no file name: key it by the file name the prompt uses');
  return decodeURIComponent(new URL(source).pathname.split('/').pop() || 'input');
};

/** A prompt as run() sends it: inputs placed and uploaded, values set; `sources` are inline inputs. */
export interface PreparedRun {
  prompt: ResolvedPrompt;
  sources: Record<string, string>;
  /** The UI workflow it came from, for the PNG's embedded workflow. */
  uiWorkflow: unknown;
}

/**
 * What run() does before it creates: the prompt resolved, `inputs` placed (files uploaded once),
 * `set` applied. `validate --input` checks exactly this with a dry run.
 */
export async function prepareRun(
  client: ComfyExecClient,
  source: PromptSource,
  options: Pick<RunOptions, 'inputs' | 'set' | 'signal' | 'endpointName' | 'onUpload' | 'onReuse'>,
): Promise<PreparedRun> {
  let prompt = await resolvePromptSource(source);
  prompt = { ...prompt, prompt: structuredClone(prompt.prompt) };
  const uiWorkflow = prompt.kind === 'ui' ? structuredClone(prompt.prompt) : undefined;
  const inputs = Object.entries(options.inputs ?? {});
  const sets = Object.entries(options.set ?? {});
  let placements = inputs.map(([key]) => placeInput(key, prompt.prompt));
  if (prompt.kind === 'ui' && (sets.length > 0 || placements.includes(undefined))) {
    prompt = await toApiFormat(client, prompt, options);
    placements = inputs.map(([key]) => placeInput(key, prompt.prompt));
  }
  // Values first: a mistyped --set fails before any file goes up.
  await applySets(client, prompt.prompt as ApiPrompt, options);
  const sources: Record<string, string> = {};
  for (const [i, [, value]] of inputs.entries()) {
    const placement = placements[i]!;
    let name: string;
    if (typeof value === 'string') {
      name = 'byFileName' in placement ? placement.byFileName : nameOfSource(value);
      sources[name] = value;
    } else {
      // A file keeps its own name (its extension tells loaders what it is); bytes take the prompt's.
      const ownName = (value as { name?: unknown }).name;
      const upload = await uploadOnce(client, value, {
        ...(!ownName && 'byFileName' in placement ? { filename: placement.byFileName } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if ('reused' in upload) options.onReuse?.(upload.reused);
      else options.onUpload?.(upload.uploaded);
      name = 'reused' in upload ? upload.reused.name : upload.uploaded.name;
    }
    if ('target' in placement) setInput(prompt.prompt as ApiPrompt, placement.target, name);
    else if (name !== placement.byFileName) replaceFileName(prompt.prompt, placement.byFileName, name);
  }
  return { prompt, sources, uiWorkflow };
}

/** run(): resolve the prompt, place the inputs and values, create, follow to the end. */
export async function runExecute(
  client: ComfyExecClient,
  source: PromptSource,
  options: RunOptions,
): Promise<Execute> {
  const { prompt, sources, uiWorkflow } = await prepareRun(client, source, options);
  const waitSeconds = options.waitSeconds ?? (options.onProgress ? 0 : 20);
  const execute = await client.create(
    {
      ...options.request,
      ...(uiWorkflow && prompt.kind === 'api'
        ? { extra_data: withWorkflowPngInfo(options.request?.extra_data, uiWorkflow) }
        : {}),
      ...(waitSeconds > 0 ? { wait: waitSeconds } : {}),
      prompt: prompt.prompt,
      prompt_id: options.promptId ?? crypto.randomUUID(),
      ...(options.endpointName ? { endpoint_name: options.endpointName } : {}),
      ...(Object.keys(sources).length > 0 ? { inputs: { ...options.request?.inputs, ...sources } } : {}),
    },
    options.signal,
  );
  options.onCreated?.(execute);
  if (execute.status === 'success') return execute;
  if (FINAL_STATUSES.includes(execute.status)) throw new ExecuteFailedError(execute);
  return client.wait(execute.prompt_id, options);
}

/**
 * A UI workflow converted here is sent as its API prompt: the workflow goes beside it as
 * `extra_pnginfo.workflow`, as ComfyUI's frontend sends it, so saved images carry it (the server
 * does the same for a workflow it converts itself). A client's own value wins.
 */
function withWorkflowPngInfo(extraData: Record<string, unknown> | null | undefined, workflow: unknown) {
  const pngInfo = extraData?.extra_pnginfo;
  if (pngInfo !== undefined && (typeof pngInfo !== 'object' || pngInfo === null || Array.isArray(pngInfo)))
    return extraData;
  if ((pngInfo as Record<string, unknown> | undefined)?.workflow !== undefined) return extraData;
  return { ...extraData, extra_pnginfo: { ...(pngInfo as object | undefined), workflow } };
}
