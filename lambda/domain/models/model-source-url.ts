import { CREDENTIALS_IN_URL } from '../url-credentials';

/** S3 keeps 2 KB of user metadata per object; the library's copy records its source there. */
export const MAX_SOURCE_LENGTH = 1800;

/**
 * A query parameter whose name, lowercased and reduced to letters and digits, says it may carry a
 * credential (`hf_token`, `private_token`, `api.key`, `X-Goog-Signature`, `client_secret`, …). A
 * deny-list of exact names misses spellings; this refuses a few harmless names too, and a model's
 * URL needs none of them.
 */
const CREDENTIAL_WORD = /token|key|secret|sig|auth|pass|jwt|session|credential|goog|amz/;

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
  // `;` separates parameters for some servers too.
  const parameters = url.search
    .slice(1)
    .split(/[&;]/)
    .map((pair) => {
      const name = pair.split('=')[0] ?? '';
      try {
        return decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        return name;
      }
    });
  if (
    url.username ||
    url.password ||
    CREDENTIALS_IN_URL.test(source) ||
    CREDENTIALS_IN_URL.test(url.href) ||
    parameters.some((name) => CREDENTIAL_WORD.test(name.toLowerCase().replace(/[^a-z0-9]/g, '')))
  )
    return NO_CREDENTIALS;
  if (url.href.length > MAX_SOURCE_LENGTH)
    return `source is ${url.href.length} characters once normalised (non-ASCII percent-encoded); at most ${MAX_SOURCE_LENGTH}`;
  return undefined;
}
