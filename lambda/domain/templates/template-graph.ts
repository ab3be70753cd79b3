import { PromptValidationError, RequestValidationError } from '../errors';
import { parseExactJson } from '../exact-json';
import { checkPromptStructure, describeFailure, isPlainObject, type PromptGraph } from '../prompt-graph';
import { convertWorkflow } from '../workflow/convert-workflow';
import { missingNodeType } from '../workflow/missing-node-type';
import type { NodeCatalog } from '../workflow/node-catalog';
import { isUiWorkflow } from '../workflow/ui-workflow';
import { derivedParameters } from './derived-parameters';
import type { ParameterDeclarations } from './template';
import { type TypedParameter, typedParameters } from './typed-parameters';

/** A payload's JSON text as a value: an object (an API prompt or a UI workflow), or a 400. */
export function parsePayload(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseExactJson(text);
  } catch {
    throw new RequestValidationError('payload: not JSON text (an API prompt or a UI workflow, as a string)');
  }
  if (!isPlainObject(value) || Object.keys(value).length === 0)
    throw new RequestValidationError(
      'payload: must be a JSON object with nodes: an API prompt or a UI workflow',
    );
  return value;
}

/**
 * The API prompt a template's payload runs as on an endpoint: a UI workflow converted with that
 * endpoint's catalog, then the checks every create makes first (a class the endpoint lacks,
 * the graph's structure). Input values are checked when a run has put its own in place.
 */
export function templateGraph(
  payload: Record<string, unknown>,
  catalog: NodeCatalog,
  maxNodes: number,
): PromptGraph {
  const nodes =
    isUiWorkflow(payload) && Array.isArray(payload.nodes)
      ? payload.nodes.length
      : Object.keys(payload).length;
  if (nodes > maxNodes)
    throw new RequestValidationError(`payload: ${nodes} nodes; this deployment accepts at most ${maxNodes}`);
  const graph = isUiWorkflow(payload) ? convertWorkflow(payload, catalog, maxNodes) : payload;
  const failure = missingNodeType(graph, catalog) ?? checkPromptStructure(graph);
  if (failure) throw new PromptValidationError(describeFailure(failure), failure);
  return graph as PromptGraph;
}

/** The template's parameters, declared or derived, typed by the endpoint's catalog. */
export function templateParameters(
  declared: ParameterDeclarations | null,
  graph: PromptGraph,
  catalog: NodeCatalog,
): TypedParameter[] {
  return typedParameters(declared ?? derivedParameters(graph, catalog), graph, catalog);
}
