/**
 * Integers past 2^53 (ComfyUI's seeds go to 2^64-1) are rounded by JSON.parse and by Number().
 * The console keeps such a value as a BigInt from the file it reads to the request it sends:
 * read from the JSON text's own digits, edited as text, and written back as the same digits with
 * JSON.rawJSON, so the prompt carries exactly what the person saw.
 */

interface RawJson {
  rawJSON(text: string): unknown;
}
/** Chromium 114+, Firefox 135+, Safari 18.4+; not yet in TypeScript's lib. */
const json = JSON as unknown as JSON & RawJson;

export type Exact = number | bigint;

/** What an unsafe integer is rewritten to before JSON.parse: a string no prompt holds (NUL is refused). */
const BIG = '\u0000big:';
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Parses JSON text, integers beyond Number's exact range as BigInt: such integer literals outside
 * strings are first rewritten as marked strings (a single pass over the text), then revived.
 */
export function parseExactJson(text: string): unknown {
  let rewritten = '';
  let from = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = at;
      const number = NUMBER.exec(text)?.[0] ?? char;
      if (/^-?\d+$/.test(number) && !Number.isSafeInteger(Number(number))) {
        rewritten += `${text.slice(from, at)}"${BIG.replace('\u0000', '\\u0000')}${number}"`;
        from = at + number.length;
      }
      at += number.length - 1;
    }
  }
  return JSON.parse(rewritten + text.slice(from), (_key, value) =>
    typeof value === 'string' && value.startsWith(BIG) ? BigInt(value.slice(BIG.length)) : value,
  );
}

/** A copy fit for JSON.stringify: every BigInt becomes its digits, unquoted. */
export function toWire<T>(value: T): T {
  if (typeof value === 'bigint') {
    if (typeof json.rawJSON !== 'function')
      throw new Error(`this browser cannot send ${value} exactly (no JSON.rawJSON): use a seed up to 2^53-1`);
    return json.rawJSON(value.toString()) as T;
  }
  if (Array.isArray(value)) return value.map(toWire) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWire(item)])) as T;
  return value;
}

/** JSON text for display: BigInts as their digits. */
export const exactJson = (value: unknown): string | undefined => JSON.stringify(toWire(value));

/** An integer typed as text: a safe one as a number, a larger one as a BigInt; undefined if not an integer. */
export function parseInteger(text: string): Exact | undefined {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return undefined;
  const big = BigInt(trimmed);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}
