import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../lambda/domain/canonical-json';
import { parseContainerResult } from '../../../lambda/domain/execute-result';
import { fitsInline } from '../../../lambda/domain/prompt-storage';

describe('parseContainerResult', () => {
  const id = '11111111-2222-4333-8444-555555555555';

  it('reads our container result and fills defaults', () => {
    expect(
      parseContainerResult(
        JSON.stringify({ prompt_id: id, status: 'success', output_files: ['9/a.png'] }),
        id,
      ),
    ).toMatchObject({ status: 'success', output_files: ['9/a.png'], temp_files: [], output_path: '' });
  });

  it("reads ESD's array shape and normalises status 'fail'", () => {
    const text = JSON.stringify([
      { prompt_id: 'other', status: 'success' },
      { prompt_id: id, status: 'fail', message: 'boom' },
    ]);
    expect(parseContainerResult(text, id)).toMatchObject({ status: 'failed', message: 'boom' });
  });

  it('returns undefined for garbage, ESD’s empty list, or another prompt’s result', () => {
    expect(parseContainerResult('not json', id)).toBeUndefined();
    expect(parseContainerResult('[]', id)).toBeUndefined();
    expect(parseContainerResult(JSON.stringify({ prompt_id: 'x', status: 'success' }), id)).toBeUndefined();
  });
});

describe('canonicalJson', () => {
  it('gives the same text for the same value in any key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe('fitsInline', () => {
  it('keeps small prompts inline and sends big or deep ones to S3', () => {
    const small = { a: 1 };
    expect(fitsInline(small, 1000)).toBe(true);
    const big = { a: 'x'.repeat(2000) };
    expect(fitsInline(big, 1000)).toBe(false);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { inner: deep };
    expect(fitsInline(deep, 100_000)).toBe(false);
    // DynamoDB would give a 64-bit seed back rounded: such a prompt is read from S3.
    expect(fitsInline({ '3': { inputs: { seed: 0xffffffffffffffffn } } }, 100_000)).toBe(false);
  });
});
