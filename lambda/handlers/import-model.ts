import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseImportJob } from '../domain/models/model-import';
import { modelImportJobDeps } from '../platform/model-import-composition';
import { logger } from '../platform/powertools';
import { traceHandler } from '../platform/tracing';
import { runModelImportJob, settleFailedJob } from '../use-cases/run-model-import-job';

/**
 * The model imports' queue, one job per message: a part (a ranged GET of the source, written with
 * UploadPart) or the finishing step. A failure is retried after a backoff (the message's
 * visibility) or, refused or on its last attempt, ends the import (settleFailedJob).
 */
export const handler = traceHandler(
  'import-model',
  async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    if (context) logger.addContext(context);
    const deps = modelImportJobDeps();
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      const job = parseImportJob(message.body);
      if (!job) {
        logger.error('model import job not understood: dropped', { body: message.body.slice(0, 500) });
        continue;
      }
      const attempt = Number(message.attributes.ApproximateReceiveCount);
      try {
        logger.info('model import job', { ...job, attempt, outcome: await runModelImportJob(job, deps) });
      } catch (error) {
        const settled = await settleFailedJob(job, error, attempt, deps);
        logger.warn('model import job failed', {
          ...job,
          attempt,
          reason: (error as Error).message,
          ...settled,
        });
        if ('retryInSeconds' in settled) {
          await deps.queue.retryIn(message.receiptHandle, settled.retryInSeconds);
          failures.push({ itemIdentifier: message.messageId });
        }
      }
    }
    return { batchItemFailures: failures };
  },
);
