import { isPlainObject } from '../prompt-graph';

/**
 * The extra_data ComfyUI receives for a prompt converted from a UI workflow: ComfyUI's frontend
 * always sends the workflow as `extra_pnginfo.workflow`, which SaveImage embeds in each PNG so the
 * image can be dropped back on a canvas. A client that posts the workflow to us sent it once
 * already; it goes to ComfyUI there, unless the client set its own.
 */
export function withWorkflowPngInfo(
  extraData: Record<string, unknown> | null | undefined,
  workflow: unknown,
): Record<string, unknown> | null | undefined {
  if (workflow === undefined) return extraData;
  const pngInfo = extraData?.extra_pnginfo;
  if (pngInfo !== undefined && !isPlainObject(pngInfo)) return extraData;
  if (isPlainObject(pngInfo) && pngInfo.workflow !== undefined) return extraData;
  return { ...extraData, extra_pnginfo: { ...pngInfo, workflow } };
}
