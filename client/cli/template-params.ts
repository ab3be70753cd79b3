import { type InputSchema, type ParameterSchema, parseSetValue, templateInputProblems } from '../src/index';

/** Exact digits: a 64-bit seed must not pass through a double (it would run a neighbouring seed). */
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** How long the choices a type's text names may run before "…" (the first is always named). */
const CHOICES_CHARS = 30;

function fewOf(items: readonly unknown[]): string {
  if (items.length === 0) return 'none';
  let shown = String(items[0]);
  let count = 1;
  for (; count < items.length; count++) {
    const longer = `${shown}, ${String(items[count])}`;
    if (longer.length > CHOICES_CHARS) break;
    shown = longer;
  }
  return count < items.length ? `${shown}, …` : shown;
}

function rangeText(schema: ParameterSchema): string {
  const { minimum: min, maximum: max } = schema;
  if (min !== undefined && max !== undefined) return ` ${min}..${max}`;
  if (min !== undefined) return ` from ${min}`;
  return max !== undefined ? ` up to ${max}` : '';
}

/** A parameter's type as people read it: `integer 1..10000`, `one of 44: euler, euler_cfg_pp, …`, `image file`. */
export function typeText(schema: ParameterSchema): string {
  if (schema['x-file']) return `${schema['x-file']} file`;
  if (schema.enum) return `one of ${schema.enum.length}: ${fewOf(schema.enum)}`;
  // The endpoint's models are examples (the library may hold more): how many, not which.
  if (schema['x-model-folder'])
    return `${schema['x-model-folder']} model${schema.examples ? ` (${schema.examples.length} on the endpoint)` : ''}`;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return `${schema.type}${rangeText(schema)}`;
    case 'string':
      return schema['x-multiline'] ? 'text (multi-line)' : 'string';
    case 'boolean':
      return 'true or false';
    default:
      return 'any JSON value';
  }
}

/** A `--param` text as the value its parameter's type takes (ranges and choices are checked after). */
export function parseParameterValue(
  schema: ParameterSchema,
  text: string,
): { value: unknown } | { expected: string } {
  if (schema.enum) {
    const choice = schema.enum.find((each) => String(each) === text);
    if (choice !== undefined) return { value: choice };
    // `1.0` for a choice of 1: the number, so the choice check compares like with like.
    const numeric = schema.enum.some((each) => typeof each === 'number') && NUMBER.test(text);
    return { value: numeric ? Number(text) : text };
  }
  switch (schema.type) {
    case 'integer': {
      if (!INTEGER.test(text)) return { expected: 'an integer (digits only)' };
      const number = Number(text);
      return { value: Number.isSafeInteger(number) ? number : BigInt(text) };
    }
    case 'number':
      return NUMBER.test(text) ? { value: Number(text) } : { expected: 'a number' };
    case 'boolean':
      return /^(true|false)$/i.test(text)
        ? { value: text.toLowerCase() === 'true' }
        : { expected: 'true or false' };
    case 'string':
      return { value: text };
    default:
      return { value: parseSetValue(text) };
  }
}

/**
 * `--param NAME=VALUE` pairs as a run's values, typed by the template's JSON Schema, and every
 * problem found (unknown names, wrong types, out of range, not a choice, missing), each naming
 * its parameter: all of them at once, before anything is uploaded or sent.
 */
export function parameterValues(
  schema: InputSchema,
  pairs: readonly [string, string][],
): { values: Record<string, unknown>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const unparsed = new Set<string>();
  for (const [name, text] of pairs) {
    if (Object.hasOwn(values, name) || unparsed.has(name)) {
      problems.push(`parameter '${name}' is given twice`);
      continue;
    }
    const parameter = Object.hasOwn(schema.properties, name) ? schema.properties[name] : undefined;
    // An unknown name is kept as text: the check below names it and lists the template's parameters.
    const parsed = parameter ? parseParameterValue(parameter, text) : { value: text };
    if ('value' in parsed) values[name] = parsed.value;
    else {
      unparsed.add(name);
      problems.push(
        `parameter '${name}': expected ${parsed.expected}, not '${text}' (${typeText(parameter!)})`,
      );
    }
  }
  // A value that did not parse was given: it is not also "required".
  const given = { ...schema, required: (schema.required ?? []).filter((name) => !unparsed.has(name)) };
  problems.push(...templateInputProblems(given, values));
  return { values, problems };
}

/** A word for a POSIX shell: as is when safe, else single-quoted. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_\-.,/:@%+=]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
