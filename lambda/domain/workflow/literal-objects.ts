import { type ComfyError, comfyError } from '../comfy-errors';
import { exactJsonText } from '../exact-json';
import { CORE_PATH_INPUTS, isCustomNode } from '../inputs/path-inputs';
import { comboOptions, type NodeSpec, optionsOf } from './node-catalog';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A literal list as prompts carry one (`{"__value__": [...]}`), unwrapped; any other value as is. */
export function unwrapped(value: unknown): unknown {
  return isObject(value) && Object.keys(value).length === 1 && Array.isArray(value.__value__)
    ? value.__value__
    : value;
}

/**
 * A literal object typed into a core node's input. ComfyUI passes one unchecked into the node,
 * and some nodes echo it into their result: Preview3D returns its `camera_info` as a UI file
 * entry, so `{"filename": "<another key's image>", "type": "output"}` made the container fetch
 * that file as the caller's output, then delete it (issue 25, third attack). No core input takes
 * an object from the prompt, so deny by default: only a `{"__value__": [...]}` list on a
 * multi-select combo (how literal lists travel) passes. Inputs the operator must allow anyway
 * (server paths, custom nodes) are judged there: allowing the class trusts its values.
 */
export function literalObjectErrors(
  classType: string,
  spec: NodeSpec,
  name: string,
  value: unknown,
  inputSpec: unknown,
): ComfyError[] {
  if (!isObject(value)) return [];
  if (isCustomNode(spec) || CORE_PATH_INPUTS[`${classType}.${name}`] === 'server-path') return [];
  if (unwrapped(value) !== value && comboOptions(inputSpec) && optionsOf(inputSpec).multiselect === true)
    return [];
  return [
    comfyError(
      'invalid_input_type',
      `Input ${name} takes no literal object: connect it to a node's output`,
      `${name}, ${exactJsonText(value).slice(0, 200)}`,
      { input_name: name, input_config: inputSpec, received_value: value },
    ),
  ];
}
