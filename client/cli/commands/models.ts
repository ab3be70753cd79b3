import { basename } from 'node:path';
import type { Command } from 'commander';
import type { StoredModel } from '../../src/index';
import { fileFromPath } from '../../src/node/index';
import type { Context } from '../context';
import { UsageError } from '../exit-codes';
import { uploadStateStore } from '../model-upload-state';
import { transferView } from '../progress-view';
import { registerModelImports } from './models-import';

/** `loras/sdxl/detail.safetensors` → folder `loras`, name `sdxl/detail.safetensors` (ComfyUI's names keep subfolders). */
function splitModelPath(path: string, what: string): { folder: string; name: string } {
  const at = path.indexOf('/');
  if (at <= 0 || at === path.length - 1)
    throw new UsageError(`${what} ${path}: expected FOLDER/NAME, e.g. loras/detail.safetensors`);
  return { folder: path.slice(0, at), name: path.slice(at + 1) };
}

const row = (path: string, size: string, modified: string, sha256: string) =>
  `${path.padEnd(48)}  ${size.padStart(12)}  ${modified.padEnd(24)}  ${sha256}`;

/** models list, upload, add, show, delete: the model library endpoints load models from. */
export function registerModels(program: Command, context: Context) {
  const models = program
    .command('models')
    .description('the model library (uploading and deleting: model writers only)');
  models
    .command('list')
    .description('the models in the library')
    .option('--folder <folder>', 'only this folder (checkpoints, loras, vae, …)')
    .option('--json', 'print them as JSON lines')
    .action(async (flags: { folder?: string; json?: boolean }) => {
      const client = context.client();
      const all: StoredModel[] = [];
      let startKey: string | undefined;
      do {
        const page = await client.listModels({
          limit: 100,
          ...(flags.folder ? { folder: flags.folder } : {}),
          ...(startKey ? { startKey } : {}),
        });
        all.push(...page.items);
        startKey = page.nextKey ?? undefined;
      } while (startKey);
      if (flags.json) {
        for (const model of all) context.out(JSON.stringify(model));
        return;
      }
      if (all.length === 0) {
        context.out(`no models${flags.folder ? ` in ${flags.folder}` : ''}`);
        return;
      }
      context.out(row('MODEL', 'BYTES', 'MODIFIED', 'SHA256'));
      for (const model of all)
        context.out(
          row(`${model.folder}/${model.name}`, String(model.size), model.last_modified, model.sha256 ?? '-'),
        );
    });

  models
    .command('upload')
    .description(
      'upload a model in parts, with a progress bar; run the same command again to resume an interrupted upload',
    )
    .argument('<file>', 'the model file')
    .argument(
      '<destination>',
      'FOLDER (keeps the file name) or FOLDER/NAME, e.g. loras or loras/sdxl/detail.safetensors',
    )
    .option('--sha256 <hex>', "the file's SHA-256, recorded and checked where the model is used")
    .option('--overwrite', 'replace a model of that name')
    .action(async (path: string, destination: string, flags: { sha256?: string; overwrite?: boolean }) => {
      const file = await fileFromPath(path).catch(() => {
        throw new UsageError(`no such file: ${path}`);
      });
      const target = destination.includes('/')
        ? splitModelPath(destination, 'destination')
        : { folder: destination, name: basename(path) };
      const client = context.client();
      const store = uploadStateStore(client.options.apiUrl, path, target);
      const resume = store.read();
      const what = `${target.folder}/${target.name}`;
      const view = transferView(process.stderr, what, file.size);
      let announced = false;
      try {
        const model = await client.uploadModel(
          file,
          {
            ...target,
            ...(flags.sha256 ? { sha256: flags.sha256.toLowerCase() } : {}),
            ...(flags.overwrite ? { overwrite: true } : {}),
          },
          undefined,
          {
            ...(resume ? { resume } : {}),
            onState: (state, bytesDone) => {
              store.write(state);
              if (!announced && resume && state.started.upload_id === resume.started.upload_id)
                context.info(
                  `resuming: ${state.done.length} of ${state.started.parts.length} parts already uploaded`,
                );
              announced = true;
              view.update(bytesDone);
            },
          },
        );
        view.stop();
        store.remove();
        context.out(`${model.folder}/${model.name}  ${model.size} bytes`);
      } catch (error) {
        view.stop();
        if (store.read()) context.err('the upload can go on where it stopped: run the same command again');
        throw error;
      }
    });

  registerModelImports(models, context);

  models
    .command('delete')
    .description('delete a model from the library')
    .argument('<model>', 'FOLDER/NAME, e.g. loras/detail.safetensors')
    .action(async (path: string) => {
      const { folder, name } = splitModelPath(path, 'model');
      await context.client().deleteModel(folder, name);
      context.out(`${folder}/${name}  deleted`);
    });
}
