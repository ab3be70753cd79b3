import {
  type ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { exactJsonText } from '../domain/exact-json';
import type { SocketSender } from '../domain/notification-ports';

/** Posts ComfyUI's JSON messages through API Gateway's management API (`@connections`). */
export class ApiGatewaySocketSender implements SocketSender {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, message: { type: string; data: unknown }): Promise<boolean> {
    try {
      await this.client.send(
        new PostToConnectionCommand({
          ConnectionId: connectionId,
          Data: new TextEncoder().encode(exactJsonText(message)),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof GoneException || (error as Error).name === 'GoneException') return false;
      throw error;
    }
  }
}
