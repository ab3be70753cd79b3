import type { Command } from 'commander';
import { exactJsonText } from '../../src/index';
import type { Context } from '../context';
import { installEnvironment } from '../env/install';
import { COMFY_REGISTRY_URL } from '../env/registry-pack';

interface InstallFlags {
  comfyui: string;
  python: string;
  registry: string;
  json?: boolean;
}

/** `comfy-exec env …`: environments as code (custom node packs, their packages), before any deploy. */
export function registerEnv(program: Command, context: Context) {
  const env = program
    .command('env')
    .description('environments: environments/{name}.json, its custom nodes and Python packages');
  env
    .command('install')
    .description(
      'install an environment file’s custom node packs and pip packages into a ComfyUI folder, then check that ComfyUI loads each pack (exit 4 if not)',
    )
    .argument('<file>', 'the environment file, e.g. environments/video.json')
    .requiredOption('--comfyui <dir>', 'the ComfyUI folder (main.py, custom_nodes/)')
    .option('--python <command>', 'the Python ComfyUI runs with (pip and the import check use it)', 'python3')
    .option(
      '--registry <url>',
      'the Comfy registry’s API (default: COMFY_REGISTRY_URL or https://api.comfy.org)',
      process.env.COMFY_REGISTRY_URL ?? COMFY_REGISTRY_URL,
    )
    .option('--json', 'print each pack and its node classes as JSON')
    .action(async (file: string, flags: InstallFlags) => {
      const outcome = await installEnvironment({
        file,
        comfyui: flags.comfyui,
        python: flags.python,
        registryUrl: flags.registry,
        info: (line) => context.info(line),
        echo: (chunk) => process.stderr.write(chunk),
      });
      if (flags.json) {
        context.out(
          exactJsonText(
            outcome.packs.map(({ name, source, folder, nodes }) => ({ name, source, folder, nodes })),
            undefined,
            2,
          ),
        );
        return;
      }
      for (const pack of outcome.packs)
        context.out(
          `${pack.name} (${pack.source}): ${pack.nodes.length} node classes: ${pack.nodes.join(', ')}`,
        );
      if (outcome.packs.length === 0) context.out('no custom node packs in this environment');
    });
}
