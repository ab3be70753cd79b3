import { DomainError } from '../domain/errors';
import type { HttpRequest, HttpResult } from '../platform/http-handler';
import { type ComfyFileDeps, viewUrl } from '../use-cases/comfyui-files';

/** ComfyUI's GET /view (`?filename=&subfolder=&type=`): a redirect to the caller's file, else 404. */
export async function getView(request: HttpRequest, deps: ComfyFileDeps): Promise<HttpResult> {
  const { filename = '', subfolder = '', type = 'output' } = request.query;
  // ComfyUI accepts an annotated name: "a.png [output]".
  const annotated = /^(.*) \[(output|input|temp)\]$/.exec(filename);
  const file = annotated
    ? { filename: annotated[1]!, subfolder, type: annotated[2]! }
    : { filename, subfolder, type };
  try {
    const url = await viewUrl(request.owner, file, deps);
    return url
      ? { statusCode: 302, raw: undefined, headers: { Location: url } }
      : { statusCode: 404, raw: '404: Not Found' };
  } catch (error) {
    if (error instanceof DomainError) return { statusCode: 400, raw: `400: Bad Request: ${error.message}` };
    throw error;
  }
}
