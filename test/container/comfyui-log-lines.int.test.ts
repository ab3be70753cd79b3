import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
beforeAll(async () => {
  // Logs are silenced in tests; this file reads the container's own log lines.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  harness = await startContainerHarness();
});
afterAll(async () => {
  await harness.stop();
  vi.unstubAllEnvs();
});

/** The container's JSON log lines (Powertools: console.info, console.error for ERROR) while `run` runs. */
async function logLinesDuring(run: () => Promise<unknown>) {
  const lines: string[] = [];
  const keep = (chunk: unknown) => {
    lines.push(String(chunk));
  };
  const spies = [
    vi.spyOn(console, 'info').mockImplementation(keep),
    vi.spyOn(console, 'error').mockImplementation(keep),
  ];
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines
    .filter((text) => text.trimStart().startsWith('{'))
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

describe("endpoint container: ComfyUI's own log lines, as the execute's", () => {
  it("forwards what ComfyUI wrote while the prompt ran, each line carrying the prompt's id", async () => {
    // Another execute's id where a text search of the request would find it first (keys sorted).
    const victim = crypto.randomUUID();
    const record = await harness.create({
      prompt: tinyTxt2imgPrompt(5),
      extra_data: { prompt_id: victim, simulate: { fail_node: '3' } },
    });
    const lines = await logLinesDuring(async () =>
      expect((await harness.invoke(record.prompt_path)).status).not.toBe(200),
    );
    const comfyui = lines.filter((line) => line.source === 'comfyui');
    expect(comfyui.every((line) => line.prompt_id === record.prompt_id)).toBe(true);
    // Every line of the run carries the request's own id, none the one its extra_data names.
    expect(lines.filter((line) => line.prompt_id === victim)).toEqual([]);
    expect(
      lines.some((line) => line.message === 'invocation answered' && line.prompt_id === record.prompt_id),
    ).toBe(true);
    const messages = comfyui.map((line) => line.message as string);
    // ComfyUI logged its exception, traceback and OOM notice as errors: so are they here.
    expect(new Set(comfyui.map((line) => line.level))).toEqual(new Set(['ERROR']));
    expect(messages[0]).toMatch(/^!!! Exception during processing !!! Allocation on device 0/);
    expect(messages[1]).toBe('Traceback (most recent call last):');
    expect(messages).toContain('Got an OOM, unloading all loaded models.');
    expect(messages.some((m) => m.startsWith('torch.OutOfMemoryError: '))).toBe(true);
    // Before the run (the HTTP handler's) and after it: not this prompt's lines.
    expect(messages.filter((m) => /^got prompt|^Prompt executed in/.test(m))).toEqual([]);
    // The simulator did write them: the container left them out, it did not miss them.
    const terminal = (await (await fetch(`${harness.simulator!.url}/internal/logs/raw`)).json()) as {
      entries: { m: string }[];
    };
    expect(terminal.entries.map((entry) => entry.m)).toEqual(
      expect.arrayContaining([
        'got prompt\n',
        expect.stringMatching(/^Prompt executed in [\d.]+ seconds\n$/),
      ]),
    );
  });

  it('forwards nothing for a prompt that ran without writing to the terminal', async () => {
    const record = await harness.create({ prompt: tinyTxt2imgPrompt(6) });
    const lines = await logLinesDuring(async () =>
      expect((await harness.invoke(record.prompt_path)).status).toBe(200),
    );
    expect(lines.some((line) => line.message === 'invocation answered')).toBe(true);
    expect(lines.filter((line) => line.source === 'comfyui')).toEqual([]);
  });
});
