import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cancelExecute } from '../../lambda/use-cases/cancel-execute';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { startContainerHarness } from './harness';

/*
 * Issue 25: an execute's files must not stay on the shared instance. After every run (success,
 * node error, cancel) ComfyUI's output/ and temp/ hold none of its files; a file that could not be
 * stored in S3 stays and the execute fails naming why; concurrent runs remove only their own
 * files; a sweep removes what is older than the longest run.
 */

type Hold = { released: Promise<void>; release(): void };
const hold = (): Hold => {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release };
};

/** In front of s3rver for the container: PUTs of a held execute wait, those of a refused one get 403. */
const held = new Map<string, Hold>();
const refused = new Set<string>();
let proxy: Server;

let harness: Awaited<ReturnType<typeof startContainerHarness>>;
/** Every file the simulator wrote, `output/sub/name` or `temp/name`, in order. */
const saved: string[] = [];
const savedWaiters: { test: (path: string) => boolean; resolve(): void }[] = [];
const SWEEP_AGE_SECONDS = 30;

beforeAll(async () => {
  const upstream = new URL(inject('s3Endpoint'));
  proxy = createServer(async (req, res) => {
    const id = [...held.keys(), ...refused].find((promptId) => req.url?.includes(promptId));
    if (req.method === 'PUT' && id && refused.has(id)) {
      req.resume();
      const body =
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
      res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
      return res.end(body);
    }
    if (req.method === 'PUT' && id) await held.get(id)?.released;
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  harness = await startContainerHarness({
    s3Endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    env: { OUTPUT_SWEEP_AGE_SECONDS: String(SWEEP_AGE_SECONDS), OUTPUT_SWEEP_INTERVAL_SECONDS: '1' },
  });
  harness.simulator!.files.onSave = (item) => {
    const path = [item.type, item.subfolder, item.filename].filter(Boolean).join('/');
    saved.push(path);
    for (const waiter of savedWaiters.splice(0))
      if (waiter.test(path)) waiter.resolve();
      else savedWaiters.push(waiter);
  };
});
afterAll(async () => {
  await harness.stop();
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});

const folder = (type: 'output' | 'temp' | 'input') => harness.simulator!.files.dir(type);

/** Every file in the simulator's output/ and temp/, as `output/sub/name`. */
function onDisk(): string[] {
  const walk = (dir: string, prefix: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name), `${prefix}/${entry.name}`)
        : [`${prefix}/${entry.name}`],
    );
  return [...walk(folder('output'), 'output'), ...walk(folder('temp'), 'temp')];
}

/** The files the simulator writes while `run` runs. */
async function savedDuring<T>(run: () => Promise<T>): Promise<{ result: T; files: string[] }> {
  const from = saved.length;
  const result = await run();
  return { result, files: saved.slice(from) };
}

const untilSaved = (test: (path: string) => boolean) =>
  new Promise<void>((resolve) => {
    if (saved.some(test)) return resolve();
    savedWaiters.push({ test, resolve });
  });

/** A quick graph: EmptyImage → SaveImage (`prefix`) and a PreviewImage (a temp file). */
function quickPrompt(prefix: string): Record<string, any> {
  return {
    '1': { class_type: 'EmptyImage', inputs: { width: 32, height: 32, batch_size: 1, color: 0x3366cc } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
    '3': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } },
  };
}

/** txt2img whose SaveImage and PreviewImage of an EmptyImage (nodes 20–22) run before the sampler. */
function earlyFilesPrompt(prefix: string, steps: number): Record<string, any> {
  const prompt = tinyTxt2imgPrompt(3, steps);
  prompt['9'].inputs.filename_prefix = prefix;
  prompt['20'] = { class_type: 'EmptyImage', inputs: { width: 16, height: 16, batch_size: 1, color: 0 } };
  prompt['21'] = {
    class_type: 'SaveImage',
    inputs: { images: ['20', 0], filename_prefix: `${prefix}-early` },
  };
  prompt['22'] = { class_type: 'PreviewImage', inputs: { images: ['20', 0] } };
  return prompt;
}

