import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './cli-harness';

const FAKE_COMFYUI = join(import.meta.dirname, '../fixtures/fake-comfyui');

/** A ComfyUI folder: the stand-in's main.py and nodes.py (README.md beside them says what they keep). */
function comfyFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'env-install-comfyui-'));
  for (const file of ['main.py', 'nodes.py']) cpSync(join(FAKE_COMFYUI, file), join(dir, file));
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();

/** A node pack in a git repository of its own: one commit per set of files; answers each commit. */
function gitPack(name: string, ...versions: Record<string, string>[]): { url: string; commits: string[] } {
  const repo = join(mkdtempSync(join(tmpdir(), 'env-install-pack-')), name);
  mkdirSync(repo);
  git(repo, 'init', '--quiet', '--initial-branch=main');
  const commits = versions.map((files, index) => {
    for (const [file, text] of Object.entries(files)) writeFileSync(join(repo, file), text);
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', `version ${index}`);
    return git(repo, 'rev-parse', 'HEAD');
  });
  return { url: `file://${repo}`, commits };
}

/** A tiny pure-Python node pack, shaped as packs are: the node in its own module, mappings in __init__.py. */
const tinyPack = (nodeName: string, requirements?: string): Record<string, string> => ({
  '__init__.py': `from .invert import Invert\nNODE_CLASS_MAPPINGS = {"${nodeName}": Invert}\nNODE_DISPLAY_NAME_MAPPINGS = {"${nodeName}": "Invert (tiny)"}\n`,
  'invert.py': [
    'class Invert:',
    '    @classmethod',
    '    def INPUT_TYPES(cls):',
    '        return {"required": {"image": ("IMAGE",)}}',
    '    RETURN_TYPES = ("IMAGE",)',
    '    FUNCTION = "run"',
    '    CATEGORY = "image"',
    '    def run(self, image):',
    '        return (1.0 - image,)',
    '',
  ].join('\n'),
  ...(requirements === undefined ? {} : { 'requirements.txt': requirements }),
});

/**
 * The interpreter, seen through a wrapper: every call is logged, and `-m pip` never reaches a
 * package index (none is reachable here): it logs the requirements and constraints it was
 * given and exits with FAKE_PIP_EXIT.
 */
function loggingPython(dir: string): { python: string; log: () => string } {
  const log = join(dir, 'python-calls.log');
  const python = join(dir, 'python');
  writeFileSync(
    python,
    [
      '#!/bin/sh',
      `printf 'CALL %s\\n' "$*" >> '${log}'`,
      'if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then',
      '  while [ $# -gt 0 ]; do',
      `    case "$1" in -r|-c) printf 'FILE %s\\n' "$1" >> '${log}'; cat "$2" >> '${log}'; shift ;; esac`,
      '    shift',
      '  done',
      '  echo "ERROR: No matching distribution found (the fake pip)" >&2',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      '  exit "${FAKE_PIP_EXIT:-0}"',
      'fi',
      'exec python3 "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(python, 0o755);
  return { python, log: () => (existsSync(log) ? readFileSync(log, 'utf8') : '') };
}

function environmentFile(body: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'env-install-file-')), 'tiny.json');
  writeFileSync(file, JSON.stringify(body));
  return file;
}

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: tmpdir(),
  ...extra,
});

