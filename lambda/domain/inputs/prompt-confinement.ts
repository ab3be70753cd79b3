import { type ComfyError, type ComfyNodeErrors, comfyError } from '../comfy-errors';
import type { PromptGraph } from '../prompt-graph';
import { comboOptions, type NodeCatalog, nodeSpec } from '../workflow/node-catalog';
import { hasNodeFileCheck, listsEndpointFiles, readsNoFile, uploadKind } from './file-inputs';
import { fileValueProblem } from './file-value';
import { withoutInputAnnotation } from './input-file-name';
import { isCustomNode, serverPathInputs } from './path-inputs';

/** The CDK context key an operator sets to let a node class read or write server paths. */
export const ALLOW_NODES_SETTING = 'comfy-exec:allowNodes';

const refused = (input: string, value: unknown, reason: string): ComfyError =>
  comfyError('file_input_refused', 'File input refused', `${input}: ${reason}`, {
    input_name: input,
    received_value: value,
    reason,
  });

/**
 * Why each file input of one node may not be read: the value must be a literal naming a file
 * this execute brings (or, for input-folder lists, one the endpoint was built with), in a form
 * ComfyUI cannot resolve elsewhere. A link is refused too: its value is only known on the GPU.
 * An unknown name refuses the prompt as well: `comfy-exec/{another id}/x.png` is another
 * execute's input while it runs.
 */
function fileErrors(
  node: PromptGraph[string],
  declared: Record<string, unknown>,
  files: ReadonlySet<string>,
): ComfyError[] {
  const errors: ComfyError[] = [];
  for (const [input, value] of Object.entries(node.inputs)) {
    if (!Object.hasOwn(declared, input) || !uploadKind(declared[input])) continue;
    if (readsNoFile(declared[input], value)) continue;
    if (typeof value !== 'string') {
      errors.push(
        refused(
          input,
          value,
          Array.isArray(value)
            ? 'a file input must be a file name, not a link: a value computed on the GPU cannot be checked'
            : 'a file input must be a file name',
        ),
      );
      continue;
    }
    const problem = fileValueProblem(value);
    if (problem) {
      errors.push(refused(input, value, `'${value}' ${problem}; name a file this execute brings`));
      continue;
    }
    const bare = withoutInputAnnotation(value);
    const spec = declared[input];
    if (files.has(bare) || (listsEndpointFiles(spec) && comboOptions(spec)?.includes(bare))) continue;
    errors.push(unknownFileError(node.class_type, input, value, spec));
  }
  return errors;
}

/**
 * A name neither the execute nor the endpoint has, answered as ComfyUI answers it: the node's own
 * file check where it has one (`custom_validation_failed`), else the combo list's `value_not_in_list`.
 */
function unknownFileError(classType: string, input: string, value: string, spec: unknown): ComfyError {
  if (hasNodeFileCheck(classType)) {
    const kind = uploadKind(spec);
    return comfyError(
      'custom_validation_failed',
      'Custom validation failed for node',
      `${input} - Invalid ${kind === 'model3d' ? 'file' : kind} file: ${value}`,
      { input_name: input },
    );
  }
  const combo = listsEndpointFiles(spec) ? (comboOptions(spec) ?? []) : [];
  const shown = combo.length > 20 ? `(list of length ${combo.length})` : JSON.stringify(combo);
  return comfyError('value_not_in_list', 'Value not in list', `${input}: '${value}' not in ${shown}`, {
    input_name: input,
    input_config: spec,
    received_value: value,
  });
}

/**
 * Checks that must refuse the whole prompt, not just skip an output: ComfyUI never sees our
 * per-output errors, so it would run a skipped output whose loader it can resolve. Covers every
 * node of the prompt, linked to an output or not. `allowedNodes`: classes the operator lets read
 * or write server paths on this endpoint (comfy-exec:allowNodes).
 */
export function confinementErrors(
  prompt: PromptGraph,
  catalog: NodeCatalog,
  files: ReadonlySet<string>,
  allowedNodes: ReadonlySet<string>,
  /** The endpoint the prompt is for: the allowNodes key an operator would set. */
  endpointName = '<endpoint name>',
): ComfyNodeErrors {
  const found: ComfyNodeErrors = Object.create(null);
  for (const [id, node] of Object.entries(prompt)) {
    const spec = nodeSpec(catalog, node.class_type);
    if (!spec) continue;
    const declared = { ...spec.input?.required, ...spec.input?.optional };
    const errors = fileErrors(node, declared, files);
    const allowed = allowedNodes.has(node.class_type) || allowedNodes.has('*');
    const allowIt = `an operator may allow it for this endpoint with ${ALLOW_NODES_SETTING} ${JSON.stringify({ [endpointName]: [node.class_type] })}`;
    const paths = allowed ? [] : serverPathInputs(node.class_type, spec);
    if (!allowed && isCustomNode(spec))
      errors.push(
        comfyError(
          'node_not_allowed',
          'Node not allowed on this endpoint',
          `${node.class_type} is a custom node (${spec.python_module ?? 'no python_module'}): it runs code this service cannot check, on an instance every API key shares; ${allowIt}`,
          { class_type: node.class_type },
        ),
      );
    else if (paths.length > 0)
      errors.push(
        comfyError(
          'node_not_allowed',
          'Node not allowed on this endpoint',
          `${node.class_type} reads or writes server paths (${paths.join(', ')}) that other API keys share; ${allowIt}`,
          { input_name: paths[0], class_type: node.class_type },
        ),
      );
    if (errors.length > 0) found[id] = { errors, dependent_outputs: [], class_type: node.class_type };
  }
  return found;
}
