import { randomUUID } from 'node:crypto';
import { ApiGatewaySocketSender } from '../adapters/apigateway-socket-sender';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-connection-store';
import { DynamoDbExecuteStore } from '../adapters/dynamodb-execute-store';
import type { SocketDeps } from '../use-cases/comfyui-socket';
import type { RelayDeps } from '../use-cases/relay-execute-changes';
import { documentClient, socketManagementClient } from './clients';
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
  return {
    connections,
    sender,
    store: new DynamoDbExecuteStore(client, functionEnv('comfyui-events').TABLE_NAME),
  };
}
