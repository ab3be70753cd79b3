import { PromptValidationError } from '../domain/errors';
import type { CreateExecuteDeps, CreateExecuteInput } from './create-execute';
import { checkedWebhook } from './execute-webhook';
import { prepareForEndpoint, resolveEndpoint } from './prepare-for-endpoint';
import type { PreparedPrompt } from './prepare-prompt';

export type DryRunOutcome = Pick<PreparedPrompt, 'prompt' | 'node_errors' | 'warnings'>;

/** CreateExecute with `dry_run: true`: converts and validates as a create would; stores and invokes nothing. */
export async function dryRunExecute(
  input: CreateExecuteInput,
  owner: string,
  deps: Pick<CreateExecuteDeps, 'catalogs' | 'config' | 'inputs' | 'payloads' | 'resolveHost' | 'models'>,
): Promise<DryRunOutcome> {
  const endpointName = resolveEndpoint(input, deps.config);
  await checkedWebhook(input.webhook, deps);
  const { prepared } = await prepareForEndpoint(input, input.prompt, owner, endpointName, deps).catch(
    (error: unknown) => {
      // The prompt the errors name comes back with them, so a client can fix it (pick the model
      // the endpoint has, add an input) and send it again instead of guessing node ids.
      if (error instanceof PromptValidationError && error.graph)
        throw new PromptValidationError(error.message, { ...error.data, prompt: error.graph });
      throw error;
    },
  );
  // The whole graph, not the part that would run: node_errors name its nodes, and a client fixes them there.
  const { graph, node_errors, warnings } = prepared;
  return { prompt: graph, node_errors, warnings };
}
