import type { ConnectionStore, SocketConnection, SocketSender } from '../../lambda/domain/notification-ports';

/** ConnectionStore in memory, for use-case unit tests. */
export class InMemoryConnectionStore implements ConnectionStore {
  readonly rows = new Map<string, SocketConnection>();

  async open(connection: SocketConnection, cap?: number) {
    if (cap !== undefined && (await this.ofOwner(connection.owner)).length >= cap) return false;
    this.rows.set(connection.connection_id, { ...connection });
    return true;
  }

  async remove(connectionId: string) {
    this.rows.delete(connectionId);
  }

  async isOpen(connectionId: string) {
    return this.rows.has(connectionId);
  }

  async ofOwner(owner: string) {
    return [...this.rows.values()].filter((row) => row.owner === owner);
  }
}

/** Records what each connection was sent; connections in `gone` answer as API Gateway's GoneException. */
export class RecordingSender implements SocketSender {
  readonly sent = new Map<string, { type: string; data: unknown }[]>();
  readonly gone = new Set<string>();

  async send(connectionId: string, message: { type: string; data: unknown }) {
    if (this.gone.has(connectionId)) return false;
    this.sent.set(connectionId, [...(this.sent.get(connectionId) ?? []), message]);
    return true;
  }

  types(connectionId: string) {
    return (this.sent.get(connectionId) ?? []).map((message) => message.type);
  }
}
