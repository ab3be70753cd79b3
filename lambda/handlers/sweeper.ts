import type { Context } from 'aws-lambda';
import { sweepExecutesDeps } from '../platform/composition-root';
import { logger } from '../platform/powertools';
import { sweepExecutes } from '../use-cases/sweep-executes';

/** Scheduled: settles executes whose notification was lost and fails those past their deadline. */
export async function handler(_event?: unknown, context?: Context): Promise<void> {
  if (context) logger.addContext(context);
  const report = await sweepExecutes(sweepExecutesDeps());
  if (report.recovered.length > 0 || report.timedOut.length > 0)
    logger.warn('sweeper settled executes', { ...report });
  // Every few seconds locally, minutes deployed: a run that did nothing is not news.
  else logger.debug('sweeper found nothing to settle', { examined: report.examined });
}
