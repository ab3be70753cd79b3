import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FRONT_TOKEN_HEADER, startDynamoDbFront } from '../../local/dynamodb-front';
import { listenOnLoopback } from '../../local/listen-on-loopback';
import { newLocalCredentials, secretLookup } from '../../local/local-credentials';
import { MB, streamBody } from './bounded-body-stream';
import { signedListTables } from './signed-json-call';

/**
 * Finding: the DynamoDB front read each body whole, with no limit, before checking its signature
 * (400 MB unsigned: +400 MB resident). DynamoDB takes at most 16 MB (BatchWriteItem's limit)
 * and answers 413 past it. The backend here stands in for DynamoDB Local: it counts what reaches it.
 */
const pair = newLocalCredentials();
const reached: { token: string | undefined; body: string }[] = [];
const backend = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    reached.push({
      token: req.headers[FRONT_TOKEN_HEADER] as string,
      body: Buffer.concat(chunks).toString(),
    });
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end('{"TableNames":[]}');
  });
});
let front: Awaited<ReturnType<typeof startDynamoDbFront>>;
beforeAll(async () => {
  const backendPort = await listenOnLoopback(backend, 0);
  front = await startDynamoDbFront({ backendPort, token: 'front-token', secretFor: secretLookup([pair]) });
});
afterAll(async () => {
  await front?.stop();
  backend.closeAllConnections();
  await new Promise((resolve) => backend.close(resolve));
});
beforeEach(() => {
  reached.length = 0;
});

const TARGET = {
  'x-amz-target': 'DynamoDB_20120810.ListTables',
  'content-type': 'application/x-amz-json-1.0',
};

describe('the DynamoDB front: request bodies', () => {
  it('answers a chunked body past 16 MB with 413 and stops reading it, signed or not', async () => {
    const outcome = await streamBody(front.endpoint, 50 * MB, { headers: TARGET });
    expect(outcome.status).toBe(413);
    expect(outcome.wroteAll).toBe(false);
    expect(outcome.sent).toBeLessThan(25 * MB);
    expect(reached).toEqual([]);
  });

  it('refuses a Content-Length over 16 MB at once', async () => {
    const outcome = await streamBody(front.endpoint, 50 * MB, { headers: TARGET, declareLength: true });
    expect(outcome.status).toBe(413);
    expect(outcome.wroteAll).toBe(false);
    expect(reached).toEqual([]);
  });

  it('reads a body of 16 MB whole, and refuses it unsigned as DynamoDB does', async () => {
    const outcome = await streamBody(front.endpoint, 16 * MB, { headers: TARGET });
    expect(outcome.wroteAll).toBe(true);
    expect(outcome.status).toBe(400);
    expect(JSON.parse(outcome.body)).toMatchObject({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
    });
    expect(reached).toEqual([]);
  });

  it('still passes a signed request on to DynamoDB Local, with the token', async () => {
    const answer = await signedListTables(front.endpoint, pair);
    expect(answer.status).toBe(200);
    expect(reached).toEqual([{ token: 'front-token', body: '{}' }]);
  });
});
