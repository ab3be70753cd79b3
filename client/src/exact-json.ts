/**
 * JSON whose integers beyond 2^53-1 stay exact: ComfyUI's seeds go to 2^64-1, and JSON.parse
 * rounds such a literal to the nearest double (JSON.stringify throws on a BigInt). Here they are
 * parsed as BigInt and written back as the same digits, everywhere a prompt travels: the API,
 * S3, the endpoint container, this client and the console. Works without JSON.rawJSON (Node 20,
 * older browsers). The server imports this file too (lambda/domain/exact-json.ts).
 */

/** What an unsafe integer is while it crosses JSON.parse/stringify: NUL is refused in every request, so no string holds it. */
const MARK = '\u0000exact-integer:';
const NUMBER_TOKEN = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
/** Python's int_max_str_digits: ComfyUI's json.loads refuses longer integers (and BigInt would be slow). */
const MAX_INTEGER_DIGITS = 4300;
/** 2^53 has 16 digits: text without 16 digits in a row holds no unsafe integer. */
const MAYBE_UNSAFE = /\d{16}/;

/** Parses JSON text; integer literals beyond Number's exact range come back as BigInt. */
export function parseExactJson(text: string): unknown {
  if (!MAYBE_UNSAFE.test(text)) return JSON.parse(text);
  let rewritten = '';
  let from = 0;
  let marks = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (inString) {
      if (char === '\\') at++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER_TOKEN.lastIndex = at;
      const token = NUMBER_TOKEN.exec(text)?.[0] ?? char;
      const digits = token.length - (token.startsWith('-') ? 1 : 0);
      if (digits > MAX_INTEGER_DIGITS && /^-?\d+$/.test(token))
        throw new SyntaxError(
          `an integer of ${digits} digits: Python (ComfyUI) reads at most ${MAX_INTEGER_DIGITS}`,
        );
      if (token.length >= 16 && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
        // A marked string through JSON.parse, revived as BigInt below.
        rewritten += `${text.slice(from, at)}"\\u0000exact-integer:${token}"`;
        from = at + token.length;
        marks++;
      }
      at += token.length - 1;
    }
  }
  if (marks === 0) return JSON.parse(text);
  // A walk that stops at the last mark: JSON.parse's reviver would call back for every value.
  const parsed: unknown = JSON.parse(rewritten + text.slice(from));
  const revive = (value: unknown): unknown => {
    if (typeof value === 'string' && value.startsWith(MARK)) {
      marks--;
      return BigInt(value.slice(MARK.length));
    }
    if (value === null || typeof value !== 'object') return value;
    const container = value as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      if (marks === 0) break;
      const inner = container[key];
      const revived = revive(inner);
      // defineProperty: an own "__proto__" key is set as the property it is, not the prototype.
      if (revived !== inner)
        Object.defineProperty(container, key, {
          value: revived,
          writable: true,
          enumerable: true,
          configurable: true,
        });
    }
    return value;
  };
  return revive(parsed);
}

type Replacer = (this: unknown, key: string, value: unknown) => unknown;

/** JSON.stringify that writes a BigInt as its digits, unquoted (ComfyUI reads them as Python ints). */
export function exactJsonText(value: unknown, replacer?: Replacer, space?: number): string {
  let marked = false;
  const text = JSON.stringify(
    value,
    function (this: unknown, key: string, inner: unknown) {
      const replaced = replacer ? replacer.call(this, key, inner) : inner;
      if (typeof replaced !== 'bigint') return replaced;
      marked = true;
      return `${MARK}${replaced}`;
    },
    space,
  );
  // JSON.stringify writes the mark's NUL as \u0000; a string holding those six characters is
  // written with its backslash doubled, so only a mark matches.
  return marked ? text.replace(/"\\u0000exact-integer:(-?\d+)"/g, '$1') : text;
}

/** True when the value holds a BigInt somewhere (DynamoDB's document client would round it on the way back). */
export function holdsBigInt(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(holdsBigInt);
}
