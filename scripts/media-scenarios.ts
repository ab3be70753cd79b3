/**
 * The media scenarios of test/e2e/media.e2e.test.ts, against any running comfy-exec: `npm start`
 * on the simulator or on a real ComfyUI (COMFYUI_URL + COMFYUI_INPUT_DIR), or a deployment.
 * Every prompt is weight-free, so a CPU-only ComfyUI runs them for real.
 *
 *   API_URL=http://127.0.0.1:3000/prod/ API_KEY=... npx tsx scripts/media-scenarios.ts [--no-local-urls]
 *
 * Prints one line per scenario and exits 1 if any failed. `--no-local-urls` skips the scenarios
 * that serve files from this machine (a deployment cannot fetch them).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  halvesPng,
  inversionProblem,
  invertPrompt,
  maskedCompositePrompt,
  monoWav,
} from '../test/fixtures/media';

const apiUrl = process.env.API_URL;
const apiKey = process.env.API_KEY;
if (!apiUrl || !apiKey) {
  process.stderr.write('set API_URL (ending in /prod/) and API_KEY\n');
  process.exit(2);
}

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read field by field below
type Json = Record<string, any>;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(new URL(path, apiUrl), {
    method,
    headers: { 'x-api-key': apiKey!, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function finished(promptId: string): Promise<Json> {
  for (let i = 0; i < 1200; i++) {
    const { body } = await call('GET', `executes/${promptId}`);
    if (['success', 'failed', 'cancelled'].includes(body.data.status)) return body.data;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${promptId} did not finish within 5 minutes`);
}

async function execute(body: Record<string, unknown>) {
  const created = await call('POST', 'executes', body);
  if (created.status !== 201)
    throw new Error(`CreateExecute answered ${created.status}: ${created.body.message}`);
  return finished(created.body.data.prompt_id);
}

async function upload(bytes: Buffer, filename: string, contentType: string): Promise<string> {
  const created = await call('POST', 'inputs', { filename, content_type: contentType, size: bytes.length });
  if (created.status !== 201)
    throw new Error(`CreateInput answered ${created.status}: ${created.body.message}`);
  const { upload: target, name } = created.body.data;
  const put = await fetch(target.url, { method: 'PUT', headers: target.headers, body: bytes });
  if (put.status !== 200) throw new Error(`the upload answered ${put.status}`);
  return name;
}

const download = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

function succeeded(record: Json) {
  if (record.status !== 'success') throw new Error(`${record.status}: ${record.message}`);
  return record;
}

const image = halvesPng(48, 32);
const scenarios: [string, () => Promise<string>][] = [
  [
    'uploaded PNG → LoadImage → ImageInvert → SaveImage, output byte-checked',
    async () => {
      const name = await upload(image, 'cat.png', 'image/png');
      const record = succeeded(await execute({ prompt: invertPrompt(name) }));
      const problem = inversionProblem(await download(record.output_files[0]), image);
      if (problem) throw new Error(problem);
      return `${name} → ${record.outputs['3'].images[0].filename}`;
    },
  ],
  [
    'image + mask (inline data: URL) → ImageCompositeMasked: inverted exactly where masked',
    async () => {
      const name = await upload(image, 'room.png', 'image/png');
      const mask = halvesPng(48, 32, { red: true });
      const record = succeeded(
        await execute({
          prompt: maskedCompositePrompt(name, 'mask.png'),
          inputs: { 'mask.png': `data:image/png;base64,${mask.toString('base64')}` },
        }),
      );
      const problem = inversionProblem(await download(record.output_files[0]), image, (x) => x >= 24);
      if (problem) throw new Error(problem);
      return 'left half kept, right half inverted';
    },
  ],
  [
    'inline base64, one file name in two concurrent executes',
    async () => {
      const small = halvesPng(8, 4);
      const [a, b] = await Promise.all([
        execute({ prompt: invertPrompt('in.png'), inputs: { 'in.png': image.toString('base64') } }),
        execute({ prompt: invertPrompt('in.png [input]'), inputs: { 'in.png': small.toString('base64') } }),
      ]);
      for (const [record, input] of [
        [a, image],
        [b, small],
      ] as const) {
        const problem = inversionProblem(await download(succeeded(record).output_files[0]), input);
        if (problem) throw new Error(problem);
      }
      return 'each output from its own input';
    },
  ],
  [
    'LoadAudio (inline WAV) → SaveAudio',
    async () => {
      const voice = monoWav(Array.from({ length: 800 }, (_, i) => Math.round(Math.sin(i / 4) * 8000)));
      const record = succeeded(
        await execute({
          prompt: {
            '1': { class_type: 'LoadAudio', inputs: { audio: 'voice.wav' } },
            '2': { class_type: 'SaveAudio', inputs: { audio: ['1', 0], filename_prefix: 'audio/voice' } },
          },
          inputs: { 'voice.wav': `data:audio/wav;base64,${voice.toString('base64')}` },
        }),
      );
      const [item] = record.outputs['2'].audio;
      const bytes = await download(item.url);
      return `${item.subfolder}/${item.filename}, ${bytes.length} bytes, starts '${bytes.subarray(0, 4).toString('latin1')}'`;
    },
  ],
  [
    'PreviewAny text in outputs',
    async () => {
      const record = succeeded(
        await execute({
          prompt: {
            '1': { class_type: 'PrimitiveString', inputs: { value: 'hello' } },
            '2': {
              class_type: 'StringConcatenate',
              inputs: { string_a: ['1', 0], string_b: 'world', delimiter: ', ' },
            },
            '3': { class_type: 'PreviewAny', inputs: { source: ['2', 0] } },
          },
        }),
      );
      if (record.outputs['3'].text[0] !== 'hello, world') throw new Error(JSON.stringify(record.outputs));
      return JSON.stringify(record.outputs['3']);
    },
  ],
  [
    'an unknown input name: 400 before anything runs',
    async () => {
      const answer = await call('POST', 'executes', {
        prompt: invertPrompt('in-00000000000000000-nope.png'),
      });
      const error = answer.body.data?.node_errors?.['1']?.errors?.[0];
      if (answer.status !== 400 || error?.type !== 'custom_validation_failed')
        throw new Error(JSON.stringify(answer.body));
      return `${answer.status} ${error.type}: ${error.details}`;
    },
  ],
  [
    'bytes that are not what was declared: the execute fails naming both',
    async () => {
      const name = await upload(monoWav([1, 2, 3]), 'fake.png', 'image/png');
      const record = await execute({ prompt: invertPrompt(name) });
      if (record.status !== 'failed' || !record.message.includes('but its bytes are audio/wav'))
        throw new Error(`${record.status}: ${record.message}`);
      return record.message;
    },
  ],
];

const localUrlScenarios: [string, (base: string) => Promise<string>][] = [
  [
    'URL input from a web server on this machine',
    async (base) => {
      const record = succeeded(
        await execute({ prompt: invertPrompt('cat.png'), inputs: { 'cat.png': `${base}/cat.png` } }),
      );
      const problem = inversionProblem(await download(record.output_files[0]), image);
      if (problem) throw new Error(problem);
      return 'fetched and inverted';
    },
  ],
  [
    'URL redirecting to the metadata service: failed, never fetched',
    async (base) => {
      const record = await execute({
        prompt: invertPrompt('cat.png'),
        inputs: { 'cat.png': `${base}/to-metadata` },
      });
      if (record.status !== 'failed') throw new Error(`${record.status}: ${record.message}`);
      return record.message;
    },
  ],
];

const server = createServer((req, res) => {
  if (req.url === '/cat.png') res.writeHead(200, { 'content-type': 'image/png' }).end(image);
  else if (req.url === '/to-metadata')
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  else res.writeHead(404).end();
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const all = [
  ...scenarios,
  ...(process.argv.includes('--no-local-urls')
    ? []
    : localUrlScenarios.map(([name, run]) => [name, () => run(base)] as [string, () => Promise<string>])),
];
let failures = 0;
for (const [name, run] of all) {
  const started = Date.now();
  try {
    const detail = await run();
    process.stdout.write(`PASS ${name} (${Date.now() - started} ms): ${detail}\n`);
  } catch (error) {
    failures++;
    process.stdout.write(`FAIL ${name} (${Date.now() - started} ms): ${(error as Error).message}\n`);
  }
}
server.close();
process.stdout.write(`${all.length - failures} passed, ${failures} failed\n`);
process.exit(failures === 0 ? 0 : 1);
