import { uploadKind } from '../inputs/file-inputs';
import type { MediaKind } from '../inputs/media-kinds';
import { modelFolderOf } from '../models/model-inputs';
import type { PromptGraph } from '../prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog, nodeSpec, optionsOf } from '../workflow/node-catalog';
import { type Place, placeText } from './template';

/** What one place takes, as the endpoint's node catalog declares it. */
export type ParameterType =
  | { type: 'integer'; minimum?: number | bigint; maximum?: number | bigint; step?: number }
  | { type: 'number'; minimum?: number; maximum?: number; step?: number }
  | { type: 'string'; multiline: boolean }
  | { type: 'boolean' }
  /** `modelFolder`: a loader's model, which the model library may also hold (not only the list). */
  | { type: 'choice'; choices: unknown[]; modelFolder?: string }
  /** `listed`: the files the endpoint's input folder holds (a saved name elsewhere is no default). */
  | { type: 'file'; kind: MediaKind; listed?: unknown[] };

const finite = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const bound = (value: unknown) => (typeof value === 'bigint' ? value : finite(value));

/** The catalog's declaration of one place, or the reason it cannot be a parameter. */
export function typeOfPlace(graph: PromptGraph, catalog: NodeCatalog, place: Place): ParameterType | string {
  const where = `'${placeText(place)}'`;
  if (!Object.hasOwn(graph, place.node)) return `${where}: the prompt has no node '${place.node}'`;
  const node = graph[place.node]!;
  if (!nodeSpec(catalog, node.class_type))
    return `${where}: node ${place.node}'s class ${node.class_type} is not in the endpoint's node catalog`;
  const spec = inputSpecOf(catalog, node.class_type, place.input);
  if (spec === undefined)
    return `${where}: ${node.class_type} (node ${place.node}) has no input '${place.input}'`;
  const value = Object.hasOwn(node.inputs, place.input) ? node.inputs[place.input] : undefined;
  if (Array.isArray(value))
    return `${where}: the input is linked to node ${String(value[0])}'s output; bind an input that holds a value`;
  const kind = uploadKind(spec);
  const choices = comboOptions(spec);
  if (kind) return { type: 'file', kind, ...(choices ? { listed: choices } : {}) };
  const modelFolder = modelFolderOf(node.class_type, place.input);
  if (choices) return { type: 'choice', choices, ...(modelFolder ? { modelFolder } : {}) };
  const options = optionsOf(spec);
  const declared = Array.isArray(spec) ? spec[0] : undefined;
  const step = finite(options.step);
  switch (declared) {
    case 'INT':
      return {
        type: 'integer',
        ...(bound(options.min) !== undefined ? { minimum: bound(options.min) } : {}),
        ...(bound(options.max) !== undefined ? { maximum: bound(options.max) } : {}),
        ...(step !== undefined ? { step } : {}),
      };
    case 'FLOAT':
      return {
        type: 'number',
        ...(finite(options.min) !== undefined ? { minimum: finite(options.min) } : {}),
        ...(finite(options.max) !== undefined ? { maximum: finite(options.max) } : {}),
        ...(step !== undefined ? { step } : {}),
      };
    case 'STRING':
      return { type: 'string', multiline: options.multiline === true };
    case 'BOOLEAN':
      return { type: 'boolean' };
    default:
      return `${where}: an input of type ${typeof declared === 'string' ? declared : 'unknown'} takes a link, not a value`;
  }
}

const larger = <T extends number | bigint>(a: T | undefined, b: T | undefined) =>
  a === undefined ? b : b === undefined ? a : a > b ? a : b;
const smaller = <T extends number | bigint>(a: T | undefined, b: T | undefined) =>
  a === undefined ? b : b === undefined ? a : a < b ? a : b;

/**
 * One type for several places: the same kind, the ranges' overlap, the choices all of them
 * accept. Undefined when they cannot take one value.
 */
export function commonType(a: ParameterType, b: ParameterType): ParameterType | undefined {
  if (a.type === 'integer' && b.type === 'integer')
    return {
      type: 'integer',
      ...(larger(a.minimum, b.minimum) !== undefined ? { minimum: larger(a.minimum, b.minimum) } : {}),
      ...(smaller(a.maximum, b.maximum) !== undefined ? { maximum: smaller(a.maximum, b.maximum) } : {}),
      ...(a.step !== undefined ? { step: a.step } : {}),
    };
  if (a.type === 'number' && b.type === 'number')
    return {
      type: 'number',
      ...(larger(a.minimum, b.minimum) !== undefined ? { minimum: larger(a.minimum, b.minimum) } : {}),
      ...(smaller(a.maximum, b.maximum) !== undefined ? { maximum: smaller(a.maximum, b.maximum) } : {}),
      ...(a.step !== undefined ? { step: a.step } : {}),
    };
  if (a.type === 'string' && b.type === 'string')
    return { type: 'string', multiline: a.multiline || b.multiline };
  if (a.type === 'boolean' && b.type === 'boolean') return a;
  if (a.type === 'file' && b.type === 'file')
    return a.kind === b.kind
      ? { ...a, listed: a.listed?.filter((name) => b.listed?.includes(name)) }
      : undefined;
  if (a.type === 'choice' && b.type === 'choice') {
    if (a.modelFolder !== b.modelFolder) return undefined;
    const choices = a.choices.filter((choice) => b.choices.includes(choice));
    return choices.length > 0 || a.modelFolder ? { ...a, choices } : undefined;
  }
  return undefined;
}

const ARTICLE: Record<ParameterType['type'], string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  choice: 'a choice',
  file: 'a file',
};

export const describeType = (type: ParameterType) =>
  type.type === 'file'
    ? `${type.kind === 'image' || type.kind === 'audio' ? 'an' : 'a'} ${type.kind} file`
    : ARTICLE[type.type];
