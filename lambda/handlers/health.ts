import { httpHandler } from '../platform/http-handler';

/** GET / → "OK", GET /ping → "pong", as ESD's root and ping routes. */
export const handler = httpHandler(
  async ({ event }) => ({ statusCode: 200, message: event.resource === '/ping' ? 'pong' : 'OK' }),
  { requiresOwner: false },
);
