import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentJsonSchema } from '../../lib/config/environment-json-schema';
import { ENVIRONMENT_SCHEMA_FILE, loadEnvironments } from '../../lib/config/environments';
import { environmentsFolder } from './app-template';

const KJ_COMMIT = 'a5bd3c86c8ed6b83c55c2d0e7a59515b15a0137f';

const folder = environmentsFolder;

const problem = (files: Record<string, unknown>) => {
  try {
    loadEnvironments(folder(files));
  } catch (error) {
    return (error as Error).message;
  }
  return 'no problem';
};

describe('environments/{name}.json, as cdk synth reads them', () => {
  it('has none without the folder or its files (today’s single endpoint); the JSON Schema is not one', () => {
    expect(loadEnvironments(join(tmpdir(), 'no-such-environments'))).toEqual([]);
    expect(loadEnvironments(folder({ [ENVIRONMENT_SCHEMA_FILE]: environmentJsonSchema() }))).toEqual([]);
  });

  it('reads a pinned environment, filling what it leaves out', () => {
    const [kj] = loadEnvironments(
      folder({
        'kjvideo.json': {
          $schema: './environment.schema.json',
          comfyui: 'v0.3.64',
          custom_nodes: [
            { git: 'https://github.com/kijai/ComfyUI-KJNodes', commit: KJ_COMMIT },
            { registry: 'comfyui-impact-pack', version: '8.15.3' },
          ],
          pip: ['opencv-python-headless==4.10.0.84'],
          endpoint: {
            instance_type: 'ml.g5.xlarge',
            min_instances: 0,
            max_instances: 2,
            schedules: [{ cron: 'cron(0 8 ? * MON-FRI *)', timezone: 'Europe/Paris', min_instances: 1 }],
          },
        },
      }),
    );
    expect(kj).toMatchObject({ name: 'kjvideo', comfyui: 'v0.3.64', models: [] });
    expect(kj!.custom_nodes).toHaveLength(2);
    expect(loadEnvironments(folder({ 'Plain.json': {} }))).toEqual([
      { name: 'Plain', custom_nodes: [], pip: [], models: [], endpoint: {} },
    ]);
  });

  it('stops on the first problem with one line naming the file and the field', () => {
    const git = { git: 'https://github.com/kijai/ComfyUI-KJNodes', commit: KJ_COMMIT };
    expect(problem({ 'kj.json': { custom_nodes: [{ git: git.git }] } })).toBe(
      'environments/kj.json: custom_nodes.0.commit: missing: every pack is pinned (an environment builds the same image every time)',
    );
    expect(problem({ 'kj.json': { custom_nodes: [git, { registry: 'impact', version: '^8.1.0' }] } })).toBe(
      'environments/kj.json: custom_nodes.1.version: must be an exact version (x.y.z), not a range',
    );
    expect(problem({ 'kj.json': { custom_nodes: [{ url: git.git }] } })).toMatch(
      /^environments\/kj\.json: custom_nodes\.0: must be \{"git"/,
    );
    expect(problem({ 'kj.json': { custom_nodes: [{ ...git, commit: 'main' }] } })).toBe(
      'environments/kj.json: custom_nodes.0.commit: must be a 40-hex commit',
    );
    expect(problem({ 'kj.json': { endpoint: { instance_typ: 'ml.g5.xlarge' } } })).toMatch(
      /^environments\/kj\.json: endpoint: Unrecognized key.*instance_typ/,
    );
    expect(problem({ 'kj.json': { endpoint: { min_instances: 3, max_instances: 1 } } })).toBe(
      'environments/kj.json: endpoint.min_instances (3) is more than endpoint.max_instances (1)',
    );
    expect(
      problem({
        'kj.json': {
          models: [{ folder: 'checkpoints', name: 'a.safetensors', source: 'http://x/a', sha256: 'ab' }],
        },
      }),
    ).toBe('environments/kj.json: models.0.source: must be an https:// or s3:// URL, or library:FOLDER/NAME');
    // A token in a committed file that every key can read back (GET /workflows) is refused.
    expect(
      problem({
        'kj.json': { custom_nodes: [{ ...git, git: 'https://x-access-token:ghp_abc@github.com/o/r' }] },
      }),
    ).toBe(
      'environments/kj.json: custom_nodes.0.git: must not carry a password or token (the file is committed, and GET /workflows shows it to every API key): use a git credential helper or an SSH key for private repositories, pip.conf for a private index, and for a gated model its plain URL here, the host\'s token in Secrets Manager, and comfy-exec env import-models (README, "Models from a URL")',
    );
    expect(
      problem({
        'kj.json': {
          models: [
            {
              folder: 'loras',
              name: 'a',
              source: 'https://u:hf_secret@huggingface.co/a',
              sha256: 'a'.repeat(64),
            },
          ],
        },
      }),
    ).toMatch(/^environments\/kj\.json: models\.0\.source: must not carry a password or token/);
    for (const leak of [
      { custom_nodes: [{ ...git, git: 'https://ghp_token@github.com/o/r' }] },
      { pip: ['--extra-index-url https://__token__:pypi-secret@pypi.example/simple'] },
      {
        models: [
          {
            folder: 'loras',
            name: 'a',
            source: 'https://civitai.com/api/download/models/1?token=x',
            sha256: 'a'.repeat(64),
          },
        ],
      },
    ])
      expect(problem({ 'kj.json': leak })).toContain('must not carry a password or token');
    expect(problem({ 'kj.json': '{"pip": [' })).toMatch(/^environments\/kj\.json: not JSON: /);
    expect(problem({ 'kj-video.json': {} })).toMatch(
      /^environments\/kj-video\.json: the name 'kj-video' must start with a letter/,
    );
    expect(problem({ 'averyveryverylongname1.json': {} })).toMatch(/at most 20 characters/);
  });

  it('ships a JSON Schema for editors that is the one synth checks with (npm run environment-schema)', () => {
    const committed = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../environments', ENVIRONMENT_SCHEMA_FILE), 'utf8'),
    );
    expect(committed).toEqual(environmentJsonSchema());
  });
});
