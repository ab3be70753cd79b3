/**
 * A template's parameters as its JSON Schema (GET /schemas/{name} `input_schema`) describes them,
 * and the values of a run checked against it before anything is sent: the same types, ranges
 * and choices the API enforces, found without a round trip. Pure: no I/O.
 */
export interface ParameterSchema {
  type?: 'integer' | 'number' | 'string' | 'boolean';
  enum?: unknown[];
  minimum?: number | bigint;
  maximum?: number | bigint;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  'x-places'?: string[];
  'x-step'?: number;
  'x-multiline'?: boolean;
  /** A file: an uploaded input's name, a data: URL or an https:// URL (a file given as bytes is uploaded first). */
  'x-file'?: 'image' | 'audio' | 'video' | 'model3d';
  'x-model-folder'?: string;
}

export interface InputSchema {
  type: 'object';
  properties: Record<string, ParameterSchema>;
  required?: string[];
  additionalProperties?: boolean;
}

const isInteger = (value: unknown) =>
  typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'bigint' ? 'an integer' : `a ${typeof value}`;
}

function typeProblem(schema: ParameterSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case 'integer':
      return isInteger(value) ? undefined : `must be an integer, not ${kind(value)}`;
    case 'number':
      return typeof value === 'number' || typeof value === 'bigint'
        ? undefined
        : `must be a number, not ${kind(value)}`;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, not ${kind(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${kind(value)}`;
    default:
      return undefined;
  }
}

/** Why one value does not fit its parameter, or undefined. */
export function parameterProblem(schema: ParameterSchema, value: unknown): string | undefined {
  const typed = typeProblem(schema, value);
  if (typed) return typed;
  if (schema.enum && !schema.enum.includes(value))
    return `${String(value)} is not one of the choices: ${schema.enum.slice(0, 8).map(String).join(', ')}${schema.enum.length > 8 ? ` and ${schema.enum.length - 8} more` : ''}`;
  if (typeof value === 'number' || typeof value === 'bigint') {
    // Compared as BigInt when either side is one: a 64-bit seed's bounds are exact.
    const below = (a: number | bigint, b: number | bigint) =>
      typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a) < BigInt(b) : a < b;
    if (schema.minimum !== undefined && below(value, schema.minimum))
      return `${value} is below the minimum ${schema.minimum}`;
    if (schema.maximum !== undefined && below(schema.maximum, value))
      return `${value} is above the maximum ${schema.maximum}`;
  }
  return undefined;
}

/** Every problem of a run's values, each naming its parameter; empty when the API would take them. */
export function templateInputProblems(
  schema: InputSchema,
  values: Readonly<Record<string, unknown>>,
): string[] {
  const problems: string[] = [];
  const names = Object.keys(schema.properties);
  for (const [name, value] of Object.entries(values)) {
    const parameter = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    if (!parameter) {
      problems.push(
        `unknown parameter '${name}'; this template takes ${names.map((n) => `'${n}'`).join(', ') || 'none'}`,
      );
      continue;
    }
    // A file given as bytes is uploaded, then named: only a string is checked here.
    if (parameter['x-file'] && typeof value !== 'string') continue;
    const problem = parameterProblem(parameter, value);
    if (problem) problems.push(`parameter '${name}': ${problem}`);
  }
  for (const name of schema.required ?? [])
    if (!Object.hasOwn(values, name)) problems.push(`parameter '${name}' is required`);
  return problems;
}
