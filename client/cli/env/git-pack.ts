import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { GitPackEntry } from '../../src/environment-file';
import { InstallError } from './install-error';
import type { InstalledPack, PackPlace } from './pack-place';
import { lastLines, runCommand } from './run-command';

/** git never asks for a password on a terminal: a build would hang on it. */
const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0' };

const git = (args: string[], cwd?: string) =>
  runCommand('git', args, { env: GIT_ENV, ...(cwd ? { cwd } : {}) });

/**
 * Clones a pack's repository (any URL git reads, file:// included) and checks out its pinned
 * commit, submodules too, into `custom_nodes/{repository name}`. The clone is made beside the
 * ComfyUI folder's custom nodes and moved in whole, so a failed clone leaves nothing ComfyUI
 * would try to load. A folder already there at that commit is kept.
 */
export async function installGitPack(pack: GitPackEntry, place: PackPlace): Promise<InstalledPack> {
  const source = `${pack.git}@${pack.commit}`;
  if (existsSync(place.folder)) {
    const head = await git(['rev-parse', 'HEAD'], place.folder);
    if (head.code === 0 && head.output.trim() === pack.commit) return { ...place, source, kept: true };
    throw new InstallError(
      `${place.name}: ${place.folder} already exists and is not ${source}: remove it, or pin the commit it holds`,
    );
  }
  await rm(place.staging, { recursive: true, force: true });
  try {
    const clone = await git(['clone', '--quiet', '--no-checkout', '--', pack.git, place.staging]);
    if (clone.code !== 0)
      throw new InstallError(`${place.name}: git could not clone ${pack.git}`, lastLines(clone.output));
    const checkout = await git(['checkout', '--quiet', '--detach', pack.commit], place.staging);
    if (checkout.code !== 0)
      throw new InstallError(
        `${place.name}: commit ${pack.commit} is not in ${pack.git}`,
        lastLines(checkout.output),
      );
    const submodules = await git(['submodule', 'update', '--init', '--recursive', '--quiet'], place.staging);
    if (submodules.code !== 0)
      throw new InstallError(
        `${place.name}: its git submodules could not be fetched`,
        lastLines(submodules.output),
      );
    await rename(place.staging, place.folder);
  } finally {
    await rm(place.staging, { recursive: true, force: true });
  }
  return { ...place, source, kept: false };
}
