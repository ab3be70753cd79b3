import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../client/src/log-lines';
import { type Catalog, choiceInputs, choicesOf, orderedInputNames } from '../../console/src/catalog';
import { exactJson, parseExactJson, parseInteger } from '../../console/src/exact-numbers';
import { isKeyRefused } from '../../console/src/key-refusal';
import { promptLine } from '../../console/src/prompt-summary';
import { CORPUS_DIR } from '../fixtures/prompts';

const yuzuki = JSON.parse(
  readFileSync(join(CORPUS_DIR, 'object_info/Hype3808__yuzuki-phone__object_info.json'), 'utf8'),
) as Catalog;
const pair = (name: string, file: string) =>
  JSON.parse(readFileSync(join(CORPUS_DIR, 'pairs', name, file), 'utf8')) as Record<string, any>;

describe("the console's 64-bit integers", () => {
  it('reads a seed past 2^53 exactly, and strings and other numbers as JSON.parse does', () => {
    const text =
      '{"3":{"inputs":{"seed":18446744073709551615,"cfg":8.0,"steps":-20,"t":"a \\" 99999999999999999999","s":1e300}}}';
    expect((parseExactJson(text) as any)['3'].inputs).toEqual({
      seed: 18446744073709551615n,
      cfg: 8,
      steps: -20,
      t: 'a " 99999999999999999999',
      s: 1e300,
    });
    expect(exactJson((parseExactJson(text) as any)['3'].inputs)).toBe(
      '{"seed":18446744073709551615,"cfg":8,"steps":-20,"t":"a \\" 99999999999999999999","s":1e+300}',
    );
  });

  it('takes typed integers as numbers while exact, BigInts past that, nothing else', () => {
    expect(parseInteger(' 42 ')).toBe(42);
    expect(parseInteger('9007199254740993')).toBe(9007199254740993n);
    expect(parseInteger('1e3')).toBeUndefined();
    expect(parseInteger('4.5')).toBeUndefined();
  });
});

describe("the console's reading of the node catalog", () => {
  it("finds choices in both of ComfyUI's combo shapes", () => {
    expect(choicesOf(yuzuki, 'KSampler', 'sampler_name')).toContain('dpmpp_2m');
    const newShape: Catalog = {
      Pick: { input: { required: { mode: ['COMBO', { options: ['a', 'b'] }], steps: ['INT', {}] } } },
    };
    expect(choicesOf(newShape, 'Pick', 'mode')).toEqual(['a', 'b']);
    expect(choicesOf(newShape, 'Pick', 'steps')).toBeUndefined();
  });

  it("orders a node's inputs as ComfyUI does, unknown ones last", () => {
    expect(orderedInputNames(yuzuki, 'KSampler', ['denoise', 'seed', 'extra', 'model'])).toEqual([
      'model',
      'seed',
      'denoise',
      'extra',
    ]);
  });

  it("lists a real prompt's choice inputs, but not its image pickers (uploads)", () => {
    const names = choiceInputs(yuzuki, pair('007', 'api.json') as never).map((f) => `${f.node}.${f.name}`);
    expect(names).toEqual(expect.arrayContaining(['3.sampler_name', '3.scheduler']));
    expect(names).not.toContain('11.image');
  });
});

describe("the console's summaries", () => {
  it("picks the positive prompt's text of a real prompt", () => {
    expect(promptLine(pair('085', 'api.json') as never)).toMatch(/^photograph in the style of/);
  });

  it('shows a structured log line as its time, level, message and fields', () => {
    const message = JSON.stringify({
      level: 'INFO',
      message: 'invocation answered',
      timestamp: '2026-12-06T16:40:52.123Z',
      service: 'comfy-exec-endpoint',
      prompt_id: 'x',
      status: 'success',
    });
    expect(formatLogLine({ timestamp: '', message })).toBe(
      '16:40:52.123 INFO invocation answered status=success',
    );
    expect(formatLogLine({ timestamp: '', message: 'got prompt\n' })).toBe('got prompt');
    // ComfyUI's own lines, as the container forwards them: the time and the line, indent kept.
    const forwarded = (line: string) =>
      JSON.stringify({
        level: 'INFO',
        message: line,
        timestamp: '2026-12-06T16:40:52.200Z',
        service: 'comfy-exec-endpoint',
        prompt_id: 'x',
        source: 'comfyui',
      });
    expect(
      formatLogLine({ timestamp: '', message: forwarded('  File "/opt/ComfyUI/nodes.py", line 1525') }),
    ).toBe('16:40:52.200   File "/opt/ComfyUI/nodes.py", line 1525');
    // A node's colours are dropped; an erase-line and a tab-less control character cannot hide or forge a line.
    expect(formatLogLine({ timestamp: '', message: forwarded('\u001b[32m[Pack]\u001b[0m loaded') })).toBe(
      '16:40:52.200 [Pack] loaded',
    );
    expect(
      formatLogLine({
        timestamp: '',
        message: forwarded('x\u001b[2K\u001b[1GERROR forged\u0008\u007f\tend'),
      }),
    ).toBe('16:40:52.200 xERROR forged\\x08\\x7f\tend');
    // A line break inside a field (a stack, or a forged "next line") is an indented continuation.
    const broken = JSON.stringify({
      level: 'ERROR',
      message: 'invocation failed',
      timestamp: '2026-12-06T16:40:52.300Z',
      error: 'e\n23:59:59.000 ERROR forged',
    });
    expect(formatLogLine({ timestamp: '', message: broken })).toBe(
      '16:40:52.300 ERROR invocation failed error=e\n    23:59:59.000 ERROR forged',
    );
  });
});

describe('isKeyRefused: when the console forgets the key', () => {
  it('on a 401 and API Gateway’s own 403, not on the API’s 403 for one thing a good key may not do', () => {
    expect(isKeyRefused({ status: 401, body: { message: 'Unauthorized' } })).toBe(true);
    expect(isKeyRefused({ status: 403, body: { message: 'Forbidden' } })).toBe(true);
    const envelope = {
      statusCode: 403,
      debug: { function_url: '', log_url: '', trace_url: '' },
      message: 'no',
    };
    expect(isKeyRefused({ status: 403, body: envelope })).toBe(false);
    expect(isKeyRefused({ status: 404, body: envelope })).toBe(false);
  });
});
