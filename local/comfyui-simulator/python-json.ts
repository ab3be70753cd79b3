/**
 * JSON as ComfyUI's Python holds and writes it. `json.loads` keeps an object's key order and tells
 * ints from floats; `json.dumps` writes `", "` and `": "`, escapes every non-ASCII character and
 * prints floats by `repr` (`2.0`, `1e-07`, `1e+16`). A JS object loses both (numeric keys sort
 * first, `2.0` becomes `2`), so the texts ComfyUI embeds in saved files are made from this tree.
 */
export type PyValue =
  | { kind: 'dict'; entries: [string, PyValue][] }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'str'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' };

/** `json.loads`: a duplicate key keeps its first place and takes the last value, as in a dict. */
export function pyLoads(text: string): PyValue {
  let at = 0;
  const space = () => {
    while (/\s/.test(text[at] ?? '')) at++;
  };
  const value = (): PyValue => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      const entries: [string, PyValue][] = [];
      space();
      if (text[at] === '}') {
        at++;
        return { kind: 'dict', entries };
      }
      for (;;) {
        space();
        const key = string();
        space();
        at++; // ':'
        const item = value();
        const existing = entries.find(([name]) => name === key);
        if (existing) existing[1] = item;
        else entries.push([key, item]);
        space();
        if (text[at++] === '}') return { kind: 'dict', entries };
      }
    }
    if (char === '[') {
      at++;
      const items: PyValue[] = [];
      space();
      if (text[at] === ']') {
        at++;
        return { kind: 'list', items };
      }
      for (;;) {
        items.push(value());
        space();
        if (text[at++] === ']') return { kind: 'list', items };
      }
    }
    if (char === '"') return { kind: 'str', value: string() };
    for (const [word, parsed] of WORDS) {
      if (!text.startsWith(word, at)) continue;
      at += word.length;
      return parsed;
    }
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(at, at + 400));
    if (!number) throw new SyntaxError(`not JSON at ${at}`);
    at += number[0].length;
    return number[1] || number[2]
      ? { kind: 'float', value: Number(number[0]) }
      : { kind: 'int', value: BigInt(number[0]) };
  };
  const string = (): string => {
    STRING.lastIndex = at;
    const end = STRING.exec(text);
    if (!end) throw new SyntaxError(`not a JSON string at ${at}`);
    at += end[0].length;
    return JSON.parse(end[0]) as string;
  };
  return value();
}

/** A JSON string literal from `lastIndex` on (sticky; the unrolled loop does not backtrack). */
const STRING = /"[^"\\]*(?:\\.[^"\\]*)*"/y;

const WORDS: [string, PyValue][] = [
  ['true', { kind: 'bool', value: true }],
  ['false', { kind: 'bool', value: false }],
  ['null', { kind: 'none' }],
  ['NaN', { kind: 'float', value: Number.NaN }],
  ['Infinity', { kind: 'float', value: Number.POSITIVE_INFINITY }],
  ['-Infinity', { kind: 'float', value: Number.NEGATIVE_INFINITY }],
];

/** `json.dumps(value)` with Python's defaults. */
export function pyDumps(value: PyValue): string {
  switch (value.kind) {
    case 'dict':
      return `{${value.entries.map(([key, item]) => `${quote(key)}: ${pyDumps(item)}`).join(', ')}}`;
    case 'list':
      return `[${value.items.map(pyDumps).join(', ')}]`;
    case 'str':
      return quote(value.value);
    case 'int':
      return value.value.toString();
    case 'float':
      return floatRepr(value.value);
    case 'bool':
      return value.value ? 'true' : 'false';
    case 'none':
      return 'null';
  }
}

/** A JS value (as JSON.parse gives it) as Python would have loaded the same JSON text. */
export function fromJs(value: unknown): PyValue {
  if (value === null || value === undefined) return { kind: 'none' };
  if (typeof value === 'string') return { kind: 'str', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { kind: 'int', value: BigInt(value) } : { kind: 'float', value };
  if (Array.isArray(value)) return { kind: 'list', items: value.map(fromJs) };
  return { kind: 'dict', entries: Object.entries(value).map(([key, item]) => [key, fromJs(item)]) };
}

/** ensure_ascii: `é` → `\u00e9`, a character outside the BMP as its surrogate pair. */
function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const char = text[i]!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (ESCAPES[char]) out += ESCAPES[char];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** Python's `repr(float)`: shortest digits, scientific below 1e-4 and from 1e16, `.0` when whole. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${fraction}e${exponent < 0 ? '-' : '+'}${magnitude}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}
