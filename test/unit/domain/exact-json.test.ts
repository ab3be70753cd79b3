import { describe, expect, it } from 'vitest';
import { exactJsonText, holdsBigInt, parseExactJson } from '../../../client/src/exact-json';

describe('JSON with 64-bit integers kept exact', () => {
  it('reads integers past 2^53-1 as BigInt and writes them back as the same digits', () => {
    const text =
      '{"seed":18446744073709551615,"low":-9223372036854775808,"safe":9007199254740991,"f":1.5e+300,"s":"18446744073709551615","list":[12345678901234567890,2]}';
    const value = parseExactJson(text) as Record<string, unknown>;
    expect(value.seed).toBe(18446744073709551615n);
    expect(value.low).toBe(-9223372036854775808n);
    expect(value.safe).toBe(9007199254740991);
    expect(value.f).toBe(1.5e300);
    expect(value.s).toBe('18446744073709551615');
    expect(exactJsonText(value)).toBe(text);
    expect(holdsBigInt(value)).toBe(true);
    expect(holdsBigInt(JSON.parse(text))).toBe(false);
  });

  it('is JSON.parse and JSON.stringify for text without such integers', () => {
    const text = '{"a":[1,2.5,"x\\\\u0000y",null,true],"b":{"c":"1234567890123456789 in a string"}}';
    expect(parseExactJson(text)).toEqual(JSON.parse(text));
    expect(exactJsonText(JSON.parse(text))).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('never takes a string for an integer: only the mark it wrote itself is unquoted', () => {
    // The six characters \u0000 (backslash included) spelled out in a string, beside a BigInt.
    const value = { s: '\\u0000exact-integer:5', seed: 2n ** 64n - 1n };
    const text = exactJsonText(value);
    expect(text).toBe('{"s":"\\\\u0000exact-integer:5","seed":18446744073709551615}');
    expect(parseExactJson(text)).toEqual(value);
  });

  it('revives every mark, an own "__proto__" key included, and leaves prototypes alone', () => {
    const value = parseExactJson(
      '{"__proto__":{"seed":18446744073709551615},"list":[9007199254740993,{"x":-9007199254740993}],"__proto__x":12345678901234567890}',
    ) as Record<string, any>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value.__proto__x).toBe(12345678901234567890n);
    expect(value.list).toEqual([9007199254740993n, { x: -9007199254740993n }]);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({
      seed: 18446744073709551615n,
    });
    const bare = parseExactJson('{"__proto__":18446744073709551615}') as object;
    expect(Object.getOwnPropertyDescriptor(bare, '__proto__')?.value).toBe(18446744073709551615n);
    expect(Object.getPrototypeOf(bare)).toBe(Object.prototype);
  });

  it('refuses integers longer than Python reads (4,300 digits), as ComfyUI would', () => {
    expect(() => parseExactJson(`{"seed":${'9'.repeat(4301)}}`)).toThrow(
      'an integer of 4301 digits: Python (ComfyUI) reads at most 4300',
    );
    expect(parseExactJson(`{"seed":-${'9'.repeat(4300)}}`)).toEqual({ seed: -BigInt('9'.repeat(4300)) });
  });

  it('applies a replacer first, and indents as asked', () => {
    const sorted = exactJsonText({ b: 1n << 60n, a: 1 }, (_key: string, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : 1)))
        : inner,
    );
    expect(sorted).toBe('{"a":1,"b":1152921504606846976}');
    expect(exactJsonText({ a: 2n ** 63n }, undefined, 1)).toBe('{\n "a": 9223372036854775808\n}');
  });
});
