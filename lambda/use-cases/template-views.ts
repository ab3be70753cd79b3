import { DomainError, EndpointNotFoundError } from '../domain/errors';
import type { NodeCatalogSource } from '../domain/ports';
import { inputJsonSchema, type JsonSchema } from '../domain/templates/input-schema';
import type { ParameterDeclarations, Template } from '../domain/templates/template';
import { placeText } from '../domain/templates/template';
import { parsePayload, templateGraph, templateParameters } from '../domain/templates/template-graph';
import { uncoveredPlaceWarnings } from '../domain/templates/uncovered-places';
import type { CreateExecuteConfig } from './create-execute';
import { resolveEndpoint } from './prepare-for-endpoint';

export interface TemplateViewDeps {
  catalogs: NodeCatalogSource;
  config: Pick<CreateExecuteConfig, 'defaultEndpointName' | 'endpointNames' | 'maxPromptNodes'>;
}

/** ESD's schema row, with when it last changed and the endpoint it runs on. */
export interface TemplateRow {
  name: string;
  payload: string;
  workflow: string;
  create_time: string;
  update_time: string;
  endpoint_name: string;
  /** The declared parameters; null when they are derived from the prompt. */
  declared_inputs: ParameterDeclarations | null;
}

/** GetSchema's answer: the row, the parameters in effect and their JSON Schema. */
export interface TemplateView extends TemplateRow {
  inputs: ParameterDeclarations;
  input_schema: JsonSchema | null;
  /** Why the parameters cannot be typed against the endpoint's catalog now (it changed since the save). */
  problem?: string;
  /** What a run will be refused for at places no parameter sets (a model or file the endpoint lacks). */
  warnings?: string[];
}

/** The endpoint a template's workflow runs on; one the deployment lacks is named as an environment. */
export function endpointOfTemplate(workflow: string, deps: TemplateViewDeps): string {
  try {
    return resolveEndpoint({ workflow_name: workflow || null }, deps.config);
  } catch (error) {
    if (!(error instanceof EndpointNotFoundError)) throw error;
    const environments = deps.config.endpointNames
      .filter((name) => name.startsWith('comfy-async-'))
      .map((name) => `'${name.slice('comfy-async-'.length)}'`);
    throw new EndpointNotFoundError(
      `workflow '${workflow}' is not a deployed environment (its endpoint would be comfy-async-${workflow}); environments: ${environments.join(', ') || 'none'} ('' for the default endpoint)`,
    );
  }
}

/** The endpoint a row shows: '' when the template's workflow is no longer deployed (it is still listed). */
export function endpointShown(workflow: string, deps: TemplateViewDeps): string {
  try {
    return endpointOfTemplate(workflow, deps);
  } catch {
    return '';
  }
}

export function templateRow(template: Template, endpointName: string): TemplateRow {
  return {
    name: template.name,
    payload: template.payload,
    workflow: template.workflow,
    create_time: template.create_time,
    update_time: template.update_time,
    endpoint_name: endpointName,
    declared_inputs: template.inputs,
  };
}

/** The template typed against its endpoint's catalog now; a 400 (naming what is wrong) when it cannot be. */
export async function checkedTemplateView(template: Template, deps: TemplateViewDeps): Promise<TemplateView> {
  const endpointName = endpointOfTemplate(template.workflow, deps);
  const catalog = await deps.catalogs.forEndpoint(endpointName);
  const graph = templateGraph(
    parsePayload(template.payload),
    catalog,
    deps.config.maxPromptNodes ?? Infinity,
  );
  const parameters = templateParameters(template.inputs, graph, catalog);
  const inputs: ParameterDeclarations = {};
  for (const parameter of parameters)
    inputs[parameter.name] = {
      places: parameter.places.map(placeText),
      ...(parameter.description !== undefined ? { description: parameter.description } : {}),
      ...(parameter.declaredDefault ? { default: parameter.default } : {}),
    };
  const warnings = uncoveredPlaceWarnings(graph, catalog, parameters);
  return {
    ...templateRow(template, endpointName),
    inputs,
    input_schema: inputJsonSchema(parameters),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * A stored template as GetSchema shows it. The endpoint's catalog may have changed since it was
 * saved (a new image): a template that no longer types is still shown, with why.
 */
export async function templateView(template: Template, deps: TemplateViewDeps): Promise<TemplateView> {
  try {
    return await checkedTemplateView(template, deps);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return {
      ...templateRow(template, endpointShown(template.workflow, deps)),
      inputs: template.inputs ?? {},
      input_schema: null,
      problem: error.message,
    };
  }
}
