/** The operations after which a table's stream may hold new records. */
const WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);

/**
 * Told by the local DynamoDB front after each write it passed on, so the stream pollers read at
 * once instead of at their next interval: the local stand-in for an event source mapping that is
 * always polling. (On AWS, Lambda reads a DynamoDB stream's shards about four times a second; see
 * docs/performance.md for what that means for the websocket's messages there.)
 */
export class DynamoDbWriteSignal {
  private readonly listeners = new Set<() => void>();

  /** `target`: the request's X-Amz-Target (`DynamoDB_20120810.PutItem`). */
  written(target: string | undefined): void {
    if (!WRITES.has(String(target).split('.').pop() ?? '')) return;
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
