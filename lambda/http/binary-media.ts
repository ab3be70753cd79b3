/**
 * Request content types API Gateway passes to Lambda base64-encoded (the REST API's
 * binaryMediaTypes); the local gateway does the same. Multipart: ComfyUI's /upload/image.
 */
export const BINARY_MEDIA_TYPES = ['multipart/form-data'] as const;

export function isBinaryMediaType(contentType: string | undefined): boolean {
  const bare = contentType?.split(';')[0]?.trim().toLowerCase();
  return BINARY_MEDIA_TYPES.some((type) => type === bare);
}
