import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { CompletionWriteFaults } from './aws-emulator/completion-write-faults';
import { jsonSignatureRefusal } from './aws-json-signature';
import { BodyTooLargeError, closeIfBodyUnread, readBoundedBody } from './bounded-body';
import type { DynamoDbWriteSignal } from './dynamodb-write-signal';
import { listenOnLoopback } from './listen-on-loopback';
import type { SecretLookup } from './local-credentials';

/** The header DynamoDB Local's gate wants this run's token in (local/dynamodb-local-loopback.java). */
export const FRONT_TOKEN_HEADER = 'x-comfy-exec-front-token';

/**
 * DynamoDB's request size limit (BatchWriteItem's 16 MB, the largest of its operations): past it
 * DynamoDB answers 413 with no body (as dynalite, built against DynamoDB's answers, does). The
 * body is read before the signature is checked, since the signature covers its hash: this limit
 * is what bounds an unsigned caller.
 */
const MAX_DYNAMODB_REQUEST_BYTES = 16 * 1024 * 1024;

/** The body, or undefined once answered 413 (the connection then closes, the rest unread). */
async function readRequest(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
  try {
    return await readBoundedBody(req, MAX_DYNAMODB_REQUEST_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    closeIfBodyUnread(req, res);
    res.writeHead(413, { 'content-length': 0 });
    res.end();
    return undefined;
  }
}

function refuse(res: ServerResponse, status: number, type: string, message: string) {
  const text = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * The local DynamoDB endpoint: checks each request's Signature Version 4 as DynamoDB does (DynamoDB
 * Local accepts any, so anyone reaching it could scan every table), then passes it on to DynamoDB
 * Local at `backendPort` with the token only this front knows. DynamoDB Streams calls come through
 * here too. On 127.0.0.1 only.
 */
export async function startDynamoDbFront(options: {
  backendPort: number;
  token: string;
  port?: number;
  secretFor: SecretLookup;
  /** The container's completion write, held or refused where a fault switch says (local stack). */
  faults?: CompletionWriteFaults;
  /** Told after each write DynamoDB Local answered 200 (the stream pollers read at once). */
  writes?: DynamoDbWriteSignal;
}): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readRequest(req, res);
      if (!body) return;
      const refusal = await jsonSignatureRefusal(req, body, options.secretFor);
      if (refusal) return refuse(res, 400, refusal.type, refusal.message);
      if ((await options.faults?.before(req.headers, body)) === 'refuse')
        return refuse(res, 500, 'InternalServerError', 'Internal server error (extra_data.simulate.fault)');
      const outgoing = http.request(
        {
          host: '127.0.0.1',
          port: options.backendPort,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, [FRONT_TOKEN_HEADER]: options.token },
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          if (answer.statusCode === 200)
            answer.once('end', () => options.writes?.written(req.headers['x-amz-target'] as string, body));
        },
      );
      outgoing.on('error', (error) => {
        if (!res.headersSent) refuse(res, 500, 'InternalFailure', `DynamoDB Local: ${error.message}`);
        else res.destroy(error);
      });
      outgoing.end(body);
    })().catch((error: Error) => {
      if (!res.headersSent) refuse(res, 500, 'InternalFailure', error.message);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${await listenOnLoopback(server, options.port)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
