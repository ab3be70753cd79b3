import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../../lambda/adapters/s3-uri';
import { COMPLETION_WRITE_FAULTS, type CompletionWriteFaults } from './completion-write-faults';
import { postToContainer } from './container-post';
import type { Fault } from './faults';
import { resultNotification } from './notifications';
import type { QueueJournal } from './queue-journal';

export interface EmulatedEndpoint {
  name: string;
  /** Where the container's /invocations is; without it requests stay queued. */
  containerUrl?: string;
  /** Sent with every call to the container (the local stack's caller token: container/src/server.ts). */
  containerHeaders?: Record<string, string>;
  instanceType: string;
  instanceCount: number;
  maxConcurrentInvocationsPerInstance: number;
  /** `s3://bucket/prefix` for `<uuid>.out`. */
  s3OutputPath: string;
  /** `s3://bucket/prefix` for `<uuid>-error.out`; none → no failure object. */
  s3FailurePath?: string;
}

export interface QueuedRequest {
  inferenceId: string;
  input: { location?: string; body?: Buffer };
  contentType?: string;
  accept?: string;
  customAttributes?: string;
  ttlSeconds: number;
  timeoutSeconds: number;
  receivedTime: Date;
  outputLocation: string;
  failureLocation?: string;
  fault?: Fault;
}

export interface AsyncEndpointHooks {
  s3: S3Client;
  region: string;
  notify(kind: 'success' | 'error', message: Record<string, unknown>): Promise<void>;
  log(line: string): void;
  /** Where the completion-write faults are held (the local DynamoDB front reads them). */
  completionWriteFaults?: CompletionWriteFaults;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One async endpoint: a queue served by instanceCount × MaxConcurrentInvocationsPerInstance
 * workers, RequestTTLSeconds enforced before dispatch and InvocationTimeoutSeconds around the
 * container call; output or failure object written, then the notification sent. Never retries.
 */
export class AsyncEndpoint {
  private readonly queue: QueuedRequest[] = [];
  private running = 0;
  private stopped = false;

  /** Requests cut off mid-invocation by the last shutdown (journal only); failed by `resume`. */
  private interrupted: QueuedRequest[] = [];

  constructor(
    readonly config: EmulatedEndpoint,
    private readonly hooks: AsyncEndpointHooks,
    private readonly journal?: QueueJournal,
  ) {
    if (journal) {
      const pending = journal.load();
      this.queue.push(...pending.queued);
      this.interrupted = pending.interrupted;
    }
  }

  /**
   * After a restart: what was cut off mid-invocation fails, as SageMaker fails an invocation whose
   * instance went away (it never retries one), and the queue is worked again.
   */
  async resume(): Promise<void> {
    const interrupted = this.interrupted;
    this.interrupted = [];
    if (this.queue.length + interrupted.length > 0)
      this.hooks.log(
        `${this.config.name}: resuming ${this.queue.length} queued request(s); ${interrupted.length} cut off by the restart fail`,
      );
    for (const request of interrupted) {
      const message = resultNotification({
        ...this.notificationBase(request),
        outcome: {
          completed: false,
          failureReason:
            'InternalServerError: the endpoint instance restarted during the invocation; it was not retried.',
        },
      });
      await this.hooks.notify('error', message);
      this.journal?.done(request.inferenceId);
    }
    this.pump();
  }

  get backlog(): number {
    return this.queue.length;
  }

  accept(request: Omit<QueuedRequest, 'outputLocation' | 'failureLocation'>): QueuedRequest {
    const uuid = randomUUID();
    const queued: QueuedRequest = {
      ...request,
      outputLocation: `${this.config.s3OutputPath.replace(/\/+$/, '')}/${uuid}.out`,
      ...(this.config.s3FailurePath
        ? { failureLocation: `${this.config.s3FailurePath.replace(/\/+$/, '')}/${uuid}-error.out` }
        : {}),
    };
    this.journal?.accepted(queued);
    this.queue.push(queued);
    this.pump();
    return queued;
  }

  stop(): void {
    this.stopped = true;
  }

