import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadObjectInfo } from '../../local/comfyui-simulator/catalog';
import { type ComfyUiSimulator, startComfyUiSimulator } from '../../local/comfyui-simulator/server';
import { normaliseRun, type RecordedFrame, readFixture, recordRun } from '../support/real-comfyui-recording';

/**
 * The simulator's websocket against what the real ComfyUI 0.3.64 sent for the same requests
 * (test/fixtures/real-comfyui/README.md): every frame, in order, ids and clocks normalised.
 * The recordings used a weight-free custom node that reports progress as a sampler does; the
 * simulator gets its /object_info entry, and steps through its `steps` as it does a KSampler's.
 */
let sim: ComfyUiSimulator;
beforeAll(async () => {
  const catalog = join(mkdtempSync(join(tmpdir(), 'sim-catalog-')), 'object_info.json');
  const probe = JSON.parse(readFixture('progress_probe.object_info.json').toString('utf8'));
  writeFileSync(catalog, JSON.stringify({ ...loadObjectInfo(), ...probe }));
  sim = await startComfyUiSimulator({ stepMs: 1, objectInfoPath: catalog });
});
afterAll(() => sim.stop());

const recorded = (name: string): RecordedFrame[] =>
  JSON.parse(readFixture(`${name}.messages.json`).toString('utf8'));

/** An exception's text, traceback and the inputs' tensors differ by nature: their keys and types do not. */
function withErrorShape(frames: RecordedFrame[]): RecordedFrame[] {
  return frames.map((frame) => {
    if (!('type' in frame) || frame.type !== 'execution_error') return frame;
    const { exception_message, exception_type, traceback, current_inputs, current_outputs, ...rest } =
      frame.data;
    return {
      type: frame.type,
      data: {
        ...rest,
        exception_message: typeof exception_message,
        exception_type: typeof exception_type,
        traceback: Array.isArray(traceback) && traceback.every((line) => typeof line === 'string'),
        current_inputs: Object.keys(current_inputs).sort(),
        current_outputs: [...current_outputs].sort(),
      },
    };
  });
}

/** The exception's text and its traceback differ by nature; their place and form do not. */
function withTerminalShape(frames: RecordedFrame[]): RecordedFrame[] {
  const shape = (m: string) =>
    m.startsWith('!!! Exception during processing !!! ')
      ? '!!! Exception during processing !!! <message>\n'
      : /^Traceback \(most recent call last\):\n( {2}File "[^\n]+\n( {4}[^\n]*\n)+)+[\w.]+: [^\n]*\n\n$/.test(
            m,
          )
        ? '<traceback>'
        : m;
  return frames.map((frame) =>
    'type' in frame && frame.type === 'logs'
      ? {
          ...frame,
          data: {
            ...frame.data,
            entries: frame.data.entries.map((e: { m: string }) => ({ ...e, m: shape(e.m) })),
          },
        }
      : frame,
  );
}

describe('ComfyUI simulator: the websocket frames the real server sent', () => {
  it.each([
    ['image', 'EmptyImage → ImageInvert → SaveImage'],
    ['progress', 'EmptyImage → a node with 3 progress steps → SaveImage'],
  ])('%s: %s, frame for frame', async (name) => {
    const run = await recordRun(sim.url, name);
    expect(run.status).toBe(200);
    expect(normaliseRun(run)).toEqual(recorded(name));
  });

  it('failure: the failing node is started and stepped but never finished, then execution_error', async () => {
    const run = await recordRun(sim.url, 'failure');
    expect(withErrorShape(normaliseRun(run))).toEqual(withErrorShape(recorded('failure')));
  });

  it("logs: a subscribed client gets ComfyUI's terminal in order with the events, as the real server sends it", async () => {
    const run = await recordRun(sim.url, 'logs', false, true);
    // Each entry's time as Python's datetime.now().isoformat() writes it (normalised below).
    const times = run.frames.flatMap((f) => ('type' in f && f.type === 'logs' ? f.data.entries : []));
    expect(times.length).toBeGreaterThan(3);
    for (const { t } of times) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
    const frames = withErrorShape(withTerminalShape(normaliseRun(run)));
    // The simulator's failure is an out-of-memory error, after which execution.py logs one line
    // more than after the recording's RuntimeError; it comes right after the traceback.
    const oom = frames.findIndex(
      (f) => 'type' in f && f.type === 'logs' && f.data.entries[0].m.startsWith('Got an OOM'),
    );
    expect(frames[oom - 1]).toMatchObject({ type: 'logs', data: { entries: [{ m: '<traceback>' }] } });
    frames.splice(oom, 1);
    expect(frames).toEqual(withErrorShape(withTerminalShape(recorded('logs'))));
  });

  it('broadcast: without a client_id only status, progress and progress_state reach other clients', async () => {
    const run = await recordRun(sim.url, 'broadcast', true);
    expect(normaliseRun(run)).toEqual(recorded('broadcast'));
  });

  it('audio: each saver reports the file the real server named (its extension, folder and type)', async () => {
    writeFileSync(join(sim.files.dir('input'), 'comfy-exec-fixture-tone.wav'), readFixture('tone.wav'));
    const run = await recordRun(sim.url, 'audio');
    // ComfyUI takes output nodes in the order of a Python set of their ids, which differs from
    // one server process to the next: what each reports is compared, not their order.
    const executed = (frames: RecordedFrame[]) =>
      frames
        .flatMap((f) => ('type' in f && f.type === 'executed' ? [f.data] : []))
        .map(({ node, output }) => [
          node,
          output.audio.map((item: any) => ({ ...item, filename: item.filename.replace(/_\d{5}_/, '_#_') })),
        ])
        .sort();
    expect(executed(normaliseRun(run))).toEqual(executed(recorded('audio')));
    const types = (frames: RecordedFrame[]) => frames.map((f) => ('type' in f ? f.type : 'binary'));
    expect(types(normaliseRun(run))).toEqual(types(recorded('audio')));
  });
});
