import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../../lambda/adapters/s3-uri';
import { jsonSignatureRefusal } from '../aws-json-signature';
import { listenOnLoopback } from '../listen-on-loopback';
import {
  type LocalCredentials,
  type SecretLookup,
  secretLookup,
  TEST_ACCEPTED_CREDENTIALS,
} from '../local-credentials';
import { AsyncEndpoint, type AsyncEndpointHooks, type EmulatedEndpoint } from './async-endpoint';
import { FAULTS, faultOf } from './faults';
import { LogsInsightsEmulator } from './logs-insights';
import { TEST_NOTIFICATION } from './notifications';
import { QueueJournal } from './queue-journal';
import { SecretsManagerEmulator } from './secrets';
import { SqsEmulator } from './sqs';
import { readRequestBody, sendAws, sendJsonError, sendRestJsonError } from './wire';

export interface AwsEmulatorOptions extends AsyncEndpointHooks {
  endpoints: EmulatedEndpoint[];
  account?: string;
  port?: number;
  /** Keep each endpoint's queue in a journal here, so a restarted stack resumes it (DATA_DIR). */
  queueDirectory?: string;
  /**
   * The key pairs whose SigV4 signatures are accepted; anything else is refused as AWS refuses it
   * (its webhook secrets and queues are no one else's to read). @default the test suite's fixed pairs
   */
  credentials?: readonly LocalCredentials[];
}

