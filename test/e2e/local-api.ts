import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/local-stack';

export const KEY_A = 'e2eKeyAaaaaaaaaaaaaa';
export const KEY_B = 'e2eKeyBbbbbbbbbbbbbb';

/**
 * `npm start`'s composition, fast: a quick simulator and a frequent sweeper. The invocation
 * timeout stays a minute so a loaded machine cannot turn a slow run into a timeout; a test of
 * the timeout itself starts its own stack with a short one.
 */
export function startE2eStack(extra: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    apiKeys: [KEY_A, KEY_B],
    simStepMs: 10,
    requestTtlSeconds: 60,
    invocationTimeoutSeconds: 60,
    sweepIntervalMs: 250,
    sweepGraceSeconds: 1,
    ...extra,
  });
}

export interface Answer {
  status: number;
  body: any;
}

/** One HTTP call to the local API, as any client makes it. */
export async function api(
  stack: LocalStack,
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const key = options.key === undefined ? KEY_A : options.key;
  if (key) headers['x-api-key'] = key;
  const response = await fetch(`${stack.apiUrl}${path.replace(/^\//, '')}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const FINAL = ['success', 'failed', 'cancelled'];

/**
 * Polls GetExecute until the execute is final; returns every status seen, in order, and the last
 * record. It waits as long as the test may (vitest's 60 s testTimeout bounds it), so a run slowed
 * by a busy machine is waited for; past the deadline it says what it saw.
 */
export async function pollUntilFinal(
  stack: LocalStack,
  promptId: string,
  key = KEY_A,
  timeoutMs = 58_000,
  seenAtCreate?: string,
) {
  const seen: string[] = seenAtCreate ? [seenAtCreate] : [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await api(stack, 'GET', `executes/${promptId}`, { key });
    const status = body.data.status as string;
    if (seen.at(-1) !== status) seen.push(status);
    if (FINAL.includes(status)) return { seen, record: body.data };
    if (Date.now() > deadline)
      throw new Error(`execute ${promptId} still ${status} after ${timeoutMs} ms (seen ${seen.join(' → ')})`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

/** Puts a model file in the library through the API (presigned parts, then complete), as a model writer does. */
export async function uploadModel(
  stack: LocalStack,
  folder: string,
  name: string,
  bytes: Buffer,
  sha256?: string,
) {
  const started = await api(stack, 'POST', 'models', {
    body: { folder, name, size: bytes.length, sha256, overwrite: true },
  });
  if (started.status !== 201) throw new Error(`StartModelUpload: ${started.status} ${started.body.message}`);
  const { upload_id, parts: urls } = started.body.data as {
    upload_id: string;
    parts: { part_number: number; size: number; url: string }[];
  };
  let offset = 0;
  const parts: { part_number: number; etag: string }[] = [];
  for (const part of urls) {
    const put = await fetch(part.url, { method: 'PUT', body: bytes.subarray(offset, offset + part.size) });
    if (put.status !== 200) throw new Error(`part ${part.part_number}: ${put.status}`);
    parts.push({ part_number: part.part_number, etag: put.headers.get('etag')! });
    offset += part.size;
  }
  const done = await api(stack, 'POST', 'models/complete', { body: { folder, name, upload_id, parts } });
  if (done.status !== 200) throw new Error(`CompleteModelUpload: ${done.status} ${done.body.message}`);
  return done.body.data;
}
