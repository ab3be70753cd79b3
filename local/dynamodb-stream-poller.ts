import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoDbWriteSignal } from './dynamodb-write-signal';

export interface StreamPollerOptions {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  tables: string[];
  /** The function the event source mapping invokes (with Lambda's context around it). */
  invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined>;
  /** As the deployed mapping: a batch is retried this many times, then skipped (on AWS: to the DLQ). */
  retryAttempts?: number;
  batchSize?: number;
  pollMs?: number;
  /** Reads at once after each write through the local front, besides every `pollMs`... */
  wakeOn?: DynamoDbWriteSignal;
  /** ...while this holds (each read costs DynamoDB Local time the execute path then waits for). */
  wakeWhile?: () => boolean;
  log(line: string): void;
}

interface ShardCursor {
  streamArn: string;
  shardId: string;
  iterator: string;
  failures: number;
  /** The last record handled (or skipped); records up to it are never handed over again. */
  lastSequence: bigint;
}

const sequenceOf = (record: StreamRecord) => BigInt(record.dynamodb?.SequenceNumber ?? '0');
const isTrimmed = (error: unknown) => (error as Error).name === 'TrimmedDataAccessException';

type Attribute = Record<string, unknown>;

/**
 * The streams client reads an empty map (`{"M":{}}` on the wire) back as `{}`, which no attribute
 * value is; Lambda's event carries the wire form, so that is restored, at any depth.
 */
function wireForm(value: Attribute): Attribute {
  const [type, inner] = Object.entries(value)[0] ?? ['M', {}];
  if (type === 'M')
    return {
      M: Object.fromEntries(
        Object.entries(inner as Attribute).map(([k, v]) => [k, wireForm(v as Attribute)]),
      ),
    };
  if (type === 'L') return { L: (inner as Attribute[]).map(wireForm) };
  return value;
}

const imageForm = (image: Record<string, unknown> | undefined) =>
  image && Object.fromEntries(Object.entries(image).map(([k, v]) => [k, wireForm(v as Attribute)]));

/** A stream record as Lambda hands it over (epoch seconds, not a Date; the same attribute maps). */
function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, NewImage, OldImage, ...rest } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(rest as DynamoDBRecord['dynamodb']),
      ...(NewImage ? { NewImage: imageForm(NewImage) as never } : {}),
      ...(OldImage ? { OldImage: imageForm(OldImage) as never } : {}),
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
    },
  };
}

/**
 * Lambda's DynamoDB event source mapping over DynamoDB Local's streams: each shard read in order,
 * batches handed to the function, a reported failure retried from the record it names (partial
 * batch responses), and after the last attempt that record skipped, as the deployed mapping
 * sends it to its dead-letter queue. What the shards held at start is skipped (it was another
 * session's). DynamoDB Local numbers stream records across all its tables, and an iterator whose
 * shard meanwhile got a number from another table fails with TrimmedDataAccessException; the
 * poller then reads the shard again from its start, skipping what it has handled.
 */
export class DynamoDbStreamPoller {
  private readonly dynamo: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly cursors = new Map<string, ShardCursor>();
  private readonly finished = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(private readonly options: StreamPollerOptions) {
    const client = { endpoint: options.endpoint, region: options.region, credentials: options.credentials };
    this.dynamo = new DynamoDBClient(client);
    this.streams = new DynamoDBStreamsClient(client);
  }

