import { EndpointNotFoundError } from '../domain/errors';
import type { CreateExecuteConfig, CreateExecuteDeps, CreateExecuteInput } from './create-execute';
import { ExecuteInputs } from './execute-inputs';
import { ExecuteModels } from './execute-models';
import { preparePrompt } from './prepare-prompt';

export function resolveEndpoint(
  input: Pick<CreateExecuteInput, 'endpoint_name' | 'workflow_name'>,
  config: Pick<CreateExecuteConfig, 'defaultEndpointName' | 'endpointNames'>,
): string {
  // Both given and naming different endpoints: which one the caller meant is not ours to guess
  // (the record would say one workflow and have run on another endpoint).
  if (
    input.endpoint_name &&
    input.workflow_name &&
    input.endpoint_name !== `comfy-async-${input.workflow_name}`
  )
    throw new EndpointNotFoundError(
      `endpoint_name '${input.endpoint_name}' and workflow_name '${input.workflow_name}' (endpoint comfy-async-${input.workflow_name}) name different endpoints: send one of them`,
    );
  // ESD's convention: workflow_name X runs on endpoint comfy-async-X; we also store the name (ESD left it '').
  const name =
    input.endpoint_name ||
    (input.workflow_name ? `comfy-async-${input.workflow_name}` : config.defaultEndpointName);
  if (!config.endpointNames.includes(name)) {
    throw new EndpointNotFoundError(
      `Endpoint '${name}' is not served by this deployment; available: ${config.endpointNames.join(', ') || 'none'}`,
    );
  }
  return name;
}

function inputDeps(deps: Pick<CreateExecuteDeps, 'config' | 'inputs' | 'payloads' | 'resolveHost'>) {
  return {
    inputs: deps.inputs,
    payloads: deps.payloads,
    resolveHost: deps.resolveHost,
    config: deps.config.inputs,
  };
}

/** The endpoint's own allow list; an own-property lookup, so no endpoint name reaches the prototype. */
function allowedNodesOf(endpointName: string, config: CreateExecuteConfig): readonly string[] {
  const all = config.allowedNodes ?? {};
  return Object.hasOwn(all, endpointName) ? (all[endpointName] ?? []) : [];
}

/**
 * What a create and a dry run share: the execute's files and models read, the prompt converted
 * and validated against the endpoint's catalog with them.
 */
export async function prepareForEndpoint(
  input: CreateExecuteInput,
  prompt: CreateExecuteInput['prompt'],
  owner: string,
  endpointName: string,
  deps: Pick<CreateExecuteDeps, 'catalogs' | 'config' | 'inputs' | 'payloads' | 'resolveHost' | 'models'>,
) {
  const files = await ExecuteInputs.read(input, owner, inputDeps(deps));
  const models = new ExecuteModels(deps.models, deps.config.libraryBucketUri);
  const prepared = await preparePrompt(
    prompt,
    endpointName,
    deps.catalogs,
    deps.config.maxPromptNodes,
    async (graph, catalog) => ({
      files: await files.available(graph, catalog),
      models: await models.available(graph, catalog),
    }),
    allowedNodesOf(endpointName, deps.config),
    deps.config.endpointNames,
  );
  return { files, models, prepared };
}
