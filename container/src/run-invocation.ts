import { parseExactJson } from '../../lambda/domain/exact-json';
import type { ExecuteProgress } from '../../lambda/domain/execute-record';
import type { RunningRecordView } from '../../lambda/domain/running-record-store';
import { bringInputs, bringModels } from './bring-files';
import { cancelledAnswer, claim } from './claim-record';
import { collectOutputs } from './collect-outputs';
import { type ComfyEvent, ComfyUnreachableError, type FileRef } from './comfy-client';
import { comfyLogForwarder, countInvocation } from './comfy-log-forwarding';
import { fileKey, filesOf, literalFileKeys, withFreshOutputNodes } from './comfy-output-files';
import { completeRecord } from './complete-record';
import { followPrompt } from './follow-prompt';
import { classifyHistory } from './history-outcome';
import type { InvocationDeps, StagedRequest } from './invocation-deps';
import { failed, type InvocationAnswer, type InvocationResult } from './invocation-result';
import { ProgressWriter } from './progress-writer';
import { removeOutputs } from './remove-run-outputs';
import { RunEvents } from './run-events';
import { StageClock } from './stage-clock';

/**
 * The staged request as CreateExecute wrote it, or undefined. Its prompt_id is read from the
 * parsed object only: a text search would find a "prompt_id" in extra_data or the prompt first
 * (the keys are sorted), and the run's log lines would carry another execute's id.
 */
