import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { streamChange } from '../adapters/dynamodb-stream-change';
import { functionEnv } from '../platform/env';
import { logger } from '../platform/powertools';
import { relayDeps } from '../platform/socket-composition';
import { traceHandler } from '../platform/tracing';
import { greetConnection, relayExecuteChange } from '../use-cases/relay-execute-changes';

/**
 * The executes table's stream and the connections table's, in order: each execute change is told
 * to its owner's websockets, each new connection greeted. A failure reports the record it stopped
 * at, so Lambda retries from there and no connection sees a message out of order. A greeting
 * that fails is not retried (the client connects again): it must not replay the batch.
 */
export const handler = traceHandler(
  'comfyui-events',
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const connectionsTable = functionEnv('comfyui-events').CONNECTIONS_TABLE_NAME;
    const deps = relayDeps();
    // Greetings go side by side: one may wait ~2 s for a connection that is still opening (or,
    // half-open, never will), and the batch's others must not wait behind it. Execute changes
    // stay in order.
    const greetings: Promise<void>[] = [];
    for (const record of event.Records) {
      try {
        const change = streamChange(record, connectionsTable);
        if (change.kind === 'opened')
          greetings.push(
            greetConnection(change.connection, deps).catch((error: Error) => {
              logger.warn('connection not greeted', { error: error.message, eventID: record.eventID });
            }),
          );
        if (change.kind === 'execute') await relayExecuteChange(change.before, change.after, deps);
      } catch (error) {
        logger.error('stream record not relayed; retried from here', {
          error: (error as Error).message,
          eventID: record.eventID,
        });
        await Promise.all(greetings);
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    await Promise.all(greetings);
    return { batchItemFailures: [] };
  },
);
