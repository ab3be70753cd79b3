import { isModelFolder, MODEL_FOLDERS } from '../domain/models/model-folders';
import { libraryFoldersFor } from '../domain/models/model-inputs';
import type { ModelLibrary, PayloadStore } from '../domain/ports';

/**
 * ComfyUI's introspection routes (/models, /embeddings, /system_stats, /features) for clients
 * that ask the server what it has: answered from the model library and what the default
 * endpoint's container published.
 */
export interface ComfyIntrospectionDeps {
  library: ModelLibrary;
  payloads: PayloadStore;
  config: { defaultEndpointName: string; libraryBucketUri: string };
}

/** The most library entries one listing reads (ComfyUI lists a folder whole). */
const MAX_MODELS = 1000;

/** GET /models: ComfyUI's model folder names. */
export const modelFolders = () => Object.keys(MODEL_FOLDERS);

/** GET /models/{folder}: the library's models in the folder (and its older name); undefined: no such folder (404). */
export async function modelsIn(folder: string, deps: ComfyIntrospectionDeps): Promise<string[] | undefined> {
  if (!isModelFolder(folder)) return undefined;
  const names: string[] = [];
  for (const libraryFolder of libraryFoldersFor(folder)) {
    let cursor: string | undefined;
    do {
      const page = await deps.library.list({
        folder: libraryFolder,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      names.push(...page.models.map((model) => model.name));
      cursor = page.cursor ?? undefined;
    } while (cursor && names.length < MAX_MODELS);
  }
  return [...new Set(names)].sort();
}

/** GET /embeddings: embedding names without their extension, as prompts write `embedding:name`. */
export async function embeddings(deps: ComfyIntrospectionDeps): Promise<string[]> {
  return ((await modelsIn('embeddings', deps)) ?? []).map((name) => name.replace(/\.[^./]+$/, ''));
}

/**
 * GET /system_stats: what the endpoint's ComfyUI reported at boot (its container publishes it
 * beside object_info); until then, the shape with nothing known.
 */
export async function systemStats(deps: ComfyIntrospectionDeps): Promise<unknown> {
  const uri = `${deps.config.libraryBucketUri}endpoints/${deps.config.defaultEndpointName}/system_stats.json`;
  const text = await deps.payloads.getText(uri);
  if (text !== undefined) {
    try {
      return JSON.parse(text);
    } catch {
      // Caught mid-write: answer as if not yet published.
    }
  }
  return {
    system: { os: 'posix', comfyui_version: 'unknown', embedded_python: false, argv: [] },
    devices: [],
  };
}

/** API Gateway takes 10 MB; a Lambda request 6 MB, and base64 (binary uploads) makes that 4.5 MB. */
export const MAX_COMFY_UPLOAD_BYTES = 4_500_000;

/**
 * GET /features, and the websocket's answer to a client's `feature_flags`: no preview images are
 * sent; uploads as large as the API takes.
 */
export const features = () => ({
  supports_preview_metadata: false,
  max_upload_size: MAX_COMFY_UPLOAD_BYTES,
});
