import { type InputSchema, type ParameterSchema, parameterProblem } from '@comfy-exec/client';
import { parseInteger } from './exact-numbers';

/** How a template parameter is edited: which control its JSON Schema calls for. */
export type FieldKind =
  | 'file'
  | 'choice'
  | 'model'
  | 'seed'
  | 'integer'
  | 'number'
  | 'multiline'
  | 'text'
  | 'boolean';

export interface TemplateField {
  name: string;
  schema: ParameterSchema;
  kind: FieldKind;
  required: boolean;
}

/** Past 2^53 a number field rounds what is typed: such integers (64-bit seeds) are edited as text. */
const beyondSafe = (bound: number | bigint | undefined) =>
  bound !== undefined && (typeof bound === 'bigint' || !Number.isSafeInteger(bound));

export function fieldKind(schema: ParameterSchema): FieldKind {
  if (schema['x-file']) return 'file';
  if (schema.enum) return 'choice';
  if (schema['x-model-folder']) return 'model';
  switch (schema.type) {
    case 'integer':
      return beyondSafe(schema.maximum) || beyondSafe(schema.minimum) ? 'seed' : 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      return schema['x-multiline'] ? 'multiline' : 'text';
  }
}

/** The template's parameters in the schema's order (texts, then files, then numbers, as the API derives them). */
export function templateFields(schema: InputSchema): TemplateField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties).map(([name, parameter]) => ({
    name,
    schema: parameter,
    kind: fieldKind(parameter),
    required: required.has(name),
  }));
}

/**
 * A number field's text as the value to send: an integer exactly (a BigInt past 2^53), another
 * number as a number, and anything else as typed, so the check says what is wrong with it rather
 * than quietly sending 0 (`Number('')`) or the previous value.
 */
export function typedNumber(text: string, integer: boolean): unknown {
  const trimmed = text.trim();
  if (integer) {
    const exact = parseInteger(trimmed);
    if (exact !== undefined) return exact;
  }
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

/** A choice's value back from the select's text: ComfyUI's lists may hold numbers as well as strings. */
export const choiceValue = (schema: ParameterSchema, text: string): unknown =>
  (schema.enum ?? []).find((choice) => String(choice) === text) ?? text;

/**
 * What is wrong with a changed value, before anything is sent; a file picked but not yet
 * uploaded is not a name yet, and is not checked.
 */
export function fieldProblem(field: TemplateField, value: unknown): string | undefined {
  if (field.kind === 'file' && typeof value !== 'string') return undefined;
  return parameterProblem(field.schema, value);
}

/** The control's text for a value (a BigInt's digits; nothing for a parameter with no default). */
export const shownValue = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/**
 * ESD's convention: workflow (environment) X runs on endpoint comfy-async-X. An endpoint named
 * otherwise has no environment name: '' saves the template for the deployment's default endpoint.
 */
export function environmentOf(endpointName: string): string {
  return /^comfy-async-([A-Za-z][A-Za-z0-9]*)$/.exec(endpointName)?.[1] ?? '';
}

/** A template name as the API takes it: the console says so before a round trip. */
export const TEMPLATE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The API's own words for a refusal ("sdxl already exists", "parameter 'steps': 0 is below the
 * minimum 1"), without the library's operation and status prefix, which mean nothing to a person.
 */
export function apiMessage(error: { message: string; body: unknown }): string {
  const message = (error.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : error.message;
}
