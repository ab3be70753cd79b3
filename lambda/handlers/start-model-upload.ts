import { parseJsonBody, parseWith } from '../http/parse-request';
import { StartModelImportBodySchema, StartModelUploadBodySchema } from '../http/request-schemas';
import { startModelUploadDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { startModelImportDeps } from '../platform/model-import-composition';
import { importsOf } from '../platform/model-imports-store';
import { logger } from '../platform/powertools';
import { startModelImport } from '../use-cases/start-model-import';
import { startModelUpload } from '../use-cases/start-model-upload';

/**
 * POST /models — StartModelUpload (`size`: the multipart upload and one presigned URL per part)
 * or StartModelImport (`source`: the library fetches the file from that URL itself).
 */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseJsonBody(event.body, event.isBase64Encoded);
  if (typeof body === 'object' && body !== null && 'source' in body) {
    const request = parseWith(StartModelImportBodySchema(), body, 'body');
    const data = await startModelImport(request, owner, startModelImportDeps());
    logger.info('model import started', {
      folder: data.folder,
      name: data.name,
      source: data.import.source,
      size: data.import.size,
      parts: data.import.parts_total,
    });
    return {
      statusCode: 202,
      data,
      message: `importing: follow it with GET /models/${data.folder}/${encodeURIComponent(data.name)}`,
    };
  }
  const request = parseWith(StartModelUploadBodySchema(), body, 'body');
  const deps = { ...startModelUploadDeps(), imports: importsOf('start-model-upload') };
  const data = await startModelUpload(request, owner, deps);
  const { folder, name, size } = data;
  logger.info('model upload started', { folder, name, size, parts: data.parts.length });
  return {
    statusCode: 201,
    data,
    message: 'PUT each part to its url, then POST /models/complete with the parts and their ETags',
  };
});
