import { describe, expect, it } from 'vitest';
import {
  EndpointNotFoundError,
  ExecuteNotFoundError,
  IdempotencyConflictError,
  InvocationUnavailableError,
  PromptValidationError,
  RequestValidationError,
} from '../../../lambda/domain/errors';
import { exactJsonText } from '../../../lambda/domain/exact-json';
import { buildDebugUrls, traceIdOf } from '../../../lambda/http/debug-urls';
import { answerText, apiVersionHeader, envelope, isTruthy } from '../../../lambda/http/envelope';
import { errorResponse } from '../../../lambda/http/error-status';
import { seedJsonExample } from '../../fixtures/prompts';

/** The runtime behind seed 000's GetExecute example. */
const SEED_RUNTIME = {
  region: 'ap-northeast-1',
  urlSuffix: 'amazonaws.com',
  functionName: 'Extension-for-Stable-Diff-GetExecutelambda150CA75A-OnCA61VlLPFO',
  logGroupName: '/aws/lambda/Extension-for-Stable-Diff-GetExecutelambda150CA75A-OnCA61VlLPFO',
  logStreamName: '2024/03/31/[$LATEST]42a5a96838004138bd6cdaab65aa0904',
  traceHeader: 'Root=1-66094ccd-59bee192247987145ec3f20e;Parent=53995c3f42cd8ad8;Sampled=1',
};

describe('debug URLs', () => {
  it("reproduce seed 000's three links byte for byte", () => {
    expect(buildDebugUrls(SEED_RUNTIME)).toEqual(seedJsonExample('000_bfbd4ba4848a0840.txt').debug);
  });

  it('use the China console domain when URL_SUFFIX ends in .cn', () => {
    const urls = buildDebugUrls({ ...SEED_RUNTIME, region: 'cn-north-1', urlSuffix: 'amazonaws.com.cn' });
    expect(
      urls.function_url.startsWith('https://cn-north-1.console.amazonaws.cn/lambda/home?region=cn-north-1#'),
    ).toBe(true);
  });

  it('always emit strings, even without a trace header', () => {
    const urls = buildDebugUrls({ ...SEED_RUNTIME, traceHeader: '' });
    expect(urls.trace_url).toBe(
      'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#xray:traces/',
    );
    expect(traceIdOf('Root=1-abc')).toBe('1-abc');
  });
});

describe('envelope', () => {
  const debug = buildDebugUrls(SEED_RUNTIME);

  it('orders keys statusCode, debug, data, message and sets ESD headers', () => {
    const result = envelope(200, { data: { a: 1 } }, debug, 'v1.7.0-abc1234');
    expect(Object.keys(JSON.parse(result.body))).toEqual(['statusCode', 'debug', 'data', 'message']);
    expect(JSON.parse(result.body).message).toBe('OK');
    expect(result.headers).toEqual({
      'Content-Type': 'application/json',
      'x-api-version': '1.7.0',
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Allow-Methods': '*',
      'Access-Control-Allow-Credentials': 'true',
    });
    expect(result.isBase64Encoded).toBe(false);
  });

  it('drops data and message when falsy in the Python sense', () => {
    for (const data of [null, '', [], {}, 0, false, undefined]) {
      expect(JSON.parse(envelope(201, { data }, debug, '1.7.0').body)).toEqual({
        statusCode: 201,
        debug,
        message: 'Created',
      });
    }
    expect(JSON.parse(envelope(200, { message: '' }, debug, '1.7.0').body)).toEqual({
      statusCode: 200,
      debug,
    });
    expect(isTruthy({ a: 0 })).toBe(true);
    expect(isTruthy([0])).toBe(true);
  });

  it('keeps numbers as numbers', () => {
    expect(JSON.parse(envelope(200, { data: { n: 0, x: 1.5 } }, debug, '1.7.0').body).data).toEqual({
      n: 0,
      x: 1.5,
    });
  });

  it('writes the same text as exactJsonText, 64-bit integers exact', () => {
    const plain = { a: [1, 'two', null, { b: true }], c: new Date(0), d: undefined };
    const seeded = { prompt: { 3: { inputs: { seed: 18446744073709551615n } } }, n: 1 };
    expect(answerText(plain)).toBe(exactJsonText(plain));
    expect(answerText(seeded)).toBe(exactJsonText(seeded));
    expect(answerText(seeded)).toContain('"seed":18446744073709551615');
  });

  it('derives x-api-version like ESD', () => {
    expect(apiVersionHeader('v1.7.0-abc')).toBe('1.7.0');
    expect(apiVersionHeader('1.8.0')).toBe('1.8.0');
  });
});

describe('error → status table', () => {
  it.each([
    [new RequestValidationError('bad'), 400],
    [
      new PromptValidationError('bad', {
        error: { type: 't', message: 'm', details: '', extra_info: {} },
        node_errors: {},
      }),
      400,
    ],
    [new EndpointNotFoundError('gone'), 400],
    [new IdempotencyConflictError('dup'), 409],
    [new InvocationUnavailableError('busy'), 503],
    [new Error('secret detail'), 500],
  ])('%s → %i', (error, status) => {
    expect(errorResponse(error).statusCode).toBe(status);
  });

  it('shows 4xx messages but hides a 500’s detail', () => {
    expect(errorResponse(new RequestValidationError('limit must be an integer')).message).toBe(
      'limit must be an integer',
    );
    expect(errorResponse(new Error('secret detail'))).toEqual({
      statusCode: 500,
      message: 'Internal Server Error',
    });
  });

  it("keeps ESD's 404 shape: the text in data, the reason phrase as message", () => {
    expect(errorResponse(new ExecuteNotFoundError('abc'))).toEqual({
      statusCode: 404,
      data: 'execute not found for prompt_id: abc',
      message: 'Not Found',
    });
  });
});
