import { exactJsonText, type InputSchema, type ParameterSchema, type Template } from '../src/index';
import { shellWord, typeText } from './template-params';

/** Cells longer than this are cut (`templates show --schema` has them whole). */
const TYPE_WIDTH = 44;
const DEFAULT_WIDTH = 32;
/** How many parameters the example command sets: enough to show the syntax, short enough to copy. */
const EXAMPLE_PARAMETERS = 4;
/** A default text longer than this is cut at a word in the example (it shows the syntax, not the prompt). */
const EXAMPLE_TEXT = 40;

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

/** Columns padded to their widest cell; the last is left as it is. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A default as one short line: a text's line breaks shown as `\n`; none is `(required)`. */
function defaultText(value: unknown): string {
  if (value === undefined) return '(required)';
  const text = typeof value === 'string' ? value.replaceAll('\n', '\\n') : exactJsonText(value);
  return cut(text, DEFAULT_WIDTH);
}

const parametersOf = (schema: InputSchema) => Object.entries(schema.properties);

/** `templates show`: a parameter a line, with its type (range, choices), default and description. */
export function parameterTable(schema: InputSchema): string[] {
  if (parametersOf(schema).length === 0) return ['no parameters: it runs as saved'];
  return table(
    ['PARAMETER', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
    parametersOf(schema).map(([name, parameter]) => [
      name,
      cut(typeText(parameter), TYPE_WIDTH),
      defaultText(parameter.default),
      parameter.description ?? '',
    ]),
  );
}

/** What `templates save` prints: where each parameter goes, so a wrong place is seen at once. */
export function placesTable(schema: InputSchema): string[] {
  if (parametersOf(schema).length === 0) return ['no parameters: it runs as saved'];
  return table(
    ['PARAMETER', 'TYPE', 'DEFAULT', 'PLACES'],
    parametersOf(schema).map(([name, parameter]) => [
      name,
      cut(typeText(parameter), TYPE_WIDTH),
      defaultText(parameter.default),
      (parameter['x-places'] ?? []).join(', '),
    ]),
  );
}

const FILE_EXAMPLES: Record<string, string> = {
  image: 'image.png',
  audio: 'audio.wav',
  video: 'video.mp4',
  model3d: 'model.glb',
};

/** A value for the example: the default (a long text cut at a word), else one of the right type. */
function exampleValue(parameter: ParameterSchema): string {
  const fallback = parameter.default;
  if (typeof fallback === 'string') {
    const line = fallback.split('\n')[0]!;
    if (line.length <= EXAMPLE_TEXT) return line;
    const cutAt = line.lastIndexOf(' ', EXAMPLE_TEXT);
    return line.slice(0, cutAt > 0 ? cutAt : EXAMPLE_TEXT).replace(/[\s,;:.]+$/, '');
  }
  if (fallback !== undefined) return exactJsonText(fallback);
  if (parameter['x-file']) return FILE_EXAMPLES[parameter['x-file']] ?? 'file';
  if (parameter.enum) return String(parameter.enum[0]);
  if (parameter.examples?.length) return String(parameter.examples[0]);
  if (parameter.type === 'integer' || parameter.type === 'number') return String(parameter.minimum ?? 0);
  return parameter.type === 'boolean' ? 'true' : 'TEXT';
}

/**
 * A command line to copy: the required parameters, then a text, a file and a number (what a run
 * most often changes), with their defaults.
 */
export function exampleCommand(name: string, schema: InputSchema): string {
  const parameters = parametersOf(schema);
  const picks = [
    ...parameters.filter(([, p]) => p.default === undefined),
    parameters.find(([, p]) => p.type === 'string' && !p['x-file'] && !p['x-model-folder']),
    parameters.find(([, p]) => p['x-file']),
    parameters.find(([, p]) => p.type === 'integer' || p.type === 'number'),
  ].filter((pick): pick is [string, ParameterSchema] => pick !== undefined);
  const chosen = [...new Map(picks).entries()].slice(0, EXAMPLE_PARAMETERS);
  return [
    'comfy-exec run --template',
    shellWord(name),
    ...chosen.map(([parameter, schema]) => `--param ${parameter}=${shellWord(exampleValue(schema))}`),
  ].join(' ');
}

/** Where a template runs, as a list and `show` say it. */
export const endpointText = (template: Pick<Template, 'workflow' | 'endpoint_name'>) =>
  template.endpoint_name || `(environment ${template.workflow} is not deployed)`;

/** `templates show`'s lines above the table. */
export function templateHeader(template: Template): string[] {
  const how = template.declared_inputs ? 'declared parameters' : 'parameters derived from the workflow';
  return [
    `template ${template.name}: ${how}; runs on ${endpointText(template)}${template.workflow ? ` (environment ${template.workflow})` : ''}`,
    `created ${template.create_time}, updated ${template.update_time}`,
    ...(template.problem ? [`problem: ${template.problem}`] : []),
  ];
}
