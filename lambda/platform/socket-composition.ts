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

export function relayDeps(): RelayDeps {
  const { client, connections, sender } = socketParts('comfyui-events');
  const env = functionEnv('comfyui-events');
  return {
    connections,
    sender,
    store: new DynamoDbExecuteStore(client, env.TABLE_NAME),
    payloads: new S3PayloadStore(
      s3Client({ region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE }),
      env.BUCKET_NAME,
    ),
  };
}