const INVOKE_PATH = /^\/endpoints\/([^/]+)\/async-invocations$/;
const startedAt = new Date();

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function intHeader(
  req: IncomingMessage,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number | string {
  const raw = header(req, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isInteger(value) && value >= min && value <= max
    ? value
    : `${name} must be an integer from ${min} to ${max}`;
}

/**
 * The AWS services the local stack needs and no emulator provides, on one port: SageMaker
 * runtime's InvokeEndpointAsync, SageMaker's DescribeEndpoint(Config), Logs Insights, and for
 * webhooks SQS and Secrets Manager. The real SDK clients reach it through AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME
 * / _SAGEMAKER / _CLOUDWATCH_LOGS / _SQS / _SECRETS_MANAGER.
 */
export interface InvokeCall {
  endpointName: string;
  inferenceId?: string;
  inputLocation?: string;
  answer: 'accepted' | 'throttled' | 'unavailable' | 'rejected';
}

export class AwsEmulator {
  readonly logs = new LogsInsightsEmulator();
  /** Every InvokeEndpointAsync call and how it was answered (the latest 10,000). */
  readonly invokeCalls: InvokeCall[] = [];
  readonly endpoints = new Map<string, AsyncEndpoint>();
  /** The webhook deliveries' queues. */
  readonly sqs: SqsEmulator;
  /** The webhook signing secrets. */
  readonly secrets: SecretsManagerEmulator;
  private readonly server: Server;
  private readonly secretFor: SecretLookup;
  url = '';

  constructor(private readonly options: AwsEmulatorOptions) {
    for (const endpoint of options.endpoints) {
      const journal = options.queueDirectory
        ? new QueueJournal(join(options.queueDirectory, `${endpoint.name}.queue.jsonl`))
        : undefined;
      this.endpoints.set(endpoint.name, new AsyncEndpoint(endpoint, options, journal));
    }
    const account = options.account ?? '123456789012';
    this.secretFor = secretLookup(options.credentials ?? TEST_ACCEPTED_CREDENTIALS);
    this.sqs = new SqsEmulator(account);
    this.secrets = new SecretsManagerEmulator(
      options.region,
      account,
      options.queueDirectory ? join(options.queueDirectory, 'secrets.json') : undefined,
    );
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: Error) => sendJsonError(res, 500, 'InternalFailure', error.message));
    });
  }

  async start(): Promise<string> {
    this.url = `http://127.0.0.1:${await listenOnLoopback(this.server, this.options.port)}`;
    this.sqs.baseUrl = this.url;
    // SageMaker publishes a TestNotification to both topics when an endpoint is created.
    await this.options.notify('success', TEST_NOTIFICATION);
    await this.options.notify('error', TEST_NOTIFICATION);
    return this.url;
  }

  /** Works what a journal kept from before a restart; call once the container answers. */
  async resumeQueues(): Promise<void> {
    for (const endpoint of this.endpoints.values()) await endpoint.resume();
  }

  /** Stops dispatching to containers (what is in flight finishes or, with a journal, resumes later). */
  stopEndpoints(): void {
    for (const endpoint of this.endpoints.values()) endpoint.stop();
  }

  async stop(): Promise<void> {
    this.stopEndpoints();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const invoke = INVOKE_PATH.exec((req.url ?? '').split('?')[0]!);
    const body = await readRequestBody(req, res, invoke ? 'restJson' : 'awsJson');
    if (!body) return;
    const refusal = await jsonSignatureRefusal(req, body, this.secretFor);
    if (refusal)
      return invoke
        ? sendRestJsonError(res, 403, refusal.type, refusal.message)
        : sendJsonError(res, 400, refusal.type, refusal.message);
    if (req.method === 'POST' && invoke)
      return this.invokeAsync(decodeURIComponent(invoke[1]!), req, body, res);
    const target = header(req, 'x-amz-target') ?? '';
    const action = target.split('.').pop() ?? '';
    const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    if (target.startsWith('Logs_')) {
      const answer = this.logs.handle(action, input);
      if (answer) return sendAws(res, answer.status, answer.body);
    }
    if (target.startsWith('SageMaker.')) return this.controlPlane(action, input, res);
    const answer = target.startsWith('AmazonSQS.')
      ? this.sqs.handle(action, input)
      : target.startsWith('secretsmanager.')
        ? this.secrets.handle(action, input)
        : undefined;
    if (answer) return sendAws(res, answer.status, answer.body);
    sendJsonError(
      res,
      400,
      'UnknownOperationException',
      `the local AWS emulator does not serve ${target || `${req.method} ${req.url}`}`,
    );
  }

  private controlPlane(action: string, input: Record<string, unknown>, res: ServerResponse) {
    const name = String(input.EndpointName ?? input.EndpointConfigName ?? '').replace(/-config$/, '');
    const endpoint = this.endpoints.get(name)?.config;
    if (!endpoint)
      return sendJsonError(res, 400, 'ValidationException', `Could not find endpoint "${name}".`);
    const created = Math.floor(startedAt.getTime() / 1000);
    if (action === 'DescribeEndpoint') {
      return sendAws(res, 200, {
        EndpointName: endpoint.name,
        EndpointArn: `arn:aws:sagemaker:${this.options.region}:${this.options.account ?? '123456789012'}:endpoint/${endpoint.name.toLowerCase()}`,
        EndpointConfigName: `${endpoint.name}-config`,
        EndpointStatus: 'InService',
        CreationTime: created,
        LastModifiedTime: created,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            CurrentInstanceCount: endpoint.instanceCount,
            DesiredInstanceCount: endpoint.instanceCount,
          },
        ],
      });
    }
    if (action === 'DescribeEndpointConfig') {
      return sendAws(res, 200, {
        EndpointConfigName: `${endpoint.name}-config`,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            InstanceType: endpoint.instanceType,
            InitialInstanceCount: endpoint.instanceCount,
          },
        ],
      });
    }
    sendJsonError(
      res,
      400,
      'UnknownOperationException',
      `the local AWS emulator does not serve SageMaker.${action}`,
    );
  }

  private async invokeAsync(name: string, req: IncomingMessage, body: Buffer, res: ServerResponse) {
    const call: InvokeCall = {
      endpointName: name,
      inferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
      inputLocation: header(req, 'x-amzn-sagemaker-inputlocation'),
      answer: 'rejected',
    };
    this.invokeCalls.push(call);
    if (this.invokeCalls.length > 10_000) this.invokeCalls.shift();
    const endpoint = this.endpoints.get(name);
    if (!endpoint)
      return sendRestJsonError(
        res,
        400,
        'ValidationError',
        `Endpoint ${name} of account ${this.options.account ?? '123456789012'} not found.`,
      );
    const location = header(req, 'x-amzn-sagemaker-inputlocation');
    if ((location === undefined) === (body.length === 0)) {
      return sendRestJsonError(
        res,
        400,
        'ValidationError',
        'Exactly one of InputLocation and Body must be provided.',
      );
    }
    const ttlSeconds = intHeader(req, 'x-amzn-sagemaker-requestttlseconds', 21_600, 60, 21_600);
    const timeoutSeconds = intHeader(req, 'x-amzn-sagemaker-invocationtimeoutseconds', 900, 1, 3600);
    for (const value of [ttlSeconds, timeoutSeconds])
      if (typeof value === 'string') return sendRestJsonError(res, 400, 'ValidationError', value);
    const inferenceId = header(req, 'x-amzn-sagemaker-inference-id') ?? crypto.randomUUID();
    if (inferenceId.length > 64)
      return sendRestJsonError(res, 400, 'ValidationError', 'InferenceId must be 1 to 64 characters.');
    const input = location ? await this.readInput(location) : body;
    const { fault, unknown } = faultOf(input);
    if (unknown !== undefined)
      this.options.log(
        `${endpoint.config.name}: extra_data.simulate.fault ${JSON.stringify(unknown)} names no fault switch (${FAULTS.join(', ')}); the execute runs without one`,
      );
    if (fault === 'throttle') {
      call.answer = 'throttled';
      return sendRestJsonError(res, 400, 'ThrottlingException', 'Rate exceeded (simulated)');
    }
    if (fault === 'unavailable') {
      call.answer = 'unavailable';
      return sendRestJsonError(res, 503, 'ServiceUnavailable', 'Service unavailable (simulated)');
    }
    call.answer = 'accepted';
    const queued = endpoint.accept({
      inferenceId,
      input: location ? { location } : { body },
      contentType: header(req, 'x-amzn-sagemaker-content-type'),
      accept: header(req, 'x-amzn-sagemaker-accept'),
      customAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
      ttlSeconds: ttlSeconds as number,
      timeoutSeconds: timeoutSeconds as number,
      receivedTime: new Date(),
      fault,
    });
    sendAws(
      res,
      202,
      { InferenceId: inferenceId },
      {
        'X-Amzn-SageMaker-OutputLocation': queued.outputLocation,
        ...(queued.failureLocation ? { 'X-Amzn-SageMaker-FailureLocation': queued.failureLocation } : {}),
      },
    );
  }

  /** The staged request, read now only for its fault switches; undefined when it cannot be read yet. */
  private async readInput(location: string): Promise<Buffer | undefined> {
    try {
      const { bucket, key } = parseS3Uri(location);
      const object = await this.options.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } catch {
      return undefined;
    }
  }
}
