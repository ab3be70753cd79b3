/**
 * A secret in a URL: a password, or a token as the user name (`https://ghp_…@github.com`,
 * `__token__:…@`), or a credential query parameter (Civitai's `?token=`, a presigned URL's
 * `X-Amz-*` or `X-Goog-*`). `ssh://git@` and `git@host:` name a user, not a secret. Shared by environment files
 * (committed, shown by GET /workflows) and model imports (whose source every key can read).
 */
export const CREDENTIALS_IN_URL =
  /(^|\s|\+)(https?|ftp):\/\/[^/@\s]+@|:\/\/[^/@\s]*:[^/@\s]*@|[?&#](token|access_token|api[_-]?key|apikey|key|auth|password|secret|sig|signature|x-amz-[a-z-]+|x-goog-[a-z-]+)=/i;
