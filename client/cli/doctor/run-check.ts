import { type Execute, FINAL_STATUSES, outputFiles } from '../../src/index';
import {
  isLocalApi,
  keySafeOver,
  openSocketWitness,
  type SocketWitness,
  startLocalReceiver,
} from './run-witnesses';
import { type Check, CheckFailed } from './runner';
import { DOCTOR_PROMPT, type DoctorState, endpointLogs, isPng, type RunEvidence } from './state';

/**
 * The websocket (when the deployment has one and it opens with the key: the websocket check says
 * why when it does not) and the webhook target: --webhook-url, or a receiver of our own on a
 * local stack.
 */
async function witnesses(state: DoctorState): Promise<Pick<RunEvidence, 'socket' | 'webhook'>> {
  state.cleanup ??= [];
  const cleanup = state.cleanup;
  let socket: SocketWitness | undefined;
  if (state.about?.websocket_url && keySafeOver(state.apiUrl, state.about.websocket_url)) {
    socket = await openSocketWitness(state.about.websocket_url, state.apiKey).catch(() => undefined);
    if (socket) {
      const opened = socket;
      cleanup.push(async () => opened.close());
    }
  }
  if (state.webhookUrl) return { socket, webhook: { url: state.webhookUrl } };
  if (!isLocalApi(state.apiUrl)) return { socket };
  const receiver = await startLocalReceiver();
  cleanup.push(receiver.close);
  return { socket, webhook: { url: receiver.url, received: receiver.received } };
}

/** A warm endpoint runs this prompt in seconds; two minutes means something is wrong. */
export const WARM_TIMEOUT_S = 120;
/** An endpoint scaled to zero first starts an instance and pulls the image: minutes. */
export const COLD_TIMEOUT_S = 900;

