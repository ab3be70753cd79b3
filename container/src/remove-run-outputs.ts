import type { FileRef } from './comfy-client';
import { removeFiles } from './comfy-output-files';
import type { InvocationDeps } from './invocation-deps';

/** Removes the run's files from ComfyUI's folders; with `onlyThese`, only those (the ones in S3). */
export async function removeOutputs(
  deps: InvocationDeps,
  produced: Map<string, FileRef>,
  onlyThese: Set<string> | undefined,
): Promise<void> {
  if (produced.size === 0) return;
  const folders = { output: deps.config.COMFYUI_OUTPUT_DIR, temp: deps.config.COMFYUI_TEMP_DIR };
  const going = [...produced].filter(([key]) => !onlyThese || onlyThese.has(key));
  const kept = [...produced.keys()].filter((key) => onlyThese && !onlyThese.has(key));
  if (kept.length > 0) deps.log.warn("outputs not in S3 kept in ComfyUI's folders", { files: kept });
  if (!folders.output && !folders.temp) return;
  try {
    const removed = await removeFiles(
      folders,
      going.map(([, file]) => file),
    );
    deps.log.info("outputs removed from ComfyUI's folders", { files: removed });
  } catch (error) {
    deps.log.warn("outputs not removed from ComfyUI's folders", { error: (error as Error).message });
  }
}
