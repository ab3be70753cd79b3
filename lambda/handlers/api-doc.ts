import { buildOpenApiDocument } from '../http/openapi';
import { httpHandler } from '../platform/http-handler';

let document: Record<string, unknown> | undefined;

/** GET /api — the OpenAPI document, raw (no envelope), as ESD's GetApiOAS. */
export const handler = httpHandler(
  async () => {
    document ??= buildOpenApiDocument();
    return { statusCode: 200, raw: document };
  },
  { requiresOwner: false },
);
