import { parseJsonBody, parseWith } from '../http/parse-request';
import { CompleteModelUploadBodySchema } from '../http/request-schemas';
import { completeModelUploadDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import { logger } from '../platform/powertools';
import { completeModelUpload } from '../use-cases/complete-model-upload';

/** POST /models/complete — CompleteModelUpload: the model, once S3 has assembled its parts. */
export const handler = httpHandler(async ({ event, owner }) => {
  const body = parseWith(
    CompleteModelUploadBodySchema(),
    parseJsonBody(event.body, event.isBase64Encoded),
    'body',
  );
  const data = await completeModelUpload(body, owner, completeModelUploadDeps());
  logger.info('model uploaded', { folder: data.folder, name: data.name, size: data.size });
  return { statusCode: 200, data };
});
