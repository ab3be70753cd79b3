import { parseJsonBody, parseWith } from '../http/parse-request';
import { StartModelUploadBodySchema } from '../http/request-schemas';
import { startModelUploadDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { startModelUpload } from '../use-cases/start-model-upload';

/** POST /models — StartModelUpload: the multipart upload and one presigned URL per part. */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseWith(
    StartModelUploadBodySchema,
    parseJsonBody(event.body, event.isBase64Encoded),
    'body',
  );
  const data = await startModelUpload(body, owner, startModelUploadDeps());
  logger.info('model upload started', {
    folder: data.folder,
    name: data.name,
    size: data.size,
    parts: data.parts.length,
  });
  return {
    statusCode: 201,
    data,
    message: 'PUT each part to its url, then POST /models/complete with the parts and their ETags',
  };
});
