import {
  type ComfyError,
  type ComfyNodeErrors,
  type ComfyValidationFailure,
  comfyError,
} from '../comfy-errors';
import { uploadKind } from '../inputs/file-inputs';
import { confinementErrors } from '../inputs/prompt-confinement';
import { modelFolderOf, modelKey } from '../models/model-inputs';
import type { PromptGraph } from '../prompt-graph';
import { literalObjectErrors, unwrapped } from './literal-objects';
import { missingNodeType } from './missing-node-type';
import { comboOptions, type NodeCatalog, type NodeSpec, nodeSpec, optionsOf } from './node-catalog';
import { numberErrors } from './number-inputs';

/**
 * ComfyUI's own validation of a prompt against the endpoint's node catalog (comfyui-server-api.md
 * §2.2–2.3), before any GPU time is spent: same checks, same error `type`s and shapes. As in
 * ComfyUI, output nodes whose inputs validate run and the others are reported; only when no output
 * validates is the prompt refused.
 */
export interface CatalogValidation {
  /** Set when the prompt must be refused. */
  failure?: ComfyValidationFailure;
  /** Errors of outputs ComfyUI would skip while running the others. */
  node_errors: ComfyNodeErrors;
  /** The prompt's output nodes (those that failed are named in node_errors' dependent_outputs). */
  outputs: string[];
}

/** v3 nodes' dynamic socket types (COMFY_MATCHTYPE_V3, ...) accept whatever the graph connects. */
const isDynamic = (type: string) => type.startsWith('COMFY_') && type.endsWith('_V3');

/** ComfyUI's link type check: `*` and dynamic types match anything, `A,B` matches either. */
export function typesMatch(received: string, expected: string): boolean {
  if (
    received === '*' ||
    expected === '*' ||
    expected === 'COMBO' ||
    isDynamic(received) ||
    isDynamic(expected)
  )
    return true;
  const accepted = new Set(expected.split(','));
  return received.split(',').some((type) => accepted.has(type));
}

function listDetails(name: string, value: unknown, options: unknown[]): string {
  const shown = options.length > 20 ? `(list of length ${options.length})` : JSON.stringify(options);
  return `${name}: '${String(value)}' not in ${shown}`;
}

/** One literal input against its spec: ComfyUI's int()/float() conversions, min/max, combo lists. */
function literalErrors(name: string, value: unknown, spec: unknown, alsoAccepted = false): ComfyError[] {
  if (alsoAccepted) return [];
  const type = Array.isArray(spec) ? spec[0] : undefined;
  const options = optionsOf(spec);
  const extra = { input_name: name, input_config: spec, received_value: value };
  const combo = comboOptions(spec);
  if (combo) {
    const multiselect = options.multiselect === true && Array.isArray(value);
    const values = multiselect ? (value as unknown[]) : [value];
    return values.every((v) => combo.includes(v))
      ? []
      : [comfyError('value_not_in_list', 'Value not in list', listDetails(name, value, combo), extra)];
  }
  if (type !== 'INT' && type !== 'FLOAT') return [];
  return numberErrors(name, value, type, options, extra);
}

/** A loader value the model library holds (the endpoint fetches it before the run). */
function isLibraryModel(
  classType: string,
  input: string,
  value: unknown,
  models: ReadonlySet<string>,
): boolean {
  const folder = modelFolderOf(classType, input);
  return folder !== undefined && typeof value === 'string' && models.has(modelKey(folder, value));
}

function nodeErrors(
  prompt: PromptGraph,
  id: string,
  catalog: NodeCatalog,
  models: ReadonlySet<string>,
): ComfyError[] {
  const node = prompt[id]!;
  const spec = nodeSpec(catalog, node.class_type) as NodeSpec;
  const declared = { ...spec.input?.required, ...spec.input?.optional };
  const errors: ComfyError[] = [];
  const present = new Set(Object.keys(node.inputs));
  // v3 dynamic inputs (autogrow, dynamic combo) arrive expanded as dotted names: `values.a`, `loras.0.x`.
  for (const name of Object.keys(node.inputs)) {
    for (let dot = name.indexOf('.'); dot > 0; dot = name.indexOf('.', dot + 1))
      present.add(name.slice(0, dot));
  }
  for (const [name, inputSpec] of Object.entries(spec.input?.required ?? {})) {
    const dynamic = Array.isArray(inputSpec) && typeof inputSpec[0] === 'string' && isDynamic(inputSpec[0]);
    if (!(dynamic ? present.has(name) : name in node.inputs))
      errors.push(
        comfyError('required_input_missing', 'Required input is missing', name, { input_name: name }),
      );
  }
  for (const [name, value] of Object.entries(node.inputs)) {
    const inputSpec = declared[name];
    if (inputSpec === undefined) continue; // extra inputs (old exports' upload, dynamic inputs) are tolerated
    if (!Array.isArray(value)) {
      const objectErrors = literalObjectErrors(node.class_type, spec, name, value, inputSpec);
      errors.push(...objectErrors);
      // File inputs are checked for the whole prompt (prompt-confinement.ts), before any output.
      // ComfyUI unwraps a literal list sent as {"__value__": [...]} before its checks.
      const literal = unwrapped(value);
      if (!uploadKind(inputSpec) && objectErrors.length === 0)
        errors.push(
          ...literalErrors(name, literal, inputSpec, isLibraryModel(node.class_type, name, literal, models)),
        );
      continue;
    }
    const [source, slot] = value;
    const origin = typeof source === 'string' ? prompt[source] : undefined;
    if (value.length !== 2 || !origin || !Number.isInteger(slot)) {
      errors.push(
        comfyError(
          'bad_linked_input',
          'Bad linked input, must be a length-2 list of [node_id, slot_index]',
          name,
          { input_name: name, input_config: inputSpec, received_value: value },
        ),
      );
      continue;
    }
    const received = nodeSpec(catalog, origin.class_type)?.output?.[slot as number];
    const expected =
      Array.isArray(inputSpec) && typeof inputSpec[0] === 'string'
        ? inputSpec[0]
        : comboOptions(inputSpec)
          ? 'COMBO'
          : undefined;
    if (received !== undefined && expected !== undefined && !typesMatch(received, expected)) {
      errors.push(
        comfyError(
          'return_type_mismatch',
          'Return type mismatch between linked nodes',
          `${name}, received_type(${received}) mismatch input_type(${expected})`,
          { input_name: name, input_config: inputSpec, received_type: received, linked_node: value },
        ),
      );
    }
  }
  return errors;
}

