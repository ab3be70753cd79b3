import { describe, expect, it } from 'vitest';
import { PromptValidationError, RequestValidationError } from '../../../lambda/domain/errors';
import { mintUploadedInputName } from '../../../lambda/domain/inputs/uploaded-input-name';
import { createExecute, dryRunExecute } from '../../../lambda/use-cases/create-execute';
import { fakeCreateDeps } from '../../fakes/use-case-deps';
import { createInput } from '../../fixtures/prompts';

const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const PNG_BASE64 = PNG_BYTES.toString('base64');

/** img2img's file half: LoadImage → SaveImage, and LoadAudio → SaveAudio. */
function loaders(image = 'cat.png', audio?: string) {
  return {
    '1': { class_type: 'LoadImage', inputs: { image } },
    '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'out' } },
    ...(audio
      ? {
          '3': { class_type: 'LoadAudio', inputs: { audio } },
          '4': { class_type: 'SaveAudio', inputs: { audio: ['3', 0], filename_prefix: 'audio/out' } },
        }
      : {}),
  };
}

async function staged(payloads: { objects: Map<string, string> }, promptPath: string) {
  return JSON.parse(payloads.objects.get(promptPath)!) as Record<string, any>;
}

describe('CreateExecute with inline inputs', () => {
  it('stages base64 and data: URL files beside the request and binds the prompt inputs that name them', async () => {
    const { deps, payloads } = fakeCreateDeps();
    const { record } = await createExecute(
      createInput({
        prompt: loaders('cat.png [input]', 'voice.wav'),
        inputs: {
          'cat.png': PNG_BASE64,
          'voice.wav': `data:audio/wav;base64,${Buffer.from('RIFF').toString('base64')}`,
        },
      }),
      'key-a',
      deps,
    );
    const request = await staged(payloads, record.prompt_path);
    expect(request).not.toHaveProperty('inputs');
    const prefix = `s3://bucket/executes/${record.prompt_id}/inputs-`;
    expect(request.input_files).toEqual([
      { name: 'cat.png', source: expect.stringMatching(new RegExp(`^${prefix}[0-9a-f]{16}/cat.png$`)) },
      {
        name: 'voice.wav',
        source: expect.stringMatching(/\/voice\.wav$/),
        content_type: 'audio/wav',
      },
    ]);
    expect(request.input_bindings).toEqual([
      { node_id: '1', input: 'image', name: 'cat.png', kind: 'image' },
      { node_id: '3', input: 'audio', name: 'voice.wav', kind: 'audio' },
    ]);
    expect(Buffer.from(payloads.files.get(request.input_files[0].source)!.bytes)).toEqual(PNG_BYTES);
    // The prompt the client sees is the one it sent.
    expect(record.prompt_params.prompt!['1']!.inputs.image).toBe('cat.png [input]');
  });

  it.each([
    ['a/b.png', 'not a path'],
    ['..png', "'..'"],
    ['nul\u0000.png', 'NUL'],
    [`${'x'.repeat(197)}.png`, 'at most 200 bytes'],
    ['noextension', 'needs an extension'],
    ['cat.png [output]', 'annotation'],
  ])('refuses the file name %j, naming what is wrong, and writes nothing', async (filename, why) => {
    const { deps, payloads, store } = fakeCreateDeps();
    const attempt = createExecute(
      createInput({ prompt: loaders(), inputs: { [filename]: PNG_BASE64 } }),
      'key-a',
      deps,
    );
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(why);
    expect(payloads.objects.size + payloads.files.size).toBe(0);
    expect(store.records.size).toBe(0);
  });

  it.each([
    ['data:image/png,notbase64', 'must be base64-encoded'],
    ['data:image/png;base64,%%%%', 'no valid base64'],
    ['data:text/html;base64,PGh0bWw+', "'text/html' is not an image"],
    ['not base64 at all!', 'must be a data: URL'],
    ['http://images.example.com/cat.png', 'only https://'],
    ['ftp://images.example.com/cat.png', 'only https://'],
    ['https://user:pw@images.example.com/cat.png', 'credentials'],
    ['https://127.0.0.1/cat.png', '127.0.0.1, which is not a public address'],
    ['https://10.0.0.1/cat.png', '10.0.0.1, which is not a public address'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254, which is not a public address'],
    ['https://[::1]/cat.png', '::1, which is not a public address'],
    ['https://[::ffff:10.0.0.1]/cat.png', 'not a public address'],
    ['https://metadata.internal/cat.png', 'resolves to 169.254.169.254'],
    ['https://nowhere.invalid/cat.png', 'does not resolve'],
    ['s3://someone-elses-bucket/cat.png', 'is not readable by executes'],
    ['s3://bucket/inputs/key-b/in-x-cat.png', 'is not readable by executes'],
    ['s3://bucket/inputs/key-a/missing.png', 'does not exist'],
    // Dot segments an emulator or proxy might resolve out of the caller's own prefix.
    ['s3://bucket/inputs/key-a/../key-b/in-x-cat.png', "'..' path segment"],
    ['s3://bucket/inputs/key-a/./../key-b/in-x-cat.png', "'..' path segment"],
    ['s3://bucket/inputs/key-a//in-x-cat.png', 'empty'],
  ])('refuses the source %j with a 400 and writes nothing', async (source, why) => {
    const { deps, payloads, hosts } = fakeCreateDeps();
    hosts.set('metadata.internal', ['169.254.169.254']);
    const attempt = createExecute(
      createInput({ prompt: loaders(), inputs: { 'cat.png': source } }),
      'key-a',
      deps,
    );
    await expect(attempt).rejects.toThrow(RequestValidationError);
    await expect(attempt).rejects.toThrow(why);
    expect(payloads.objects.size + payloads.files.size).toBe(0);
  });

  it('passes public https URLs and readable s3:// objects to the container to fetch', async () => {
    const { deps, payloads } = fakeCreateDeps();
    payloads.files.set('s3://shared-media/masks/m.png', { bytes: PNG_BYTES, contentType: 'image/png' });
    const prompt = {
      ...loaders('cat.png'),
      '5': { class_type: 'LoadImageMask', inputs: { image: 'm.png', channel: 'alpha' } },
      '6': { class_type: 'PreviewAny', inputs: { source: ['5', 0] } },
    };
    const { record } = await createExecute(
      createInput({
        prompt,
        inputs: { 'cat.png': 'https://images.example.com/cat.png', 'm.png': 's3://shared-media/masks/m.png' },
      }),
      'key-a',
      deps,
    );
    const request = await staged(payloads, record.prompt_path);
    expect(request.input_files).toEqual([
      { name: 'cat.png', source: 'https://images.example.com/cat.png' },
      { name: 'm.png', source: 's3://shared-media/masks/m.png', content_type: 'image/png' },
    ]);
    expect(payloads.files.size).toBe(1); // nothing copied: the container reads them where they are
  });

  it('refuses a declared type the reading node cannot use, before any GPU time', async () => {
    const { deps } = fakeCreateDeps();
    await expect(
      createExecute(
        createInput({ prompt: loaders(), inputs: { 'cat.png': `data:audio/wav;base64,${PNG_BASE64}` } }),
        'key-a',
        deps,
      ),
    ).rejects.toThrow("LoadImage (node 1) input 'image' reads image files, but 'cat.png' is audio/wav");
  });

  it('answers a file nobody brings as the real ComfyUI does, before anything is stored', async () => {
    const { deps, payloads, store } = fakeCreateDeps();
    const attempt = createExecute(
      createInput({ prompt: loaders('dog.png'), inputs: { 'cat.png': PNG_BASE64 } }),
      'key-a',
      deps,
    );
    await expect(attempt).rejects.toThrow(PromptValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as PromptValidationError;
    expect(error.data.node_errors['1']!.errors[0]).toEqual({
      type: 'custom_validation_failed',
      message: 'Custom validation failed for node',
      details: 'image - Invalid image file: dog.png',
      extra_info: { input_name: 'image' },
    });
    expect(payloads.objects.size + payloads.files.size).toBe(0);
    expect(store.records.size).toBe(0);
  });

  it.each([
    '../input/comfy-exec/6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99/cat.png',
    '/etc/passwd',
    'cat.png [output]',
  ])(
    'never lets a file input reach outside what the execute brings (%s), though ComfyUI itself would follow it',
    async (value) => {
      const { deps } = fakeCreateDeps();
      await expect(
        createExecute(
          createInput({ prompt: loaders(value), inputs: { 'cat.png': PNG_BASE64 } }),
          'key-a',
          deps,
        ),
      ).rejects.toThrow(PromptValidationError);
    },
  );

  it('dry_run checks the inputs the same way and writes nothing', async () => {
    const { deps, payloads } = fakeCreateDeps();
    const outcome = await dryRunExecute(
      createInput({ prompt: loaders(), inputs: { 'cat.png': PNG_BASE64 } }),
      'key-a',
      deps,
    );
    expect(outcome.node_errors).toEqual({});
    expect(payloads.objects.size + payloads.files.size).toBe(0);
    await expect(
      dryRunExecute(
        createInput({ prompt: loaders(), inputs: { 'cat.png': 'https://10.0.0.1/x.png' } }),
        'key-a',
        deps,
      ),
    ).rejects.toThrow('not a public address');
  });

  it('removes the files it staged when a concurrent request with another body wins the prompt_id', async () => {
    const { deps, payloads, store } = fakeCreateDeps();
    const prompt_id = '6a1f4c3e-1b7d-4c55-9a55-2f4d3b1c0e99';
    const racing = store.createIfAbsent.bind(store);
    store.createIfAbsent = async (record) => {
      await racing({ ...record, request_hash: 'someone-else' });
      return false;
    };
    await expect(
      createExecute(
        createInput({ prompt_id, prompt: loaders(), inputs: { 'cat.png': PNG_BASE64 } }),
        'key-a',
        deps,
      ),
    ).rejects.toThrow('already used');
    expect(payloads.files.size).toBe(0);
  });
});

describe('CreateExecute with uploaded inputs', () => {
  const name = mintUploadedInputName('cat.png', new Date('2026-12-01T00:00:00Z'), 'abcd1234');

  it("binds the caller's uploaded input, copied beside the request so a later delete cannot fail the run", async () => {
    const { deps, payloads, inputs } = fakeCreateDeps();
    inputs.upload('key-a', name);
    payloads.files.set(`s3://bucket/inputs/key-a/${name}`, { bytes: PNG_BYTES, contentType: 'image/png' });
    const { record } = await createExecute(createInput({ prompt: loaders(name) }), 'key-a', deps);
    const request = await staged(payloads, record.prompt_path);
    const copy = `s3://bucket/executes/${record.prompt_id}/inputs-${record.request_hash.slice(0, 16)}/${name}`;
    expect(request.input_files).toEqual([{ name, source: copy, content_type: 'image/png' }]);
    // The caller deletes the input while the execute is queued: the execute's copy stays.
    payloads.files.delete(`s3://bucket/inputs/key-a/${name}`);
    expect(payloads.files.get(copy)?.bytes).toEqual(PNG_BYTES);
    expect(request.input_bindings).toEqual([{ node_id: '1', input: 'image', name, kind: 'image' }]);
  });

  it("refuses another key's input name as unknown (never revealing it exists)", async () => {
    const { deps, inputs } = fakeCreateDeps();
    inputs.upload('key-b', name);
    const attempt = createExecute(createInput({ prompt: loaders(name) }), 'key-a', deps);
    await expect(attempt).rejects.toThrow(PromptValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as PromptValidationError;
    expect(error.data.node_errors['1']!.errors[0]!.details).toBe(`image - Invalid image file: ${name}`);
  });

  it('still accepts files the endpoint itself has (the catalog lists them) without staging anything', async () => {
    const { deps, payloads } = fakeCreateDeps();
    const { record } = await createExecute(createInput({ prompt: loaders('example.png') }), 'key-a', deps);
    const request = await staged(payloads, record.prompt_path);
    expect(request).not.toHaveProperty('input_files');
  });
});

describe("CreateExecute with ESD's need_prepare (prepare_type inputs)", () => {
  it("syncs every file under the prefix, by its relative path, and validates the prompt's names against them", async () => {
    const { deps, payloads } = fakeCreateDeps();
    payloads.files.set('s3://shared-media/sets/a/cat.png', { bytes: PNG_BYTES });
    payloads.files.set('s3://shared-media/sets/a/masks/m.png', { bytes: PNG_BYTES });
    const prepare = {
      need_prepare: true,
      prepare_props: { prepare_type: 'inputs', s3_source_path: 's3://shared-media/sets/a' },
    };
    const { record } = await createExecute(
      createInput({ prompt: loaders('masks/m.png'), ...prepare }),
      'key-a',
      deps,
    );
    const request = await staged(payloads, record.prompt_path);
    expect(request.input_files).toEqual([
      { name: 'cat.png', source: 's3://shared-media/sets/a/cat.png' },
      { name: 'masks/m.png', source: 's3://shared-media/sets/a/masks/m.png' },
    ]);
    expect(request.input_bindings).toEqual([
      { node_id: '1', input: 'image', name: 'masks/m.png', kind: 'image' },
    ]);
    await expect(
      createExecute(createInput({ prompt: loaders('other.png'), ...prepare }), 'key-a', deps),
    ).rejects.toThrow(PromptValidationError);
  });

  it.each([
    [
      { prepare_type: 'models', s3_source_path: 's3://shared-media/x/' },
      "prepare_type 'models' is not supported",
    ],
    [{ prepare_type: 'inputs' }, 's3_source_path must be an s3://bucket/prefix/ URI'],
    [{ prepare_type: 'inputs', s3_source_path: 's3://private-bucket/x/' }, 'is not readable by executes'],
  ])('refuses prepare_props %j with a 400', async (props, why) => {
    const { deps } = fakeCreateDeps();
    await expect(
      createExecute(
        createInput({ prompt: loaders(), need_prepare: true, prepare_props: props }),
        'key-a',
        deps,
      ),
    ).rejects.toThrow(why);
  });
});