  async start(): Promise<void> {
    await this.discoverShards(true);
    let polling = false;
    let again = false;
    const loop = async () => {
      if (this.stopped) return;
      polling = true;
      do {
        again = false;
        this.running = this.pollOnce().catch((error: Error) =>
          this.options.log(`stream poll failed: ${error.message}`),
        );
        await this.running;
      } while (again && !this.stopped);
      polling = false;
      if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 50);
    };
    this.unsubscribe = this.options.wakeOn?.subscribe(this.options.tables, () => {
      if (this.options.wakeWhile && !this.options.wakeWhile()) return;
      // A write landed: read now, or once more right after the read under way.
      if (polling) again = true;
      else if (!this.stopped) {
        clearTimeout(this.timer);
        this.timer = setTimeout(loop, 0);
      }
    });
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.dynamo.destroy();
    this.streams.destroy();
  }

  private async discoverShards(skipExisting: boolean) {
    for (const table of this.options.tables) {
      const described = await this.dynamo.send(new DescribeTableCommand({ TableName: table }));
      const streamArn = described.Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${table} has no stream`);
      const stream = await this.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      for (const shard of stream.StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId!;
        if (this.cursors.has(shardId) || this.finished.has(shardId)) continue;
        const cursor = { streamArn, shardId, iterator: '', failures: 0, lastSequence: -1n };
        await this.rewind(cursor);
        if (skipExisting) await this.skipToEnd(cursor);
        this.cursors.set(shardId, cursor);
      }
    }
  }

  /** A new iterator at the shard's start (the handled records are skipped by sequence number). */
  private async rewind(cursor: ShardCursor) {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: cursor.streamArn,
        ShardId: cursor.shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    cursor.iterator = ShardIterator ?? '';
  }

  private async skipToEnd(cursor: ShardCursor) {
    for (;;) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: cursor.iterator }));
      for (const record of page.Records ?? []) cursor.lastSequence = sequenceOf(record);
      if (!page.NextShardIterator || (page.Records ?? []).length === 0) return;
      cursor.iterator = page.NextShardIterator;
    }
  }

  private async pollOnce() {
    let closed = false;
    for (const cursor of [...this.cursors.values()]) {
      let page: Awaited<ReturnType<typeof this.read>>;
      try {
        page = await this.read(cursor);
      } catch (error) {
        if (!isTrimmed(error)) throw error;
        await this.rewind(cursor);
        continue;
      }
      const records = (page.Records ?? []).filter((record) => sequenceOf(record) > cursor.lastSequence);
      if (records.length > 0 && !(await this.deliver(cursor, records))) continue;
      if (page.NextShardIterator) cursor.iterator = page.NextShardIterator;
      else {
        this.cursors.delete(cursor.shardId);
        this.finished.add(cursor.shardId);
        closed = true;
      }
    }
    // A closed shard has children by now; they hold what comes next.
    if (closed || this.cursors.size === 0) await this.discoverShards(false);
  }

  private read(cursor: ShardCursor) {
    return this.streams.send(
      new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: this.options.batchSize ?? 100 }),
    );
  }

  /** True when the cursor may move past `records`; false when the shard is to be read again. */
  private async deliver(cursor: ShardCursor, records: StreamRecord[]): Promise<boolean> {
    const region = this.options.region;
    const event = { Records: records.map((record) => lambdaRecord(record, cursor.streamArn, region)) };
    let failedAt: string | undefined;
    try {
      const response = await this.options.invoke(event);
      failedAt = response?.batchItemFailures?.[0]?.itemIdentifier;
    } catch (error) {
      failedAt = records[0]!.dynamodb!.SequenceNumber;
      this.options.log(`stream batch failed: ${(error as Error).message}`);
    }
    if (failedAt === undefined) {
      cursor.failures = 0;
      cursor.lastSequence = sequenceOf(records.at(-1)!);
      return true;
    }
    const failed = BigInt(failedAt);
    for (const record of records) if (sequenceOf(record) < failed) cursor.lastSequence = sequenceOf(record);
    cursor.failures++;
    if (cursor.failures > (this.options.retryAttempts ?? 3)) {
      this.options.log(
        `stream record ${failedAt} failed ${cursor.failures} times; on AWS it would now be in the dead-letter queue`,
      );
      cursor.failures = 0;
      cursor.lastSequence = failed;
    }
    await this.rewind(cursor);
    return false;
  }
}
