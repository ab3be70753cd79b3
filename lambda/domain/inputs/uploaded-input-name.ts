/**
 * Names of uploaded inputs: `in-{time}{random}-{original file name}`. The time part counts down
 * (base 36, fixed width), so names sort newest first, which is the order S3 lists keys in;
 * the random part keeps two uploads in the same millisecond apart.
 */
const PREFIX = 'in-';
const TIME_WIDTH = 9;
const RANDOM_WIDTH = 8;
/** 36^9 ms is past the year 4000: every time of this service fits the width. */
const TIME_CEILING = 36 ** TIME_WIDTH - 1;
const NAME_PATTERN = new RegExp(`^${PREFIX}[0-9a-z]{${TIME_WIDTH + RANDOM_WIDTH}}-.`);

export function isUploadedInputName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

/**
 * `randomPart` is RANDOM_WIDTH base-36 characters. `maxBytes` bounds the whole name: the 18-byte
 * head and a name at input-file-name.ts's limit (200 bytes).
 */
export function mintUploadedInputName(
  filename: string,
  now: Date,
  randomPart: string,
  maxBytes = 218,
): string {
  const time = (TIME_CEILING - now.getTime()).toString(36).padStart(TIME_WIDTH, '0');
  const head = `${PREFIX}${time}${randomPart.slice(0, RANDOM_WIDTH).padEnd(RANDOM_WIDTH, '0')}-`;
  return `${head}${fitBytes(filename, maxBytes - head.length)}`;
}

/** The file name cut in its stem (never its extension) until it fits `limit` bytes. */
function fitBytes(filename: string, limit: number): string {
  if (Buffer.byteLength(filename) <= limit) return filename;
  const dot = filename.lastIndexOf('.');
  const extension = filename.slice(dot);
  let stem = [...filename.slice(0, dot)];
  while (stem.length > 1 && Buffer.byteLength(stem.join('') + extension) > limit) stem = stem.slice(0, -1);
  return stem.join('') + extension;
}
