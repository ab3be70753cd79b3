import { ApiError, ComfyExecError, NetworkError } from './errors';
import { describeNetworkError, RetryableAnswer, type RetryOptions, withRetries } from './http';

/** A file to upload: a Blob or File (browsers, Node's `openAsBlob`), or its bytes. */
export type FileData = Blob | Uint8Array | ArrayBuffer;

export async function bytesOf(file: FileData): Promise<Uint8Array> {
  if (file instanceof Uint8Array) return file;
  if (file instanceof ArrayBuffer) return new Uint8Array(file);
  return new Uint8Array(await file.arrayBuffer());
}

/** The file's name: the given one, else a File's own. */
export function fileNameOf(file: FileData, given?: string): string {
  const name = given ?? (file as { name?: unknown }).name;
  if (typeof name !== 'string' || name === '')
    throw new ComfyExecError('the file has no name: pass filename (ComfyUI loaders need its extension)');
  return name;
}

/** The content type: the given one, a Blob's own, else what the bytes are. */
export async function contentTypeOf(file: FileData, bytes: Uint8Array, name: string, given?: string) {
  // file-type (60 KB with its readers) is loaded only when nothing else names the type.
  const sniff = async () => (await (await import('file-type')).fileTypeFromBuffer(bytes))?.mime;
  const type = given || (file instanceof Blob ? file.type : '') || (await sniff());
  if (!type) throw new ComfyExecError(`cannot tell what kind of file ${name} is: pass its contentType`);
  return type;
}

/**
 * One request to a pre-signed S3 URL, retried as API calls are (S3's 500/503 and network
 * failures included); answers the response of the attempt that worked.
 */
export async function presignedRequest(
  what: string,
  url: string,
  init: { method: 'PUT' | 'GET'; headers?: Record<string, string>; body?: Uint8Array | Blob },
  options: { retry?: RetryOptions; fetch?: typeof fetch; signal?: AbortSignal },
): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch;
  try {
    return await withRetries(
      what,
      async () => {
        const response = await doFetch(url, {
          method: init.method,
          ...(init.headers ? { headers: init.headers } : {}),
          ...(init.body ? { body: init.body as RequestInit['body'] } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (response.status === 500 || response.status === 503)
          throw new RetryableAnswer(response.status, await response.text());
        if (!response.ok)
          throw new ApiError(
            `${what}: S3 answered HTTP ${response.status}`,
            response.status,
            await response.text(),
          );
        return response;
      },
      options.retry,
      options.signal,
      url,
    );
  } catch (error) {
    if (error instanceof RetryableAnswer)
      throw new ApiError(`${what}: S3 answered HTTP ${error.status}`, error.status, error.body);
    if (error instanceof ComfyExecError || options.signal?.aborted) throw error;
    throw new NetworkError(`${what}: ${describeNetworkError(error)}`, { cause: error });
  }
}
