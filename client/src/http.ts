import pRetry from 'p-retry';
import { ApiError, ComfyExecError, NetworkError, PromptValidationError } from './errors';
import { exactJsonText, parseExactJson } from './exact-json';
import { OPERATIONS, type OperationId, type OperationTypes } from './generated/api-types';

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** Delay before the first retry (default 250 ms), doubled each time and multiplied by a random 1–2 (jitter). */
  minDelayMs?: number;
  /** Longest delay between attempts (default 8 s). */
  maxDelayMs?: number;
  /** Told of each failed attempt that will be retried, before the wait (the CLI prints it). */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  operation: string;
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** Why: `HTTP 429`, or the network error's code (`ECONNREFUSED`) or message. */
  reason: string;
  /** True when no answer came (refused, reset, DNS, timeout); false for a retryable HTTP status. */
  unreachable: boolean;
  /** How long until the next attempt. */
  delayMs: number;
  /** Retries allowed in all, so `attempt`/`retries` reads "retry 2 of 5". */
  retries: number;
}

export interface TransportOptions {
  /** The API's base URL, stage included: `https://{id}.execute-api.{region}.amazonaws.com/prod/`. */
  apiUrl: string;
  apiKey: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Per attempt (default 30 s): a hung connection is retried, not waited on forever. */
  timeoutMs?: number;
}

/** What every call takes: the operation's path parameters, query and body, typed from the OpenAPI document. */
export type CallArgs<Op extends OperationId> = Omit<OperationTypes[Op], 'data'> & { signal?: AbortSignal };

export interface Answer<Data> {
  status: number;
  data: Data;
  message?: string;
  /** The envelope's links to the Lambda, its log stream and its X-Ray trace. */
  debug?: DebugLinks;
}

export interface DebugLinks {
  function_url: string;
  log_url: string;
  trace_url: string;
}

/** Statuses that mean "try again later": throttling and the gateway's transient errors. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** Thrown by an attempt whose answer is worth another try; carries that answer. */
export class RetryableAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function urlOf(apiUrl: string, template: string, path?: object, query?: object): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(String((path as Record<string, unknown>)[name])),
  );
  const url = new URL(filled.replace(/^\//, ''), apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  for (const [name, value] of Object.entries(query ?? {}))
    if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
  return url.toString();
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    // A 64-bit seed in an answer stays exact: a BigInt where JSON.parse would round it.
    return parseExactJson(text);
  } catch {
    return text;
  }
}

/**
 * A 503 CreateExecute answers after SageMaker refused the invocation comes with the execute
 * already recorded `failed`: sending it again only returns that record, so it is an answer.
 */
function isRecordedFailure(status: number, body: unknown): boolean {
  const data = (body as { data?: { status?: unknown } } | undefined)?.data;
  return status === 503 && typeof data === 'object' && data?.status === 'failed';
}

/** Longest wait a retry may ask for and still be worth retrying in the same call. */
const RETRY_AFTER_WORTH_WAITING_SECONDS = 60;

/**
 * A 429 that lasts: a key's GPU seconds of the day used up (`data.resets_at`), or any 429 whose
 * Retry-After is longer than a retry would wait. An answer, not a throttle: retrying it only
 * delays the refusal.
 */
function isLastingRefusal(response: Response, body: unknown): boolean {
  if (response.status !== 429) return false;
  const data = (body as { data?: { resets_at?: unknown } } | undefined)?.data;
  const retryAfter = Number(response.headers.get('retry-after'));
  return typeof data?.resets_at === 'string' || retryAfter > RETRY_AFTER_WORTH_WAITING_SECONDS;
}

function errorOf(operation: string, status: number, body: unknown): ApiError {
  const envelope = body as { message?: unknown; data?: unknown; debug?: ApiError['debug'] } | undefined;
  const data = envelope?.data as { error?: unknown; node_errors?: unknown; prompt?: unknown } | undefined;
  if (status === 400 && data && typeof data === 'object' && data.error && data.node_errors) {
    const error = data.error as PromptValidationError['error'];
    return new PromptValidationError(
      `${operation}: ${error.message}${error.details ? `: ${error.details}` : ''}`,
      status,
      body,
      error,
      data.node_errors as PromptValidationError['nodeErrors'],
      data.prompt && typeof data.prompt === 'object'
        ? (data.prompt as PromptValidationError['prompt'])
        : undefined,
    );
  }
  const detail =
    typeof envelope?.data === 'string'
      ? envelope.data
      : typeof envelope?.message === 'string'
        ? envelope.message
        : typeof body === 'string'
          ? body
          : '';
  return new ApiError(
    `${operation}: HTTP ${status}${detail ? ` ${detail}` : ''}`,
    status,
    body,
    envelope?.debug,
  );
}

/** The system error code under a failed fetch (undici puts it on `cause`, or on each of an AggregateError's). */
export function networkErrorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code ?? (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** localhost, 127.0.0.0/8 or ::1: a service on this machine (`npm start`), not a network away. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host);
}

/**
 * A refused connection to this machine means nothing listens there: a local stack that is not
 * running does not start within seconds, so retrying only makes the user wait (10 s with 5 retries).
 */