export function parseStagedRequest(body: string): StagedRequest | undefined {
  try {
    // A 64-bit seed stays a BigInt (exact) until it is written to ComfyUI as its digits.
    const parsed = parseExactJson(body) as StagedRequest;
    return typeof parsed?.prompt_id === 'string' &&
      typeof parsed.prompt === 'object' &&
      parsed.prompt !== null
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

/** The client ComfyUI tells of the run: the request's own (ComfyUI's protocol), or one per execute. */
const clientIdOf = (request: StagedRequest) => request.client_id || `comfy-exec-${request.prompt_id}`;

/** Steps 3–5: bring the models and inputs, submit, follow, collect outputs, answer. */
async function execute(
  request: StagedRequest,
  record: RunningRecordView,
  deps: InvocationDeps,
  clock: StageClock,
  events: RunEvents,
): Promise<InvocationAnswer> {
  const models = await bringModels(request, record, deps);
  if ('httpStatus' in models) return models;
  try {
    const inputs = await bringInputs(request, deps);
    clock.end('inputs');
    if ('httpStatus' in inputs) return inputs;
    try {
      const answer = await run({ ...request, prompt: inputs.prompt }, record, deps, clock, events);
      if (models.downloadMs > 0)
        answer.result.timings = { ...answer.result.timings, model_download_ms: models.downloadMs };
      return answer;
    } finally {
      await inputs
        .cleanUp()
        .catch((error: Error) => deps.log.warn('input folder not removed', { error: error.message }));
    }
  } finally {
    models.release();
  }
}

/** What the container writes while ComfyUI runs: the node running, and the progress of a node with steps. */
type RunningState = { progress?: ExecuteProgress; current_node?: string; started_nodes?: string[] };

async function run(
  request: StagedRequest,
  record: RunningRecordView,
  deps: InvocationDeps,
  clock: StageClock,
  events: RunEvents,
): Promise<InvocationAnswer> {
  const promptId = request.prompt_id;
  const listeners: ((event: ComfyEvent) => void)[] = [];
  // Every file this run wrote to ComfyUI's output/ and temp/, as its `executed` messages and its
  // history name them: all of them go when the run is over, except those not safely in S3.
  const produced = new Map<string, FileRef>();
  const stored = new Set<string>();
  let keepUnstored = false;
  // References the prompt itself carries are not this run's files, whatever a node reports.
  const echoed = literalFileKeys(request.prompt);
  const isRunFile = (file: FileRef) => !echoed.has(fileKey(file));
  const note = (ui: unknown) => {
    for (const file of filesOf(ui).filter(isRunFile)) produced.set(fileKey(file), file);
  };
  // ComfyUI may start the prompt before anyone follows it (the submit's answer and a log line
  // come first): what arrives until then is kept and replayed, so no node's start is lost.
  const early: ComfyEvent[] = [];
  // Levels as ComfyUI logged them (its exception and traceback are errors), for filters on ERROR.
  const comfyLines = comfyLogForwarder(promptId, (line, level) =>
    deps.log[level](line, { source: 'comfyui' }),
  );
  await events.listen((event) => {
    comfyLines.onEvent(event);
    if (event.type === 'executed' && event.data?.prompt_id === promptId) note(event.data.output);
    if (listeners.length === 0) early.push(event);
    for (const listener of listeners) listener(event);
  });
  // Every progress write returns the record, cancel_requested included: while progress flows,
  // the cancel check reads that instead of spending a GetItem per poll.
  let seen: { at: number; cancelRequested: boolean } | undefined;
  // A record no longer `running` was settled elsewhere (the Sweeper timed it out, or it was
  // deleted): nobody will read this run's result, so ComfyUI is interrupted rather than left
  // spending GPU time on it.
  let settledElsewhere = false;
  const remember = (current: RunningRecordView | undefined) => {
    if (current) seen = { at: Date.now(), cancelRequested: current.cancel_requested === true };
    return current;
  };
  const started: string[] = [];
  // The running node and its progress share one write (the websocket says both from the record).
  const progress = new ProgressWriter<RunningState>(
    async (value) => {
      // Progress is written only while `running`: a refused write means settled elsewhere.
      const current = await deps.store.update(record, { from: ['running'], set: value });
      if (!current) settledElsewhere = true;
      return remember(current);
    },
    deps.config.PROGRESS_WRITE_INTERVAL_MS,
    (error) => deps.log.warn('progress write failed', { error: String(error) }),
    (waiting, next) => ({ ...waiting, ...next }),
  );
  const cancelRequested = async () => {
    if (settledElsewhere || seen?.cancelRequested) return true;
    if (seen && Date.now() - seen.at < deps.config.CANCEL_POLL_MS) return false;
    const current = await deps.store.get(promptId);
    if (current?.status !== 'running') settledElsewhere = true;
    return settledElsewhere || remember(current)?.cancel_requested === true;
  };
  try {
    const submitted = await deps.comfy.submit({
      prompt: withFreshOutputNodes(request.prompt, promptId),
      prompt_id: promptId,
      client_id: clientIdOf(request),
      extra_data: request.extra_data ?? {},
      ...(request.number != null ? { number: request.number } : {}),
      ...(request.front != null ? { front: request.front } : {}),
    });
    if (submitted.status !== 200) {
      const { error, node_errors } = submitted.body ?? {};
      const summary = `ComfyUI refused the prompt: ${error?.message ?? `HTTP ${submitted.status}`}${error?.details ? ` (${String(error.details).split('\n')[0]})` : ''}`;
      return failed(promptId, 400, summary, { type: 'comfyui_validation', error, node_errors });
    }
    await events.subscribed;
    const skipped = { ...request.skipped_node_errors, ...submitted.body?.node_errors };
    const warnings = Object.keys(skipped).length > 0 ? { node_errors: skipped } : undefined;
    // Not ComfyUI's queue number: it counts every key's prompts, and GetExecuteLogs shows this line to its owner.
    deps.log.info('prompt queued in ComfyUI');
    clock.end('handoff');
    const outcome = await followPrompt(
      deps.comfy,
      {
        promptId,
        timeoutMs: deps.config.COMFYUI_TIMEOUT_SECONDS * 1000,
        cancelPollMs: deps.config.CANCEL_POLL_MS,
        historyPollMs: deps.historyPollMs ?? 2000,
        onProgress: (value) => progress.offer({ progress: value }),
        onNode: (node) => {
          started.push(node);
          progress.offer({ current_node: node, started_nodes: [...started] });
        },
        cancelRequested,
      },
      (listener) => {
        listeners.push(listener);
        for (const event of early.splice(0)) listener(event);
      },
    );
    // ComfyUI's queue until its execution_start, its run until the end, then reading its history.
    if (outcome.events.started) clock.end('queue', outcome.events.started);
    if (outcome.events.finished) clock.end('comfyui', outcome.events.finished);
    clock.end('history');
    // The last progress write goes out beside the outputs' upload: nothing waits on it but the answer.
    const progressWritten = progress.stop();
    for (const ui of Object.values(outcome.entry?.outputs ?? {})) note(ui);
    if (outcome.timedOut) {
      return failed(
        promptId,
        504,
        `ComfyUI did not finish within ${deps.config.COMFYUI_TIMEOUT_SECONDS} s; the prompt was interrupted`,
        { type: 'comfyui_timeout' },
      );
    }
    if (settledElsewhere && outcome.cancelled && outcome.entry?.status?.status_str !== 'success')
      return cancelledAnswer(
        promptId,
        'the execute was settled elsewhere while running (timed out or deleted); ComfyUI was interrupted',
      );
    const unsuccessful = classifyHistory(promptId, outcome.entry, outcome.cancelled);
    if (unsuccessful) return unsuccessful;
    let collected: Awaited<ReturnType<typeof collectOutputs>>;
    try {
      collected = await collectOutputs(promptId, outcome.entry?.outputs ?? {}, {
        comfy: deps.comfy,
        s3: deps.s3,
        bucket: deps.config.BUCKET_NAME,
        fileTimeoutMs: Math.max(deps.config.COMFYUI_REQUEST_TIMEOUT_MS, 300_000),
        folders: { output: deps.config.COMFYUI_OUTPUT_DIR, temp: deps.config.COMFYUI_TEMP_DIR },
        onStored: (file) => stored.add(fileKey(file)),
        isRunFile,
      });
    } catch (error) {
      // What is not in S3 stays in ComfyUI's folder (the sweep removes it after the longest run).
      keepUnstored = true;
      if (error instanceof ComfyUnreachableError) throw error;
      return failed(promptId, 500, `the outputs could not be stored in S3: ${(error as Error).message}`, {
        type: 'output_upload_failed',
        stored_files: stored.size,
      });
    }
    const result: InvocationResult = {
      prompt_id: promptId,
      status: 'success',
      ...collected,
      ...(warnings ? { warnings } : {}),
    };
    await progressWritten;
    clock.end('upload');
    return { httpStatus: 200, result };
  } finally {
    await progress.stop();
    comfyLines.finish();
    await removeOutputs(deps, produced, keepUnstored ? stored : undefined);
  }
}

/** POST /invocations: the staged request in, the result JSON out (never 200 on failure). */
export async function runInvocation(
  request: StagedRequest | undefined,
  deps: InvocationDeps,
): Promise<InvocationAnswer> {
  if (!request)
    return failed(
      '',
      400,
      'the invocation body is not a comfy-exec request (prompt_id and prompt required)',
      { type: 'invalid_request' },
    );
  const clock = new StageClock();
  const countedOut = countInvocation();
  const startTime = new Date(clock.started).toISOString();
  let answer: InvocationAnswer;
  let claimedKey: { prompt_id: string; owner: string } | undefined;
  const events = new RunEvents(deps.comfy, clientIdOf(request));
  try {
    const claimed = await claim(request, deps);
    clock.end('claim');
    if (!('httpStatus' in claimed)) claimedKey = { prompt_id: claimed.prompt_id, owner: claimed.owner };
    answer = 'httpStatus' in claimed ? claimed : await execute(request, claimed, deps, clock, events);
  } catch (error) {
    if (error instanceof ComfyUnreachableError) {
      answer = failed(request.prompt_id, error.timedOut ? 504 : 502, error.message, {
        type: error.timedOut ? 'comfyui_timeout' : 'comfyui_unreachable',
      });
    } else {
      deps.log.error('invocation failed', { error: String((error as Error).stack ?? error) });
      answer = failed(request.prompt_id, 500, `the endpoint container failed: ${(error as Error).message}`, {
        type: 'container_error',
      });
    }
  } finally {
    countedOut();
    await events.close();
  }
  // Files removed from ComfyUI's folders, the inputs' folder, the socket closed.
  clock.end('cleanup');
  // Echoed so OnAsyncResult can complete the record without reading it first.
  if (typeof request.owner === 'string') answer.result.owner = request.owner;
  answer.result.start_time ??= startTime;
  answer.result.complete_time = new Date().toISOString();
  answer.result.timings = { ...answer.result.timings, ...clock.stages, total_ms: clock.totalMs() };
  deps.log.info('invocation answered', {
    http_status: answer.httpStatus,
    status: answer.result.status,
    ...(deps.awsCalls ? { aws_calls: deps.awsCalls() } : {}),
  });
  // Not awaited: the answer goes to SageMaker while the record is written (complete-record.ts).
  if (claimedKey) answer.afterAnswer = completeRecord(claimedKey, answer, deps);
  return answer;
}
