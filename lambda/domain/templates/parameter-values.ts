import { exactJsonText } from '../exact-json';
import { numberErrors } from '../workflow/number-inputs';
import type { ParameterType } from './parameter-types';

const MAX_CHOICES_NAMED = 8;

function choicesText(choices: readonly unknown[]): string {
  const named = choices.slice(0, MAX_CHOICES_NAMED).map((choice) => exactJsonText(choice));
  const more = choices.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** A model name outside the list must at least be a path within a model folder (the library's check follows). */
function modelPathProblem(name: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const unsafe = name.startsWith('/') || name.includes('\\') || /[\u0000-\u001f\u007f]/.test(name);
  if (unsafe || name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..'))
    return `${exactJsonText(name)} is not a model name: a path within the model folder, without '..', '.' or empty segments`;
  return undefined;
}

/** What a caller's value is, in words, for "must be an integer, not a string" (a number as itself). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'bigint') return 'an integer';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** ComfyUI's own range check (exact for 64-bit seeds), in the words of a parameter. */
function rangeProblem(value: number | bigint, type: 'INT' | 'FLOAT', min: unknown, max: unknown) {
  const [error] = numberErrors('value', value, type, { min, max }, {});
  if (!error) return undefined;
  return error.type === 'value_smaller_than_min'
    ? `${value} is below the minimum ${error.message.replace(/^.* of /, '')}`
    : `${value} is above the maximum ${error.message.replace(/^.* of /, '')}`;
}

/**
 * Why a value does not fit a parameter's type, or undefined when it does. The same checks ComfyUI
 * runs on the input (its range, its list), but on the JSON type the value came as: "5" is not an
 * integer here, so a typed client learns of its mistake rather than having it coerced.
 */
export function valueProblem(type: ParameterType, value: unknown): string | undefined {
  switch (type.type) {
    case 'integer':
      if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))))
        return `must be an integer, not ${kindOf(value)}`;
      return rangeProblem(value, 'INT', type.minimum, type.maximum);
    case 'number':
      if (typeof value !== 'number' && typeof value !== 'bigint')
        return `must be a number, not ${kindOf(value)}`;
      if (!Number.isFinite(Number(value))) return `must be a finite number, not ${String(value)}`;
      return rangeProblem(Number(value), 'FLOAT', type.minimum, type.maximum);
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, not ${kindOf(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, not ${kindOf(value)}`;
    case 'choice':
      if (type.choices.includes(value)) return undefined;
      // A model the library holds is valid though the endpoint does not list it: the create's
      // own model check decides, and its error is told as this parameter's.
      if (type.modelFolder && typeof value === 'string' && value !== '') return modelPathProblem(value);
      return `${value === undefined ? 'undefined' : exactJsonText(value)} is not one of the choices: ${choicesText(type.choices)}`;
    case 'file':
      if (typeof value === 'string' && value.trim() === '')
        return "must name a file: an uploaded input's name, a data: URL or an https:// URL, not an empty string";
      return typeof value === 'string'
        ? undefined
        : `must be a file: an uploaded input's name, a data: URL or an https:// URL, not ${kindOf(value)}`;
  }
}
