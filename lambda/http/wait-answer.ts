import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { RequestValidationError } from '../domain/errors';
import { type ExecuteRecord, type PublicExecute, toPublicExecute } from '../domain/execute-record';
import { isTerminal } from '../domain/execute-status';
import type { PayloadStore } from '../domain/ports';
import type { WaitSlots } from '../domain/wait-slots';
import { executeView } from '../use-cases/get-execute';
import { inlineOutputs } from '../use-cases/inline-outputs';
import { type WaitForExecuteDeps, waitForExecuteEnd } from '../use-cases/wait-for-execute';

/** API Gateway's integration timeout: past it the caller gets a 504, whatever the Lambda does. */
export const GATEWAY_TIMEOUT_MS = 29_000;

/** Left for what follows the wait: showing the record (signing its files) and sending the answer. */
export const WAIT_MARGIN_MS = 1_500;

export interface WaitOptions {
  /** 0: answer at once, as ESD does. */
  seconds: number;
  /** Small output files inline in the answer (only a finished execute has them). */
  inline: boolean;
}

/** `wait` and `inline` of a body parseCreateExecuteBody has accepted (their types checked there). */
export function waitOptionsOf(body: unknown): WaitOptions {
  const { wait, inline } = body as { wait?: unknown; inline?: unknown };
  const seconds = typeof wait === 'number' ? wait : 0;
  if (inline === true && seconds === 0)
    throw new RequestValidationError(
      'inline needs wait: only a create that waits answers with the finished execute and its files',
    );
  return { seconds, inline: inline === true };
}

/**
 * When a create asked to wait `waitSeconds` must answer (epoch ms): `wait` counted from when
 * API Gateway received the request, and never later than API Gateway's 29 s, nor the Lambda's own
 * remaining time, less a margin for the answer. A cold start's init counts against the gateway's
 * clock but not the Lambda's, hence both.
 */
export function waitDeadline(
  waitSeconds: number,
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  context: Pick<Context, 'getRemainingTimeInMillis'> | undefined,
  now: number,
): number {
  const received = event.requestContext?.requestTimeEpoch;
  // A clock far off (or a test's event) must not turn the wait into none or into minutes.
  const start =
    typeof received === 'number' && received <= now && now - received < GATEWAY_TIMEOUT_MS ? received : now;
  const bounds = [start + waitSeconds * 1000, start + GATEWAY_TIMEOUT_MS - WAIT_MARGIN_MS];
  if (context) bounds.push(now + context.getRemainingTimeInMillis() - WAIT_MARGIN_MS);
  return Math.min(...bounds);
}

export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

type CalledEvent = Pick<APIGatewayProxyEvent, 'headers' | 'requestContext' | 'path'>;

/**
 * A URL beside the one called: `relative(path called)` under the stage, or a custom domain's base
 * path, as API Gateway reports it. Absolute when API Gateway says how it was reached
 * (X-Forwarded-Proto and Host), else path-absolute, which clients resolve against the URL they called.
 */
export function besideCalledUrl(event: CalledEvent, relative: (calledPath: string) => string): string {
  const path = relative((event.requestContext?.path ?? event.path).replace(/\/+$/, ''));
  const proto = header(event, 'x-forwarded-proto');
  const host = header(event, 'host');
  return proto && host && /^https?$/.test(proto) ? `${proto}://${host}${path}` : path;
}

/** Where to poll an execute: GetExecute's URL under the path the create was called on. */
export function pollLocation(event: CalledEvent, promptId: string): string {
  return besideCalledUrl(event, (createPath) => `${createPath}/${encodeURIComponent(promptId)}`);
}

export interface WaitAnswerDeps extends WaitForExecuteDeps {
  payloads: PayloadStore;
  config: { presignTtlSeconds: number };
  /** The owner's cap on creates that hold their caller at once. */
  slots: WaitSlots;
}

export interface CreateAnswer {
  statusCode: number;
  data: PublicExecute;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * A create's answer once it has waited: the finished execute as GetExecute shows it (files
 * signed) with the create's own status (201, or 200 for a retry), or 202 with the execute as it
 * is now and where to poll it.
 */
export async function answerAfterWait(
  created: { statusCode: number; record: ExecuteRecord; message?: string },
  wait: WaitOptions,
  request: { event: APIGatewayProxyEvent; context?: Context },
  deps: WaitAnswerDeps,
): Promise<CreateAnswer> {
  // An execute already ended (an idempotent retry) is answered without taking a slot.
  const release = isTerminal(created.record.status) ? noRelease : await deps.slots.take(created.record.owner);
  if (!release)
    return notEnded(
      created,
      created.record,
      request.event,
      `not waited for: this API key already has as many creates waiting as this deployment allows (maxWaitingPerKey)`,
    );
  let outcome: Awaited<ReturnType<typeof waitForExecuteEnd>>;
  try {
    const deadline = waitDeadline(wait.seconds, request.event, request.context, deps.clock.now().getTime());
    outcome = await waitForExecuteEnd(created.record, deadline, deps);
  } finally {
    await release();
  }
  const { ended, record } = outcome;
  const message = created.message ? { message: created.message } : {};
  if (ended) {
    const view = await executeView(record, deps);
    const outputs = wait.inline ? await inlineOutputs(view.outputs, view, deps.payloads) : view.outputs;
    return { statusCode: created.statusCode, data: { ...view, outputs }, ...message };
  }
  return notEnded(created, record, request.event, `${record.status} after waiting ${wait.seconds} s`);
}

const noRelease = async () => undefined;

/** 202: the execute as it is now, and where to poll it. */
function notEnded(
  created: { message?: string },
  record: ExecuteRecord,
  event: APIGatewayProxyEvent,
  why: string,
): CreateAnswer {
  const location = pollLocation(event, record.prompt_id);
  const still = `${why}; poll ${location}`;
  return {
    statusCode: 202,
    data: toPublicExecute(record),
    // Exposed, so a browser client (the console) may read where to poll.
    headers: { Location: location, 'Access-Control-Expose-Headers': 'Location' },
    message: created.message ? `${created.message}; ${still}` : still,
  };
}
