import { readFile } from 'node:fs/promises';
import { EnvironmentFileError, parseEnvironmentFile } from '../../src/environment-file';
import { ApiError, type ComfyExecClient, type ModelDetails, ModelImportFailedError } from '../../src/index';
import { UsageError } from '../exit-codes';

export interface ModelImportOutcome {
  model: string;
  source: string;
  /**
   * present: the library had it with this SHA-256; conflict: with another (never replaced);
   * skipped: not an https model (a `library:` or `s3://` source is read from there as it is).
   */
  outcome: 'present' | 'imported' | 'importing' | 'failed' | 'conflict' | 'skipped';
  reason?: string;
}

async function libraryEntry(client: ComfyExecClient, folder: string, name: string) {
  try {
    return await client.getModel(folder, name);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Imports an environment file's https models into the deployment's model library (POST /models
 * with `source` and the file's sha256), so its instances read them from the library, in the
 * region, instead of each fetching them from the internet. A model already there with the same
 * SHA-256 is left as it is; one there with another digest is never replaced (other prompts may
 * use it): it is reported, and the instances keep fetching that model from its URL.
 */
export async function importEnvironmentModels(
  file: string,
  client: ComfyExecClient,
  options: { wait: boolean; onProgress?: (model: string, details: ModelDetails) => void },
): Promise<ModelImportOutcome[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  let models: ReturnType<typeof parseEnvironmentFile>['models'];
  try {
    models = parseEnvironmentFile(text, file).models;
  } catch (error) {
    throw error instanceof EnvironmentFileError ? new UsageError(error.message) : error;
  }
  const outcomes: ModelImportOutcome[] = [];
  for (const { folder, name, source, sha256 } of models) {
    const model = `${folder}/${name}`;
    if (!/^https?:\/\//.test(source)) {
      outcomes.push({ model, source, outcome: 'skipped', reason: 'not a URL: read from where it is' });
      continue;
    }
    const found = await libraryEntry(client, folder, name);
    if (found?.model?.sha256 === sha256) {
      outcomes.push({ model, source, outcome: 'present' });
      continue;
    }
    if (found?.model) {
      const reason = `the library's ${model} has SHA-256 ${found.model.sha256 ?? 'unknown'}, not ${sha256}: left as it is (rename the model in the file, or delete the library's)`;
      outcomes.push({ model, source, outcome: 'conflict', reason });
      continue;
    }
    try {
      const details = await client.importModel(
        { folder, name, source, sha256 },
        { noWait: !options.wait, onProgress: (progress) => options.onProgress?.(model, progress) },
      );
      outcomes.push({
        model,
        source,
        outcome: details.import?.status === 'imported' ? 'imported' : 'importing',
      });
    } catch (error) {
      if (!(error instanceof ModelImportFailedError || (error instanceof ApiError && error.status < 500)))
        throw error;
      outcomes.push({ model, source, outcome: 'failed', reason: error.message });
    }
  }
  return outcomes;
}
