import { MODEL_FOLDERS } from '../domain/models/model-folders';
import { modelFolderOf } from '../domain/models/model-inputs';
import type { NodeCatalogSource } from '../domain/ports';
import { comboOptions, type NodeCatalog } from '../domain/workflow/node-catalog';
import { type ComfyIntrospectionDeps, modelsIn } from './comfyui-introspection';

/**
 * Older folder names ComfyUI still reads files from, as part of another folder (`clip` →
 * text_encoders, `unet` → diffusion_models, `t2i_adapter` → controlnet), but does not serve as
 * folders of their own: its GET /models leaves them out and GET /models/clip answers 404
 * (checked against ComfyUI 0.3.64, a125cd84).
 */
const READ_AS_PART_OF_ANOTHER = new Set(['clip', 'unet', 't2i_adapter']);

export type ComfyModelFilesDeps = ComfyIntrospectionDeps & { catalogs: NodeCatalogSource };

/** GET /models: the model folders ComfyUI serves. */
export const comfyModelFolders = () =>
  Object.keys(MODEL_FOLDERS).filter((folder) => !READ_AS_PART_OF_ANOTHER.has(folder));

/**
 * The files an endpoint's ComfyUI has in a folder, as its object_info shows them: the choices of
 * every loader input that reads the folder (object_info never names folders; the loaders do).
 */
export function catalogModelFiles(catalog: NodeCatalog, folder: string): string[] {
  const names = new Set<string>();
  for (const [classType, spec] of Object.entries(catalog)) {
    for (const inputs of [spec?.input?.required, spec?.input?.optional]) {
      for (const [input, inputSpec] of Object.entries(inputs ?? {})) {
        if (modelFolderOf(classType, input) !== folder) continue;
        for (const option of comboOptions(inputSpec) ?? []) if (typeof option === 'string') names.add(option);
      }
    }
  }
  return [...names];
}

/**
 * GET /models/{folder} as ComfyUI answers it: every file a prompt may name there, sorted. That is
 * what the default endpoint's ComfyUI has (its published object_info) and what the model library
 * holds (materialised on the endpoint when a prompt names it). Undefined: no such folder (404).
 */
export async function comfyModelFiles(
  folder: string,
  deps: ComfyModelFilesDeps,
): Promise<string[] | undefined> {
  if (READ_AS_PART_OF_ANOTHER.has(folder)) return undefined;
  const library = await modelsIn(folder, deps);
  if (!library) return undefined;
  const catalog = await deps.catalogs.forEndpoint(deps.config.defaultEndpointName);
  return [...new Set([...catalogModelFiles(catalog, folder), ...library])].sort();
}
