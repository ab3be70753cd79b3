import { DomainError } from '../domain/errors';
import { keyProblem } from '../domain/object-key';
import type { HttpRequest, HttpResult } from '../platform/http-handler';
import type { ComfyFacadeDeps } from '../use-cases/comfyui-facade';
import type { ComfyFileRef } from '../use-cases/comfyui-files';
import { uploadMask } from '../use-cases/comfyui-mask';
import { uploadImage } from '../use-cases/comfyui-upload';

/** ComfyUI's multipart uploads: POST /upload/image and /upload/mask. */

const json = (raw: unknown, statusCode = 200): HttpResult => ({ statusCode, raw });

/**
 * The `image` file of a multipart upload form, its type sniffed when the client did not name
 * one, and the form's other fields.
 */
async function uploadedImage(request: HttpRequest) {
  const { body, isBase64Encoded, headers } = request.event;
  const contentType = headers['content-type'] ?? headers['Content-Type'] ?? '';
  if (!body || !contentType.toLowerCase().startsWith('multipart/form-data')) return undefined;
  const bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  const form = await new Response(bytes, { headers: { 'content-type': contentType } })
    .formData()
    .catch(() => undefined);
  const image = form?.get('image');
  if (!image || typeof image === 'string') return undefined;
  const data = new Uint8Array(await image.arrayBuffer());
  let type = image.type && image.type !== 'application/octet-stream' ? image.type : '';
  // file-type is loaded only for clients that send no type (a chunk of its own in the bundle).
  if (!type)
    type = (await (await import('file-type')).fileTypeFromBuffer(data))?.mime ?? 'application/octet-stream';
  return { file: { filename: image.name, contentType: type, bytes: data }, form: form! };
}

/** ComfyUI's `original_ref` field: `{filename, subfolder?, type?}` as JSON, type `output` by default. */
function originalRefOf(form: FormData): ComfyFileRef | undefined {
  const text = form.get('original_ref');
  if (typeof text !== 'string') return undefined;
  try {
    const ref = JSON.parse(text) as Partial<Record<keyof ComfyFileRef, unknown>>;
    if (typeof ref.filename !== 'string') return undefined;
    // An annotated name ("a.png [input]") says its type, as in ComfyUI.
    const annotated = /^(.*) \[(output|input|temp)\]$/.exec(ref.filename);
    return {
      filename: annotated ? annotated[1]! : ref.filename,
      subfolder: typeof ref.subfolder === 'string' ? ref.subfolder : '',
      type: annotated ? annotated[2]! : typeof ref.type === 'string' ? ref.type : 'output',
    };
  } catch {
    return undefined;
  }
}

export async function postUploadMask(request: HttpRequest, deps: ComfyFacadeDeps): Promise<HttpResult> {
  const uploaded = await uploadedImage(request);
  const originalRef = uploaded && originalRefOf(uploaded.form);
  if (!uploaded || !originalRef)
    return json(
      '400: Bad Request: a multipart form with an "image" file and an "original_ref" is required',
      400,
    );
  try {
    return json(await uploadMask(uploaded.file, originalRef, request.owner, deps));
  } catch (error) {
    if (error instanceof DomainError) return json(`400: Bad Request: ${error.message}`, 400);
    throw error;
  }
}

export async function postUploadImage(request: HttpRequest, deps: ComfyFacadeDeps): Promise<HttpResult> {
  const uploaded = await uploadedImage(request);
  // ComfyUI answers a form without an image with a bare 400.
  if (!uploaded) return json('400: Bad Request: a multipart form with an "image" file is required', 400);
  const { file, form } = uploaded;
  // Every upload gets a name of its own at the top of the caller's inputs, so `subfolder` is not
  // used; one ComfyUI itself would refuse (leaving the input folder) is refused here too.
  const subfolder = form.get('subfolder');
  const problem = typeof subfolder === 'string' && subfolder !== '' ? keyProblem(subfolder) : undefined;
  if (problem) return json(`400: Bad Request: subfolder '${String(subfolder)}' ${problem}`, 400);
  try {
    return json(await uploadImage(file, request.owner, deps));
  } catch (error) {
    if (error instanceof DomainError) return json(`400: Bad Request: ${error.message}`, 400);
    throw error;
  }
}
