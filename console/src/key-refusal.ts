/**
 * A wrong or revoked key: 401, or API Gateway's own 403 (`{message}`). A 403 in ESD's envelope
 * (it has `debug`) is the API refusing one thing to a good key (another key's usage, a model
 * library change): said on the page, the key kept.
 */
export const isKeyRefused = (error: unknown) => {
  const { status, body } = error as { status?: number; body?: unknown };
  if (status === 401) return true;
  return status === 403 && !(typeof body === 'object' && body !== null && 'debug' in body);
};
