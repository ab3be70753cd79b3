import { hasNodeFileCheck, uploadKind } from '../../lambda/domain/inputs/file-inputs';
import { libraryFoldersFor, modelFolderOf } from '../../lambda/domain/models/model-inputs';
import { findCycles, linkTargets, type PromptGraph } from '../../lambda/domain/prompt-graph';
import { comboOptions } from '../../lambda/domain/workflow/node-catalog';
import { ancestors, typesMatch } from '../../lambda/domain/workflow/validate-prompt';
import { inputType, type ObjectInfo } from './catalog';

/**
 * ComfyUI's POST /prompt validation, for the checks a simulator must reproduce faithfully:
 * unknown class_type, missing required inputs, bad links and mismatched link types, and a prompt
 * without outputs (comfyui-server-api.md §2.2–2.3). Outputs whose ancestors all validate run;
 * failed ones are listed in node_errors; if none validates the prompt is refused.
 */
export interface ComfyErr {
  type: string;
  message: string;
  details: string;
  extra_info: Record<string, unknown>;
}

export type ValidationOutcome =
  | { ok: true; outputs: string[]; node_errors: Record<string, NodeErrorEntry> }
  | { ok: false; error: ComfyErr; node_errors: Record<string, NodeErrorEntry> };

interface NodeErrorEntry {
  errors: ComfyErr[];
  dependent_outputs: string[];
  class_type: string;
}

type Prompt = Record<
  string,
  { class_type?: unknown; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

const err = (
  type: string,
  message: string,
  details = '',
  extra_info: Record<string, unknown> = {},
): ComfyErr => ({
  type,
  message,
  details,
  extra_info,
});

/**
 * A file input (image_upload, ...): LoadImage, LoadAudio and the other loaders with their own
 * check pass when the file exists (subfolders and annotations as `get_annotated_filepath`) and
 * answer `custom_validation_failed` otherwise; the rest use the combo list (`value_not_in_list`).
 */
function fileInputErrors(
  classType: string,
  name: string,
  value: unknown,
  spec: unknown[],
  files: FileLookup,
): ComfyErr[] {
  const exists = typeof value === 'string' && files.annotatedPath(value) !== undefined;
  if (hasNodeFileCheck(classType)) {
    return exists
      ? []
      : [
          err(
            'custom_validation_failed',
            'Custom validation failed for node',
            `${name} - Invalid ${uploadKind(spec)} file: ${String(value)}`,
            {
              input_name: name,
            },
          ),
        ];
  }
  // STRING and frontend-typed file inputs (Painter, RecordAudio) have no list: ComfyUI checks nothing.
  const combo = comboOptions(spec);
  if (!combo) return [];
  const options = combo;
  if (exists || options.includes(value)) return [];
  const list =
    options.length > 20
      ? `(list of length ${options.length})`
      : `[${options.map((o) => `'${String(o)}'`).join(', ')}]`;
  return [
    err('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${list}`, {
      input_name: name,
      input_config: options.length > 20 ? null : spec,
      received_value: value,
    }),
  ];
}

/**
 * Core nodes whose VALIDATE_INPUTS opens a non-upload input as an annotated path, skipping its
 * list (nodes.py LoadLatent): the input and the word of its message.
 */
const SELF_CHECKED_PATHS: Record<string, { input: string; word: string }> = {
  LoadLatent: { input: 'latent', word: 'latent' },
};

function selfCheckedPathErrors(classType: string, name: string, value: unknown, files: FileLookup) {
  const check = SELF_CHECKED_PATHS[classType];
  if (check?.input !== name) return undefined;
  if (typeof value === 'string' && files.annotatedPath(value) !== undefined) return [];
  return [
    err(
      'custom_validation_failed',
      'Custom validation failed for node',
      `${name} - Invalid ${check.word} file: ${String(value)}`,
      {
        input_name: name,
      },
    ),
  ];
}

/** Where the simulator finds a loader's file, and a model file on its disk. */
export interface FileLookup {
  annotatedPath(value: string): string | undefined;
  hasModel(folder: string, name: string): boolean;
}

function notInList(name: string, value: unknown, spec: unknown[], options: unknown[]): ComfyErr {
  const list =
    options.length > 20
      ? `(list of length ${options.length})`
      : `[${options.map((o) => `'${String(o)}'`).join(', ')}]`;
  return err('value_not_in_list', 'Value not in list', `${name}: '${String(value)}' not in ${list}`, {
    input_name: name,
    input_config: options.length > 20 ? null : spec,
    received_value: value,
  });
}

/**
 * A loader's model file: in ComfyUI's list (its folders' files at start) or on disk now (the
 * endpoint fetched it from the library); otherwise ComfyUI's `value_not_in_list`.
 */
function modelInputErrors(
  folder: string,
  name: string,
  value: unknown,
  spec: unknown[],
  files: FileLookup,
): ComfyErr[] {
  const options = comboOptions(spec) ?? [];
  if (options.includes(value)) return [];
  if (typeof value === 'string' && libraryFoldersFor(folder).some((each) => files.hasModel(each, value)))
    return [];
  return [notInList(name, value, spec, options)];
}

