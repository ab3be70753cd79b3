import { canonicalJson } from '../domain/canonical-json';
import type { ComfyNodeErrors } from '../domain/comfy-errors';
import { DomainError, IdempotencyConflictError } from '../domain/errors';
import { exactJsonText } from '../domain/exact-json';
import { type ExecuteRecord, type ExecuteRequest, newExecuteRecord } from '../domain/execute-record';
import type {
  AsyncInvoker,
  Clock,
  Digest,
  ExecuteStore,
  IdGenerator,
  InputStore,
  ModelLibrary,
  NodeCatalogSource,
  PayloadStore,
} from '../domain/ports';
import { fitsInline } from '../domain/prompt-storage';
import { type UsageStore, withUsage } from '../domain/usage';
import type { WebhookSpec } from '../domain/webhooks/webhook-spec';
import { withWorkflowPngInfo } from '../domain/workflow/png-info';
import type { ExecuteInputsConfig, HostResolver } from './execute-inputs';
import { checkedWebhook } from './execute-webhook';
import { checkGpuQuota } from './gpu-quota';
import { prepareForEndpoint, resolveEndpoint } from './prepare-for-endpoint';
import { completeParkedFailure, isParkedFailure } from './record-async-result';

/** The request as the client sent it: prompt_id and endpoint_name may be absent. */
export type CreateExecuteInput = Omit<
  ExecuteRequest,
  'prompt_id' | 'endpoint_name' | 'prompt' | 'webhook'
> & {
  webhook?: { url?: unknown; events?: unknown } | null; // checked here, stored with the record
  /** An API-format prompt or a UI workflow (converted here). */
  prompt: unknown;
  prompt_id?: string;
  endpoint_name?: string;
  /** Validate (and convert) only: nothing is stored or invoked. */
  dry_run?: boolean;
  /** Files for this execute only: file name → data: URL, base64, https:// URL or s3:// URI. */
  inputs?: Record<string, string>;
};

export interface CreateExecuteConfig {
  /** Endpoint used when the request names none. */
  defaultEndpointName: string;
  /** Every endpoint this deployment may invoke. */
  endpointNames: readonly string[];
  retentionDays: number;
  maxInlinePromptBytes: number;
  /** RequestTTLSeconds + InvocationTimeoutSeconds: the longest SageMaker may take to answer. */
  answerWithinSeconds: number;
  /** Largest graph accepted (nodes of the prompt or UI workflow). @default unlimited */
  maxPromptNodes?: number;
  inputs: ExecuteInputsConfig;
  /** `allowLocal`: the local stack's (http, loopback); `defaults`: by owner, for creates without one (null opts out). */
  webhooks?: { allowLocal: boolean; defaults?: Readonly<Record<string, WebhookSpec>> };
  /** `s3://bucket/` holding the model library. */
  libraryBucketUri: string;
  /**
   * By endpoint, node classes that may read or write server paths there (comfy-exec:allowNodes);
   * every other endpoint allows none. @default none
   */
  allowedNodes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Executes a key may have created or running at once (comfy-exec:maxUnfinishedPerKey): one key
   * cannot fill the queue every key shares. @default unlimited
   */
  maxUnfinishedPerKey?: number;
  /** GPU seconds a key may use per UTC day, by key id or `*` (comfy-exec:gpuSecondsPerDay). @default none */
  gpuSecondsPerDay?: Readonly<Record<string, number>>;
}

export interface CreateExecuteDeps {
  store: ExecuteStore;
  payloads: PayloadStore;
  invoker: AsyncInvoker;
  clock: Clock;
  ids: IdGenerator;
  digest: Digest;
  catalogs: NodeCatalogSource;
  inputs: InputStore;
  resolveHost: HostResolver;
  /** The model library's lookups (cached briefly by the composition root). */
  models: Pick<ModelLibrary, 'find'>;
  /** Today's usage, read when the key has a daily GPU cap. */
  usage?: Pick<UsageStore, 'ofOwner'>;
  /** Told of each execute created and queued (the ExecutesCreated metric). */
  onQueued?(record: ExecuteRecord): Promise<void>;
  config: CreateExecuteConfig;
}

