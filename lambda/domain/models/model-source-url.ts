import { CREDENTIALS_IN_URL } from '../url-credentials';

/** S3 keeps 2 KB of user metadata per object; the library's copy records its source there. */
export const MAX_SOURCE_LENGTH = 1800;

/** A query parameter whose name says it carries a credential (also when percent-encoded). */
const CREDENTIAL_PARAMETER =
  /^(token|access_token|api[_-]?key|apikey|key|auth|password|secret|sig|signature|x-amz-[a-z-]+|x-goog-[a-z-]+)$/i;

const NO_CREDENTIALS =
  'source must not carry a password or token (every API key can read a model\'s source): store a gated host\'s token in Secrets Manager instead (see the README, "Models from a URL")';

/**
 * Why a source URL cannot be imported (before anything is fetched), or undefined. Judged on the
 * URL as it will be fetched and stored (WHATWG-normalised: tabs and newlines dropped, `\` read as
 * `/`), not only on the text sent, so no spelling gets a secret past the check.
 */
export function sourceProblem(source: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return `source '${source.slice(0, 200)}' is not a URL`;
  }
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:'))
    return `source must be an ${allowLoopback ? 'http:// or https://' : 'https://'} URL (${url.protocol} given)`;
  const parameters = [...url.searchParams.keys()];
  if (
    url.username ||
    url.password ||
    CREDENTIALS_IN_URL.test(source) ||
    CREDENTIALS_IN_URL.test(url.href) ||
    parameters.some((name) => CREDENTIAL_PARAMETER.test(name.trim()))
  )
    return NO_CREDENTIALS;
  if (url.href.length > MAX_SOURCE_LENGTH)
    return `source is ${url.href.length} characters once normalised (non-ASCII percent-encoded); at most ${MAX_SOURCE_LENGTH}`;
  return undefined;
}
