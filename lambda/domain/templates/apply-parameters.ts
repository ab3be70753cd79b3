import { RequestValidationError } from '../errors';
import type { MediaKind } from '../inputs/media-kinds';
import type { PromptGraph } from '../prompt-graph';
import { withNumbersRecordsKeep } from '../prompt-storage';
import { valueProblem } from './parameter-values';
import type { TypedParameter } from './typed-parameters';

/** A file parameter's value that is data to fetch or decode, not the name of an uploaded input. */
const FILE_SOURCE = /^(data:|https?:\/\/|s3:\/\/)/i;

const DEFAULT_EXTENSION: Record<MediaKind, string> = {
  image: 'png',
  audio: 'wav',
  video: 'mp4',
  model3d: 'glb',
};

/** `data:image/jpeg;base64,…` → jpeg; a URL's or key's last segment's extension; else the kind's. */
function extensionOf(source: string, kind: MediaKind): string {
  const mime = /^data:([a-z0-9.+-]+)\/([a-z0-9.+-]+)[;,]/i.exec(source);
  if (mime) {
    const subtype = mime[2]!.toLowerCase().replace(/^x-/, '');
    if (/^[a-z0-9]{2,5}$/.test(subtype))
      return subtype === 'jpeg' ? 'jpg' : subtype === 'mpeg' ? 'mp3' : subtype;
    return DEFAULT_EXTENSION[kind];
  }
  const path = source.replace(/[?#].*$/, '');
  const extension = /\.([A-Za-z0-9]{2,5})$/.exec(path.slice(path.lastIndexOf('/') + 1))?.[1];
  return extension?.toLowerCase() ?? DEFAULT_EXTENSION[kind];
}

/** Strings longer than this are kept in the record cut (the stored prompt keeps them whole). */
const RECORDED_STRING_CHARS = 1024;

function recorded(value: unknown): unknown {
  // DynamoDB would round a 64-bit seed and refuse 1e-200 or 1e200: such numbers are kept as text.
  if (typeof value === 'bigint' || typeof value === 'number') return withNumbersRecordsKeep(value);
  if (typeof value === 'string' && value.length > RECORDED_STRING_CHARS)
    return `${value.slice(0, RECORDED_STRING_CHARS)}… (${value.length} characters; the stored prompt has them all)`;
  return value;
}

export interface AppliedParameters {
  /** The template's prompt with the run's values in place (a copy). */
  prompt: PromptGraph;
  /** Files for this execute only (CreateExecute's `inputs`): the name given → the caller's data or URL. */
  files: Record<string, string>;
  /** The name each of those files was given → its parameter (a refusal of the file names the parameter). */
  fileParameters: Record<string, string>;
  /** The caller's values as the record keeps them (files by the name they were given). */
  inputs: Record<string, unknown>;
}

/**
 * A run's values checked against the template's parameters and put in place. An unknown name, a
 * wrong type, a value out of range or not among the choices is a RequestValidationError naming
 * the parameter; a parameter left out takes its declared default, else keeps the saved value.
 */
export function applyParameters(
  graph: PromptGraph,
  parameters: readonly TypedParameter[],
  values: Readonly<Record<string, unknown>>,
): AppliedParameters {
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  for (const name of Object.keys(values))
    if (!byName.has(name))
      throw new RequestValidationError(
        `unknown parameter '${name}'; this template takes ${parameters.map((p) => `'${p.name}'`).join(', ') || 'none'}`,
        { parameter: name },
      );
  const prompt = structuredClone(graph);
  const files: Record<string, string> = {};
  const fileParameters: Record<string, string> = {};
  const inputs: Record<string, unknown> = {};
  for (const parameter of parameters) {
    const given = Object.hasOwn(values, parameter.name) && values[parameter.name] !== undefined;
    if (!given && !parameter.declaredDefault) {
      if (parameter.default === undefined)
        throw new RequestValidationError(
          `parameter '${parameter.name}' is required: the template has no default for it that this endpoint can use`,
          {
            parameter: parameter.name,
          },
        );
      continue;
    }
    let value = given ? values[parameter.name] : parameter.default;
    const problem = valueProblem(parameter.type, value);
    if (problem)
      throw new RequestValidationError(`parameter '${parameter.name}': ${problem}`, {
        parameter: parameter.name,
      });
    if (parameter.type.type === 'file' && typeof value === 'string' && FILE_SOURCE.test(value)) {
      const name = `${parameter.name}.${extensionOf(value, parameter.type.kind)}`;
      files[name] = value;
      fileParameters[name] = parameter.name;
      value = name;
    }
    if (parameter.type.type === 'number' && typeof value === 'bigint') value = Number(value);
    for (const place of parameter.places) prompt[place.node]!.inputs[place.input] = value;
    if (given) inputs[parameter.name] = recorded(value);
  }
  return { prompt, files, fileParameters, inputs };
}
