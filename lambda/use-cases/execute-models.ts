import { RequestValidationError } from '../domain/errors';
import { modelNameProblem } from '../domain/models/model-folders';
import { libraryFoldersFor, modelInputsOf, modelKey } from '../domain/models/model-inputs';
import type { ModelLibrary } from '../domain/ports';
import type { PromptGraph } from '../domain/prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog } from '../domain/workflow/node-catalog';

/** Different model names one execute may ask the library for (like its 100 uploaded inputs). */
export const MAX_MODEL_LOOKUPS = 100;

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
    const listed = (input: { classType: string; input: string; value: string }) =>
      comboOptions(inputSpecOf(catalog, input.classType, input.input))?.includes(input.value);
    // One lookup per different name (a HeadObject per library folder it may be in), before the
    // create answers: bounded, and each name looked up once however many nodes use it.
    const wanted = [
      ...new Map(
        modelInputsOf(prompt)
          .filter((input) => !listed(input))
          .map((input) => [modelKey(input.folder, input.value), input] as const),
      ).values(),
    ];
    if (wanted.length > MAX_MODEL_LOOKUPS)
      throw new RequestValidationError(
        `the prompt names ${wanted.length} different models the endpoint does not list; at most ${MAX_MODEL_LOOKUPS} per execute`,
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
