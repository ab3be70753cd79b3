import { type ComfyValidationFailure, comfyError } from '../comfy-errors';
import { isPlainObject } from '../prompt-graph';
import { type NodeCatalog, nodeSpec } from './node-catalog';

function titleOf(node: Record<string, unknown>): string | undefined {
  const title = isPlainObject(node._meta) ? node._meta.title : undefined;
  return typeof title === 'string' && title !== '' ? title : undefined;
}

function refusal(id: string, message: string, classType: string | null, title: string | undefined) {
  const error = comfyError('missing_node_type', message, `Node ID '#${id}'`, {
    node_id: id,
    class_type: classType,
    node_title: title ?? classType,
  });
  return { error, node_errors: {} };
}

/**
 * ComfyUI's first check of a prompt, before links or inputs: the first node without a class, or
 * whose class the endpoint lacks, refuses the whole prompt. It runs first here too, so a missing
 * custom node is what the user reads even when its links are broken as well. The message names
 * the class (ComfyUI names the title, defaulting to the class; a renamed node's title alone
 * hides which pack to install).
 */
export function missingNodeType(prompt: unknown, catalog: NodeCatalog): ComfyValidationFailure | undefined {
  if (!isPlainObject(prompt)) return undefined;
  for (const [id, node] of Object.entries(prompt)) {
    if (!isPlainObject(node)) continue;
    const classType = node.class_type;
    const title = titleOf(node);
    if (typeof classType !== 'string' || classType === '')
      return refusal(
        id,
        `Node '${title ?? `ID #${id}`}' has no class_type. The workflow may be corrupted or a custom node is missing.`,
        null,
        title,
      );
    if (nodeSpec(catalog, classType)) continue;
    const label = title === undefined || title === classType ? `'${classType}'` : `'${title}' (${classType})`;
    return refusal(id, `Node ${label} not found. The custom node may not be installed.`, classType, title);
  }
  return undefined;
}

/** The environment an endpoint serves (`comfy-async-{name}`, ESD's naming), for `workflow_name`. */
function environmentOf(endpointName: string): string | undefined {
  const match = /^comfy-async-([A-Za-z][A-Za-z0-9]*)$/.exec(endpointName);
  return match?.[1];
}

/**
 * A class this endpoint lacks that other endpoints of the deployment have (one environment
 * each): the refusal says where to send the prompt instead, and lists those endpoints in
 * `extra_info.available_on`.
 */
export function missingHereFoundElsewhere(
  failure: ComfyValidationFailure,
  endpointName: string,
  providers: readonly string[],
): ComfyValidationFailure {
  if (providers.length === 0) return failure;
  const [first] = providers;
  const environment = environmentOf(first!);
  const how = environment
    ? `"workflow_name": "${environment}" or "endpoint_name": "${first}"`
    : `"endpoint_name": "${first}"`;
  const message = `${failure.error.message.replace(/\. The custom node may not be installed\.$/, '')} on endpoint ${endpointName}; ${providers.length === 1 ? 'endpoint' : 'endpoints'} ${providers.join(', ')} ${providers.length === 1 ? 'has' : 'have'} it: send the prompt there (${how}).`;
  return {
    ...failure,
    error: {
      ...failure.error,
      message,
      extra_info: { ...failure.error.extra_info, available_on: [...providers] },
    },
  };
}
