import { realpathSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { InstallError } from './install-error';
import type { InstalledPack } from './pack-place';
import { IMPORT_CHECK_PY } from './python-scripts';
import { lastLines, runCommand } from './run-command';

const CheckAnswer = z.object({
  exit: z.number(),
  packs: z.record(
    z.string(),
    z.object({ loaded: z.boolean(), nodes: z.array(z.string()), log: z.array(z.string()) }),
  ),
});

export interface LoadedPack extends InstalledPack {
  /** The node classes the pack registered, as prompts name them (`class_type`). */
  nodes: string[];
}

/**
 * Starts ComfyUI's own node loading with the environment's interpreter and fails if any pack
 * did not import, registered no node, or was never loaded: the image must not be built with a
 * pack that would be missing when a prompt needs it.
 */
export async function checkPacksImport(
  packs: InstalledPack[],
  python: string,
  comfyui: string,
): Promise<LoadedPack[]> {
  if (packs.length === 0) return [];
  const script = join(comfyui, '.comfy-exec-import-check.py');
  const output = join(comfyui, '.comfy-exec-import-check.json');
  const folders = packs.map((pack) => realpathSync(pack.folder));
  await writeFile(script, IMPORT_CHECK_PY);
  let answer: z.infer<typeof CheckAnswer>;
  try {
    await rm(output, { force: true });
    const run = await runCommand(python, [script, JSON.stringify(folders), output], { cwd: comfyui });
    const text = await readFile(output, 'utf8').catch(() => undefined);
    const parsed = text === undefined ? undefined : z.safeParse(CheckAnswer, JSON.parse(text));
    if (!parsed?.success)
      throw new InstallError(
        `ComfyUI did not start with ${python} in ${comfyui}, so no pack could be checked`,
        lastLines(run.output),
      );
    answer = parsed.data;
  } finally {
    await rm(script, { force: true });
    await rm(output, { force: true });
  }
  const failures: string[] = [];
  const loaded = packs.map((pack, index) => {
    const result = answer.packs[folders[index]!];
    if (!result)
      failures.push(`${pack.name}: ComfyUI did not load it (no __init__.py, or not in custom_nodes/)`);
    else if (!result.loaded)
      failures.push(
        `${pack.name} failed to import:`,
        ...lastLines(result.log.join('\n'), 15).map((line) => `    ${line}`),
      );
    else if (result.nodes.length === 0) failures.push(`${pack.name}: imported, but registered no node`);
    return { ...pack, nodes: result?.nodes ?? [] };
  });
  if (failures.length > 0) throw new InstallError('custom node packs that ComfyUI cannot use:', failures);
  return loaded;
}
