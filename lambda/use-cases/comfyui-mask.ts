import { RequestValidationError } from '../domain/errors';
import { type ComfyFacadeDeps, type ComfyFileRef, ownedFileUri } from './comfyui-facade';
import { type UploadedFile, uploadImage } from './comfyui-upload';

interface Decoded {
  width: number;
  height: number;
  data: Uint8Array;
}

/** PNGs only: pngjs is loaded with the first mask, not at every cold start of the function. */
async function decodePng(bytes: Uint8Array, what: string): Promise<Decoded> {
  const { PNG } = await import('pngjs');
  try {
    return PNG.sync.read(Buffer.from(bytes));
  } catch {
    throw new RequestValidationError(`${what} is not a PNG (masks are painted on PNG images here)`);
  }
}

/**
 * ComfyUI's POST /upload/mask: the original image (`original_ref`, one of the caller's inputs or
 * outputs) with the uploaded mask's alpha channel as its own, stored as a new input under the
 * mask's file name. ComfyUI's editor paints masks this way for LoadImage's MASK output.
 */
export async function uploadMask(
  mask: UploadedFile,
  originalRef: ComfyFileRef,
  owner: string,
  deps: ComfyFacadeDeps,
) {
  const uri = await ownedFileUri(owner, originalRef, deps);
  const originalBytes = uri && (await deps.payloads.getBytes(uri));
  if (!originalBytes)
    throw new RequestValidationError(
      `original_ref: no ${originalRef.type} file ${originalRef.subfolder ? `${originalRef.subfolder}/` : ''}${originalRef.filename} of yours`,
    );
  const original = await decodePng(originalBytes, 'original_ref');
  const painted = await decodePng(mask.bytes, 'the mask');
  if (painted.width !== original.width || painted.height !== original.height)
    throw new RequestValidationError(
      `the mask is ${painted.width}×${painted.height}, the original ${original.width}×${original.height}: they must match`,
    );
  for (let i = 3; i < original.data.length; i += 4) original.data[i] = painted.data[i]!;
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: original.width, height: original.height });
  png.data = Buffer.from(original.data);
  return uploadImage({ ...mask, contentType: 'image/png', bytes: PNG.sync.write(png) }, owner, deps);
}
