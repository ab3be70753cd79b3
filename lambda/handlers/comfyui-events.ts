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
 * at, so Lambda retries from there and no connection sees a message out of order.
 */
export const handler = traceHandler(
  'comfyui-events',
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    const connectionsTable = functionEnv('comfyui-events').CONNECTIONS_TABLE_NAME;
    const deps = relayDeps();
    for (const record of event.Records) {
      try {
        const change = streamChange(record, connectionsTable);
        if (change.kind === 'opened') await greetConnection(change.connection, deps);
        if (change.kind === 'execute') await relayExecuteChange(change.before, change.after, deps);
      } catch (error) {
        logger.error('stream record not relayed; retried from here', {
          error: (error as Error).message,
          eventID: record.eventID,
        });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  },
);