export interface RunCheckOptions {
  /** --timeout: how long to follow the execute (default: by whether the endpoint has an instance). */
  timeoutSeconds?: number;
  /** Between GetExecute calls. @default 1000 */
  pollMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const isoSpan = (from: string | null | undefined, to: string | null | undefined) =>
  from && to ? Date.parse(to) - Date.parse(from) : Number.NaN;

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Follows the execute until it is final or the deadline passes; answers the last record and how long it kept its status. */
async function follow(state: DoctorState, first: Execute, deadline: AbortSignal, pollMs: number) {
  let execute = first;
  let since = Date.now();
  while (!FINAL_STATUSES.includes(execute.status) && !deadline.aborted) {
    await sleep(pollMs, deadline);
    if (deadline.aborted) break;
    const next = await state.client.get(execute.prompt_id, deadline).catch((error: unknown) => {
      if (deadline.aborted) return execute;
      throw error;
    });
    if (next.status !== execute.status) since = Date.now();
    execute = next;
  }
  return { execute, inStatusMs: Date.now() - since };
}

/** Why a run that did not end in time did not, by where it stopped. */
function stuck(state: DoctorState, endpoint: string, execute: Execute, inStatusMs: number, asleep: boolean) {
  const logs = endpointLogs(state, endpoint);
  const held = Math.round(inStatusMs / 1000);
  if (execute.status === 'created')
    return new CheckFailed(
      `the execute ${execute.prompt_id} stayed \`created\` for ${held} s: the endpoint's container did not pick it up${asleep ? ' (the endpoint was scaled to zero and may still be waking)' : ''}; cancelled it`,
      `${asleep ? 'run again with a longer --timeout, or ' : ''}check ${logs}`,
    );
  const where = execute.progress
    ? ` at ${execute.progress.stage ?? `node ${execute.progress.node ?? '?'}`} (${Math.round(execute.progress.percent)}%)`
    : '';
  return new CheckFailed(
    `the execute ${execute.prompt_id} was still \`${execute.status}\`${where} after ${held} s: ComfyUI did not finish a 64×64 EmptyImage → SaveImage; cancelled it`,
    `check ${logs} (or: comfy-exec logs ${execute.prompt_id})`,
  );
}

/** SageMaker's own failure reasons, in the operator's words (anything else is ComfyUI's or the container's). */
function failureMeaning(message: string): string {
  if (/^InternalServerError/.test(message))
    return "SageMaker could not get an answer from the endpoint's container";
  if (/InvocationTimeoutSeconds/.test(message))
    return "the endpoint's container did not answer within the invocation timeout";
  const status = /Received server error \((\d+)\)/.exec(message)?.[1];
  if (status) return `the endpoint's container answered HTTP ${status}`;
  if (/^Request expired/.test(message))
    return "it waited in SageMaker's queue until its time to live ran out: no instance took it";
  return 'the endpoint reported';
}

/** The first PNG output, downloaded and checked to be one. */
async function checkedPng(state: DoctorState, endpoint: string, execute: Execute) {
  const file = outputFiles(execute).find((f) => f.filename.toLowerCase().endsWith('.png'));
  if (!file)
    throw new CheckFailed(
      `the execute ${execute.prompt_id} succeeded but lists no PNG output`,
      `the container uploads SaveImage's files from ComfyUI's output folder: check ${endpointLogs(state, endpoint)}`,
    );
  const bytes = await state.client.download(file.url, AbortSignal.timeout(60_000));
  if (!isPng(bytes))
    throw new CheckFailed(
      `${file.filename} (${bytes.length} bytes) is not a PNG`,
      `the container stores ComfyUI's files as they are: check ${endpointLogs(state, endpoint)}`,
    );
  return { file, bytes };
}

/**
 * (9, with --run) A real execute of the weight-free prompt, followed to `success`, its PNG
 * downloaded and checked. Bounded by the timeout: a container that never answers is a ✗ with the
 * status it stayed in, never a hang. The execute is deleted when it succeeded (after the follow
 * checks), kept (for its logs) when it did not. It is watched by a websocket and, where one can
 * receive, a webhook: the follow checks read what they saw.
 */
export function runCheck(state: DoctorState, endpoint: string, options: RunCheckOptions = {}): Check {
  return {
    name: 'run',
    title: 'execute of EmptyImage → SaveImage',
    endpoint,
    needs: ['endpoints', `dry-run:${endpoint}`],
    async run() {
      const row = state.endpoints?.find((e) => e.endpoint_name === endpoint);
      const asleep = row !== undefined && Number(row.current_instance_count) === 0;
      const timeoutS = options.timeoutSeconds ?? (asleep ? COLD_TIMEOUT_S : WARM_TIMEOUT_S);
      const deadline = AbortSignal.timeout(timeoutS * 1000);
      const { socket, webhook } = await witnesses(state);
      const created = await state.client.create(
        {
          prompt: DOCTOR_PROMPT,
          prompt_id: crypto.randomUUID(),
          endpoint_name: endpoint,
          ...(socket ? { client_id: socket.clientId } : {}),
          ...(webhook ? { webhook: { url: webhook.url, events: ['success'] } } : {}),
        },
        deadline,
      );
      state.runs ??= new Map();
      state.runs.set(endpoint, { promptId: created.prompt_id, socket, webhook });
      // Until it is final, an interrupted or broken doctor cancels and deletes it: no GPU time
      // is spent on an execute nobody follows, and nothing is left.
      let settled = false;
      state.cleanup ??= [];
      state.cleanup.push(async () => {
        if (settled) return;
        await state.client.cancel(created.prompt_id).catch(() => undefined);
        await state.client.delete([created.prompt_id]).catch(() => undefined);
      });
      state.info(
        `  execute ${created.prompt_id} created on ${endpoint}; following it for up to ${timeoutS} s`,
      );
      const { execute, inStatusMs } = await follow(state, created, deadline, options.pollMs ?? 1000);
      if (!FINAL_STATUSES.includes(execute.status)) {
        // Nobody waits for it any more: it must not hold a GPU later (kept, cancelled, for its logs).
        settled = true;
        await state.client.cancel(execute.prompt_id).catch(() => undefined);
        throw stuck(state, endpoint, execute, inStatusMs, asleep);
      }
      // Final: a failure is kept for its logs; a success is deleted after the follow checks.
      settled = true;
      if (execute.status !== 'success')
        throw new CheckFailed(
          `the execute ${execute.prompt_id} ended \`${execute.status}\`: ${
            execute.status === 'cancelled'
              ? 'someone cancelled it'
              : `${failureMeaning(execute.message ?? '')} (${execute.message || 'no reason recorded'})`
          }`,
          `check ${endpointLogs(state, endpoint)} (or: comfy-exec logs ${execute.prompt_id})`,
        );
      const { file, bytes } = await checkedPng(state, endpoint, execute);
      // Deleted after the checks that follow it by the websocket and webhooks have read it.
      state.cleanup ??= [];
      state.cleanup.push(async () => {
        await state.client.delete([execute.prompt_id]).catch((error: Error) => {
          state.info(`  could not delete the execute ${execute.prompt_id}: ${error.message}`);
        });
      });
      const queued = isoSpan(execute.create_time, execute.start_time);
      const total = isoSpan(execute.create_time, execute.complete_time);
      const times = Number.isNaN(total)
        ? ''
        : ` in ${seconds(total)}${Number.isNaN(queued) ? '' : ` (queued ${seconds(queued)})`}`;
      return `success${times}; ${file.filename} is a PNG of ${bytes.length} bytes`;
    },
  };
}