  private pump(): void {
    const capacity = this.config.instanceCount * this.config.maxConcurrentInvocationsPerInstance;
    while (!this.stopped && this.config.containerUrl && this.running < capacity && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.journal?.started(next.inferenceId);
      this.running++;
      void this.process(next).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async input(request: QueuedRequest): Promise<Buffer> {
    if (request.input.body) return request.input.body;
    const { bucket, key } = parseS3Uri(request.input.location!);
    const object = await this.hooks.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  private async callContainer(
    request: QueuedRequest,
    body: Buffer,
  ): Promise<{ status: number; contentType: string; body: Buffer }> {
    if (request.fault === 'container_error') {
      const text = JSON.stringify({
        status: 'failed',
        message: 'simulated container error (extra_data.simulate.fault)',
        error: { type: 'simulated_container_error' },
      });
      return { status: 500, contentType: 'application/json', body: Buffer.from(text) };
    }
    if (request.fault === 'hang') {
      await sleep(request.timeoutSeconds * 1000);
      throw new Error('timeout');
    }
    const response = await postToContainer(
      `${this.config.containerUrl}/invocations`,
      {
        ...this.config.containerHeaders,
        'Content-Type': request.contentType ?? 'application/octet-stream',
        ...(request.accept ? { Accept: request.accept } : {}),
        ...(request.customAttributes
          ? { 'X-Amzn-SageMaker-Custom-Attributes': request.customAttributes }
          : {}),
      },
      body,
      request.timeoutSeconds * 1000,
    );
    if (response.headers['content-length'] === undefined) {
      return {
        status: 500,
        contentType: 'text/plain',
        body: Buffer.from(
          'The response from container primary did not specify the required Content-Length header',
        ),
      };
    }
    return {
      status: response.status,
      contentType: response.headers['content-type'] ?? 'application/octet-stream',
      body: response.body,
    };
  }

  private async put(location: string, body: Buffer, contentType: string): Promise<void> {
    const { bucket, key } = parseS3Uri(location);
    await this.hooks.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  private notificationBase(request: QueuedRequest) {
    return {
      region: this.hooks.region,
      endpointName: this.config.name,
      inferenceId: request.inferenceId,
      receivedTime: request.receivedTime,
      request: {
        contentType: request.contentType,
        accept: request.accept,
        customAttributes: request.customAttributes,
        inputLocation: request.input.location,
      },
    };
  }

  private async process(request: QueuedRequest): Promise<void> {
    const faults = this.hooks.completionWriteFaults;
    const completionFault = COMPLETION_WRITE_FAULTS.find((fault) => fault === request.fault);
    if (completionFault) faults?.plan(request.inferenceId, completionFault);
    try {
      await this.answerAndNotify(request);
    } finally {
      if (completionFault) faults?.notified(request.inferenceId);
    }
  }

  private async answerAndNotify(request: QueuedRequest): Promise<void> {
    const base = this.notificationBase(request);
    let message: Record<string, unknown>;
    if (Date.now() - request.receivedTime.getTime() > request.ttlSeconds * 1000) {
      message = resultNotification({
        ...base,
        outcome: {
          completed: false,
          failureReason: `Request expired: it waited in the queue longer than RequestTTLSeconds (${request.ttlSeconds} s).`,
        },
      });
    } else {
      try {
        const answer = await this.callContainer(request, await this.input(request));
        if (answer.status >= 200 && answer.status < 300) {
          await this.put(request.outputLocation, answer.body, answer.contentType);
          message = resultNotification({
            ...base,
            outcome: {
              completed: true,
              contentType: answer.contentType,
              outputLocation: request.outputLocation,
            },
          });
        } else {
          if (request.failureLocation)
            await this.put(request.failureLocation, answer.body, answer.contentType);
          const reason = `ClientError: Received server error (${answer.status}) from model. See the SageMaker Endpoint logs in your account for more information.`;
          message = resultNotification({ ...base, outcome: { completed: false, failureReason: reason } });
        }
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError' || (error as Error).message === 'timeout';
        const reason = timedOut
          ? `ModelError: the model did not respond within InvocationTimeoutSeconds (${request.timeoutSeconds} s).`
          : `InternalServerError: ${(error as Error).message}`;
        message = resultNotification({ ...base, outcome: { completed: false, failureReason: reason } });
      }
    }
    // Shut down meanwhile: the journal keeps it as cut off, and the restarted stack fails it.
    if (this.stopped && this.journal) return;
    this.hooks.log(
      `${this.config.name}: ${request.inferenceId} → ${message.invocationStatus}${message.failureReason ? ` (${message.failureReason})` : ''}`,
    );
    if (request.fault === 'drop_notification') {
      this.journal?.done(request.inferenceId);
      return this.hooks.log(
        `${this.config.name}: notification for ${request.inferenceId} dropped (fault switch)`,
      );
    }
    const kind = message.invocationStatus === 'Completed' ? 'success' : 'error';
    await this.hooks.notify(kind, message);
    if (request.fault === 'duplicate_notification') await this.hooks.notify(kind, message);
    this.journal?.done(request.inferenceId);
  }
}