function nodeErrors(prompt: Prompt, id: string, info: ObjectInfo, files: FileLookup): ComfyErr[] {
  const node = prompt[id]!;
  const spec = info[String(node.class_type)]!;
  const inputs = node.inputs ?? {};
  const errors: ComfyErr[] = [];
  for (const name of Object.keys(spec.input.required ?? {})) {
    if (!(name in inputs)) {
      errors.push(err('required_input_missing', 'Required input is missing', name, { input_name: name }));
    }
  }
  const declared = { ...spec.input.required, ...spec.input.optional };
  for (const [name, value] of Object.entries(inputs)) {
    if (!Array.isArray(value)) {
      const inputSpec = declared[name];
      const folder = modelFolderOf(String(node.class_type), name);
      const selfChecked = selfCheckedPathErrors(String(node.class_type), name, value, files);
      if (selfChecked) errors.push(...selfChecked);
      else if (inputSpec && uploadKind(inputSpec))
        errors.push(...fileInputErrors(String(node.class_type), name, value, inputSpec, files));
      else if (inputSpec && folder) errors.push(...modelInputErrors(folder, name, value, inputSpec, files));
      continue;
    }
    const badLink = err(
      'bad_linked_input',
      'Bad linked input, must be a length-2 list of [node_id, slot_index]',
      name,
      {
        input_name: name,
        input_config: declared[name],
        received_value: value,
      },
    );
    const [source, slot] = value;
    const sourceNode = value.length === 2 && typeof source === 'string' ? prompt[source] : undefined;
    const sourceInfo = sourceNode ? info[String(sourceNode.class_type)] : undefined;
    if (!sourceNode || !Number.isInteger(slot)) {
      errors.push(badLink);
      continue;
    }
    const received = sourceInfo?.output[slot as number];
    const expected = inputType(declared[name]);
    if (received !== undefined && expected !== undefined && !typesMatch(received, expected)) {
      errors.push(
        err(
          'return_type_mismatch',
          'Return type mismatch between linked nodes',
          `${name}, received_type(${received}) mismatch input_type(${expected})`,
          {
            input_name: name,
            input_config: declared[name],
            received_type: received,
            linked_node: value,
          },
        ),
      );
    }
  }
  return errors;
}

/** One cycle through links, as a path of node ids, or undefined (the control plane's own walk). */
function findCycle(prompt: Prompt): string[] | undefined {
  const graph = prompt as unknown as PromptGraph;
  return findCycles(linkTargets(graph, new Set(Object.keys(graph))))[0];
}

export function validatePrompt(prompt: Prompt, info: ObjectInfo, files: FileLookup): ValidationOutcome {
  for (const [id, node] of Object.entries(prompt)) {
    const title = node?._meta?.title ?? `ID #${id}`;
    if (typeof node?.class_type !== 'string') {
      return {
        ok: false,
        error: err(
          'missing_node_type',
          `Node '${title}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
          `Node ID '#${id}'`,
          { node_id: id, class_type: null, node_title: title },
        ),
        node_errors: {},
      };
    }
    if (!info[node.class_type]) {
      return {
        ok: false,
        error: err(
          'missing_node_type',
          `Node '${title}' not found. The custom node may not be installed.`,
          `Node ID '#${id}'`,
          { node_id: id, class_type: node.class_type, node_title: title },
        ),
        node_errors: {},
      };
    }
  }
  const outputs = Object.keys(prompt).filter(
    (id) => info[String(prompt[id]!.class_type)]!.output_node === true,
  );
  if (outputs.length === 0) {
    return { ok: false, error: err('prompt_no_outputs', 'Prompt has no outputs'), node_errors: {} };
  }
  const cycle = findCycle(prompt);
  if (cycle) {
    const entry = {
      errors: [err('dependency_cycle', 'Dependency cycle detected', cycle.join(' -> '))],
      dependent_outputs: [],
      class_type: String(prompt[cycle[0]!]!.class_type),
    };
    return {
      ok: false,
      error: err(
        'prompt_outputs_failed_validation',
        'Prompt outputs failed validation',
        `Dependency cycle detected: ${cycle.join(' -> ')}`,
      ),
      node_errors: { [cycle[0]!]: entry },
    };
  }
  const errorsById = new Map<string, ComfyErr[]>();
  const node_errors: Record<string, NodeErrorEntry> = {};
  const good: string[] = [];
  for (const output of outputs) {
    let valid = true;
    for (const id of ancestors(prompt as unknown as PromptGraph, output)) {
      if (!errorsById.has(id)) errorsById.set(id, nodeErrors(prompt, id, info, files));
      const errors = errorsById.get(id)!;
      if (errors.length === 0) continue;
      valid = false;
      node_errors[id] ??= { errors, dependent_outputs: [], class_type: String(prompt[id]!.class_type) };
      node_errors[id].dependent_outputs.push(output);
    }
    if (valid) good.push(output);
  }
  if (good.length > 0) return { ok: true, outputs: good, node_errors };
  const details = Object.values(node_errors)
    .flatMap((entry) => entry.errors.map((e) => `${e.message}: ${e.details}`))
    .join('\n');
  return {
    ok: false,
    error: err('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details),
    node_errors,
  };
}
