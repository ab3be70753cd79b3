import { type LocalStack, startLocalStack } from '../../local/local-stack';

export const KEY_A = 'e2eKeyAaaaaaaaaaaaaa';
export const KEY_B = 'e2eKeyBbbbbbbbbbbbbb';

/** `npm start`'s composition, fast: short timeouts, a quick simulator, a frequent sweeper. */
export function startE2eStack(): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    apiKeys: [KEY_A, KEY_B],
    simStepMs: 10,
    requestTtlSeconds: 60,
    invocationTimeoutSeconds: 6,
    sweepIntervalMs: 250,
    sweepGraceSeconds: 1,
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

/** Polls GetExecute until the execute is final; returns every status seen, in order, and the last record. */
export async function pollUntilFinal(
  stack: LocalStack,
  promptId: string,
  key = KEY_A,
  timeoutMs = 30_000,
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
