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
  private readonly listeners = new Map<() => void, readonly string[]>();

  /** `target`: the request's X-Amz-Target (`DynamoDB_20120810.PutItem`); `body`: its JSON. */
  written(target: string | undefined, body: Buffer): void {
    if (!WRITES.has(String(target).split('.').pop() ?? '')) return;
    const text = body.toString('utf8');
    for (const [listener, tables] of this.listeners)
      if (tables.some((table) => text.includes(`"${table}"`))) listener();
  }

  /** `listener` runs after each write that names one of `tables` (a read that finds nothing is cheap, a missed one is not). */
  subscribe(tables: readonly string[], listener: () => void): () => void {
    this.listeners.set(listener, tables);
    return () => this.listeners.delete(listener);
  }
}
