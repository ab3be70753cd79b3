/** Why a URL could not be fetched: `refused` is the caller's doing (never retried), `unavailable` the server's. */
export class UrlFetchError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'unavailable',
  ) {
    super(message);
  }
}