/** An output node and every node it depends on through links. */
export function ancestors(prompt: PromptGraph, output: string): string[] {
  const seen = new Set<string>();
  const stack = [output];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const value of Object.values(prompt[id]?.inputs ?? {})) {
      if (Array.isArray(value) && typeof value[0] === 'string' && prompt[value[0]]) stack.push(value[0]);
    }
  }
  return [...seen];
}

/**
 * `files`: the file names (without ` [input]`) the execute will find in ComfyUI's input folder:
 * its uploaded, inline and synced inputs. Files on the endpoint itself come from the catalog.
 * `models`: library models the endpoint will fetch before the run.
 */
export function validateAgainstCatalog(
  prompt: PromptGraph,
  catalog: NodeCatalog,
  files: ReadonlySet<string> = new Set(),
  /** `folder/name` of library models the prompt names (modelKey), valid beside the catalog's lists. */
  models: ReadonlySet<string> = new Set(),
  /** Node classes the operator lets read or write server paths on this endpoint (comfy-exec:allowNodes). */
  allowedNodes: ReadonlySet<string> = new Set(),
  /** Named in refusals an operator can lift (allowNodes is keyed by endpoint). */
  endpointName?: string,
): CatalogValidation {
  const missing = missingNodeType(prompt, catalog);
  if (missing) return { failure: missing, node_errors: {}, outputs: [] };
  const outputs = Object.keys(prompt).filter(
    (id) => nodeSpec(catalog, prompt[id]!.class_type)?.output_node === true,
  );
  if (outputs.length === 0)
    return {
      failure: { error: comfyError('prompt_no_outputs', 'Prompt has no outputs'), node_errors: {} },
      node_errors: {},
      outputs,
    };
  const confined = confinementErrors(prompt, catalog, files, allowedNodes, endpointName);
  if (Object.keys(confined).length > 0)
    return refuseWhole(prompt, outputs, withOtherErrors(prompt, outputs, confined, catalog, models));
  const cache = new Map<string, ComfyError[]>();
  const node_errors: ComfyNodeErrors = Object.create(null);
  let valid = 0;
  for (const output of outputs) {
    let ok = true;
    for (const id of ancestors(prompt, output)) {
      if (!cache.has(id)) cache.set(id, nodeErrors(prompt, id, catalog, models));
      const errors = cache.get(id)!;
      if (errors.length === 0) continue;
      ok = false;
      if (!Object.hasOwn(node_errors, id))
        node_errors[id] = { errors, dependent_outputs: [], class_type: prompt[id]!.class_type };
      node_errors[id]!.dependent_outputs.push(output);
    }
    if (ok) valid++;
  }
  if (valid > 0) return { node_errors, outputs };
  return failed(node_errors, outputs);
}

function failed(node_errors: ComfyNodeErrors, outputs: string[]): CatalogValidation {
  const details = Object.values(node_errors)
    .flatMap((entry) => entry.errors.map((e) => `${e.message}: ${e.details}`))
    .join('\n');
  return {
    failure: {
      error: comfyError('prompt_outputs_failed_validation', 'Prompt outputs failed validation', details),
      node_errors,
    },
    node_errors,
    outputs,
  };
}

/**
 * A refused file or path, and every other error of the nodes the outputs need: ComfyUI reports all
 * nodes' errors in one answer, so a workflow with a missing image and a missing model is fixed in
 * one round trip, not two. An input the file check named is not reported twice.
 */
function withOtherErrors(
  prompt: PromptGraph,
  outputs: string[],
  confined: ComfyNodeErrors,
  catalog: NodeCatalog,
  models: ReadonlySet<string>,
): ComfyNodeErrors {
  const seen = new Set<string>();
  for (const output of outputs)
    for (const id of ancestors(prompt, output)) {
      if (seen.has(id)) continue;
      seen.add(id);
      const named = new Set(
        (Object.hasOwn(confined, id) ? confined[id]!.errors : []).map((e) => e.extra_info.input_name),
      );
      const errors = nodeErrors(prompt, id, catalog, models).filter(
        (e) => !named.has(e.extra_info.input_name),
      );
      if (errors.length === 0) continue;
      if (!Object.hasOwn(confined, id))
        confined[id] = { errors: [], dependent_outputs: [], class_type: prompt[id]!.class_type };
      confined[id]!.errors.push(...errors);
    }
  return confined;
}

/** A file or path check failed: no output runs, each entry says which outputs it would have fed. */
function refuseWhole(prompt: PromptGraph, outputs: string[], errors: ComfyNodeErrors): CatalogValidation {
  for (const output of outputs)
    for (const id of ancestors(prompt, output))
      if (Object.hasOwn(errors, id)) errors[id]!.dependent_outputs.push(output);
  return failed(errors, outputs);
}
