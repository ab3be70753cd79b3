import { randomUUID } from 'node:crypto';
import { ApiGatewaySocketSender } from '../adapters/apigateway-socket-sender';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-connection-store';
import { DynamoDbExecuteStore } from '../adapters/dynamodb-execute-store';
import { S3PayloadStore } from '../adapters/s3-payload-store';
import type { SocketDeps } from '../use-cases/comfyui-socket';
import type { RelayDeps } from '../use-cases/relay-execute-changes';
import { documentClient, s3Client, socketManagementClient } from './clients';
import { functionEnv } from './env';

/** The websocket functions' dependencies (kept apart so the HTTP functions never bundle them). */
function socketParts(name: 'comfyui-socket' | 'comfyui-events') {
  const env = functionEnv(name);
  const client = documentClient({ region: env.AWS_REGION }, 'websocket');
  return {
    client,
    connections: new DynamoDbConnectionStore(client, env.CONNECTIONS_TABLE_NAME),
    sender: new ApiGatewaySocketSender(
      socketManagementClient({ region: env.AWS_REGION, endpoint: env.WEBSOCKET_CALLBACK_URL }),
    ),
  };
}

export function socketDeps(): SocketDeps {
  const { connections, sender } = socketParts('comfyui-socket');
  return {
    connections,
    sender,
    clock: { now: () => new Date() },
    ids: { newId: () => randomUUID() },
    maxConnectionsPerKey: functionEnv('comfyui-socket').MAX_CONNECTIONS_PER_KEY,
  };
}

/** Messages the events function sent, and connections found gone, since the last batch ended. */
const batch = { sent: 0, gone: 0 };

export function relayDeps(): RelayDeps {
  const { client, connections, sender } = socketParts('comfyui-events');
  const env = functionEnv('comfyui-events');
  return {
    connections,
    sender: {
      send: async (connectionId, message) => {
        const sent = await sender.send(connectionId, message);
        batch[sent ? 'sent' : 'gone'] += 1;
        return sent;
      },
    },
    store: new DynamoDbExecuteStore(client, env.TABLE_NAME),
    payloads: new S3PayloadStore(
      s3Client({ region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE }),
      env.BUCKET_NAME,
    ),
  };
}

/** A batch's end: its greetings awaited, its websocket figures published (one EMF line), its answer. */
export async function endBatch<T>(greetings: Promise<void>[], answer: T): Promise<T> {
  await Promise.all(greetings);
  const { sent, gone } = batch;
  batch.sent = 0;
  batch.gone = 0;
  // Loaded once a batch told someone something: most changes have no socket to tell.
  if (sent + gone > 0) (await import('./metrics')).socketMessages(sent, gone);
  return answer;
}
