import type { RunningRecordView } from '../../lambda/domain/running-record-store';
import type { InvocationDeps, StagedRequest } from './invocation-deps';
import { failed, type InvocationAnswer } from './invocation-result';
import { InputUnusableError, type MaterialisedInputs, materialiseInputs } from './materialise-inputs';
import { ModelUnavailableError } from './model-cache';
import { ProgressWriter } from './progress-writer';

/*
 * What an invocation puts in place before ComfyUI sees the prompt: the library models it names
 * (in the endpoint's cache) and the execute's input files (in a folder of its own).
 */

/**
 * The execute's files where ComfyUI reads them, or the answer that fails it before ComfyUI runs:
 * written into ComfyUI's input folder when the container sees it (COMFYUI_INPUT_DIR), else sent
 * through ComfyUI's POST /upload/image (a ComfyUI on another machine).
 */
export async function bringInputs(
  request: StagedRequest,
  deps: InvocationDeps,
): Promise<MaterialisedInputs | InvocationAnswer> {
  const files = request.input_files ?? [];
  if (files.length === 0)
    return { prompt: request.prompt as MaterialisedInputs['prompt'], cleanUp: async () => {} };
  try {
    const started = Date.now();
    const inputDir = deps.config.COMFYUI_INPUT_DIR;
    const materialised = await materialiseInputs(
      request.prompt_id,
      request.prompt as MaterialisedInputs['prompt'],
      files,
      request.input_bindings ?? [],
      {
        s3: deps.s3,
        destination: inputDir
          ? { folder: inputDir }
          : {
              upload: deps.comfy,
              // As long as an output's download may take: an input may be as big.
              timeoutMs: Math.max(deps.config.COMFYUI_REQUEST_TIMEOUT_MS, 300_000),
            },
        maxBytes: deps.config.INPUT_MAX_BYTES,
        url: {
          timeoutMs: deps.config.INPUT_FETCH_TIMEOUT_SECONDS * 1000,
          allowLoopback: deps.config.ALLOW_LOOPBACK_INPUT_URLS,
        },
      },
    );
    deps.log.info('inputs in place', {
      files: files.length,
      through: inputDir ? 'input folder' : 'POST /upload/image',
      ms: Date.now() - started,
    });
    return materialised;
  } catch (error) {
    if (!(error instanceof InputUnusableError)) throw error;
    return failed(request.prompt_id, error.kind === 'refused' ? 400 : 502, error.message, {
      type: error.kind === 'refused' ? 'input_refused' : 'input_unavailable',
    });
  }
}

/**
 * The library models the prompt needs, in the endpoint's cache (downloaded if missing, progress
 * in the record), held until `release`; or the answer that fails the execute.
 */
export async function bringModels(
  request: StagedRequest,
  record: RunningRecordView,
  deps: InvocationDeps,
): Promise<{ release: () => void; downloadMs: number } | InvocationAnswer> {
  const models = request.model_files ?? [];
  if (models.length === 0) return { release: () => {}, downloadMs: 0 };
  if (!deps.models)
    return failed(
      request.prompt_id,
      500,
      `this endpoint has no model folder, so it cannot bring ${models.map((model) => `${model.folder}/${model.name}`).join(', ')}: set MODEL_CACHE_DIR to a folder this container writes and ComfyUI reads models from (listed in its extra_model_paths.yaml; for npm start with COMFYUI_URL, a folder both machines see)`,
      { type: 'model_unavailable' },
    );
  const progress = new ProgressWriter(
    (value) => deps.store.update(record, { from: ['running'], set: { progress: value } }),
    deps.config.PROGRESS_WRITE_INTERVAL_MS,
    (error) => deps.log.warn('progress write failed', { error: String(error) }),
  );
  try {
    const held = await deps.models.ensure(models, (model, bytes) =>
      progress.offer({
        value: bytes,
        max: model.size,
        node: null,
        percent: Math.floor((bytes / Math.max(1, model.size)) * 100),
        stage: `downloading ${model.folder}/${model.name}`,
      }),
    );
    if (held.downloaded.length > 0)
      deps.log.info('models downloaded', { models: held.downloaded, ms: held.downloadMs });
    return held;
  } catch (error) {
    if (!(error instanceof ModelUnavailableError)) throw error;
    return failed(request.prompt_id, 400, error.message, { type: 'model_unavailable' });
  } finally {
    await progress.stop();
  }
}