export interface CreateExecuteOutcome {
  /** false when an earlier identical request already created it (idempotent retry). */
  created: boolean;
  record: ExecuteRecord;
  /** Errors of the outputs left out of the prompt that runs (ComfyUI's POST /prompt answers them). */
  node_errors?: ComfyNodeErrors;
  /** What the client should know about a fresh create: conversion, filled widgets, skipped outputs. */
  warnings?: string[];
}

export { type DryRunOutcome, dryRunExecute } from './dry-run-execute';

function existingOutcome(existing: ExecuteRecord, owner: string, requestHash: string): CreateExecuteOutcome {
  if (existing.owner === owner && existing.request_hash === requestHash)
    return { created: false, record: existing };
  throw new IdempotencyConflictError(
    `prompt_id ${existing.prompt_id} is already used by another execute; send the same request to retry it, or use a new prompt_id`,
  );
}

const failureReason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * CreateExecute: validate, stage the request in S3, write the record conditionally, queue the
 * invocation. A failed invocation turns the record `failed` with the reason before the error
 * reaches the client, so no record is ever left `created` without a queued invocation. A run by
 * name (`checks`) refuses errors at its parameters' places that would only skip an output.
 */
export async function createExecute(
  input: CreateExecuteInput,
  owner: string,
  deps: CreateExecuteDeps,
  checks: { checkNodeErrors?: (nodeErrors: ComfyNodeErrors) => void } = {},
): Promise<CreateExecuteOutcome> {
  const { dry_run: _dryRun, inputs: _inputs, webhook: rawWebhook, ...rest } = input;
  const webhook = await checkedWebhook(
    rawWebhook === undefined ? deps.config.webhooks?.defaults?.[owner] : rawWebhook,
    deps,
  );
  const fields = { ...rest, ...(webhook ? { webhook } : {}) };
  const endpointName = resolveEndpoint(fields, deps.config);
  const promptId = fields.prompt_id ?? deps.ids.newId();
  // The digest is of the request as sent (a UI workflow, not its conversion, which depends on the
  // catalog), and of who sent it: it names the staged object, which carries the owner.
  const requestHash = deps.digest(
    canonicalJson({
      ...fields,
      inputs: input.inputs,
      prompt_id: promptId,
      endpoint_name: endpointName,
      owner,
    }),
  );
  // A named prompt_id may be taken already: read side by side with the preparation (reads only).
  // A retry is answered with its execute even if the prompt would no longer prepare.
  // Today's GPU use too, when capped: a retry is answered even over the cap, a new create is not.
  const settledOf = <T>(work: Promise<T>) =>
    work.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
  const [earlier, preparing, quota] = await Promise.all([
    fields.prompt_id ? deps.store.get(promptId) : undefined,
    settledOf(prepareForEndpoint(input, fields.prompt, owner, endpointName, deps)),
    settledOf(checkGpuQuota(owner, deps.config.gpuSecondsPerDay, deps)),
  ]);
  if (earlier) return existingOutcome(earlier, owner, requestHash);
  if ('error' in quota) throw quota.error;
  if ('error' in preparing) throw preparing.error;
  const { files, models, prepared } = preparing.value;
  checks.checkNodeErrors?.(prepared.node_errors);

  const request: ExecuteRequest = {
    ...fields,
    prompt: prepared.prompt,
    prompt_id: promptId,
    endpoint_name: endpointName,
  };
  const promptPath = deps.payloads.requestUri(promptId, requestHash);
  const workflowPath =
    prepared.workflow === undefined ? null : deps.payloads.workflowUri(promptId, requestHash);
  const inline = fitsInline(request.prompt, deps.config.maxInlinePromptBytes);
  const record = newExecuteRecord(request, {
    owner,
    now: deps.clock.now(),
    promptPath,
    requestHash,
    retentionDays: deps.config.retentionDays,
    answerWithinSeconds: deps.config.answerWithinSeconds,
    promptLocation: inline ? 'inline' : 's3',
    workflowPath,
  });
  // Written before the record, and removed again if the record is not created (nothing half-written).
  const written: string[] = [];
  const removeWritten = () =>
    Promise.all(written.map((uri) => deps.payloads.deleteObject(uri).catch(() => undefined)));
  const stageRequest = async () => {
    const staged = files.empty ? undefined : await files.stage(promptId, requestHash);
    written.push(...(staged?.written ?? []));
    // The owner travels with the request: the container's claim and OnAsyncResult need no read.
    const text = canonicalJson({
      ...request,
      // Only in what the container sends ComfyUI: the record keeps the client's extra_data.
      ...(prepared.workflow === undefined
        ? {}
        : { extra_data: withWorkflowPngInfo(request.extra_data, prepared.workflow) }),
      ...staged?.staged,
      ...(models.staged.length > 0 ? { model_files: models.staged } : {}),
      ...(Object.keys(prepared.node_errors).length > 0 ? { skipped_node_errors: prepared.node_errors } : {}),
      owner,
      // The container claims only the record this request created (not a later one reusing its id).
      request_hash: requestHash,
    });
    const puts = await Promise.allSettled([
      deps.payloads.putRequest(promptId, requestHash, text),
      workflowPath && deps.payloads.putWorkflow(promptId, requestHash, exactJsonText(prepared.workflow)),
    ]);
    for (const put of puts) if (put.status === 'fulfilled' && put.value) written.push(put.value);
    const refused = puts.find((put) => put.status === 'rejected');
    if (refused) throw refused.reason;
  };
  // Staged first: a record is never visible before its request (GetExecute, the websocket relay
  // and ComfyUI's routes read it for a prompt kept in S3), and a create whose staging fails leaves
  // no record to undo (this function may not delete one).
  try {
    await stageRequest();
  } catch (error) {
    await removeWritten();
    throw error;
  }
  const created = await deps.store
    .createIfAbsent(record, deps.config.maxUnfinishedPerKey)
    .catch(async (error: unknown) => {
      await removeWritten();
      throw error;
    });
  if (!created) {
    // A concurrent request with this prompt_id won the conditional put.
    const winner = await deps.store.get(request.prompt_id);
    if (winner && winner.request_hash !== requestHash) await removeWritten();
    if (!winner) throw new IdempotencyConflictError(`prompt_id ${request.prompt_id} is being created; retry`);
    return existingOutcome(winner, owner, requestHash);
  }

  try {
    const accepted = await deps.invoker.invoke({
      endpointName: request.endpoint_name,
      inputLocation: promptPath,
      inferenceId: request.prompt_id,
    });
    const sagemakerRaw = {
      InferenceId: accepted.inferenceId,
      OutputLocation: accepted.outputLocation,
      FailureLocation: accepted.failureLocation,
    };
    const invoked = await deps.store.update(record, {
      set: { inference_id: accepted.inferenceId },
      mergeSagemakerRaw: sagemakerRaw,
    });
    // A failure notified before this write waits on the record: finish it (else the Sweeper will).
    if (invoked && isParkedFailure(invoked))
      await completeParkedFailure(invoked, accepted.failureLocation, deps).catch(() => undefined);
    await deps.onQueued?.(record);
    // The answer is the execute as this request created it: the container may already have
    // claimed it (running) by the time this write returns, which GetExecute reports from then on.
    return {
      created: true,
      record: {
        ...record,
        inference_id: accepted.inferenceId,
        sagemaker_raw: { ...record.sagemaker_raw, ...sagemakerRaw },
      },
      node_errors: prepared.node_errors,
      warnings: prepared.warnings,
    };
  } catch (error) {
    const reason = `InvokeEndpointAsync failed: ${failureReason(error)}`;
    // If even this write fails, the Sweeper fails the record once its deadline passes.
    await deps.store
      .update(
        record,
        withUsage(record, {
          from: ['created'] as const,
          set: {
            status: 'failed' as const,
            complete_time: deps.clock.now().toISOString(),
            message: reason,
            error: {
              type: error instanceof DomainError ? error.name : 'InvocationError',
              message: failureReason(error),
            },
          },
        }),
      )
      .catch(() => undefined);
    // The client learns which execute failed (its prompt_id may have been minted here).
    if (error instanceof DomainError) error.data = { prompt_id: record.prompt_id, status: 'failed' };
    throw error;
  }
}
