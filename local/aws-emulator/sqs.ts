import { createHash, randomUUID } from 'node:crypto';

interface Message {
  id: string;
  body: string;
  group?: string;
  dedup?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receipt?: string;
  sequence: number;
}

interface Queue {
  name: string;
  fifo: boolean;
  visibilitySeconds: number;
  messages: Message[];
  /** FIFO deduplication: id → when it was sent (five minutes' memory, as SQS). */
  seen: Map<string, { at: number; messageId: string }>;
}

type Answer = { status: number; body: unknown };
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const DEDUP_WINDOW_MS = 5 * 60_000;

/**
 * SQS's JSON protocol for the queues the local stack makes (the real SQSClient, which checks
 * the MD5 of each body): SendMessage, SendMessageBatch, ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
 * GetQueueUrl. FIFO queues keep each message group in order: a group with a message in flight
 * (or waiting out a retry's visibility) gives nothing until that one is deleted.
 */
export class SqsEmulator {
  private readonly queues = new Map<string, Queue>();
  private sequence = 0;
  baseUrl = '';

  constructor(private readonly account: string) {}

  createQueue(name: string, visibilitySeconds = 30): string {
    this.queues.set(name, {
      name,
      fifo: name.endsWith('.fifo'),
      visibilitySeconds,
      messages: [],
      seen: new Map(),
    });
    return this.urlOf(name);
  }

  urlOf(name: string): string {
    return `${this.baseUrl}/${this.account}/${name}`;
  }

  /** Messages waiting (visible or not): for tests and the dead-letter queue's log. */
  peek(name: string): { body: string; receiveCount: number }[] {
    return (this.queues.get(name)?.messages ?? []).map(({ body, receiveCount }) => ({ body, receiveCount }));
  }

  handle(action: string, input: Record<string, unknown>): Answer | undefined {
    if (action === 'GetQueueUrl') {
      const name = String(input.QueueName);
      return this.queues.has(name) ? { status: 200, body: { QueueUrl: this.urlOf(name) } } : missing(name);
    }
    const name =
      String(input.QueueUrl ?? '')
        .split('/')
        .pop() ?? '';
    const queue = this.queues.get(name);
    if (!queue) return missing(name);
    const now = Date.now();
    switch (action) {
      case 'SendMessage':
        return this.send(queue, input, now);
      case 'SendMessageBatch':
        return this.sendBatch(queue, input, now);
      case 'ReceiveMessage':
        return this.receive(queue, Number(input.MaxNumberOfMessages ?? 1), input.VisibilityTimeout, now);
      case 'DeleteMessage': {
        const index = queue.messages.findIndex((m) => m.receipt === input.ReceiptHandle);
        if (index >= 0) queue.messages.splice(index, 1);
        return { status: 200, body: {} };
      }
      case 'ChangeMessageVisibility': {
        const message = queue.messages.find((m) => m.receipt === input.ReceiptHandle);
        if (!message)
          return error(400, 'com.amazonaws.sqs#ReceiptHandleIsInvalid', 'The receipt handle is not valid.');
        message.visibleAt = now + Number(input.VisibilityTimeout) * 1000;
        return { status: 200, body: {} };
      }
      default:
        return undefined;
    }
  }

  private send(queue: Queue, input: Record<string, unknown>, now: number): Answer {
    const body = String(input.MessageBody ?? '');
    const group = input.MessageGroupId as string | undefined;
    const dedup = input.MessageDeduplicationId as string | undefined;
    if (queue.fifo && (!group || !dedup))
      return error(
        400,
        'com.amazonaws.sqs#MissingParameter',
        'FIFO messages need MessageGroupId and MessageDeduplicationId.',
      );
    for (const [id, seen] of queue.seen) if (now - seen.at > DEDUP_WINDOW_MS) queue.seen.delete(id);
    const duplicate = dedup ? queue.seen.get(dedup) : undefined;
    const answer = (messageId: string) => ({
      status: 200,
      body: { MessageId: messageId, MD5OfMessageBody: md5(body), SequenceNumber: String(this.sequence) },
    });
    if (duplicate) return answer(duplicate.messageId);
    const message: Message = {
      id: randomUUID(),
      body,
      group,
      dedup,
      sentAt: now,
      visibleAt: now + Number(input.DelaySeconds ?? 0) * 1000,
      receiveCount: 0,
      sequence: ++this.sequence,
    };
    queue.messages.push(message);
    if (dedup) queue.seen.set(dedup, { at: now, messageId: message.id });
    return answer(message.id);
  }

  /** Each entry as SendMessage would take it; SQS answers the successes and failures by entry id. */
  private sendBatch(queue: Queue, input: Record<string, unknown>, now: number): Answer {
    const entries = (input.Entries ?? []) as Record<string, unknown>[];
    if (entries.length === 0 || entries.length > 10)
      return error(
        400,
        entries.length === 0
          ? 'com.amazonaws.sqs#EmptyBatchRequest'
          : 'com.amazonaws.sqs#TooManyEntriesInBatchRequest',
        `A batch holds 1 to 10 entries, not ${entries.length}.`,
      );
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      const sent = this.send(queue, entry, now);
      const body = sent.body as {
        MessageId?: string;
        MD5OfMessageBody?: string;
        __type?: string;
        message?: string;
      };
      if (sent.status === 200)
        Successful.push({ Id: entry.Id, MessageId: body.MessageId, MD5OfMessageBody: body.MD5OfMessageBody });
      else
        Failed.push({
          Id: entry.Id,
          SenderFault: true,
          Code: body.__type?.split('#')[1],
          Message: body.message,
        });
    }
    return { status: 200, body: { Successful, Failed } };
  }

  private receive(queue: Queue, max: number, visibility: unknown, now: number): Answer {
    const busy = new Set<string>();
    const taken: Message[] = [];
    for (const message of queue.messages) {
      const visible = message.visibleAt <= now;
      if (queue.fifo && message.group) {
        if (busy.has(message.group)) continue;
        // The group's head decides: in flight or waiting, the group gives nothing.
        busy.add(message.group);
        if (!visible) continue;
      } else if (!visible) continue;
      taken.push(message);
      if (taken.length >= max) break;
    }
    const seconds = visibility === undefined ? queue.visibilitySeconds : Number(visibility);
    const messages = taken.map((message) => {
      message.receiveCount++;
      message.visibleAt = now + seconds * 1000;
      message.receipt = randomUUID();
      return {
        MessageId: message.id,
        ReceiptHandle: message.receipt,
        MD5OfBody: md5(message.body),
        Body: message.body,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          ...(message.group ? { MessageGroupId: message.group } : {}),
        },
      };
    });
    return { status: 200, body: messages.length > 0 ? { Messages: messages } : {} };
  }
}

const error = (status: number, type: string, message: string): Answer => ({
  status,
  body: { __type: type, message },
});
const missing = (name: string) =>
  error(400, 'com.amazonaws.sqs#QueueDoesNotExist', `The specified queue ${name} does not exist.`);
