/**
 * `comfy-exec env install` on one git pack (file://, one small commit) whose requirement the
 * interpreter already satisfies, into the stand-in ComfyUI folder of the tests: the installer's
 * own time with no pip and no network (the image build's case for a pure-Python pack). Measured
 * fresh (clone, requirement check, ComfyUI's import check) and again with the pack kept, against
 * the floor of starting that Python once.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installEnvironment } from '../client/cli/env/install';
import { quantile } from './stats';

export interface EnvInstallResult {
  rounds: number;
  freshMs: number;
  keptMs: number;
  pythonStartMs: number;
}

const FAKE_COMFYUI = join(import.meta.dirname, '../test/fixtures/fake-comfyui');

export async function benchEnvInstall(rounds: number): Promise<EnvInstallResult> {
  const work = mkdtempSync(join(tmpdir(), 'bench-env-install-'));
  try {
    const repo = join(work, 'TinyPack');
    mkdirSync(repo);
    writeFileSync(join(repo, '__init__.py'), 'class Tiny:\n    pass\nNODE_CLASS_MAPPINGS = {"Tiny": Tiny}\n');
    writeFileSync(join(repo, 'requirements.txt'), 'pip>=20\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], {
        cwd: repo,
        encoding: 'utf8',
      });
    git('init', '--quiet');
    git('add', '.');
    git('commit', '--quiet', '-m', 'tiny');
    const commit = git('rev-parse', 'HEAD').trim();
    const file = join(work, 'tiny.json');
    writeFileSync(file, JSON.stringify({ custom_nodes: [{ git: `file://${repo}`, commit }] }));
    const fresh: number[] = [];
    const kept: number[] = [];
    const pythonStart: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const comfyui = join(work, `comfyui-${round}`);
      mkdirSync(comfyui);
      for (const name of ['main.py', 'nodes.py']) cpSync(join(FAKE_COMFYUI, name), join(comfyui, name));
      const options = {
        file,
        comfyui,
        python: 'python3',
        registryUrl: 'http://127.0.0.1:9',
        info: () => {},
        echo: () => {},
      };
      let started = performance.now();
      await installEnvironment(options);
      fresh.push(performance.now() - started);
      started = performance.now();
      await installEnvironment(options);
      kept.push(performance.now() - started);
      started = performance.now();
      execFileSync('python3', ['-c', 'pass']);
      pythonStart.push(performance.now() - started);
    }
    const median = (values: number[]) => Number(quantile(values, 0.5).toFixed(1));
    return { rounds, freshMs: median(fresh), keptMs: median(kept), pythonStartMs: median(pythonStart) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchEnvInstall(Number(process.argv[2] ?? 5)), null, 2));
  process.exit(0);
}
