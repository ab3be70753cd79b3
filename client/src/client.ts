import { type FollowOptions, followExecute } from './follow';
import type { OperationTypes } from './generated/api-types';
import { call, type DebugLinks, type TransportOptions, transferOptions } from './http';
import * as modelImports from './model-import';
import {
  type ModelTarget,
  type ModelUploadOptions,
  type StoredModelUpload,
  uploadModelInParts,
} from './model-upload';
import { type RunOptions, runExecute } from './run';
import { Templates } from './templates';
import { bytesOf, contentTypeOf, type FileData, fileNameOf, presignedRequest } from './transfers';
import type {
  About,
  CreatedInput,
  CreateExecuteRequest,
  DryRunResult,
  Endpoint,
  Execute,
  ExecuteStatus,
  ExecuteSummary,
  Page,
  PageOptions,
  StoredModel,
  UploadedInput,
  Usage,
  UsageQuery,
} from './types';

export type ClientOptions = TransportOptions;

export type { Page, PageOptions } from './types';

type ListOptions = PageOptions & { status?: ExecuteStatus; template?: string };

/** A method per API route (ESD's /schemas as `templates`), and `run` to follow an execute to its end. */
export class ComfyExecClient {
  readonly templates = new Templates(this);

  constructor(readonly options: ClientOptions) {
    if (!/^https?:\/\//.test(options.apiUrl))
      throw new TypeError(`apiUrl must be an http(s) URL: ${options.apiUrl}`);
    if (!options.apiKey) throw new TypeError('apiKey is required');
  }

  /**
   * CreateExecute. Send a `prompt_id` to make retries safe (the API is idempotent on it). With
   * `wait` (seconds, at most 29) the answer comes when the execute ends (status success, failed or
   * cancelled, files signed; `inline` adds small files' bytes) or the wait does (status created or
   * running: poll with `get` or `wait`); such a create gets a `prompt_id` here if it has none, so
   * a retry after a timeout cannot run the prompt twice.
   */
  async create(request: CreateExecuteRequest, signal?: AbortSignal): Promise<Execute> {
    const waitSeconds = request.wait ?? 0;
    const body =
      waitSeconds > 0 && !request.prompt_id
        ? { ...request, prompt_id: globalThis.crypto.randomUUID() }
        : request;
    // The server holds the answer up to `wait`: the request's own timeout must outlast it.
    const transport =
      waitSeconds > 0
        ? { ...this.options, timeoutMs: Math.max(this.options.timeoutMs ?? 30_000, (waitSeconds + 5) * 1000) }
        : this.options;
    const { data } = await call(transport, 'CreateExecute', { body: { ...body, dry_run: false }, signal });
    return data as Execute;
  }

  /** CreateExecute with `dry_run`: converts and validates, stores and runs nothing. */
  async dryRun(request: CreateExecuteRequest, signal?: AbortSignal): Promise<DryRunResult> {
    const { data } = await call(this.options, 'CreateExecute', {
      body: { ...request, dry_run: true },
      signal,
    });
    return data as DryRunResult;
  }

  /** `inline`: output files up to 256 KB (1 MB in all) also carried as base64 `data` beside their `url`. */
  async get(promptId: string, signal?: AbortSignal, options: { inline?: boolean } = {}): Promise<Execute> {
    return (await this.getWithLinks(promptId, signal, options)).execute;
  }

  /** GetExecute with the envelope's debug links: the Lambda, its log stream, its X-Ray trace. */
  async getWithLinks(
    promptId: string,
    signal?: AbortSignal,
    options: { inline?: boolean } = {},
  ): Promise<{ execute: Execute; debug?: DebugLinks }> {
    const answer = await call(this.options, 'GetExecute', {
      path: { prompt_id: promptId },
      query: options.inline ? { inline: '1' } : {},
      signal,
    });
    return { execute: answer.data, ...(answer.debug ? { debug: answer.debug } : {}) };
  }

  /** One page of the caller's executes (of a status, or a template's runs), newest first. */
  async list(options: ListOptions = {}): Promise<Page<ExecuteSummary>> {
    const { limit, startKey, status, template } = options;
    const { data } = await call(this.options, 'ListExecutes', {
      query: { limit, exclusive_start_key: startKey, status, template },
      signal: options.signal,
    });
    return { items: data.executes, nextKey: data.last_evaluated_key };
  }

  /** Every execute (of a status, of a template), page after page, newest first. */
  async *listAll(options: Omit<ListOptions, 'startKey'> = {}) {
    let startKey: string | undefined;
    do {
      const page = await this.list({ ...options, ...(startKey ? { startKey } : {}) });
      yield* page.items;
      startKey = page.nextKey ?? undefined;
    } while (startKey);
  }

  async delete(promptIds: string[], signal?: AbortSignal): Promise<void> {
    await call(this.options, 'DeleteExecutes', { body: { execute_id_list: promptIds as [string] }, signal });
  }

  /** CancelExecute (idempotent): the record as it is after the request. */
  async cancel(promptId: string, signal?: AbortSignal): Promise<OperationTypes['CancelExecute']['data']> {
    return (await call(this.options, 'CancelExecute', { path: { prompt_id: promptId }, signal })).data;
  }

  async logs(promptId: string, signal?: AbortSignal) {
    return (await call(this.options, 'GetExecuteLogs', { path: { prompt_id: promptId }, signal })).data
      .results;
  }

  async endpoints(signal?: AbortSignal): Promise<Endpoint[]> {
    return (await call(this.options, 'ListEndpoints', { signal })).data.endpoints;
  }

  /** The deployed environments (ESD's workflows), each on its endpoint `comfy-async-{name}`. */
  async workflows(signal?: AbortSignal): Promise<OperationTypes['GetWorkflow']['data'][]> {
    return (await call(this.options, 'ListWorkflows', { signal })).data.workflows;
  }

  async workflow(name: string, signal?: AbortSignal): Promise<OperationTypes['GetWorkflow']['data']> {
    return (await call(this.options, 'GetWorkflow', { path: { name }, signal })).data;
  }

  /** GPU time, queue time, outcomes and output bytes per UTC day and endpoint (`key`: an operator's). */
  async usage(query: UsageQuery = {}, signal?: AbortSignal): Promise<Usage> {
    return (await call(this.options, 'GetUsage', { query, signal })).data;
  }

  /** Uploads a file to the caller's inputs (CreateInput, then a PUT to its pre-signed URL): prompts use `name`. */
  async uploadInput(
    file: FileData,
    /** `sha256`: the bytes' hex SHA-256, recorded with the input (GET /inputs lists it). */
    options: { filename?: string; contentType?: string; sha256?: string; signal?: AbortSignal } = {},
  ): Promise<CreatedInput> {
    const filename = fileNameOf(file, options.filename);
    const bytes = await bytesOf(file);
    const contentType = await contentTypeOf(file, bytes, filename, options.contentType);
    const { data } = await call(this.options, 'CreateInput', {
      body: {
        filename,
        content_type: contentType,
        size: bytes.byteLength,
        ...(options.sha256 ? { sha256: options.sha256 } : {}),
      },
      signal: options.signal,
    });
    await presignedRequest(
      `upload of ${filename}`,
      data.upload.url,
      { method: 'PUT', headers: data.upload.headers as Record<string, string>, body: bytes },
      transferOptions(this.options, options.signal),
    );
    return data;
  }

  async listInputs(options: PageOptions = {}): Promise<Page<UploadedInput> & { s3Prefix: string }> {
    const { data } = await call(this.options, 'ListInputs', {
      query: { limit: options.limit, exclusive_start_key: options.startKey },
      signal: options.signal,
    });
    return { items: data.inputs, nextKey: data.last_evaluated_key, s3Prefix: data.s3_prefix };
  }

  /** ComfyUI's object_info entry of one node class (GET /comfyui/object_info/{class}), or undefined. */
  async nodeInfo(nodeClass: string, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
    const { data } = await call(this.options, 'ComfyObjectInfoNode', {
      path: { node_class: nodeClass },
      signal,
    });
    return data[nodeClass] as Record<string, unknown> | undefined;
  }

  async deleteInput(name: string, signal?: AbortSignal): Promise<void> {
    await call(this.options, 'DeleteInput', { path: { name }, signal });
  }

  async listModels(options: PageOptions & { folder?: string } = {}): Promise<Page<StoredModel>> {
    const { data } = await call(this.options, 'ListModels', {
      query: { limit: options.limit, exclusive_start_key: options.startKey, folder: options.folder },
      signal: options.signal,
    });
    return { items: data.models, nextKey: data.last_evaluated_key };
  }

  /**
   * Uploads a model to the library (model writers only): start, PUT each part, complete. With
   * `options.resume` (a state `options.onState` was given before), an interrupted upload goes on.
   */
  async uploadModel(
    file: Blob,
    target: ModelTarget,
    signal?: AbortSignal,
    options: Omit<ModelUploadOptions, 'signal'> = {},
  ): Promise<StoredModelUpload> {
    return uploadModelInParts(this.options, file, target, { ...options, ...(signal ? { signal } : {}) });
  }

  /** GET /models/{folder}/{name}: the model (null until imported) and its import from a URL, if any. */
  getModel(folder: string, name: string, signal?: AbortSignal): Promise<modelImports.ModelDetails> {
    return modelImports.getModel(this.options, folder, name, signal);
  }

  /** Imports a model from an https URL into the library (model writers only), followed to its end. */
  importModel(request: modelImports.ModelImportRequest, options: modelImports.ModelImportOptions = {}) {
    return modelImports.importModel(this.options, request, options);
  }

  async deleteModel(folder: string, name: string, signal?: AbortSignal): Promise<void> {
    await call(this.options, 'DeleteModel', { path: { folder, name }, signal });
  }

  /** ESD's prepare: copy an S3 prefix into the model library (`models`) or your inputs (`inputs`). */
  async prepare(
    request: OperationTypes['PrepareEndpoint']['body'],
    signal?: AbortSignal,
  ): Promise<OperationTypes['PrepareEndpoint']['data']> {
    return (await call(this.options, 'PrepareEndpoint', { body: request, signal })).data;
  }

  /** ESD's prepare status of an endpoint. */
  async prepareStatus(
    endpointName: string,
    signal?: AbortSignal,
  ): Promise<OperationTypes['GetPrepare']['data']> {
    return (await call(this.options, 'GetPrepare', { path: { endpoint_name: endpointName }, signal })).data;
  }

  /** The signing secret webhooks are signed with (created on first use); verify deliveries with it. */
  async webhookSecret(signal?: AbortSignal): Promise<OperationTypes['GetWebhookSecret']['data']> {
    return (await call(this.options, 'GetWebhookSecret', { signal })).data;
  }

  /** A new signing secret; the previous one keeps signing deliveries for 24 hours. */
  async rotateWebhookSecret(signal?: AbortSignal): Promise<OperationTypes['RotateWebhookSecret']['data']> {
    return (await call(this.options, 'RotateWebhookSecret', { signal })).data;
  }

  /** GET /ping (RootAPI, GET /, is the same check): true when the API answers with this key. */
  async ping(signal?: AbortSignal): Promise<boolean> {
    return (await call(this.options, 'Ping', { signal })).status === 200;
  }

  /**
   * GET /about: this deployment's version, region and endpoints (each with its log link), and
   * where its ComfyUI websocket and web console are (null when it has none).
   */
  async about(signal?: AbortSignal): Promise<About> {
    return (await call(this.options, 'GetAbout', { signal })).data;
  }

  /** The OpenAPI document the API serves (GET /api). */
  async apiDocument(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return (await call(this.options, 'GetApiOAS', { signal })).data as Record<string, unknown>;
  }

  /** Polls an execute to its end: resolves on success, rejects with ExecuteFailedError otherwise. */
  wait(promptId: string, options: FollowOptions = {}): Promise<Execute> {
    return followExecute((signal) => this.get(promptId, signal), options);
  }

  /**
   * Creates an execute from an API prompt, a UI workflow, or a PNG/WEBP/MP4 ComfyUI saved, with
   * its input files, and follows it to its end (see RunOptions).
   */
  run(source: Parameters<typeof runExecute>[1], options: RunOptions = {}): Promise<Execute> {
    return runExecute(this, source, options);
  }

  /** Fetches a pre-signed URL's bytes (an output file), retried as API calls are. */
  async download(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await presignedRequest(
      'download',
      url,
      { method: 'GET' },
      transferOptions(this.options, signal),
    );
    return new Uint8Array(await response.arrayBuffer());
  }
}
