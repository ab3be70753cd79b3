import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the AWS services no emulator covers here, speaking their wire protocols so the
 * real SDK clients talk to it through AWS_ENDPOINT_URL_*: SageMaker runtime's
 * InvokeEndpointAsync (restJson1), SageMaker's DescribeEndpoint(Config) and CloudWatch Logs
 * Insights (awsJson1_1).
 */
export type EndpointMode = 'accept' | 'throttle' | 'unavailable';

export interface FakeEndpoint {
  status: string;
  mode: EndpointMode;
}

export interface RecordedInvocation {
  endpointName: string;
  headers: Record<string, string>;
}

export class FakeAwsServer {
  readonly endpoints = new Map<string, FakeEndpoint>();
  readonly invocations: RecordedInvocation[] = [];
  readonly logLines: { logGroup: string; timestamp: string; message: string; logStream: string }[] = [];
  private readonly queries = new Map<string, { logGroup: string; needle: string }>();
  private server?: Server;
  url = '';

  constructor(
    readonly outputPrefix = 's3://bucket/async-out',
    readonly failurePrefix = 's3://bucket/async-failures',
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.route(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private route(req: IncomingMessage, body: string, res: ServerResponse) {
    const invoke = /^\/endpoints\/([^/]+)\/async-invocations$/.exec(req.url ?? '');
    if (req.method === 'POST' && invoke) return this.invokeAsync(decodeURIComponent(invoke[1]!), req, res);
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const action = target.split('.')[1] ?? '';
    const handlers: Record<string, () => void> = {
      DescribeEndpoint: () => this.describeEndpoint(String(input.EndpointName), res),
      DescribeEndpointConfig: () =>
        json(res, 200, { ProductionVariants: [{ VariantName: 'AllTraffic', InstanceType: 'ml.g5.xlarge' }] }),
      StartQuery: () => this.startQuery(input, res),
      GetQueryResults: () => this.queryResults(String(input.queryId), res),
      StopQuery: () => json(res, 200, { success: true }),
    };
    const handler = handlers[action];
    if (handler) return handler();
    json(res, 400, {
      __type: 'UnknownOperationException',
      message: `fake AWS server cannot ${target || req.url}`,
    });
  }

  private invokeAsync(endpointName: string, req: IncomingMessage, res: ServerResponse) {
    const endpoint = this.endpoints.get(endpointName);
    this.invocations.push({ endpointName, headers: req.headers as Record<string, string> });
    if (!endpoint) {
      return json(
        res,
        400,
        { message: `Endpoint ${endpointName} of account 123456789012 not found.` },
        { 'x-amzn-ErrorType': 'ValidationError' },
      );
    }
    if (endpoint.mode === 'throttle')
      return json(res, 400, { message: 'Rate exceeded' }, { 'x-amzn-ErrorType': 'ThrottlingException' });
    if (endpoint.mode === 'unavailable')
      return json(res, 503, { message: 'Service unavailable' }, { 'x-amzn-ErrorType': 'ServiceUnavailable' });
    const uuid = randomUUID();
    json(
      res,
      202,
      { InferenceId: req.headers['x-amzn-sagemaker-inference-id'] ?? uuid },
      {
        'X-Amzn-SageMaker-OutputLocation': `${this.outputPrefix}/${uuid}.out`,
        'X-Amzn-SageMaker-FailureLocation': `${this.failurePrefix}/${uuid}-error.out`,
      },
    );
  }

  private describeEndpoint(name: string, res: ServerResponse) {
    const endpoint = this.endpoints.get(name);
    if (!endpoint)
      return json(res, 400, { __type: 'ValidationException', message: `Could not find endpoint "${name}".` });
    json(res, 200, {
      EndpointName: name,
      EndpointArn: `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${name}`,
      EndpointConfigName: `${name}-config`,
      EndpointStatus: endpoint.status,
      CreationTime: 1_767_225_600,
      LastModifiedTime: 1_767_225_600,
      ProductionVariants: [{ VariantName: 'AllTraffic', CurrentInstanceCount: 1 }],
    });
  }

  private startQuery(input: Record<string, unknown>, res: ServerResponse) {
    const needle = /like "([^"]+)"/.exec(String(input.queryString))?.[1] ?? '';
    const queryId = randomUUID();
    this.queries.set(queryId, { logGroup: String(input.logGroupName), needle });
    json(res, 200, { queryId });
  }

  private queryResults(queryId: string, res: ServerResponse) {
    const query = this.queries.get(queryId);
    const lines = this.logLines.filter(
      (l) => query && l.logGroup === query.logGroup && l.message.includes(query.needle),
    );
    json(res, 200, {
      status: 'Complete',
      results: lines.map((l) => [
        { field: '@timestamp', value: l.timestamp },
        { field: '@message', value: l.message },
        { field: '@logStream', value: l.logStream },
      ]),
    });
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}
