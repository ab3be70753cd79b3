import { existsSync } from 'node:fs';
import { environmentNameProblem } from '../client/src/environment-file';
import type { LocalEnvironment } from './local-stack-options';

/**
 * `ENVIRONMENTS=basic,video=http://127.0.0.1:8188,nodes=./object_info.json`: one endpoint per
 * environment, `comfy-async-{name}` as deployed (the first is the default), each on a ComfyUI of
 * its own: the simulator, a ComfyUI at that URL (one you installed the environment into with
 * `comfy-exec env install`), or the simulator with that /object_info file's nodes.
 * Throws one line naming the entry that is wrong.
 */
export function parseEnvironmentsOption(value: string): LocalEnvironment[] {
  const seen = new Set<string>();
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [name = '', ...rest] = entry.split('=');
      const target = rest.join('=');
      const problem = environmentNameProblem(name);
      if (problem) throw new Error(`ENVIRONMENTS: ${problem}`);
      if (seen.has(name.toLowerCase())) throw new Error(`ENVIRONMENTS: '${name}' is named twice`);
      seen.add(name.toLowerCase());
      if (target === '') return { name };
      if (/^https?:\/\//.test(target)) {
        if (!URL.canParse(target)) throw new Error(`ENVIRONMENTS: ${name}: '${target}' is not a URL`);
        return { name, comfyuiUrl: target };
      }
      if (!existsSync(target))
        throw new Error(
          `ENVIRONMENTS: ${name}: '${target}' is neither a ComfyUI URL nor an /object_info file here`,
        );
      return { name, objectInfo: target };
    });
}
