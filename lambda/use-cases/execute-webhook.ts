import { RequestValidationError } from '../domain/errors';
import { parseWebhookSpec, type WebhookSpec } from '../domain/webhooks/webhook-spec';

export interface WebhookCheckDeps {
  resolveHost(host: string): Promise<string[]>;
  config: { webhooks?: { allowLocal: boolean } };
}

/**
 * CreateExecute's `webhook`, checked before anything is stored: its shape (https when deployed,
 * known events) and where its host resolves (public addresses only); a 400 naming the problem.
 */
export async function checkedWebhook(
  raw: { url?: unknown; events?: unknown } | null | undefined,
  deps: WebhookCheckDeps,
): Promise<WebhookSpec | undefined> {
  if (!raw) return undefined;
  const allowLocal = deps.config.webhooks?.allowLocal === true;
  const parsed = parseWebhookSpec(raw, { httpsOnly: !allowLocal });
  if ('problem' in parsed) throw new RequestValidationError(parsed.problem);
  // Imported here: only creates with a webhook need the address ranges (ipaddr.js).
  const { webhookHostProblem } = await import('../domain/webhooks/webhook-target');
  const problem = await webhookHostProblem(parsed.spec.url, deps.resolveHost, { allowLoopback: allowLocal });
  if (problem) throw new RequestValidationError(problem);
  return parsed.spec;
}
