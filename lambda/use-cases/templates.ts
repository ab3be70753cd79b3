import {
  IdempotencyConflictError,
  RequestValidationError,
  TemplateExistsError,
  TemplateNotFoundError,
} from '../domain/errors';
import { exactJsonText } from '../domain/exact-json';
import type { Clock } from '../domain/ports';
import type { ParameterDeclarations, Template, TemplateStore } from '../domain/templates/template';
import {
  checkedTemplateView,
  endpointShown,
  type TemplateRow,
  type TemplateView,
  type TemplateViewDeps,
  templateRow,
  templateView,
} from './template-views';

export interface TemplatesDeps extends TemplateViewDeps {
  templates: TemplateStore;
  clock: Clock;
}

/** A payload as ESD sends it (JSON text), or the object itself: stored as text either way. */
export type PayloadInput = string | Record<string, unknown>;

export interface CreateTemplateInput {
  name: string;
  payload: PayloadInput;
  workflow?: string;
  inputs?: ParameterDeclarations | null;
}

export type UpdateTemplateInput = Partial<Omit<CreateTemplateInput, 'name'>>;

/**
 * A saved payload is at most this much JSON text, counted as it travels inside an answer (its
 * quotes and backslashes escaped): GetSchema answers it, the saved values as defaults, and the
 * declarations, and a Lambda answer (escaped once more) is at most 6 MB.
 */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Declared parameters (descriptions, defaults) are a form, not data: at most this much JSON. */
export const MAX_DECLARATIONS_BYTES = 64 * 1024;

/** A ListSchemas page ends early past this much JSON of rows: ESD's rows carry their payloads. */
export const MAX_LISTED_BYTES = 2 * 1024 * 1024;

/** Bytes of a text as a JSON string in an answer. */
const answerBytes = (text: string) => new TextEncoder().encode(JSON.stringify(text)).length;

function payloadText(payload: PayloadInput): string {
  const text = typeof payload === 'string' ? payload : exactJsonText(payload);
  const bytes = answerBytes(text);
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new RequestValidationError(
      `payload: ${bytes} bytes as a JSON string (quotes and backslashes escaped); at most ${MAX_PAYLOAD_BYTES}`,
    );
  return text;
}

function declarations(inputs: ParameterDeclarations | null | undefined): ParameterDeclarations | null {
  if (!inputs) return null;
  const bytes = answerBytes(exactJsonText(inputs));
  if (bytes > MAX_DECLARATIONS_BYTES)
    throw new RequestValidationError(`inputs: ${bytes} bytes of JSON; at most ${MAX_DECLARATIONS_BYTES}`);
  return inputs;
}

const notFound = (name: string) => new TemplateNotFoundError(`schema with name ${name} not found`);

/**
 * CreateSchema: checked as a run would be (the payload converts and types on its endpoint, each
 * parameter's places exist and agree) before anything is written; the name is the caller's own.
 */
export async function createTemplate(
  input: CreateTemplateInput,
  owner: string,
  deps: TemplatesDeps,
): Promise<TemplateView> {
  const now = deps.clock.now().toISOString();
  const template: Template = {
    name: input.name,
    payload: payloadText(input.payload),
    workflow: input.workflow ?? '',
    inputs: declarations(input.inputs),
    create_time: now,
    update_time: now,
  };
  const view = await checkedTemplateView(template, deps);
  if (!(await deps.templates.create(owner, template)))
    throw new TemplateExistsError(`${input.name} already exists`);
  return view;
}

/**
 * UpdateSchema: the fields sent replace the stored ones (`inputs: null` goes back to derived
 * parameters), checked as a create is. Executes already created keep their own prompt.
 */
export async function updateTemplate(
  name: string,
  input: UpdateTemplateInput,
  owner: string,
  deps: TemplatesDeps,
): Promise<TemplateView> {
  if (input.payload === undefined && input.workflow === undefined && input.inputs === undefined)
    throw new RequestValidationError('At least one of workflow or payload must be provided (or inputs)');
  // Two tries: a concurrent update between the read and the conditional write is re-read once.
  for (let attempt = 0; attempt < 2; attempt++) {
    const current = await deps.templates.get(owner, name);
    if (!current) throw notFound(name);
    const next: Template = {
      ...current.template,
      ...(input.payload !== undefined ? { payload: payloadText(input.payload) } : {}),
      ...(input.workflow !== undefined ? { workflow: input.workflow } : {}),
      ...(input.inputs !== undefined ? { inputs: declarations(input.inputs) } : {}),
      update_time: deps.clock.now().toISOString(),
    };
    const view = await checkedTemplateView(next, deps);
    if (await deps.templates.replace(owner, next, current.version)) return view;
  }
  throw new IdempotencyConflictError(
    `schema ${name} changed while this update was being made; send it again`,
  );
}

export async function getTemplate(name: string, owner: string, deps: TemplatesDeps): Promise<TemplateView> {
  const found = await deps.templates.get(owner, name);
  if (!found) throw notFound(name);
  return templateView(found.template, deps);
}

/** ListSchemas: the caller's templates by name, a page at a time (ESD's `schemas` and `last_evaluated_key`). */
export async function listTemplates(
  page: { limit: number; after?: string },
  owner: string,
  deps: TemplatesDeps,
): Promise<{ schemas: TemplateRow[]; last_evaluated_key: string | null }> {
  const listed = await deps.templates.list(owner, page);
  // Whole rows until the page passes the budget (at least one): the next page starts there.
  let bytes = 0;
  const rows: TemplateRow[] = [];
  for (const template of listed.templates) {
    const row = templateRow(template, endpointShown(template.workflow, deps));
    bytes += answerBytes(exactJsonText(row));
    if (rows.length > 0 && bytes > MAX_LISTED_BYTES) break;
    rows.push(row);
  }
  const cut = rows.length < listed.templates.length;
  return {
    schemas: rows,
    last_evaluated_key: cut ? rows.at(-1)!.name : listed.cursor,
  };
}

/** DeleteSchemas: each named template of the caller's is removed; names it does not have are left alone. */
export async function deleteTemplates(
  names: readonly string[],
  owner: string,
  deps: TemplatesDeps,
): Promise<void> {
  await Promise.all([...new Set(names)].map((name) => deps.templates.remove(owner, name)));
}
