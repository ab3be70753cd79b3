/**
 * S3 key parts from names ComfyUI (or a custom node) reported. Every part is one safe path
 * segment: separators, `.`/`..`, control and unusual characters cannot survive, so a key can
 * never leave `executes/{prompt_id}/outputs/` or `temp/`.
 */
export function safeSegment(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._()+=,@:-]/gu, '_')
    .replace(/^[ .]+|[ .]+$/g, '')
    .slice(0, 200);
  return cleaned === '' ? '_' : cleaned;
}

/** `node/sub/folder/file.png` relative to the outputs (or temp) prefix. */
export function relativeOutputKey(nodeId: string, subfolder: string | undefined, filename: string): string {
  const folders = (subfolder ?? '')
    .split(/[\\/]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .map(safeSegment);
  const base =
    filename
      .split(/[\\/]+/)
      .filter((part) => part !== '' && part !== '.' && part !== '..')
      .pop() ?? '';
  return [safeSegment(nodeId), ...folders, safeSegment(base)].join('/');
}

/** A key not yet used: `name (1).png`, `name (2).png`, ... */
export function uniqueKey(key: string, used: Set<string>): string {
  let candidate = key;
  for (let n = 1; used.has(candidate); n++)
    candidate = key.replace(/(\.[^./]*)?$/, (extension) => ` (${n})${extension}`);
  used.add(candidate);
  return candidate;
}
