import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadStateStore } from '../../client/cli/model-upload-state';
import { ComfyExecClient } from '../../client/src/index';
import { ModelSourceServer } from '../e2e/model-source-server';
import { halvesPng } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { cli, cliEnv, type NpmStart, startNpmStart } from './cli-harness';

let stack: NpmStart;
let env: Record<string, string>;
beforeAll(async () => {
  stack = await startNpmStart({ SIM_STEP_MS: '20' });
  env = cliEnv(stack);
  const withText = tinyTxt2imgPrompt(1, 2);
  withText['20'] = { class_type: 'PrimitiveString', inputs: { value: 'a cat, in ink' } };
  withText['21'] = { class_type: 'PreviewAny', inputs: { source: ['20', 0] } };
  writeFileSync(join(stack.dir, 'text.json'), JSON.stringify(withText));
  writeFileSync(join(stack.dir, 'txt2img.json'), JSON.stringify(tinyTxt2imgPrompt(1, 2)));
  writeFileSync(join(stack.dir, 'cat.png'), halvesPng(6, 4));
}, 120_000);
afterAll(() => stack?.stop());

const createdIds = (stderr: string) =>
  [...stderr.matchAll(/execute ([0-9a-f-]{36}) created/g)].map((m) => m[1]!);

describe('comfy-exec as a daily tool, against npm start', () => {
  it('lists with a header, and says so when there is nothing to list', async () => {
    expect(await cli(['list'], env)).toMatchObject({ code: 0, stdout: 'no executes\n' });
    expect(await cli(['list', '--status', 'failed'], env)).toMatchObject({
      code: 0,
      stdout: 'no failed executes\n',
    });
    expect(await cli(['inputs', 'list'], env)).toMatchObject({ code: 0, stdout: 'no inputs\n' });
    for (const command of [
      ['download'],
      ['delete'],
      ['inputs', 'delete'],
      ['models', 'list'],
      ['models', 'upload'],
      ['models', 'add'],
      ['models', 'show'],
      ['models', 'delete'],
    ]) {
      const help = await cli([...command, '--help'], env);
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: comfy-exec ${command.join(' ')} `));
    }
  });

  it('prints text outputs from run and get; get shows outputs with URLs, times and timings', async () => {
    const out = join(stack.dir, 'out-text');
    const run = await cli(['run', 'text.json', '--out', out], env, stack.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(`${join(out, 'ComfyUI_00001_.png')}\nnode 21 text: a cat, in ink\n`);
    const [id] = createdIds(run.stderr);
    const get = await cli(['get', id!], env);
    expect(get.code, get.stderr).toBe(0);
    const lines = get.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${id}  success  comfy-async-local  created `));
    expect(get.stdout).toMatch(
      /^times: created \S+, started \S+ \(queued [\d.]+s\), completed \S+ \(ran [\d.]+s\)$/m,
    );
    expect(get.stdout).toMatch(/^timings: .*total \d+ ms/m);
    expect(get.stdout).toMatch(
      /^outputs:\n {2}node 9 images: ComfyUI_00001_\.png {2}http:\/\/127\.0\.0\.1:\d+\/\S+$/m,
    );
    expect(get.stdout).toMatch(/^ {2}node 21 text: a cat, in ink$/m);
    const list = await cli(['list'], env);
    expect(list.stdout.split('\n')[0]).toMatch(/^PROMPT ID +STATUS +CREATED +ENDPOINT$/);
    expect(list.stdout).toContain(`${id}  success`);
  });

  it('never overwrites a file in the output folder: a second run saves beside the first', async () => {
    const out = join(stack.dir, 'out-twice');
    const first = await cli(['run', 'txt2img.json', '--out', out], env, stack.dir);
    const before = readFileSync(first.stdout.trim());
    const second = await cli(['run', 'txt2img.json', '--out', out, '--set', '3.seed=2'], env, stack.dir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`${join(out, 'ComfyUI_00001_-1.png')}\n`);
    expect(readFileSync(first.stdout.trim()).equals(before)).toBe(true);
    expect(readFileSync(second.stdout.trim()).equals(before)).toBe(false);
  });

  it('downloads an execute queued with --no-wait, following it to its end', async () => {
    const queued = await cli(['run', 'text.json', '--no-wait'], env, stack.dir);
    expect(queued.code, queued.stderr).toBe(0);
    const id = queued.stdout.trim();
    const out = join(stack.dir, 'out-download');
    const download = await cli(['download', id, '--out', out], env);
    expect(download.code, download.stderr).toBe(0);
    expect(download.stdout).toBe(`${join(out, 'ComfyUI_00001_.png')}\nnode 21 text: a cat, in ink\n`);
    expect(readdirSync(out)).toEqual(['ComfyUI_00001_.png']);
    expect((await cli(['download', '00000000-0000-4000-8000-000000000000'], env)).code).toBe(3);
  });

  it('says why a downloaded execute failed, and that a cancel is a request (or too late)', async () => {
    const client = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: stack.apiKey });
    const failing = await client.create({
      prompt: tinyTxt2imgPrompt(2, 2),
      prompt_id: crypto.randomUUID(),
      extra_data: { simulate: { fail_node: '8' } },
    });
    // Ended before the download asks (followed to its end, download says why as run does).
    await expect(client.wait(failing.prompt_id, { pollIntervalMs: 100 })).rejects.toThrow(/VAEDecode/);
    const download = await cli(['download', failing.prompt_id, '--out', join(stack.dir, 'out-failed')], env);
    expect(download.code).toBe(1);
    expect(download.stderr).toMatch(/failed \(.+\): 0 file\(s\)/);
    const cancel = await cli(['cancel', failing.prompt_id], env);
    expect(cancel).toMatchObject({ code: 0, stdout: `${failing.prompt_id}  already failed\n` });
    // ComfyUI's own lines for it, as ComfyUI wrote them (after their time), not JSON.
    const logs = async () => (await cli(['logs', failing.prompt_id], env)).stdout.split('\n');
    await expect
      .poll(logs, { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d+ Traceback \(most recent call last\):$/));
    const shown = await logs();
    expect(shown).toContainEqual(
      expect.stringMatching(/ !!! Exception during processing !!! Allocation on device 0/),
    );
    expect(shown).toContainEqual(expect.stringMatching(/ INFO invocation answered /));
    expect(shown.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
    const json = await cli(['logs', failing.prompt_id, '--json'], env);
    const raw = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(raw.every((line) => typeof line.timestamp === 'string' && typeof line.message === 'string')).toBe(
      true,
    );
    expect(raw.some((line) => JSON.parse(line.message).source === 'comfyui')).toBe(true);
  });

  it('runs with random seeds, N times with new ones each, outputs side by side', async () => {
    const out = join(stack.dir, 'out-repeat');
    const run = await cli(['run', 'txt2img.json', '--repeat', '3', '--json', '--out', out], env, stack.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[1\/3\] 3\.seed=\d+$/m);
    const executes = JSON.parse(run.stdout) as { status: string; prompt_params: { prompt: any } }[];
    expect(executes.map((e) => e.status)).toEqual(['success', 'success', 'success']);
    const seeds = executes.map((e) => e.prompt_params.prompt['3'].inputs.seed as number);
    expect(new Set(seeds).size).toBe(3);
    for (const seed of seeds) expect(Number.isSafeInteger(seed) && seed >= 0).toBe(true);
    expect(readdirSync(out).sort()).toEqual([
      'ComfyUI_00001_-1.png',
      'ComfyUI_00001_-2.png',
      'ComfyUI_00001_.png',
    ]);

    const once = await cli(
      ['run', 'txt2img.json', '--seed', 'random', '--json', '--out', out],
      env,
      stack.dir,
    );
    expect(once.code, once.stderr).toBe(0);
    expect(JSON.parse(once.stdout).prompt_params.prompt['3'].inputs.seed).not.toBe(1);
    // Any seed ComfyUI takes, to 2^64-1, exact: the execute runs and records those digits.
    const biggest = await cli(
      ['run', 'txt2img.json', '--seed', '18446744073709551615', '--json', '--out', out],
      env,
      stack.dir,
    );
    expect(biggest.code, biggest.stderr).toBe(0);
    expect(biggest.stderr).toMatch(/^3\.seed=18446744073709551615$/m);
    expect(biggest.stdout).toMatch(/"seed": 18446744073709551615\b/);
    const id = (JSON.parse(biggest.stdout) as { prompt_id: string }).prompt_id;
    expect((await cli(['get', id, '--json'], env)).stdout).toMatch(/"seed": 18446744073709551615\b/);
    const tooBig = await cli(['run', 'txt2img.json', '--seed', '18446744073709551616'], env, stack.dir);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(
      /--seed 18446744073709551616: expected random or a whole number from 0 to 18446744073709551615/,
    );
  });

  it('sends a webhook when asked, and get shows its delivery', async () => {
    const delivered: { type: string; data: { prompt_id: string } }[] = [];
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        delivered.push(JSON.parse(body));
        res.writeHead(204).end();
        arrived();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const run = await cli(
        ['run', 'txt2img.json', '--webhook', url, '--out', join(stack.dir, 'out-hook')],
        env,
        stack.dir,
      );
      expect(run.code, run.stderr).toBe(0);
      const [id] = createdIds(run.stderr);
      await arrival;
      expect(delivered[0]).toMatchObject({ type: 'execute.success', data: { prompt_id: id } });
      let get = await cli(['get', id!], env);
      // The record says delivered once the delivery function has written it back.
      while (!/^webhook: /m.test(get.stdout) || /^webhook: \S+ (pending|retrying)/m.test(get.stdout))
        get = await cli(['get', id!], env);
      expect(get.stdout).toMatch(new RegExp(`^webhook: ${url} delivered \\(success, 1 attempt\\)$`, 'm'));
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('deletes executes and inputs', async () => {
    const run = await cli(['run', 'txt2img.json', '--no-wait'], env, stack.dir);
    const id = run.stdout.trim();
    await cli(['download', id, '--out', join(stack.dir, 'out-delete')], env);
    expect(await cli(['delete', id], env)).toMatchObject({ code: 0, stdout: `${id}  deleted\n` });
    expect((await cli(['get', id], env)).code).toBe(3);
    const again = await cli(['delete', id], env);
    expect(again).toMatchObject({ code: 3, stdout: '' });
    expect(again.stderr).toContain(`no execute ${id} (not yours, or already deleted)`);

    const upload = await cli(['inputs', 'upload', join(stack.dir, 'cat.png')], env);
    const name = upload.stdout.trim();
    expect(await cli(['inputs', 'delete', name], env)).toMatchObject({
      code: 0,
      stdout: `${name}  deleted\n`,
    });
    expect((await cli(['inputs', 'list'], env)).stdout).not.toContain(name);
  });

  it('uploads a model in parts, resumes an interrupted upload, lists and deletes it', async () => {
    const MIB = 1024 ** 2;
    // npm start's parts are 64 MiB: two parts, the second short.
    const bytes = Buffer.alloc(64 * MIB + 4096);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
    const path = join(stack.dir, 'ink.safetensors');
    writeFileSync(path, bytes);
    const target = { folder: 'loras', name: 'styles/ink.safetensors' };
    // A first upload stopped after its first part, its state where the command line keeps it.
    const store = uploadStateStore(
      stack.apiUrl,
      path,
      target,
      join(stack.dir, '.local/share/comfy-exec/uploads'),
    );
    const stop = new AbortController();
    const client = new ComfyExecClient({ apiUrl: stack.apiUrl, apiKey: stack.apiKey });
    const stopped = await client
      .uploadModel(new Blob([bytes]), target, stop.signal, {
        onState: (state) => {
          store.write(state);
          if (state.done.length === 1) stop.abort(new Error('stopped after part 1'));
        },
      })
      .catch((error: Error) => error.message);
    expect(stopped).toBe('stopped after part 1');
    expect(store.read()?.done.map((part) => part.part_number)).toEqual([1]);

    const upload = await cli(['models', 'upload', path, 'loras/styles/ink.safetensors'], env);
    expect(upload.code, upload.stderr).toBe(0);
    expect(upload.stderr).toContain('resuming: 1 of 2 parts already uploaded');
    expect(upload.stderr).toContain('loras/styles/ink.safetensors: 64.0 of 64.0 MiB');
    expect(upload.stdout).toBe(`loras/styles/ink.safetensors  ${bytes.length} bytes\n`);
    expect(existsSync(store.file)).toBe(false);
    const stored = await stack.s3.send(
      new GetObjectCommand({ Bucket: stack.bucket, Key: 'models/loras/styles/ink.safetensors' }),
    );
    const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(digest(await stored.Body!.transformToByteArray())).toBe(digest(bytes));

    const list = await cli(['models', 'list', '--folder', 'loras'], env);
    expect(list.stdout).toMatch(/^MODEL +BYTES +MODIFIED +SHA256\n/);
    expect(list.stdout).toMatch(new RegExp(`^loras/styles/ink\\.safetensors +${bytes.length} `, 'm'));
    expect(await cli(['models', 'delete', 'loras/styles/ink.safetensors'], env)).toMatchObject({
      code: 0,
      stdout: 'loras/styles/ink.safetensors  deleted\n',
    });
    expect(await cli(['models', 'list', '--folder', 'loras'], env)).toMatchObject({
      stdout: 'no models in loras\n',
    });
    expect((await cli(['models', 'delete', 'checkpoints'], env)).code).toBe(2);
  }, 120_000);

  it('imports models from a URL (models add --url, env import-models), shows them, and fails a wrong digest with exit 1', async () => {
    const source = new ModelSourceServer();
    const base = await source.start('127.0.0.1');
    const bytes = Buffer.alloc(3 * 1024 ** 2 + 11, 5);
    const digest = createHash('sha256').update(bytes).digest('hex');
    source.serve('files/ink-lora.safetensors', { bytes });
    try {
      const url = `${base}/files/ink-lora.safetensors`;
      const added = await cli(['models', 'add', 'loras', '--url', url], env);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toBe(`loras/ink-lora.safetensors  ${bytes.length} bytes  sha256 ${digest}\n`);
      expect(added.stderr).toContain(`loras/ink-lora.safetensors: 3.0 of 3.0 MiB`);
      const shown = await cli(['models', 'show', 'loras/ink-lora.safetensors'], env);
      expect(shown.stdout).toContain(
        `import: imported, 1/1 parts, ${bytes.length}/${bytes.length} bytes, from ${url}`,
      );

      // Upper-case hex (as Windows' Get-FileHash prints it) is taken.
      const wrong = await cli(
        ['models', 'add', 'loras/other.safetensors', '--url', url, '--sha256', 'A'.repeat(64)],
        env,
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`the file's SHA-256 is ${digest}, not the ${'a'.repeat(64)} declared`);
      // A URL that names no file (Civitai's /api/download/models/ID) wants FOLDER/NAME.
      const unnamed = await cli(
        ['models', 'add', 'loras', '--url', `${base}/api/download/models/12345`],
        env,
      );
      expect([unnamed.code, unnamed.stderr]).toEqual([
        2,
        expect.stringContaining(
          "the URL's last segment '12345' is not a file name: give the destination as FOLDER/NAME, e.g. loras/12345.safetensors",
        ),
      ]);
      const refused = await cli(['models', 'add', 'loras/x.safetensors', '--url', `${base}/missing`], env);
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('answered HTTP 404')]);

      // An environment's models: imported once, left alone when present, never imported over.
      const vae = Buffer.alloc(2 * 1024 ** 2, 9);
      const vaeDigest = createHash('sha256').update(vae).digest('hex');
      source.serve('files/env-vae.safetensors', { bytes: vae });
      const model = (folder: string, name: string, from: string, sha256: string) => ({
        folder,
        name,
        source: from,
        sha256,
      });
      writeFileSync(
        join(stack.dir, 'studio.json'),
        JSON.stringify({
          models: [
            model('vae', 'env-vae.safetensors', `${base}/files/env-vae.safetensors`, vaeDigest),
            model('loras', 'ink-lora.safetensors', url, digest),
            model('loras', 'ink-lora.safetensors', url, '1'.repeat(64)),
            model('upscale_models', 'gone.pth', `${base}/missing`, '2'.repeat(64)),
            model('checkpoints', 'mine.safetensors', 'library:checkpoints/mine.safetensors', '3'.repeat(64)),
          ],
        }),
      );
      const imported = await cli(['env', 'import-models', join(stack.dir, 'studio.json')], env);
      expect(imported.code, imported.stderr).toBe(1);
      const lines = imported.stdout.trim().split('\n');
      expect(lines).toEqual([
        'vae/env-vae.safetensors  imported',
        'loras/ink-lora.safetensors  present',
        `loras/ink-lora.safetensors  conflict: the library's loras/ink-lora.safetensors has SHA-256 ${digest}, not ${'1'.repeat(64)}: left as it is (rename the model in the file, or delete the library's)`,
        expect.stringMatching(/^upscale_models\/gone\.pth {2}failed: .*answered HTTP 404/),
        'checkpoints/mine.safetensors  skipped: not a URL: read from where it is',
      ]);
      const again = await cli(['env', 'import-models', join(stack.dir, 'studio.json'), '--json'], env);
      expect(JSON.parse(again.stdout.split('\n')[0]!)).toMatchObject({
        model: 'vae/env-vae.safetensors',
        outcome: 'present',
      });
    } finally {
      await source.stop();
    }
  }, 120_000);
});
