import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EnvironmentFileError, parseEnvironmentFile } from '../../src/environment-file';
import { UsageError } from '../exit-codes';
import { installGitPack } from './git-pack';
import { checkPacksImport, type LoadedPack } from './import-check';
import { packPlaces } from './pack-place';
import { installRegistryPack } from './registry-pack';
import { environmentRequirements } from './requirement-lines';
import { installRequirements } from './requirements';

export interface InstallOptions {
  file: string;
  comfyui: string;
  python: string;
  registryUrl: string;
  /** What is going on, a line at a time. */
  info(line: string): void;
  /** pip's own output as it comes. */
  echo(chunk: string): void;
}

export interface InstallOutcome {
  packs: LoadedPack[];
  /** Requirement lines pip installed; none when every one was already satisfied. */
  pipInstalled: string[];
  satisfied: number;
}

/**
 * `comfy-exec env install`: makes an environment file's custom node packs and Python packages
 * present in a ComfyUI folder, then proves ComfyUI loads each pack. The image build runs this;
 * so can anyone with a ComfyUI checkout.
 */
export async function installEnvironment(options: InstallOptions): Promise<InstallOutcome> {
  const comfyui = resolve(options.comfyui);
  if (!existsSync(join(comfyui, 'main.py')) || !existsSync(join(comfyui, 'nodes.py')))
    throw new UsageError(`${options.comfyui} is not a ComfyUI folder (no main.py and nodes.py)`);
  const text = await readFile(options.file, 'utf8').catch(() => {
    throw new UsageError(`cannot read ${options.file}`);
  });
  let environment: ReturnType<typeof parseEnvironmentFile>;
  try {
    environment = parseEnvironmentFile(text, options.file);
  } catch (error) {
    if (error instanceof EnvironmentFileError) throw new UsageError(error.message);
    throw error;
  }
  const places = packPlaces(environment.custom_nodes, comfyui);
  await mkdir(join(comfyui, 'custom_nodes'), { recursive: true });
  if (!statSync(join(comfyui, 'custom_nodes')).isDirectory())
    throw new UsageError(`${comfyui}/custom_nodes is not a folder`);
  const packs = [];
  try {
    for (const [index, pack] of environment.custom_nodes.entries()) {
      const place = places[index]!;
      const installed =
        'git' in pack
          ? await installGitPack(pack, place)
          : await installRegistryPack(pack, place, options.registryUrl);
      options.info(`${installed.name}: ${installed.kept ? 'already at' : 'installed'} ${installed.source}`);
      packs.push(installed);
    }
  } finally {
    await rm(join(comfyui, '.comfy-exec-installing'), { recursive: true, force: true });
  }
  const lines = environmentRequirements(packs, environment.pip);
  const pip = await installRequirements(lines, options.python, comfyui, options.echo);
  options.info(
    lines.every((line) => line.option)
      ? 'requirements: none; pip not run'
      : pip.installed.length === 0
        ? `requirements: ${pip.satisfied} already satisfied by ${options.python}; pip not run`
        : `requirements: pip installed ${pip.installed.length} (${pip.satisfied} already satisfied)`,
  );
  const loaded = await checkPacksImport(packs, options.python, comfyui);
  return { packs: loaded, pipInstalled: pip.installed.map((line) => line.line), satisfied: pip.satisfied };
}
