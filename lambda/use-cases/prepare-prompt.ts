import type { ComfyNodeErrors, ComfyValidationFailure } from '../domain/comfy-errors';
import { PromptValidationError, RequestValidationError } from '../domain/errors';
import type { NodeCatalogSource } from '../domain/ports';
import {
  checkPromptStructure,
  describeFailure,
  isPlainObject,
  type PromptGraph,
} from '../domain/prompt-graph';
import { WorkflowConversionError } from '../domain/workflow/conversion-error';
import { convertWorkflowWithWarnings } from '../domain/workflow/convert-workflow';
import { missingHereFoundElsewhere, missingNodeType } from '../domain/workflow/missing-node-type';
import { type NodeCatalog, nodeSpec } from '../domain/workflow/node-catalog';
import { runnablePrompt } from '../domain/workflow/runnable-prompt';
import { isUiWorkflow } from '../domain/workflow/ui-workflow';
import { validateAgainstCatalog } from '../domain/workflow/validate-prompt';

export interface Brought {
  files?: ReadonlySet<string>;
  models?: ReadonlySet<string>;
}

export interface PreparedPrompt {
  /** The API-format prompt that will run: without the outputs that failed validation (runnable-prompt.ts). */
  prompt: PromptGraph;
  /** The whole API-format prompt as sent or converted, which node_errors refer to. */
  graph: PromptGraph;
  /** The UI workflow it was converted from, when the client sent one. */
  workflow?: unknown;
  /** Errors of output nodes ComfyUI would skip (the prompt still runs its other outputs). */
  node_errors: ComfyNodeErrors;
  warnings: string[];
}

function skippedOutputs(nodeErrors: ComfyNodeErrors): string[] {
  const outputs = [...new Set(Object.values(nodeErrors).flatMap((entry) => entry.dependent_outputs))];
  return outputs.length === 0
    ? []
    : [
        `output node${outputs.length === 1 ? '' : 's'} ${outputs.join(', ')} and the nodes only ${outputs.length === 1 ? 'it needs' : 'they need'} will not be sent to the endpoint: ${describeFailure({ error: { type: '', message: 'their inputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors })}`,
      ];
}

function uiNodeOf(workflow: unknown, nodeId: string | undefined): { id: unknown; type: string } | undefined {
  if (nodeId === undefined || !isUiWorkflow(workflow)) return undefined;
  const node = workflow.nodes.find((candidate) => String(candidate.id) === nodeId);
  return node && typeof node.type === 'string' ? { id: node.id, type: node.type } : undefined;
}

/** The other endpoints whose catalogs have the missing class; one not published yet is passed over. */
async function namedWhereItIs(
  failure: ComfyValidationFailure,
  endpointName: string,
  otherEndpoints: readonly string[],
  catalogs: NodeCatalogSource,
): Promise<ComfyValidationFailure> {
  const classType = failure.error.extra_info.class_type;
  if (typeof classType !== 'string') return failure;
  const providers = await Promise.all(
    otherEndpoints
      .filter((name) => name !== endpointName)
      .map(async (name) => {
        const catalog = await catalogs.forEndpoint(name).catch(() => undefined);
        return catalog && nodeSpec(catalog, classType) ? name : undefined;
      }),
  );
  return missingHereFoundElsewhere(
    failure,
    endpointName,
    providers.filter((name): name is string => name !== undefined),
  );
}

/**
 * Everything that happens to a prompt before any GPU time is spent: a UI workflow is converted
 * to the API format with the endpoint's node catalog, the graph's structure is checked, then
 * ComfyUI's own validation runs against that catalog. Throws PromptValidationError (ComfyUI's
 * `{error, node_errors}`) or WorkflowConversionError (naming the node) for 400s.
 */
export async function preparePrompt(
  raw: unknown,
  endpointName: string,
  catalogs: NodeCatalogSource,
  maxNodes = Number.POSITIVE_INFINITY,
  /**
   * What the execute brings besides the endpoint's own lists: files for ComfyUI's input folder
   * (named as its file inputs use them) and library models (`folder/name`).
   */
  bring: (prompt: PromptGraph, catalog: NodeCatalog) => Promise<Brought> = async () => ({}),
  /** Node classes the operator lets read or write server paths on this endpoint. */
  allowedNodes: readonly string[] = [],
  /** The deployment's other endpoints (one per environment): a class only they have is named there. */
  otherEndpoints: readonly string[] = [],
): Promise<PreparedPrompt> {
  const workflow = isUiWorkflow(raw) ? raw : undefined;
  const nodeCount = workflow
    ? workflow.nodes.length
    : typeof raw === 'object' && raw !== null
      ? Object.keys(raw).length
      : 0;
  if (nodeCount > maxNodes)
    throw new RequestValidationError(
      `the prompt has ${nodeCount} nodes; this deployment accepts at most ${maxNodes}`,
    );
  const catalog = await catalogs.forEndpoint(endpointName);
  let converted: ReturnType<typeof convertWorkflowWithWarnings> | undefined;
  try {
    converted = workflow ? convertWorkflowWithWarnings(workflow, catalog, maxNodes) : undefined;
  } catch (error) {
    // A node this endpoint lacks stops the conversion itself: named where it is, as for a prompt.
    const node = error instanceof WorkflowConversionError ? uiNodeOf(workflow, error.nodeId) : undefined;
    if (!node || nodeSpec(catalog, node.type)) throw error;
    const missing = missingNodeType({ [String(node.id)]: { class_type: node.type, inputs: {} } }, catalog)!;
    const named = await namedWhereItIs(missing, endpointName, otherEndpoints, catalogs);
    if (named === missing) throw error;
    throw new PromptValidationError(describeFailure(named), named);
  }
  const prompt = converted ? converted.prompt : raw;
  // ComfyUI's order: a class the endpoint lacks is reported before any broken link or input.
  const missing = missingNodeType(prompt, catalog);
  const structural = missing
    ? await namedWhereItIs(missing, endpointName, otherEndpoints, catalogs)
    : checkPromptStructure(prompt);
  const shown = isPlainObject(prompt) ? (prompt as PromptGraph) : undefined;
  if (structural) throw new PromptValidationError(describeFailure(structural), structural, shown);
  const graph = prompt as PromptGraph;
  const brought = await bring(graph, catalog);
  const { failure, node_errors, outputs } = validateAgainstCatalog(
    graph,
    catalog,
    brought.files,
    brought.models,
    new Set(allowedNodes),
    endpointName,
  );
  if (failure) throw new PromptValidationError(describeFailure(failure), failure, graph);
  const warnings = [
    ...(converted ? ['converted from a UI workflow', ...converted.warnings] : []),
    ...skippedOutputs(node_errors),
  ];
  return {
    prompt: runnablePrompt(graph, outputs, node_errors),
    graph,
    ...(workflow ? { workflow } : {}),
    node_errors,
    warnings,
  };
}
