import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileRef } from './comfy-client';
import { type ComfyFolders, pathOf } from './comfy-output-files';

/**
 * The types ComfyUI's /view gives these names by their extension alone (Python's `mimetypes`, the
 * same in every version ComfyUI runs on and in Debian's media types). Anything else is fetched
 * from /view, whose own rules (HTML and scripts served as downloads) then apply.
 */
const TYPE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** Above this a file is streamed from disk rather than read whole. */
const READ_WHOLE_BYTES = 8 * 1024 * 1024;

export interface OutputFileBody {
  body: Buffer | Readable;
  length: number;
  contentType: string;
}

/**
 * An output file read straight from ComfyUI's folder, when this container sees it (the image, the
 * local stack): one HTTP round trip to ComfyUI fewer per file. Undefined, and the caller asks
 * /view as before, when the folder is unknown, the type is not one of the above, or the name is
 * not a regular file inside the folder (a symbolic link is never followed here).
 */
export async function outputFileOnDisk(
  folders: ComfyFolders,
  file: FileRef,
): Promise<OutputFileBody | undefined> {
  const contentType = TYPE_BY_EXTENSION[file.filename.split('.').pop()?.toLowerCase() ?? ''];
  const path = contentType ? pathOf(folders, file) : undefined;
  if (!contentType || !path) return undefined;
  // Not through a linked folder on the way either: the real path must still be inside.
  if (!(await staysInside(path, file, folders))) return undefined;
  // O_NONBLOCK: a FIFO under an image's name must not hold the run (it is no regular file anyway).
  const flags = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const handle = await open(path, flags).catch(() => undefined);
  if (!handle) return undefined;
  let streaming = false;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return undefined;
    if (stat.size > READ_WHOLE_BYTES) {
      streaming = true;
      return { body: handle.createReadStream(), length: stat.size, contentType };
    }
    const body = await handle.readFile();
    return { body, length: body.length, contentType };
  } finally {
    // A stream closes its handle when it ends.
    if (!streaming) await handle.close();
  }
}

/** Whether the file's real path (every link on the way resolved) is inside its folder's. */
async function staysInside(path: string, file: FileRef, folders: ComfyFolders): Promise<boolean> {
  const folder = file.type === 'temp' ? folders.temp : folders.output;
  const [root, real] = await Promise.all([
    realpath(folder ?? '').catch(() => undefined),
    realpath(path).catch(() => undefined),
  ]);
  if (root === undefined) return false;
  return real?.startsWith(root + sep) === true;
}