export function isLocalRefusal(error: unknown, url: string): boolean {
  return networkErrorCode(error) === 'ECONNREFUSED' && isLoopbackUrl(url);
}

/** What fetch throws when no answer came (as p-retry's is-network-error tells them apart from bugs). */
const NETWORK_MESSAGES = new Set([
  'fetch failed',
  'Failed to fetch',
  'NetworkError when attempting to fetch resource.',
  'Load failed',
  'Network request failed',
  'terminated',
]);

function isRetryable(error: unknown, url: string, signal?: AbortSignal): boolean {
  // Our own errors are answers (a 403, a refused upload): another attempt gets the same one.
  if (signal?.aborted || error instanceof ComfyExecError || isLocalRefusal(error, url)) return false;
  // Any other TypeError is a bug (a bad header, a consumed body): another attempt fails the same.
  return !(error instanceof TypeError) || NETWORK_MESSAGES.has(error.message);
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, with exponential backoff and jitter: network failures,
 * timeouts and RetryableAnswers are tried again, up to `retries` times; the caller's abort stops
 * it, and a refused connection to this machine (`isLocalRefusal`) is not retried. `url` is where
 * the attempt goes.
 */
export function withRetries<T>(
  operation: string,
  attempt: () => Promise<T>,
  retry: RetryOptions = {},
  signal?: AbortSignal,
  url?: string,
): Promise<T> {
  const retries = retry.retries ?? 5;
  const minDelay = retry.minDelayMs ?? 250;
  const maxDelay = retry.maxDelayMs ?? 8_000;
  const retryable = (error: unknown) => isRetryable(error, url ?? 'https://unknown/', signal);
  return pRetry(attempt, {
    retries,
    // The wait happens in onFailedAttempt, where its length is known and can be told (p-retry
    // draws its own jitter after telling): p-retry itself waits 0.
    minTimeout: 0,
    maxTimeout: 0,
    ...(signal ? { signal } : {}),
    shouldRetry: ({ error }) => retryable(error),
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      if (retriesLeft <= 0 || !retryable(error)) return;
      const delayMs = Math.min(
        maxDelay,
        Math.round(minDelay * 2 ** (attemptNumber - 1) * (1 + Math.random())),
      );
      const unreachable = !(error instanceof RetryableAnswer);
      const reason = unreachable ? (networkErrorCode(error) ?? error.message) : error.message;
      retry.onRetry?.({ operation, attempt: attemptNumber, reason, unreachable, delayMs, retries });
      await abortableSleep(delayMs, signal);
    },
  });
}

/** `fetch failed (ECONNREFUSED)`: the message, with the code that says what happened. */
export function describeNetworkError(error: unknown): string {
  const code = networkErrorCode(error);
  const message = (error as Error)?.message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** Calls one operation: retries what is worth retrying, unwraps ESD's envelope, throws typed errors. */
export async function call<Op extends OperationId>(
  options: TransportOptions,
  operation: Op,
  args: CallArgs<Op>,
): Promise<Answer<OperationTypes[Op]['data']>> {
  const { method, path } = OPERATIONS[operation];
  const { path: pathArgs, query, body } = args as { path?: object; query?: object; body?: unknown };
  const url = urlOf(options.apiUrl, path, pathArgs, query);
  const doFetch = options.fetch ?? globalThis.fetch;
  const attempt = async () => {
    const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000), ...(args.signal ? [args.signal] : [])];
    const response = await doFetch(url, {
      method,
      headers: {
        'x-api-key': options.apiKey,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : exactJsonText(body),
      signal: AbortSignal.any(signals),
    });
    const answer = await bodyOf(response);
    if (
      RETRYABLE_STATUSES.has(response.status) &&
      !isRecordedFailure(response.status, answer) &&
      !isLastingRefusal(response, answer)
    )
      throw new RetryableAnswer(response.status, answer);
    return { status: response.status, body: answer };
  };
  let answer: { status: number; body: unknown };
  try {
    answer = await withRetries(operation, attempt, options.retry, args.signal, url);
  } catch (error) {
    if (error instanceof RetryableAnswer) throw errorOf(operation, error.status, error.body);
    if (args.signal?.aborted) throw error;
    throw new NetworkError(`${operation}: cannot reach ${url}: ${describeNetworkError(error)}`, {
      cause: error,
    });
  }
  if (answer.status >= 400) throw errorOf(operation, answer.status, answer.body);
  const envelope = answer.body as { data?: unknown; message?: string; debug?: DebugLinks } | undefined;
  const isEnvelope = typeof envelope === 'object' && envelope !== null && 'statusCode' in envelope;
  return {
    status: answer.status,
    data: (isEnvelope ? envelope.data : answer.body) as OperationTypes[Op]['data'],
    ...(isEnvelope && typeof envelope.message === 'string' ? { message: envelope.message } : {}),
    ...(isEnvelope && envelope.debug ? { debug: envelope.debug } : {}),
  };
}

/** What a pre-signed request takes of the client's transport: its retries and fetch, and a signal. */
export const transferOptions = (transport: TransportOptions, signal?: AbortSignal) => ({
  ...(transport.retry ? { retry: transport.retry } : {}),
  ...(transport.fetch ? { fetch: transport.fetch } : {}),
  ...(signal ? { signal } : {}),
});
