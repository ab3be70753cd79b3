import type { Command } from 'commander';
import type { ModelDetails } from '../../src/index';
import type { Context } from '../context';
import { UsageError } from '../exit-codes';
import { transferView } from '../progress-view';

/** FOLDER/NAME, or FOLDER with the URL's last path segment as the name. */
function destinationOf(destination: string, url: string): { folder: string; name: string } {
  const at = destination.indexOf('/');
  if (at > 0 && at < destination.length - 1)
    return { folder: destination.slice(0, at), name: destination.slice(at + 1) };
  let fileName: string | undefined;
  try {
    fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    throw new UsageError(`--url ${url}: not a URL`);
  }
  if (!fileName || at === 0)
    throw new UsageError(`destination ${destination}: expected FOLDER/NAME, e.g. loras/detail.safetensors`);
  // Civitai's /api/download/models/12345 names no file: the library needs one.
  if (!/\.[A-Za-z0-9]+$/.test(fileName))
    throw new UsageError(
      `the URL's last segment '${fileName}' is not a file name: give the destination as FOLDER/NAME, e.g. ${destination.replace(/\/$/, '')}/${fileName}.safetensors`,
    );
  return { folder: destination.replace(/\/$/, ''), name: fileName };
}

const describe = (details: ModelDetails) => {
  const { model, import: imported } = details;
  return [
    `${details.folder}/${details.name}`,
    model
      ? `  ${model.size} bytes, sha256 ${model.sha256 ?? '-'}, modified ${model.last_modified}`
      : '  not in the library',
    ...(model?.source && !imported ? [`  from ${model.source}`] : []),
    ...(imported
      ? [
          `  import: ${imported.status}, ${imported.parts_done}/${imported.parts_total} parts, ${imported.bytes_done}/${imported.size} bytes, from ${imported.source}`,
          ...(imported.error ? [`  why: ${imported.error}`] : []),
          ...(imported.last_retry ? [`  retrying: ${imported.last_retry}`] : []),
        ]
      : []),
  ];
};

/** models add --url, models show: imports from a URL into the library, and one model's details. */
export function registerModelImports(models: Command, context: Context) {
  models
    .command('add')
    .description(
      'import a model from an https URL into the library (model writers only): the deployment fetches it in parallel ranged parts; nothing passes through this machine',
    )
    .argument(
      '<destination>',
      "FOLDER/NAME, or FOLDER (keeps the URL's file name), e.g. loras/sdxl/detail.safetensors",
    )
    .requiredOption(
      '--url <url>',
      'https URL of the file, e.g. https://huggingface.co/ORG/REPO/resolve/main/FILE',
    )
    .option('--sha256 <hex>', "the file's SHA-256: the import fails, adding nothing, if the file differs")
    .option('--overwrite', 'replace a model of that name')
    .option('--no-wait', 'return once the import is started (follow it with comfy-exec models show)')
    .option('--json', 'print the model and its import as JSON')
    .action(
      async (
        destination: string,
        flags: { url: string; sha256?: string; overwrite?: boolean; wait: boolean; json?: boolean },
      ) => {
        const target = destinationOf(destination, flags.url);
        const what = `${target.folder}/${target.name}`;
        let view: ReturnType<typeof transferView> | undefined;
        try {
          const details = await context.client().importModel(
            {
              ...target,
              source: flags.url,
              // Windows' Get-FileHash prints upper case; the API takes lower.
              ...(flags.sha256 ? { sha256: flags.sha256.toLowerCase() } : {}),
              ...(flags.overwrite ? { overwrite: true } : {}),
            },
            {
              noWait: !flags.wait,
              onProgress: (progress) => {
                if (!progress.import || !flags.wait || flags.json) return;
                view ??= transferView(process.stderr, what, progress.import.size);
                view.update(progress.import.bytes_done);
              },
            },
          );
          view?.stop();
          if (flags.json) context.out(JSON.stringify(details));
          else if (!flags.wait) context.out(`${what}  importing: comfy-exec models show ${what}`);
          else context.out(`${what}  ${details.model?.size} bytes  sha256 ${details.model?.sha256}`);
        } finally {
          view?.stop();
        }
      },
    );

  models
    .command('show')
    .description('one model of the library, and its import from a URL (progress, or why it failed)')
    .argument('<model>', 'FOLDER/NAME, e.g. loras/detail.safetensors')
    .option('--json', 'print it as JSON')
    .action(async (path: string, flags: { json?: boolean }) => {
      const at = path.indexOf('/');
      if (at <= 0 || at === path.length - 1)
        throw new UsageError(`model ${path}: expected FOLDER/NAME, e.g. loras/detail.safetensors`);
      const details = await context.client().getModel(path.slice(0, at), path.slice(at + 1));
      if (flags.json) context.out(JSON.stringify(details));
      else for (const line of describe(details)) context.out(line);
    });
}
