import { stat } from 'node:fs/promises';
import {
  type ComfyExecClient,
  type Execute,
  ExecuteFailedError,
  exactJsonText,
  FINAL_STATUSES,
  type InputSchema,
  PromptValidationError,
} from '../../src/index';
import { uploadOnce } from '../../src/input-uploads';
import { fileFromPath } from '../../src/node/index';
import type { Context } from '../context';
import { textLines } from '../execute-details';
import { EXIT, formatNodeErrors, UsageError } from '../exit-codes';
import { templateFixHints } from '../fix-hints';
import { followRun, type StartHooks } from '../follow-run';
import { parameterValues } from '../template-params';
import { pairs, type RunFlags, uploadNotices } from './run';

/** A file parameter's value the API fetches or decodes itself: passed on as it is. */
const REMOTE_SOURCE = /^(https?:\/\/|s3:\/\/|data:)/i;

const isLocalFile = (path: string) =>
  stat(path).then(
    (found) => found.isFile(),
    () => false,
  );

/**
 * A file parameter given a path on this machine is uploaded (once: an earlier upload of the same
 * file is used again) and named by its input's name; any other text is an uploaded input's name
 * or a URL, for the API to check.
 */
async function uploadLocalFiles(
  context: Context,
  schema: InputSchema,
  values: Record<string, unknown>,
): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    if (!schema.properties[name]?.['x-file'] || typeof value !== 'string' || REMOTE_SOURCE.test(value))
      continue;
    if (!(await isLocalFile(value))) {
      context.info(`${name}=${value}: no such file here; sent as the name of an uploaded input`);
      continue;
    }
    const notices = uploadNotices(context);
    const upload = await uploadOnce(context.client(), await fileFromPath(value), {});
    if ('reused' in upload) notices.onReuse(upload.reused);
    else notices.onUpload(upload.uploaded);
    values[name] = 'reused' in upload ? upload.reused.name : upload.uploaded.name;
  }
}

/** The run's values from `--param`s, checked against the template's JSON Schema (a usage error lists every problem). */
async function templateValues(client: ComfyExecClient, name: string, params: string[]) {
  const template = await client.templates.get(name);
  const schema = template.input_schema as unknown as InputSchema | null;
  if (!schema)
    throw new UsageError(`template ${name} cannot run now: ${template.problem ?? 'it has no parameters'}`);
  const { values, problems } = parameterValues(schema, pairs(params, '--param'));
  if (problems.length > 0)
    throw new UsageError(
      [...problems, `(its parameters, types and defaults: comfy-exec templates show ${name})`].join('\n'),
    );
  return { schema, values };
}

/** The endpoint refused the prompt with these values: said as `run` says it, fixed with `--param`s. */
function refusedRun(error: PromptValidationError, name: string, schema: InputSchema): UsageError {
  const places = Object.fromEntries(
    Object.entries(schema.properties).map(([parameter, { 'x-places': at }]) => [parameter, at ?? []]),
  );
  return new UsageError(
    [
      error.message,
      ...formatNodeErrors(error.nodeErrors),
      ...templateFixHints(error.nodeErrors, name, places),
    ].join('\n'),
  );
}

/** `run --template NAME --param …`: the execute created from the template, then followed and saved as any run's. */
export async function runTemplate(context: Context, name: string, options: RunFlags): Promise<number> {
  const client = context.client();
  const { schema, values } = await templateValues(client, name, options.param);
  await uploadLocalFiles(context, schema, values);
  const start = async (hooks: StartHooks): Promise<Execute> => {
    const created = await client.templates.run(name, values, {
      signal: hooks.signal,
      // Its own id, so a create retried after a lost answer is not run twice.
      prompt_id: options.promptId ?? globalThis.crypto.randomUUID(),
      ...(options.endpoint ? { endpoint_name: options.endpoint } : {}),
      ...(options.webhook ? { webhook: { url: options.webhook } } : {}),
    });
    hooks.onCreated(created);
    if (created.status === 'success') return created;
    if (FINAL_STATUSES.includes(created.status)) throw new ExecuteFailedError(created);
    return client.wait(created.prompt_id, { signal: hooks.signal, onProgress: hooks.onProgress });
  };
  const interrupted = { value: false };
  try {
    const { execute, paths } = await followRun(context, options, '', interrupted, start);
    if (options.json) context.out(exactJsonText(execute, undefined, 2));
    else if (!options.wait) context.out(execute.prompt_id);
    else for (const line of [...paths, ...textLines(execute)]) context.out(line);
  } catch (error) {
    if (error instanceof ExecuteFailedError && options.json)
      context.out(exactJsonText(error.execute, undefined, 2));
    if (error instanceof PromptValidationError) throw refusedRun(error, name, schema);
    throw error;
  }
  return interrupted.value ? EXIT.executeFailed : EXIT.success;
}
