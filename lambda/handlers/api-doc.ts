import document from '../http/openapi.json' with { type: 'json' };
import { httpHandler } from '../platform/http-handler';

/**
 * GET /api — the OpenAPI document, raw (no envelope), as ESD's GetApiOAS. Generated from the
 * schemas by `npm run openapi` (a test fails while it is stale), served as a file.
 */
export const handler = httpHandler(async () => ({ statusCode: 200, raw: document }), {
  requiresOwner: false,
});
