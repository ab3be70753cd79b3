import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamChange } from '../adapters/dynamodb-stream-change';
import { functionEnv } from '../platform/env';
import { logger } from '../platform/powertools';
import { endBatch, relayDeps } from '../platform/socket-composition';
import { traceHandler } from '../platform/tracing';
import { greetConnection, relayExecuteChange } from '../use-cases/relay-execute-changes';

/**
 * The executes table's stream and the connections table's: each execute change told to its
 * owner's websockets in order (a failure reports the record it stopped at, so Lambda retries from
 * there), each new connection greeted (a failed greeting is logged, never replays the batch).
 */
export const handler = traceHandler(
  'comfyui-events',
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const connectionsTable = functionEnv('comfyui-events').CONNECTIONS_TABLE_NAME;
    const deps = relayDeps();
    // Side by side: a greeting may wait ~2 s on a connection still opening (or half-open).
    const greetings: Promise<void>[] = [];
    for (const record of event.Records) {
      try {
        const change = streamChange(record, connectionsTable);
        if (change.kind === 'opened')
          greetings.push(
            greetConnection(change.connection, deps).catch((error: Error) =>
              logger.warn('connection not greeted', { error: error.message, eventID: record.eventID }),
            ),
          );
        if (change.kind === 'execute') await relayExecuteChange(change.before, change.after, deps);
      } catch (error) {
        logger.error('stream record not relayed; retried from here', {
          error: (error as Error).message,
          eventID: record.eventID,
        });
        return endBatch(greetings, {
          batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }],
        });
      }
    }
    return endBatch(greetings, { batchItemFailures: [] });
  },
);
