import type { APIGatewayProxyResult } from 'aws-lambda';
import { exactJsonText } from '../domain/exact-json';
import type { DebugUrls } from './debug-urls';

const REASON_PHRASES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(statusCode: number): string {
  return REASON_PHRASES[statusCode] ?? 'Error';
}

/** Python truthiness, which decides whether ESD's envelope carries `data` and `message`. */
export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** `x-api-version`: ESD_VERSION up to the first '-', every 'v' removed (`v1.7.0-abc` → `1.7.0`). */
export function apiVersionHeader(esdVersion: string): string {
  return (esdVersion.split('-')[0] ?? '').replaceAll('v', '');
}

export function commonHeaders(esdVersion: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'x-api-version': apiVersionHeader(esdVersion),
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    'Access-Control-Allow-Methods': '*',
    'Access-Control-Allow-Credentials': 'true',
  };
}

export interface EnvelopeContent {
  data?: unknown;
  message?: string;
}

/**
 * exactJsonText, without its replacer call on every value of a body that holds no BigInt:
 * JSON.stringify throws on the first BigInt (a seed past 2^53), and those bodies go the exact way.
 * The same text either way; most answers hold none (a GET's 3.5 KB answer: 9 µs, not 16).
 */
export function answerText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return exactJsonText(value);
  }
}

/** ESD's envelope: keys in the order statusCode, debug, data (if truthy), message (if truthy). */
export function envelope(
  statusCode: number,
  content: EnvelopeContent,
  debug: DebugUrls,
  esdVersion: string,
): APIGatewayProxyResult {
  const body: Record<string, unknown> = { statusCode, debug };
  if (isTruthy(content.data)) body.data = content.data;
  const message = content.message ?? reasonPhrase(statusCode);
  if (isTruthy(message)) body.message = message;
  return {
    isBase64Encoded: false,
    statusCode,
    headers: commonHeaders(esdVersion),
    body: answerText(body),
  };
}
