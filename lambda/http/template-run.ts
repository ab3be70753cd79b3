import { RequestValidationError } from '../domain/errors';
import { type CreateExecuteDeps, type CreateExecuteInput, createExecute } from '../use-cases/create-execute';
import type { RunTemplateDeps, refuseForParameters } from '../use-cases/run-template';
import { parseCreateExecuteBody, parseWith } from './parse-request';
import { RunTemplateBodySchema, TemplateNameSchema } from './template-requests';

type ParameterChecks = ReturnType<typeof refuseForParameters>;

/**
 * CreateExecute's input from POST /executes (the body), or from POST /schemas/{name}/executes:
 * the run's body checked, the template read and its parameters set. Its `checks` make the create
 * refuse, and name by parameter, what the run's values broke.
 */
export async function executeRequestOf(
  templateName: string | undefined,
  body: unknown,
  owner: string,
  deps: RunTemplateDeps,
): Promise<{ input: CreateExecuteInput; checks?: ParameterChecks }> {
  if (templateName === undefined) return { input: parseCreateExecuteBody(body) };
  const name = parseWith(TemplateNameSchema(), templateName, 'name');
  const run = parseWith(RunTemplateBodySchema(), body, 'body');
  // Imported for a run by name only: a plain create's cold start does not load the template code.
  const { templateRun, refuseForParameters } = await import('../use-cases/run-template');
  // A key parsing could not keep (`__proto__`) is still a name the template does not take.
  const sent = (body as { inputs?: unknown }).inputs;
  const lost =
    sent && typeof sent === 'object'
      ? Object.keys(sent).find((key) => !Object.hasOwn(run.inputs ?? {}, key))
      : undefined;
  if (lost !== undefined)
    throw new RequestValidationError(`unknown parameter '${lost}'`, { parameter: lost });
  const { input, parameters, files } = await templateRun(
    name,
    {
      ...(run.inputs ? { inputs: run.inputs } : {}),
      ...(run.prompt_id ? { prompt_id: run.prompt_id } : {}),
      ...(run.endpoint_name ? { endpoint_name: run.endpoint_name } : {}),
      ...(run.webhook !== undefined ? { webhook: run.webhook } : {}),
    },
    owner,
    deps,
  );
  return { input, checks: refuseForParameters(parameters, files) };
}

/** CreateExecute, with a run's parameter checks: its 400s name the parameter, not the node. */
export function createRequested(
  input: CreateExecuteInput,
  owner: string,
  deps: CreateExecuteDeps,
  checks: ParameterChecks | undefined,
) {
  return createExecute(input, owner, deps, checks).catch((error: unknown) => {
    throw checks ? checks.rename(error) : error;
  });
}
