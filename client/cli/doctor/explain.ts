import { ApiError, NetworkError } from '../../src/index';
import { isLocalApi } from './run-witnesses';
import type { Explain } from './runner';

/** The API key's value, as an operator gets it after `cdk deploy`. */
const KEY_VALUE =
  'aws apigateway get-api-key --api-key <ApiKeyId stack output> --include-value --query value --output text';

/** An answer's text on one line and short: a web server's HTML error page is not a detail. */
function oneLine(text: string): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

/** API Gateway's own error message (`{message}`), when the answer is the gateway's, not ours. */
function gatewayMessage(error: ApiError): string | undefined {
  const body = error.body as { message?: unknown; statusCode?: unknown } | undefined;
  return body && typeof body === 'object' && !('statusCode' in body) && typeof body.message === 'string'
    ? body.message
    : undefined;
}

/**
 * Plain words for what the client threw: which setting is wrong (URL, key), or where the logs of
 * the function that failed are (the envelope's debug link).
 */
export function explainFor(apiUrl: string): Explain {
  return (error) => {
    if (error instanceof NetworkError)
      return {
        detail: `cannot reach ${apiUrl}: ${error.message.replace(/^.*?cannot reach \S+: /, '')}`,
        hint: 'check the API URL (the ApiUrl stack output, stage included: …/prod/) and the network',
      };
    if (error instanceof ApiError) {
      const gateway = gatewayMessage(error);
      if (error.status === 403 && gateway === 'Forbidden')
        return {
          detail: 'the API refused the key (403 Forbidden)',
          hint: `check the API key (--api-key, COMFY_EXEC_API_KEY or the profile); ${
            isLocalApi(apiUrl) ? 'npm start prints its key (or set API_KEY)' : `its value: ${KEY_VALUE}`
          }`,
        };
      if (error.status === 403 && gateway === 'Missing Authentication Token')
        return {
          detail: `${error.message}: this URL has no such route`,
          hint: 'use the ApiUrl stack output as it is (…/prod/); a deployment older than this command lacks the route: deploy again',
        };
      if (error.status === 429)
        return {
          detail: `${error.message} (throttled after retries)`,
          hint: "the key's usage plan throttle or daily quota is used up: wait, or raise comfy-exec:quotaPerDay",
        };
      if (error.status >= 500)
        return {
          detail: error.message,
          hint: error.debug
            ? `the function failed: its logs are at ${error.debug.log_url}`
            : "the API failed: see its functions' CloudWatch logs",
        };
      if (error.status === 404 && !error.debug)
        return {
          detail: `HTTP 404 from ${apiUrl}: ${oneLine(error.message)}`,
          hint: 'this is not a comfy-exec API: use the ApiUrl stack output as it is (…/prod/), or the URL npm start printed',
        };
      return { detail: oneLine(error.message), hint: '' };
    }
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return { detail: `no answer in time: ${error.message}`, hint: 'check the network, then try again' };
    return { detail: error instanceof Error ? error.message : String(error), hint: '' };
  };
}