describe('comfy-exec env install, against a ComfyUI folder', () => {
  it('clones a git pack at its pinned commit (file://), skips pip when every requirement is met, and lists its nodes', async () => {
    const pack = gitPack(
      'ComfyUI-Tiny',
      tinyPack('TinyInvert', 'pip>=20\n# a comment\n'),
      tinyPack('TinyInvertNext'),
    );
    const comfyui = comfyFolder();
    const python = loggingPython(comfyui);
    const file = environmentFile({ custom_nodes: [{ git: pack.url, commit: pack.commits[0] }] });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui, '--python', python.python], env());
    expect(run.stderr).toContain(`ComfyUI-Tiny: installed ${pack.url}@${pack.commits[0]}`);
    expect(run.stderr).toContain('requirements: 1 already satisfied');
    expect(run.stderr).toContain('pip not run');
    expect(run.stdout).toBe(`ComfyUI-Tiny (${pack.url}@${pack.commits[0]}): 1 node class: TinyInvert\n`);
    expect(run.code).toBe(0);
    expect(git(join(comfyui, 'custom_nodes/ComfyUI-Tiny'), 'rev-parse', 'HEAD')).toBe(pack.commits[0]);
    expect(python.log()).not.toContain('-m pip');
    expect(python.log()).toContain('.comfy-exec-import-check.py');
    // Nothing of the installer's is left in the ComfyUI folder.
    expect(
      execFileSync('ls', ['-A', comfyui], { encoding: 'utf8' }).split('\n').filter(Boolean).sort(),
    ).toEqual([
      '__pycache__', // ComfyUI's own: Python wrote it importing nodes.py
      'custom_nodes',
      'main.py',
      'nodes.py',
      'python',
      'python-calls.log',
    ]);

    // Again: the pack is already there at its commit, and stays.
    const again = await cli(
      ['env', 'install', file, '--comfyui', comfyui, '--python', python.python, '--json'],
      env(),
    );
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`ComfyUI-Tiny: already at ${pack.url}@${pack.commits[0]}`);
    expect(JSON.parse(again.stdout)).toEqual([
      {
        name: 'ComfyUI-Tiny',
        source: `${pack.url}@${pack.commits[0]}`,
        folder: join(comfyui, 'custom_nodes/ComfyUI-Tiny'),
        nodes: ['TinyInvert'],
      },
    ]);

    // Pinned elsewhere, the folder is not silently replaced.
    const moved = environmentFile({ custom_nodes: [{ git: pack.url, commit: pack.commits[1] }] });
    const refused = await cli(
      ['env', 'install', moved, '--comfyui', comfyui, '--python', python.python],
      env(),
    );
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(
      `ComfyUI-Tiny: ${join(comfyui, 'custom_nodes/ComfyUI-Tiny')} already exists and is not`,
    );
  });

  it('fails the build naming a pack that raises on import, with the last lines of its error', async () => {
    const good = gitPack('GoodPack', tinyPack('GoodNode'));
    const broken = gitPack('BrokenPack', {
      '__init__.py': 'from .nodes import NODE_CLASS_MAPPINGS\n',
      'nodes.py': 'import not_installed_anywhere_xyz\nNODE_CLASS_MAPPINGS = {}\n',
    });
    const empty = gitPack('EmptyPack', { '__init__.py': 'NODE_CLASS_MAPPINGS = {}\n' });
    const comfyui = comfyFolder();
    const file = environmentFile({
      custom_nodes: [
        { git: good.url, commit: good.commits[0] },
        { git: broken.url, commit: broken.commits[0] },
        { git: empty.url, commit: empty.commits[0] },
      ],
    });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui], env());
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('custom node packs that ComfyUI cannot use:');
    expect(run.stderr).toContain('BrokenPack failed to import:');
    expect(run.stderr).toContain("ModuleNotFoundError: No module named 'not_installed_anywhere_xyz'");
    expect(run.stderr).toContain('EmptyPack: imported, but registered no node');
    expect(run.stderr).not.toMatch(/GoodPack (failed|:)/);
  });

  it('refuses a requirement that would replace torch, naming the pack and the line, before pip runs', async () => {
    const pack = gitPack('TorchPinner', tinyPack('TorchPinnerNode', 'numpy\ntorch==1.13.1\n'));
    const comfyui = comfyFolder();
    const python = loggingPython(comfyui);
    const file = environmentFile({
      custom_nodes: [{ git: pack.url, commit: pack.commits[0] }],
      pip: ['torchaudio>=0.1'],
    });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui, '--python', python.python], env());
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('torch, torchvision and torchaudio are the base image');
    expect(run.stderr).toMatch(
      /TorchPinner: 'torch==1\.13\.1' would (replace the base image's torch|install torch)/,
    );
    expect(run.stderr).toMatch(/environment pip: 'torchaudio>=0\.1' would/);
    expect(run.stderr).not.toContain("'numpy'");
    expect(python.log()).not.toContain('-m pip');
  });

  it('installs what is missing with pip, holding torch where it is, and says when pip fails', async () => {
    const pack = gitPack('NeedsThings', {
      ...tinyPack(
        'NeedsThingsNode',
        '-r extra.txt\nsome-package-not-installed==1.2.3 ; python_version >= "3"\n',
      ),
      'extra.txt': '--extra-index-url https://example.invalid/simple\nanother-missing-package\npip\n',
    });
    const comfyui = comfyFolder();
    const python = loggingPython(comfyui);
    const file = environmentFile({
      custom_nodes: [{ git: pack.url, commit: pack.commits[0] }],
      pip: ['yet-another-one>=2'],
    });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui, '--python', python.python], env());
    expect(run.stderr).toContain('requirements: pip installed 3 (1 already satisfied)');
    expect(run.code).toBe(0);
    const pipCall = python.log().slice(python.log().indexOf('-m pip'));
    expect(pipCall).toContain(
      'FILE -r\n--extra-index-url https://example.invalid/simple\nanother-missing-package\nsome-package-not-installed==1.2.3 ; python_version >= "3"\nyet-another-one>=2\n',
    );
    expect(pipCall).toContain('FILE -c\n');

    const failing = await cli(
      ['env', 'install', file, '--comfyui', comfyFolder(), '--python', python.python],
      env({ FAKE_PIP_EXIT: '1' }),
    );
    expect(failing.code).toBe(4);
    expect(failing.stderr).toContain("pip could not install: 'another-missing-package' (NeedsThings)");
    expect(failing.stderr).toContain('No matching distribution found (the fake pip)');
  });

  it('names a commit the repository does not have, and leaves no half-cloned pack behind', async () => {
    const pack = gitPack('Pinned', tinyPack('PinnedNode'));
    const comfyui = comfyFolder();
    const file = environmentFile({ custom_nodes: [{ git: pack.url, commit: 'f'.repeat(40) }] });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui], env());
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`Pinned: commit ${'f'.repeat(40)} is not in ${pack.url}`);
    expect(existsSync(join(comfyui, 'custom_nodes/Pinned'))).toBe(false);
    expect(existsSync(join(comfyui, '.comfy-exec-installing'))).toBe(false);
  });

  it('answers usage errors (exit 2) for a bad environment file or a folder that is not ComfyUI', async () => {
    const comfyui = comfyFolder();
    const unpinned = environmentFile({ custom_nodes: [{ git: 'https://github.com/kijai/ComfyUI-KJNodes' }] });
    const run = await cli(['env', 'install', unpinned, '--comfyui', comfyui], env());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${unpinned}: custom_nodes.0.commit: missing: every pack is pinned`);
    const notComfy = await cli(['env', 'install', environmentFile({}), '--comfyui', tmpdir()], env());
    expect(notComfy.code).toBe(2);
    expect(notComfy.stderr).toContain('is not a ComfyUI folder');
  });
});

describe('comfy-exec env install, from the Comfy registry (a local fake of its install endpoint)', () => {
  let server: Server;
  let registry: string;
  const archives = new Map<string, Uint8Array>();
  const published = new Map<string, string>();

  beforeAll(async () => {
    const encode = (files: Record<string, string>) =>
      zipSync(
        Object.fromEntries(
          Object.entries(files).map(([name, text]) => [name, new TextEncoder().encode(text)]),
        ),
      );
    archives.set('tiny-registry-pack', encode(tinyPack('RegistryInvert')));
    archives.set('zip-slip-pack', encode({ ...tinyPack('SlipNode'), '../../escaped.py': 'x = 1\n' }));
    published.set('tiny-registry-pack', '1.0.2');
    published.set('zip-slip-pack', '0.1.0');
    server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://registry');
      const install = /^\/nodes\/([^/]+)\/install$/.exec(url.pathname);
      if (install && published.has(install[1]!)) {
        // As the registry does for a version it does not have: it answers the latest instead.
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            id: `${install[1]}-v`,
            version: published.get(install[1]!),
            downloadUrl: `${registry}/archives/${install[1]}.zip`,
          }),
        );
        return;
      }
      const archive = /^\/archives\/([^/]+)\.zip$/.exec(url.pathname);
      if (archive && archives.has(archive[1]!)) {
        response.end(archives.get(archive[1]!));
        return;
      }
      response.statusCode = 404;
      response.end('{"message":"Node not found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches the pinned version into custom_nodes/{id} and checks it imports', async () => {
    const comfyui = comfyFolder();
    const file = environmentFile({ custom_nodes: [{ registry: 'tiny-registry-pack', version: '1.0.2' }] });
    const run = await cli(['env', 'install', file, '--comfyui', comfyui, '--registry', registry], env());
    expect(run.stderr).toContain('tiny-registry-pack: installed registry tiny-registry-pack@1.0.2');
    expect(run.stdout).toBe(
      'tiny-registry-pack (registry tiny-registry-pack@1.0.2): 1 node class: RegistryInvert\n',
    );
    expect(run.code).toBe(0);
    const again = await cli(['env', 'install', file, '--comfyui', comfyui, '--registry', registry], env());
    expect(again.stderr).toContain('tiny-registry-pack: already at registry tiny-registry-pack@1.0.2');
    expect(again.code).toBe(0);
  });

  it('refuses another version than the pinned one, an unknown pack, and an archive entry outside the pack', async () => {
    const comfyui = comfyFolder();
    const wrongVersion = await cli(
      [
        'env',
        'install',
        environmentFile({ custom_nodes: [{ registry: 'tiny-registry-pack', version: '1.0.1' }] }),
        '--comfyui',
        comfyui,
        '--registry',
        registry,
      ],
      env(),
    );
    expect(wrongVersion.code).toBe(4);
    expect(wrongVersion.stderr).toContain('the registry offered version 1.0.2 for tiny-registry-pack@1.0.1');
    const unknown = await cli(
      [
        'env',
        'install',
        environmentFile({ custom_nodes: [{ registry: 'no-such-pack', version: '1.0.0' }] }),
        '--comfyui',
        comfyui,
        '--registry',
        registry,
      ],
      env(),
    );
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('no-such-pack: the registry answered 404 for no-such-pack@1.0.0');
    const slip = await cli(
      [
        'env',
        'install',
        environmentFile({ custom_nodes: [{ registry: 'zip-slip-pack', version: '0.1.0' }] }),
        '--comfyui',
        comfyui,
        '--registry',
        registry,
      ],
      env(),
    );
    expect(slip.code).toBe(4);
    expect(slip.stderr).toContain(
      "zip-slip-pack: its archive holds '../../escaped.py', outside the pack's folder",
    );
    expect(existsSync(join(comfyui, '../escaped.py'))).toBe(false);
    expect(existsSync(join(comfyui, 'custom_nodes/zip-slip-pack'))).toBe(false);
  });
});
