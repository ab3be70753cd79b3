import { modelNameProblem } from '../domain/models/model-folders';
import { libraryFoldersFor, modelInputsOf, modelKey } from '../domain/models/model-inputs';
import type { ModelLibrary } from '../domain/ports';
import type { PromptGraph } from '../domain/prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog } from '../domain/workflow/node-catalog';

/** A library model the endpoint must have before the run: where it goes and where it comes from. */
export interface StagedModelFile {
  /** The loader's folder (the endpoint's cache keeps ComfyUI's folder names). */
  folder: string;
  /** The path under the folder, as the prompt names it. */
  name: string;
  /** `s3://bucket/models/{library folder}/{name}`. */
  source: string;
  size: number;
  sha256: string | null;
}

/**
 * The model files a prompt names that the endpoint does not list but the library holds: valid
 * for validation (ComfyUI's combo check passes once the endpoint has fetched them), and staged
 * for the container to fetch before ComfyUI runs the prompt.
 */
export class ExecuteModels {
  private readonly found = new Map<string, StagedModelFile>();

  constructor(
    private readonly library: Pick<ModelLibrary, 'find'>,
    /** `s3://bucket/` of the library's objects. */
    private readonly bucketUri: string,
  ) {}

  async available(prompt: PromptGraph, catalog: NodeCatalog): Promise<ReadonlySet<string>> {
    const wanted = modelInputsOf(prompt).filter(
      (input) => !comboOptions(inputSpecOf(catalog, input.classType, input.input))?.includes(input.value),
    );
    await Promise.all(
      wanted.map(async ({ folder, value }) => {
        const key = modelKey(folder, value);
        if (this.found.has(key)) return;
        for (const libraryFolder of libraryFoldersFor(folder)) {
          if (modelNameProblem(libraryFolder, value)) continue;
          const model = await this.library.find(libraryFolder, value);
          if (!model) continue;
          this.found.set(key, {
            folder,
            name: value,
            source: `${this.bucketUri}models/${libraryFolder}/${value}`,
            size: model.size,
            sha256: model.sha256,
          });
          return;
        }
      }),
    );
    return new Set(this.found.keys());
  }

  get staged(): StagedModelFile[] {
    return [...this.found.values()];
  }
}
