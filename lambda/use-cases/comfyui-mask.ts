import { inflateSync } from 'node:zlib';
import { RequestValidationError } from '../domain/errors';
import { maxInflatedBytes, type PngHeader, pngImageData, readPngHeader } from '../domain/png-header';
import type { ComfyFacadeDeps } from './comfyui-facade';
import { type ComfyFileRef, ownedFileUri } from './comfyui-files';
import { type UploadedFile, uploadImage } from './comfyui-upload';

/**
 * Pixels each image of a mask upload may have, 16-bit images counting twice: 4096×2048 (8.4 Mpx;
 * 4K UHD fits). Composing takes ~20 bytes a pixel at its peak (pngjs keeps three copies while it
 * decodes, garbage collected late): ~265 MB over the runtime at this size, measured, where
 * 4096×4096 reached ~440 MB, too close to the function's 512 MB. ComfyUI itself (PIL) only warns
 * past 89 Mpx, which no Lambda of this size could decode.
 */
export const MAX_MASK_PIXELS = 4096 * 2048;

const notPng = (what: string) =>
  new RequestValidationError(`${what} is not a PNG (masks are painted on PNG images here)`);

/** The header, from the first 33 bytes: a size past MAX_MASK_PIXELS is refused before any decoding. */
function headerOf(bytes: Uint8Array, what: string): PngHeader {
  const header = readPngHeader(bytes);
  if (!header) throw notPng(what);
  const wide = header.bitDepth === 16;
  if (header.width * header.height * (wide ? 2 : 1) > MAX_MASK_PIXELS)
    throw new RequestValidationError(
      `${what} is ${header.width}×${header.height}${wide ? ' at 16 bits a sample (counting twice)' : ''}; masks are painted here on images of at most ${MAX_MASK_PIXELS} pixels (4096×2048, ${(MAX_MASK_PIXELS / 1e6).toFixed(1)} Mpx)`,
    );
  return header;
}

/** PNGs only: pngjs is loaded with the first mask, not at every cold start of the function. */
async function decodePng(bytes: Uint8Array, header: PngHeader, what: string) {
  // pngjs bounds the inflated size of a plain PNG by its header, not of an interlaced one.
  if (header.interlaced) {
    const data = pngImageData(bytes);
    if (!data) throw notPng(what);
    try {
      inflateSync(data, { maxOutputLength: maxInflatedBytes(header) });
    } catch {
      throw new RequestValidationError(
        `${what}: its image data is not a PNG's or inflates past its ${header.width}×${header.height} size`,
      );
    }
  }
  const { PNG } = await import('pngjs');
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    throw notPng(what);
  }
}

/**
 * ComfyUI's POST /upload/mask: the original image (`original_ref`, one of the caller's inputs or
 * outputs) with the uploaded mask's alpha channel as its own, stored as a new input under the
 * mask's file name. ComfyUI's editor paints masks this way for LoadImage's MASK output. Both
 * headers are read and compared before either image is decoded.
 */
export async function uploadMask(
  mask: UploadedFile,
  originalRef: ComfyFileRef,
  owner: string,
  deps: ComfyFacadeDeps,
) {
  const maskHeader = headerOf(mask.bytes, 'the mask');
  const uri = await ownedFileUri(owner, originalRef, deps);
  const originalBytes = uri && (await deps.payloads.getBytes(uri));
  if (!originalBytes)
    throw new RequestValidationError(
      `original_ref: no ${originalRef.type} file ${originalRef.subfolder ? `${originalRef.subfolder}/` : ''}${originalRef.filename} of yours`,
    );
  const originalHeader = headerOf(originalBytes, 'original_ref');
  if (maskHeader.width !== originalHeader.width || maskHeader.height !== originalHeader.height)
    throw new RequestValidationError(
      `the mask is ${maskHeader.width}×${maskHeader.height}, the original ${originalHeader.width}×${originalHeader.height}: they must match`,
    );
  // One image decoded at a time: of the mask, only its alpha channel is kept.
  const painted = await decodePng(mask.bytes, maskHeader, 'the mask');
  const alpha = new Uint8Array(painted.width * painted.height);
  for (let p = 0; p < alpha.length; p++) alpha[p] = painted.data[p * 4 + 3]!;
  painted.data = Buffer.alloc(0);
  const original = await decodePng(originalBytes, originalHeader, 'original_ref');
  for (let p = 0; p < alpha.length; p++) original.data[p * 4 + 3] = alpha[p]!;
  const { PNG } = await import('pngjs');
  // Written as read (RGBA, 8 bits), without the original's gamma chunk, as before.
  original.gamma = 0;
  return uploadImage({ ...mask, contentType: 'image/png', bytes: PNG.sync.write(original) }, owner, deps);
}