describe("endpoint container: an execute's files leave ComfyUI's folders", () => {
  it('after a successful run: every output and temp file is in S3 and none is left in the folders', async () => {
    const prompt = tinyTxt2imgPrompt(5, 2);
    prompt['10'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
    const record = await harness.create({ prompt });
    const { result, files } = await savedDuring(() => harness.invoke(record.prompt_path));
    expect(result.status).toBe(200);
    expect(files.filter((f) => f.startsWith('output/'))).toHaveLength(1);
    expect(files.filter((f) => f.startsWith('temp/'))).toHaveLength(1);
    for (const key of [
      ...result.body.output_files.map((f: string) => `outputs/${f}`),
      ...result.body.temp_files.map((f: string) => `temp/${f}`),
    ])
      await harness.clients.s3.send(
        new HeadObjectCommand({ Bucket: harness.bucketName, Key: `executes/${record.prompt_id}/${key}` }),
      );
    expect(onDisk().filter((f) => files.includes(f))).toEqual([]);
  });

  it('after a failed run: the files SaveImage wrote before a node raised are removed', async () => {
    const prompt = earlyFilesPrompt('failing', 2);
    // Nodes run in id order where they can: 21 (SaveImage) and 22 (PreviewImage) before 99 raises.
    prompt['99'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } };
    const record = await harness.create({ prompt, extra_data: { simulate: { fail_node: '99' } } });
    const { result, files } = await savedDuring(() => harness.invoke(record.prompt_path));
    expect(result.status).toBe(500);
    expect(result.body.error.type).toBe('execution_error');
    expect(files.some((f) => f.startsWith('output/failing'))).toBe(true);
    expect(files.some((f) => f.startsWith('temp/'))).toBe(true);
    expect(onDisk().filter((f) => files.includes(f))).toEqual([]);
  });

  it('after a cancelled run: the files written before the interrupt are removed', async () => {
    // KSampler's most steps (10,000; more fails validation, and that output would not be sent).
    const record = await harness.create({ prompt: earlyFilesPrompt('cancelled', 10_000) });
    const { result, files } = await savedDuring(async () => {
      const running = harness.invoke(record.prompt_path);
      await untilSaved((f) => f.startsWith('output/cancelled-early'));
      await harness.untilProgress(record.prompt_id);
      await cancelExecute(record.prompt_id, 'owner-a', {
        store: harness.store,
        clock: { now: () => new Date() },
      });
      return running;
    });
    expect(result.status).toBe(200);
    expect(result.body.status).toBe('cancelled');
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(onDisk().filter((f) => files.includes(f))).toEqual([]);
  });

  it('keeps a file S3 refused and fails the execute naming the reason', async () => {
    const record = await harness.create({ prompt: quickPrompt('refused') });
    refused.add(record.prompt_id);
    const { result, files } = await savedDuring(() => harness.invoke(record.prompt_path));
    expect(result.status).toBe(500);
    expect(result.body).toMatchObject({ status: 'failed', error: { type: 'output_upload_failed' } });
    expect(result.body.message).toMatch(/could not be stored in S3: .*Access Denied/);
    expect(files.length).toBe(2);
    // Nothing reached S3, so both stay for the sweep (after the longest run).
    expect(onDisk().filter((f) => files.includes(f))).toEqual(files);
  });

  it('two concurrent invocations each remove only their own files', async () => {
    const b = await harness.create({ prompt: quickPrompt('tenant-b') });
    const a = await harness.create({ prompt: earlyFilesPrompt('tenant-a', 3) });
    // B's upload waits until A has written a file; A's waits until B has answered and been checked.
    held.set(b.prompt_id, hold());
    held.set(a.prompt_id, hold());
    const from = saved.length;
    const runB = harness.invoke(b.prompt_path);
    await untilSaved((f) => f.startsWith('output/tenant-b'));
    const runA = harness.invoke(a.prompt_path);
    await untilSaved((f) => f.startsWith('output/tenant-a-early'));
    held.get(b.prompt_id)!.release();
    const answerB = await runB;
    expect(answerB.status).toBe(200);
    const bTemp = `temp/${answerB.body.outputs['3'].images[0].filename}`;
    const filesOfA = () =>
      saved
        .slice(from)
        .filter((f) => f.startsWith('output/tenant-a') || (f.startsWith('temp/') && f !== bTemp));
    const disk = onDisk();
    expect(disk.filter((f) => f.startsWith('output/tenant-b') || f === bTemp)).toEqual([]);
    const aSoFar = filesOfA();
    expect(aSoFar.length).toBeGreaterThanOrEqual(1);
    expect(aSoFar.filter((f) => !disk.includes(f))).toEqual([]);
    held.get(a.prompt_id)!.release();
    const answerA = await runA;
    expect(answerA.status).toBe(200);
    expect(answerA.body.output_files).toHaveLength(2);
    expect(filesOfA().length).toBeGreaterThanOrEqual(3);
    expect(onDisk().filter((f) => filesOfA().includes(f))).toEqual([]);
  });

  it('sweeps files older than the longest run from output/, temp/ and input/comfy-exec/, and nothing newer', async () => {
    const fresh = join(folder('temp'), 'fresh-preview.png');
    writeFileSync(fresh, 'recent');
    const old = [
      join(folder('output'), 'left', 'ComfyUI_00007_.png'),
      join(folder('temp'), 'ComfyUI_temp_abcde_00001_.png'),
      join(folder('input'), 'comfy-exec', '11111111-2222-4333-8444-555555555555', 'photo.png'),
    ];
    const longAgo = new Date(Date.now() - (SWEEP_AGE_SECONDS + 60) * 1000);
    // ComfyUI's own input files are not the container's to sweep, however old.
    const example = join(folder('input'), 'example.png');
    utimesSync(example, longAgo, longAgo);
    for (const path of old) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, 'left behind');
      utimesSync(path, longAgo, longAgo);
    }
    await expect
      .poll(() => old.filter((path) => existsSync(path)), { timeout: 10_000, interval: 100 })
      .toEqual([]);
    // The pass that removed them read the fresh file too (written first) and left it.
    expect(existsSync(fresh)).toBe(true);
    expect(existsSync(folder('output'))).toBe(true);
    expect(existsSync(example)).toBe(true);
  });
});
