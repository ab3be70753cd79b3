import type { ExecuteRecord } from '../../lambda/domain/execute-record';
import type { InvocationDeps, StagedRequest } from './invocation-deps';
import { failed, type InvocationAnswer } from './invocation-result';
import { InputUnusableError, type MaterialisedInputs, materialiseInputs } from './materialise-inputs';
import { ModelUnavailableError } from './model-cache';
import { ProgressWriter } from './progress-writer';

/*
 * What an invocation puts in place before ComfyUI sees the prompt: the library models it names
 * (in the endpoint's cache) and the execute's input files (in a folder of its own).
 */

/** The execute's files in ComfyUI's input folder, or the answer that fails it before ComfyUI runs. */
export async function bringInputs(
  request: StagedRequest,
  deps: InvocationDeps,
): Promise<MaterialisedInputs | InvocationAnswer> {
  const files = request.input_files ?? [];
  if (files.length === 0)
    return { prompt: request.prompt as MaterialisedInputs['prompt'], cleanUp: async () => {} };
  try {
    const started = Date.now();
    const materialised = await materialiseInputs(
      request.prompt_id,
      request.prompt as MaterialisedInputs['prompt'],
      files,
      request.input_bindings ?? [],
      {
        s3: deps.s3,
        inputDir: deps.config.COMFYUI_INPUT_DIR,
        maxBytes: deps.config.INPUT_MAX_BYTES,
        url: {
          timeoutMs: deps.config.INPUT_FETCH_TIMEOUT_SECONDS * 1000,
          allowLoopback: deps.config.ALLOW_LOOPBACK_INPUT_URLS,
        },
      },
    );
    deps.log.info('inputs in place', { files: files.length, ms: Date.now() - started });
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
  record: ExecuteRecord,
  deps: InvocationDeps,
): Promise<{ release: () => void; downloadMs: number } | InvocationAnswer> {
  const models = request.model_files ?? [];
  if (models.length === 0) return { release: () => {}, downloadMs: 0 };
  if (!deps.models)
    return failed(request.prompt_id, 500, 'this endpoint has no model cache configured', {
      type: 'model_unavailable',
    });
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
