import type { ComfyNodeErrors } from '../domain/comfy-errors';
import { PromptValidationError, RequestValidationError, TemplateNotFoundError } from '../domain/errors';
import type { NodeCatalogSource } from '../domain/ports';
import { applyParameters } from '../domain/templates/apply-parameters';
import type { TemplateStore } from '../domain/templates/template';
import { parsePayload, templateGraph, templateParameters } from '../domain/templates/template-graph';
import type { TypedParameter } from '../domain/templates/typed-parameters';
import type { CreateExecuteConfig, CreateExecuteInput } from './create-execute';
import { resolveEndpoint } from './prepare-for-endpoint';

/** POST /schemas/{name}/executes: a run's values, and what CreateExecute takes besides a prompt. */
export interface RunTemplateInput {
  inputs?: Record<string, unknown>;
  prompt_id?: string;
  endpoint_name?: string;
  webhook?: CreateExecuteInput['webhook'];
}

export interface RunTemplateDeps {
  templates: TemplateStore;
  catalogs: NodeCatalogSource;
  config: Pick<CreateExecuteConfig, 'defaultEndpointName' | 'endpointNames' | 'maxPromptNodes'>;
}

/** A template's run as CreateExecute's input, and the parameters it was checked against. */
export interface TemplateRun {
  input: CreateExecuteInput;
  parameters: TypedParameter[];
  /** The name each file parameter's data or URL was given → the parameter. */
  files: Record<string, string>;
}

/**
 * The execute a run by name creates: the caller's template, converted and typed on the endpoint
 * it runs on (its own, or the one the run names), with the run's values checked and put in
 * place. One read (the template); the catalog is the one CreateExecute reads next, cached.
 */
export async function templateRun(
  name: string,
  run: RunTemplateInput,
  owner: string,
  deps: RunTemplateDeps,
): Promise<TemplateRun> {
  const found = await deps.templates.get(owner, name);
  if (!found) throw new TemplateNotFoundError(`schema with name ${name} not found`);
  const { template } = found;
  const workflowName = run.endpoint_name ? null : template.workflow || null;
  const endpointName = resolveEndpoint(
    { endpoint_name: run.endpoint_name, workflow_name: workflowName },
    deps.config,
  );
  const catalog = await deps.catalogs.forEndpoint(endpointName);
  const graph = templateGraph(
    parsePayload(template.payload),
    catalog,
    deps.config.maxPromptNodes ?? Infinity,
  );
  const parameters = templateParameters(template.inputs, graph, catalog);
  const applied = applyParameters(graph, parameters, run.inputs ?? {});
  return {
    parameters,
    files: applied.fileParameters,
    input: {
      prompt: applied.prompt,
      ...(run.prompt_id ? { prompt_id: run.prompt_id } : {}),
      endpoint_name: endpointName,
      need_sync: true,
      number: null,
      front: null,
      extra_data: null,
      client_id: null,
      workflow: null,
      workflow_name: workflowName,
      need_prepare: false,
      prepare_props: null,
      multi_async: false,
      ...(Object.keys(applied.files).length > 0 ? { inputs: applied.files } : {}),
      ...(run.webhook !== undefined ? { webhook: run.webhook } : {}),
      template: { name, create_time: template.create_time, inputs: applied.inputs },
    },
  };
}

/** The parameter a node's input belongs to, if any. */
function parameterAt(parameters: readonly TypedParameter[], node: string, input: unknown) {
  return parameters.find((parameter) =>
    parameter.places.some((place) => place.node === node && place.input === input),
  );
}

/**
 * The create's own checks (a file that is not there, a model neither listed nor in the library,
 * a file's URL that does not resolve) told in the words of the run: the first error at a
 * parameter's place names the parameter, with `parameter` in `data`. An output that would be
 * skipped for it is refused too: a run by name runs all of its template. `files`: the name each
 * file parameter's data was given → the parameter.
 */
export function refuseForParameters(
  parameters: readonly TypedParameter[],
  files: Readonly<Record<string, string>> = {},
) {
  const named = (nodeErrors: ComfyNodeErrors) => {
    for (const [node, entry] of Object.entries(nodeErrors))
      for (const error of entry.errors) {
        const parameter = parameterAt(parameters, node, error.extra_info.input_name);
        if (parameter)
          return {
            parameter: parameter.name,
            text: `${error.message}${error.details ? `: ${error.details}` : ''}`,
          };
      }
    return undefined;
  };
  const failure = (nodeErrors: ComfyNodeErrors, parameter: string) => ({
    error: {
      type: 'prompt_outputs_failed_validation',
      message: 'Prompt outputs failed validation',
      details: '',
      extra_info: { parameter },
    },
    node_errors: nodeErrors,
    parameter,
  });
  return {
    checkNodeErrors(nodeErrors: ComfyNodeErrors) {
      const found = named(nodeErrors);
      if (found)
        throw new PromptValidationError(
          `parameter '${found.parameter}': ${found.text}`,
          failure(nodeErrors, found.parameter),
        );
    },
    rename(error: unknown): unknown {
      if (error instanceof RequestValidationError) {
        // Any refusal of a file this run named after a parameter (its source, its content).
        const file = Object.keys(files).find((name) => error.message.includes(`'${name}'`));
        if (!file) return error;
        const parameter = files[file]!;
        const reason = error.message.startsWith(`inputs['${file}']: `)
          ? error.message.slice(`inputs['${file}']: `.length)
          : error.message;
        return new RequestValidationError(`parameter '${parameter}': ${reason}`, { parameter });
      }
      if (!(error instanceof PromptValidationError)) return error;
      const found = named(error.data.node_errors ?? {});
      if (!found) return error;
      return new PromptValidationError(
        `parameter '${found.parameter}': ${found.text}`,
        {
          ...error.data,
          error: {
            ...error.data.error,
            extra_info: { ...error.data.error.extra_info, parameter: found.parameter },
          },
          parameter: found.parameter,
        } as PromptValidationError['data'],
        error.graph,
      );
    },
  };
}
