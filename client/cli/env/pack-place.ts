import { join } from 'node:path';
import type { GitPackEntry, RegistryPackEntry } from '../../src/environment-file';
import { InstallError } from './install-error';

/** Where a pack goes: `custom_nodes/{name}`, staged first in a folder ComfyUI never loads from. */
export interface PackPlace {
  name: string;
  folder: string;
  staging: string;
}

export interface InstalledPack extends PackPlace {
  /** `URL@commit` or `registry id@version`. */
  source: string;
  /** Already there at this pin: not fetched again. */
  kept: boolean;
}

/** A folder name ComfyUI loads as a pack, and no path trick. */
const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The folder a pack is installed in: the repository's name for git, the node id for the registry. */
export function packFolderName(pack: GitPackEntry | { registry: string }): string {
  if ('registry' in pack) return pack.registry;
  const last = pack.git.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  return last.replace(/\.git$/, '');
}

/** Each pack's place; two packs in one folder, or a name ComfyUI would not load, is refused. */
export function packPlaces(packs: (GitPackEntry | RegistryPackEntry)[], comfyui: string): PackPlace[] {
  const seen = new Map<string, number>();
  return packs.map((pack, index) => {
    const name = packFolderName(pack);
    if (!FOLDER_NAME.test(name) || name.endsWith('.disabled'))
      throw new InstallError(`custom_nodes.${index}: '${name}' cannot be a custom node folder name`);
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined)
      throw new InstallError(
        `custom_nodes.${index}: installs into custom_nodes/${name}, as custom_nodes.${earlier} does: keep one`,
      );
    seen.set(name.toLowerCase(), index);
    return {
      name,
      folder: join(comfyui, 'custom_nodes', name),
      staging: join(comfyui, '.comfy-exec-installing', name),
    };
  });
}
