/**
 * The kinds of file ComfyUI's core loaders read, and the content types accepted for each: what
 * LoadImage/LoadImageMask (PIL), LoadAudio and LoadVideo (PyAV) and Load3D open.
 */
export const MEDIA_KINDS = ['image', 'audio', 'video', 'model3d'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

const CONTENT_TYPES: Record<MediaKind, readonly string[]> = {
  image: [
    'image/png',
    'image/jpeg',
    'image/webp',
    'image/gif',
    'image/bmp',
    'image/tiff',
    'image/avif',
    'image/heic',
    'image/heif',
  ],
  audio: [
    'audio/wav',
    'audio/x-wav',
    'audio/wave',
    'audio/vnd.wave',
    'audio/mpeg',
    'audio/flac',
    'audio/x-flac',
    'audio/ogg',
    'audio/opus',
    'audio/mp4',
    'audio/x-m4a',
    'audio/aac',
    'audio/webm',
  ],
  video: ['video/mp4', 'video/webm', 'video/quicktime', 'video/x-matroska', 'video/x-msvideo', 'image/gif'],
  model3d: ['model/gltf-binary', 'model/gltf+json', 'model/obj', 'model/stl', 'application/octet-stream'],
};

/** Every content type an input may be declared with. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = [...new Set(Object.values(CONTENT_TYPES).flat())];

/** The content type without parameters, lower case (`image/PNG; x=1` → `image/png`). */
export function bareContentType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export function isAcceptedContentType(contentType: string): boolean {
  return ACCEPTED_CONTENT_TYPES.includes(bareContentType(contentType));
}

/** Whether a file of this content type can feed an input of this kind. */
export function contentTypeFitsKind(contentType: string, kind: MediaKind): boolean {
  return CONTENT_TYPES[kind].includes(bareContentType(contentType));
}

/** The kind a detected (magic-byte) MIME type belongs to, by its top-level type. */
export function kindOfDetectedMime(mime: string): MediaKind | undefined {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('model/')) return 'model3d';
  return undefined;
}
