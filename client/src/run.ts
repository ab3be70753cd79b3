import type { ComfyExecClient } from './client';
import { PromptValidationError } from './errors';
import type { FollowOptions } from './follow';
import {
  findInputByName,
  PromptEditError,
  replaceFileName,
  setInput,
  splitTarget,
  usesFileName,
} from './prompt-edits';
import { type PromptSource, type ResolvedPrompt, resolvePromptSource } from './prompt-source';
import type { FileData } from './transfers';
import type { ApiPrompt, CreatedInput, CreateExecuteRequest, Execute } from './types';

export interface RunOptions extends FollowOptions {
  /** The endpoint to run on (default: the deployment's first). */
  endpointName?: string;
  /** The execute's id (default: a new UUID, so a retried create is never run twice). */
  promptId?: string;
  /**
   * Input files, each keyed by the file name the prompt already uses (`example.png`), by
   * `NODE.INPUT` (`10.image`), or by an input name only one node has (`image`). A value is a file
   * (uploaded to your inputs first) or an `https://`, `data:` or `s3://` source.
   */
  inputs?: Record<string, FileData | string>;
  /** Values to change before running, `NODE.INPUT` → value: `{ '3.seed': 42 }`. */
  set?: Record<string, unknown>;
  /** Any other CreateExecute field (extra_data, client_id, ...). */
  request?: Partial<CreateExecuteRequest>;
  onCreated?: (execute: Execute) => void;
  onUpload?: (input: CreatedInput) => void;
}

/** The file name the prompt uses, or the input to point at the file. */
type Placement = { byFileName: string } | { target: string };

function place(key: string, prompt: ResolvedPrompt): Placement | undefined {
  if (usesFileName(prompt.prompt, key)) return { byFileName: key };
  if (prompt.kind === 'ui') return undefined;
  const api = prompt.prompt as ApiPrompt;
  const parts = splitTarget(key);
  if (
    parts &&
    (api[parts.node] || Object.values(api).some((n) => [n.class_type, n._meta?.title].includes(parts.node)))
  )
    return { target: key };
  const byName = findInputByName(api, key);
  if (byName) return { target: byName };
  throw new PromptEditError(
    `inputs['${key}'] names no file the prompt uses, no NODE.INPUT and no input of any node`,
  );
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

/** run(): resolve the prompt, place the inputs and values, create, follow to the end. */
export async function runExecute(
  client: ComfyExecClient,
  source: PromptSource,
  options: RunOptions,
): Promise<Execute> {
  let prompt = await resolvePromptSource(source);
  prompt = { ...prompt, prompt: structuredClone(prompt.prompt) };
  const inputs = Object.entries(options.inputs ?? {});
  const sets = Object.entries(options.set ?? {});
  let placements = inputs.map(([key]) => place(key, prompt));
  if (prompt.kind === 'ui' && (sets.length > 0 || placements.includes(undefined))) {
    prompt = await toApiFormat(client, prompt, options);
    placements = inputs.map(([key]) => place(key, prompt));
  }
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
      const uploaded = await client.uploadInput(value, {
        ...(!ownName && 'byFileName' in placement ? { filename: placement.byFileName } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      options.onUpload?.(uploaded);
      name = uploaded.name;
    }
    if ('target' in placement) setInput(prompt.prompt as ApiPrompt, placement.target, name);
    else if (name !== placement.byFileName) replaceFileName(prompt.prompt, placement.byFileName, name);
  }
  for (const [target, value] of sets) setInput(prompt.prompt as ApiPrompt, target, value);
  const execute = await client.create(
    {
      ...options.request,
      prompt: prompt.prompt,
      prompt_id: options.promptId ?? crypto.randomUUID(),
      ...(options.endpointName ? { endpoint_name: options.endpointName } : {}),
      ...(Object.keys(sources).length > 0 ? { inputs: { ...options.request?.inputs, ...sources } } : {}),
    },
    options.signal,
  );
  options.onCreated?.(execute);
  return client.wait(execute.prompt_id, options);
}
