import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { exactJsonText } from '../../src/index';
import type { Context } from '../context';
import { environmentFromWorkflow, NotAUiWorkflowError } from '../env/from-workflow';
import { importEnvironmentModels } from '../env/import-models';
import { installEnvironment } from '../env/install';
import { COMFY_REGISTRY_URL, registryRepository } from '../env/registry-pack';
import { EXIT, UsageError } from '../exit-codes';

interface FromWorkflowFlags {
  registry: string;
  offline?: boolean;
}

interface InstallFlags {
  comfyui: string;
  python: string;
  registry: string;
  json?: boolean;
}

/** `--registry`, for both commands: COMFY_REGISTRY_URL, else the Comfy registry. */
const registryOption = (what: string) =>
  new Option('--registry <url>', `${what} (COMFY_REGISTRY_URL if set)`).default(
    process.env.COMFY_REGISTRY_URL ?? COMFY_REGISTRY_URL,
  );

/** `comfy-exec env …`: environments as code (custom node packs, their packages), before any deploy. */
export function registerEnv(program: Command, context: Context) {
  // zod/mini ships without messages ("Invalid input"): the file's problems read as cdk synth's do.
  z.config(en());
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
    .addOption(registryOption('the Comfy registry’s API'))
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
          `${pack.name} (${pack.source}): ${pack.nodes.length} node class${pack.nodes.length === 1 ? '' : 'es'}: ${pack.nodes.join(', ')}`,
        );
      if (outcome.packs.length === 0) context.out('no custom node packs in this environment');
    });
  env
    .command('import-models')
    .description(
      "import an environment file's https models into the deployment's model library (model writers only), so its instances read them from there; run it before deploying the environment",
    )
    .argument('<file>', 'the environment file, e.g. environments/video.json')
    .option('--no-wait', 'start the imports and return (follow them with comfy-exec models show)')
    .option('--json', 'print each model and what became of it as JSON lines')
    .action(async (file: string, flags: { wait: boolean; json?: boolean }) => {
      const outcomes = await importEnvironmentModels(file, context.client(), {
        wait: flags.wait,
        onProgress: (model, details) =>
          details.import &&
          context.info(
            `${model}: ${details.import.status}, ${details.import.bytes_done}/${details.import.size} bytes`,
          ),
      });
      for (const result of outcomes)
        context.out(
          flags.json
            ? JSON.stringify(result)
            : `${result.model}  ${result.outcome}${result.reason ? `: ${result.reason}` : ''}`,
        );
      if (outcomes.length === 0) context.out('no models in this environment');
      if (outcomes.some((result) => result.outcome === 'failed')) context.exit(EXIT.executeFailed);
    });
  env
    .command('from-workflow')
    .description(
      'write the environment a UI workflow needs (its nodes’ cnr_id/aux_id and ver, its models) as JSON on stdout; say what could not be placed',
    )
    .argument('<workflow>', 'a workflow saved or exported from ComfyUI (UI format)')
    .addOption(
      registryOption('the Comfy registry’s API, asked for the repository of a pack saved at a git commit'),
    )
    .option('--offline', 'ask the registry nothing (packs saved at a git commit are then left unplaced)')
    .action(async (path: string, flags: FromWorkflowFlags) => {
      const text = await readFile(path, 'utf8').catch(() => {
        throw new UsageError(`cannot read ${path}`);
      });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`${path}: not JSON: ${(error as Error).message}`);
      }
      const lookup = flags.offline
        ? async () => null
        : (id: string) => registryRepository(flags.registry, id);
      const found = await environmentFromWorkflow(json, lookup).catch((error) => {
        throw error instanceof NotAUiWorkflowError ? new UsageError(`${path}: ${error.message}`) : error;
      });
      context.out(exactJsonText(found.environment, undefined, 2));
      for (const pack of found.packs) {
        const pin =
          'git' in pack.entry
            ? `${pack.entry.git}@${pack.entry.commit}`
            : `registry ${pack.entry.registry}@${pack.entry.version}`;
        context.info(`${pin}: ${pack.types.join(', ')}`);
        if (pack.otherPins.length > 0)
          context.info(
            `  its nodes were also saved with ${pack.otherPins.join(', ')}; pinned to what most of them had (between equals, the first in the file)`,
          );
      }
      if (found.comfyuiVersions.length > 0)
        context.info(
          `saved with ComfyUI ${found.comfyuiVersions.join(', ')} (comfy-core): set "comfyui": "v${found.comfyuiVersions[0]}" to pin it, or leave it out for the project's pin (container/Dockerfile's COMFYUI_VERSION)`,
        );
      if (found.environment.models.length > 0)
        context.info(
          `models: ${found.environment.models.length} listed without sha256 (a workflow does not record it): add each file's sha256 before deploying (cdk synth refuses them without)`,
        );
      if (found.notRun > 0)
        context.info(`${found.notRun} muted or bypassed nodes left out (they do not run as saved)`);
      if (found.unplaced.length > 0) {
        context.err(`could not place ${found.unplaced.length} node types:`);
        for (const { type, reason } of found.unplaced) context.err(`  ${type}: ${reason}`);
      }
    });
}
