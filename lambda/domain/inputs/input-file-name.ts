/** ComfyUI reads `name [input|output|temp]` as a folder annotation, never as part of the name. */
const ANNOTATION = / \[(input|output|temp)\]$/;
/**
 * Below the 255 bytes file systems allow: an uploaded input's stored name adds an 18-byte prefix,
 * and the local S3 emulator adds a suffix of its own to every key segment it stores (output file
 * names are cut to 200 characters for the same reason).
 */
export const MAX_FILENAME_BYTES = 200;

/**
 * Why a client-chosen file name cannot become a file in ComfyUI's input folder, or undefined when
 * it can: one path segment (no `/`, `\` or `..`), no NUL or control characters, at most 200
 * bytes of UTF-8, no annotation suffix, and an extension (ComfyUI's loaders go by it).
 */
export function filenameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_FILENAME_BYTES)
    return `is ${Buffer.byteLength(name, 'utf8')} bytes long; at most ${MAX_FILENAME_BYTES} bytes of UTF-8`;
  if (name.includes('/') || name.includes('\\')) return 'must be a file name, not a path (no / or \\)';
  if (name.includes('..')) return "must not contain '..'";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain NUL or control characters';
  if (ANNOTATION.test(name)) return "must not end with a ComfyUI folder annotation such as ' [input]'";
  if (name.trim() !== name) return 'must not start or end with white space';
  if (!/\.[^.]+$/.test(name) || name.startsWith('.'))
    return 'needs an extension (such as .png) and a name before it';
  return undefined;
}

/**
 * Why a relative path (a file synced from an S3 prefix) cannot live under the input folder:
 * each segment must itself be a valid name, except that folders need no extension.
 */
export function relativePathProblem(path: string): string | undefined {
  const segments = path.split('/');
  if (segments.length > 16) return 'is nested more than 16 folders deep';
  for (const [index, segment] of segments.entries()) {
    const problem = filenameProblem(index === segments.length - 1 ? segment : `${segment}.d`);
    if (problem) return `has a segment '${segment}' that ${problem}`;
  }
  return undefined;
}

/** The name without ComfyUI's ` [input]` annotation (other annotations name other folders). */
export function withoutInputAnnotation(value: string): string {
  return value.endsWith(' [input]') ? value.slice(0, -' [input]'.length) : value;
}
