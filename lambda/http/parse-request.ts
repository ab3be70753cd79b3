import * as z from 'zod/mini';
import { RequestValidationError } from '../domain/errors';
import { parseExactJson } from '../domain/exact-json';
import { LONE_SURROGATE } from '../domain/object-key';
import type { CreateExecuteInput } from '../use-cases/create-execute';
import { CreateExecuteBodySchema } from './request-schemas';

/** ESD's exact texts, so that clients matching on them keep working (esd-executes-api.md §5.2). */
export const ESD_MESSAGES = {
  noBody: 'the JSON object must be str, bytes or bytearray, not NoneType',
  unknownKey: (key: string) => `ExecuteEvent.__init__() got an unexpected keyword argument '${key}'`,
  missingPrompt: "ExecuteEvent.__init__() missing 1 required positional argument: 'prompt'",
  emptyPrompt: 'Prompt is required',
} as const;

/** Deeper JSON than any ComfyUI graph needs; deeper still would exhaust the stack later on. */
export const MAX_JSON_DEPTH = 64;

export interface JsonScan {
  maxDepth: number;
  /** A string holds U+0000 (escaped as \\u0000; a raw one is not JSON at all). */
  hasNul: boolean;
}

/** One pass over JSON text outside its strings: its nesting depth, and whether a string holds NUL. */
export function scanJson(json: string): JsonScan {
  let inString = false;
  let depth = 0;
  let maxDepth = 0;
  let hasNul = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === '\\') {
        if (json.startsWith('u0000', i + 1)) hasNul = true;
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') maxDepth = Math.max(maxDepth, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return { maxDepth, hasNul };
}

export function parseJsonBody(body: string | null | undefined, isBase64Encoded = false): unknown {
  if (body === null || body === undefined || body === '')
    throw new RequestValidationError(ESD_MESSAGES.noBody);
  let text = body;
  if (isBase64Encoded) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(body, 'base64'));
    } catch {
      throw new RequestValidationError('request body is not valid UTF-8');
    }
  }
  return parseJsonText(text, 'request body');
}

/**
 * JSON text a client sent, parsed with the body's checks: no NUL in a string, at most
 * MAX_JSON_DEPTH levels, no lone surrogate; 64-bit integers exact. `what` names it in a refusal
 * (a template's payload arrives as JSON text inside the body, and gets the same checks).
 */
export function parseJsonText(text: string, what: string): unknown {
  const scan = scanJson(text);
  if (scan.hasNul)
    throw new RequestValidationError(
      `${what} holds a NUL character (\\u0000) in a string, which no field accepts`,
    );
  if (scan.maxDepth > MAX_JSON_DEPTH)
    throw new RequestValidationError(
      `${what} is nested ${scan.maxDepth} levels deep; the limit is ${MAX_JSON_DEPTH}`,
    );
  let parsed: unknown;
  try {
    // Integers past 2^53-1 (ComfyUI's seeds go to 2^64-1) come back as BigInt, kept exact.
    parsed = parseExactJson(text);
  } catch (error) {
    throw new RequestValidationError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  // One walk of what was parsed for both: a body may be a 10 MB prompt.
  const found = keyOrTextProblemAt(parsed, []);
  if (found?.problem === 'prototype')
    throw new RequestValidationError(
      `${[...found.path, '__proto__'].join('.')}: '__proto__' is not a key any field accepts (parsing would turn it into the object's prototype, not a key)`,
    );
  if (found)
    throw new RequestValidationError(
      `${found.path.length > 0 ? found.path.join('.') : what} holds a lone UTF-16 surrogate (an escape like \\ud800 without its pair): it is not text any file name, key or value can hold`,
    );
  return parsed;
}

/**
 * The first place the parsed body holds what no field may, else undefined:
 * - an own `__proto__` key (JSON.parse keeps it; every copy turns it into the prototype, and
 *   DynamoDB was sent an empty attribute for it);
 * - a string or key with a lone surrogate, which cannot become UTF-8 (the AWS SDK threw URIError
 *   building an S3 key from it: a 500).
 */
function keyOrTextProblemAt(
  value: unknown,
  path: string[],
): { path: string[]; problem: 'prototype' | 'surrogate' } | undefined {
  if (typeof value === 'string')
    return LONE_SURROGATE.test(value) ? { path, problem: 'surrogate' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) return { path, problem: 'prototype' };
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key))
      return { path: [...path, key.replace(LONE_SURROGATE, '\uFFFD')], problem: 'surrogate' };
    const found = keyOrTextProblemAt(item, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where} ${issue.message}`;
}

/** zod's first problem as one line naming the field. */
export function parseWith<S extends z.core.$ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const within = issue.path.length > 0 ? ` in ${issue.path.join('.')}` : '';
    throw new RequestValidationError(
      `${what}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}${within}`,
    );
  }
  // A value parsed alone (a path's name) is named by `what`, not as a field of a body.
  if (issue.path.length === 0 && what !== 'body')
    throw new RequestValidationError(`${what} ${issue.message}`);
  throw new RequestValidationError(`${what}: ${describeIssue(issue)}`);
}

function isEmptyPrompt(prompt: unknown): boolean {
  if (prompt === null || prompt === false || prompt === 0 || prompt === '') return true;
  return typeof prompt === 'object' && Object.keys(prompt).length === 0;
}

/** POST /executes body → the use case's input, with ESD's defaults and ESD's error texts. */
export function parseCreateExecuteBody(body: unknown): CreateExecuteInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestValidationError('request body must be a JSON object (ESD ExecuteEvent)');
  }
  const unknownKey = Object.keys(body).find((key) => !(key in CreateExecuteBodySchema().shape));
  if (unknownKey !== undefined) throw new RequestValidationError(ESD_MESSAGES.unknownKey(unknownKey));
  if (!('prompt' in body) || (body as { prompt: unknown }).prompt === undefined) {
    throw new RequestValidationError(ESD_MESSAGES.missingPrompt);
  }
  if (isEmptyPrompt((body as { prompt: unknown }).prompt))
    throw new RequestValidationError(ESD_MESSAGES.emptyPrompt);
  const parsed = parseWith(CreateExecuteBodySchema(), body, 'ExecuteEvent');
  return {
    prompt: parsed.prompt,
    ...(parsed.prompt_id ? { prompt_id: parsed.prompt_id } : {}),
    ...(parsed.endpoint_name ? { endpoint_name: parsed.endpoint_name } : {}),
    need_sync: parsed.need_sync ?? true,
    number: parsed.number ?? null,
    front: parsed.front ?? null,
    extra_data: parsed.extra_data ?? null,
    client_id: parsed.client_id ?? null,
    workflow: parsed.workflow ?? null,
    workflow_name: parsed.workflow_name ?? null,
    need_prepare: parsed.need_prepare ?? false,
    prepare_props: parsed.prepare_props ?? null,
    multi_async: parsed.multi_async ?? false,
    ...(parsed.dry_run ? { dry_run: true } : {}),
    ...(parsed.inputs ? { inputs: parsed.inputs } : {}),
    // null opts out of the key's default webhook; absent takes it.
    ...(parsed.webhook !== undefined ? { webhook: parsed.webhook } : {}),
  };
}
