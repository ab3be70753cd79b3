import type { ComfyExecClient } from './client';
import { ComfyExecError } from './errors';
import type { OperationTypes } from './generated/api-types';
import { call } from './http';
import { uploadOnce } from './input-uploads';
import { type InputSchema, templateInputProblems } from './template-inputs';
import { bytesOf, type FileData } from './transfers';
import type { Execute } from './types';

/** GET /schemas/{name}: the template, its parameters and their JSON Schema. */
export type Template = OperationTypes['GetSchema']['data'];
/** A row of GET /schemas. */
export type TemplateRow = OperationTypes['ListSchemas']['data']['schemas'][number];
export type TemplateSaveRequest = OperationTypes['CreateSchema']['body'];
export type TemplateChange = OperationTypes['UpdateSchema']['body'];

export interface TemplateRunOptions {
  prompt_id?: string;
  endpoint_name?: string;
  webhook?: OperationTypes['RunSchema']['body']['webhook'];
  /** Seconds to hold the answer for the execute's end (as CreateExecute's `wait`). */
  wait?: number;
  inline?: boolean;
  signal?: AbortSignal;
  /** The template's `input_schema` when the caller already has it: no GET before the run. */
  schema?: InputSchema | null;
}

/** A run's values did not fit the template's JSON Schema: nothing was sent. */
export class TemplateInputError extends ComfyExecError {
  override name = 'TemplateInputError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * A file parameter's bytes as one of the caller's inputs: an earlier upload of the same file when
 * there is one (a run sent again uploads nothing twice), else a new one. A File keeps its name;
 * bare bytes are named after the parameter, with the extension of what they are.
 */
async function uploadParameterFile(
  client: ComfyExecClient,
  parameter: string,
  file: FileData,
  signal?: AbortSignal,
) {
  const name = (file as { name?: unknown }).name;
  let filename = typeof name === 'string' && name !== '' ? name : undefined;
  let data = file;
  if (!filename) {
    // Read once: the bytes sniffed are the bytes uploaded.
    data = await bytesOf(file);
    const sniffed = await (await import('file-type')).fileTypeFromBuffer(data);
    if (!sniffed)
      throw new ComfyExecError(
        `parameter '${parameter}': cannot tell what kind of file the bytes are; pass a File`,
      );
    filename = `${parameter}.${sniffed.ext}`;
  }
  const upload = await uploadOnce(client, data, { filename, ...(signal ? { signal } : {}) });
  return 'reused' in upload ? upload.reused : upload.uploaded;
}

const isFileData = (value: unknown): value is FileData =>
  value instanceof Uint8Array ||
  value instanceof ArrayBuffer ||
  (typeof Blob !== 'undefined' && value instanceof Blob);

/** ESD's /schemas: saved templates, and runs by name with a few values. */
export class Templates {
  constructor(private readonly client: ComfyExecClient) {}

  /** CreateSchema: `payload` an API prompt or UI workflow (object or JSON text); `inputs` the parameters, else derived. */
  async save(request: TemplateSaveRequest, signal?: AbortSignal): Promise<Template> {
    return (await call(this.client.options, 'CreateSchema', { body: request, signal })).data;
  }

  /** UpdateSchema: the fields given replace the saved ones (`inputs: null` derives them again). */
  async update(name: string, change: TemplateChange, signal?: AbortSignal): Promise<Template> {
    return (await call(this.client.options, 'UpdateSchema', { path: { name }, body: change, signal })).data;
  }

  async get(name: string, signal?: AbortSignal): Promise<Template> {
    return (await call(this.client.options, 'GetSchema', { path: { name }, signal })).data;
  }

  async list(options: { limit?: number; startKey?: string; signal?: AbortSignal } = {}) {
    const { data } = await call(this.client.options, 'ListSchemas', {
      query: { limit: options.limit, exclusive_start_key: options.startKey },
      signal: options.signal,
    });
    return { items: data.schemas, nextKey: data.last_evaluated_key };
  }

  async delete(names: string[], signal?: AbortSignal): Promise<void> {
    await call(this.client.options, 'DeleteSchemas', {
      body: { schema_name_list: names as [string] },
      signal,
    });
  }

  /**
   * Runs a template by name: the values are checked against its JSON Schema first (a
   * TemplateInputError lists every problem, nothing sent), a file given as bytes or a Blob is
   * uploaded to your inputs and named, then the execute is created as CreateExecute would.
   */
  async run(
    name: string,
    inputs: Record<string, unknown>,
    options: TemplateRunOptions = {},
  ): Promise<Execute> {
    const schema =
      options.schema !== undefined
        ? options.schema
        : ((await this.get(name, options.signal)).input_schema as unknown as InputSchema | null);
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(inputs)) {
      const isFile = Boolean(schema?.properties[key]?.['x-file']);
      values[key] =
        isFile && isFileData(value)
          ? (await uploadParameterFile(this.client, key, value, options.signal)).name
          : value;
    }
    const problems = schema ? templateInputProblems(schema, values) : [];
    if (problems.length > 0) throw new TemplateInputError(problems);
    const { signal, wait, inline, schema: _schema, ...rest } = options;
    const transport =
      wait && wait > 0
        ? {
            ...this.client.options,
            timeoutMs: Math.max(this.client.options.timeoutMs ?? 30_000, (wait + 5) * 1000),
          }
        : this.client.options;
    const body = {
      ...rest,
      // A run that waits gets its id here, so a retry after a timeout cannot run it twice.
      ...(wait && wait > 0 ? { wait, prompt_id: rest.prompt_id ?? globalThis.crypto.randomUUID() } : {}),
      ...(inline ? { inline } : {}),
      inputs: values,
    };
    return (await call(transport, 'RunSchema', { path: { name }, body, signal })).data as Execute;
  }
}
