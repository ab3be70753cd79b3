import { describe, expect, it } from 'vitest';
import { comfyLogForwarder, countInvocation } from '../../container/src/comfy-log-forwarding';
import { ComfyLogLines } from '../../container/src/comfy-log-lines';
import { readFixture } from '../support/real-comfyui-recording';

const entries = (...writes: string[]) => writes.map((m) => ({ t: '2026-12-06T22:36:17.868185', m }));

function linesOf(writes: string[], limits?: { maxLines: number; maxLineChars: number }) {
  const lines: string[] = [];
  const terminal = new ComfyLogLines((line) => lines.push(line), limits);
  terminal.accept(entries(...writes));
  terminal.finish();
  return lines;
}

describe("ComfyUI's terminal writes as lines", () => {
  it('splits a traceback into its lines and drops the blank one logging leaves after it', () => {
    expect(
      linesOf([
        'Traceback (most recent call last):\n  File "/opt/comfyui/execution.py", line 496, in execute\n    x()\nRuntimeError: boom\n\n',
      ]),
    ).toEqual([
      'Traceback (most recent call last):',
      '  File "/opt/comfyui/execution.py", line 496, in execute',
      '    x()',
      'RuntimeError: boom',
    ]);
  });

  it("keeps a tqdm bar's last drawing, not one line per step", () => {
    const bar = (step: number) => `\r${String(step * 10).padStart(3)}%|${'█'.repeat(step)}| ${step}/10`;
    const writes = ['got prompt\n', ...Array.from({ length: 10 }, (_, i) => bar(i + 1)), '\n', 'done\r\n'];
    expect(linesOf(writes)).toEqual(['got prompt', `100%|${'█'.repeat(10)}| 10/10`, 'done']);
  });

  it('forwards an unfinished last line when the prompt ends', () => {
    expect(linesOf(['Requested to load SDXL\n', 'loading 50%'])).toEqual([
      'Requested to load SDXL',
      'loading 50%',
    ]);
  });

  it('bounds a prompt to its line count and its line length, and says what it held back', () => {
    const lines = linesOf(
      Array.from({ length: 7 }, (_, i) => `${'x'.repeat(i === 0 ? 50 : 3)}\n`),
      { maxLines: 3, maxLineChars: 10 },
    );
    expect(lines).toEqual([
      `${'x'.repeat(10)}…`,
      'xxx',
      'xxx',
      "(4 more lines of ComfyUI's output were not forwarded: at most 3 a prompt)",
    ]);
  });

  it('never holds more than one line in memory, however long a write without a newline', () => {
    const lines = linesOf(['y'.repeat(1_000_000), 'y'.repeat(1_000_000), '\n'], {
      maxLines: 5,
      maxLineChars: 20,
    });
    expect(lines).toEqual([`${'y'.repeat(20)}…`]);
  });

  it("gives execution.py's error writes (exception, traceback, OOM notice) the error level, the rest info", () => {
    const seen: string[] = [];
    const terminal = new ComfyLogLines((line, level) => seen.push(`${level} ${line}`));
    terminal.accept(
      entries(
        'Requested to load SDXL\n',
        '!!! Exception during processing !!! boom\n',
        'Traceback (most recent call last):\n  File "x.py", line 1, in run\nRuntimeError: boom\n\n',
        'Got an OOM, unloading all loaded models.\n',
        'a node printing !!! Exception during processing !!! in the middle\n',
      ),
    );
    terminal.finish();
    expect(seen).toEqual([
      'info Requested to load SDXL',
      'error !!! Exception during processing !!! boom',
      'error Traceback (most recent call last):',
      'error   File "x.py", line 1, in run',
      'error RuntimeError: boom',
      'error Got an OOM, unloading all loaded models.',
      'info a node printing !!! Exception during processing !!! in the middle',
    ]);
  });

  it('ignores entries not shaped as ComfyUI sends them', () => {
    const lines: string[] = [];
    const terminal = new ComfyLogLines((line) => lines.push(line));
    for (const odd of [undefined, null, 'text', { m: 1 }, [null, { t: 1 }, { m: ['x'] }]])
      terminal.accept(odd);
    terminal.finish();
    expect(lines).toEqual([]);
  });
});

describe("which of ComfyUI's lines are a prompt's", () => {
  /** The real server's frames for a failing prompt, with the terminal subscribed. */
  const recorded = () =>
    JSON.parse(readFixture('logs.messages.json').toString('utf8')).map((frame: any) =>
      JSON.parse(JSON.stringify(frame).replaceAll('<prompt_id>', 'p1')),
    );

  it("takes what ComfyUI wrote between the prompt's execution_start and its end, nothing before or after", () => {
    const countedOut = countInvocation();
    try {
      const lines: string[] = [];
      const forwarder = comfyLogForwarder('p1', (line) => lines.push(line));
      for (const frame of recorded()) forwarder.onEvent(frame);
      forwarder.finish();
      expect(lines[0]).toBe('!!! Exception during processing !!! probe failed as asked');
      expect(lines[1]).toBe('Traceback (most recent call last):');
      expect(lines.at(-1)).toBe('RuntimeError: probe failed as asked');
      // "got prompt" (the HTTP handler, before the run) and "Prompt executed in" (after it) are not taken.
      expect(lines.filter((line) => /got prompt|Prompt executed/.test(line))).toEqual([]);
    } finally {
      countedOut();
    }
  });

  it("takes none while another invocation is in flight on the instance: it may be another key's", () => {
    const first = countInvocation();
    const second = countInvocation();
    const lines: string[] = [];
    try {
      const forwarder = comfyLogForwarder('p1', (line) => lines.push(line));
      for (const frame of recorded()) forwarder.onEvent(frame);
      forwarder.finish();
    } finally {
      first();
      second();
      second(); // counting out twice counts once
    }
    expect(lines).toEqual([]);
    // Back to one invocation: its lines are taken again.
    const only = countInvocation();
    const after: string[] = [];
    const forwarder = comfyLogForwarder('p1', (line) => after.push(line));
    for (const frame of recorded()) forwarder.onEvent(frame);
    only();
    expect(after.length).toBeGreaterThan(3);
  });

  it("takes nothing of another prompt's run seen on the same socket", () => {
    const countedOut = countInvocation();
    const lines: string[] = [];
    const forwarder = comfyLogForwarder('another-prompt', (line) => lines.push(line));
    for (const frame of recorded()) forwarder.onEvent(frame);
    forwarder.finish();
    countedOut();
    expect(lines).toEqual([]);
  });
});
