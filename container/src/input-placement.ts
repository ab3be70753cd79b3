import { mkdir, rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { executeInputFolder } from '../../lambda/domain/inputs/staged-inputs';
import { InputUnusableError } from './input-unusable-error';

/**
 * Where one execute's input files go so that ComfyUI reads them: straight into ComfyUI's input
 * folder when this container sees it (the image), else through ComfyUI's own upload route.
 */
export interface InputPlacement {
  /** Where the file `name` is fetched to on this container's disk (its parent folder exists). */
  pathFor(name: string): Promise<string>;
  /** Makes the fetched file readable by ComfyUI; resolves to the value a prompt names it by. */
  publish(name: string, path: string): Promise<string>;
  /** Takes away what the execute put there, as far as that place allows. */
  cleanUp(): Promise<void>;
}

/** The path of `name` inside `folder`, refusing anything that would leave it. */
export function inside(folder: string, name: string): string {
  const path = resolve(folder, name);
  if (!path.startsWith(folder + sep))
    throw new InputUnusableError(`input name '${name}' leaves the execute's input folder`, 'refused');
  return path;
}

/** Files written where ComfyUI reads them (`comfy-exec/{prompt_id}/{name}`); the folder goes after. */
export function folderPlacement(inputDir: string, promptId: string): InputPlacement {
  const relativeFolder = executeInputFolder(promptId);
  const folder = resolve(inputDir, relativeFolder);
  return {
    async pathFor(name) {
      const path = inside(folder, name);
      await mkdir(resolve(path, '..'), { recursive: true });
      return path;
    },
    publish: async (name) => `${relativeFolder}/${name}`,
    cleanUp: () => rm(folder, { recursive: true, force: true }),
  };
}
