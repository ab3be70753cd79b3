import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { FileRef } from './comfy-client';

/*
 * What an execute leaves in ComfyUI's output/ and temp/ folders, and how it goes. ComfyUI's API
 * can write there but never delete: the container removes the files itself, so it must see the
 * folders (the image's /opt/ComfyUI/{output,temp}; the local stack's simulator folders). For a
 * ComfyUI elsewhere the folders are unknown ('') and everything stays (container/README.md).
 */

/** ComfyUI's folders as this container sees them; '' or undefined: not reachable from here. */
export interface ComfyFolders {
  output?: string;
  temp?: string;
}

/** `output/sub/name.png` or `temp/name.png`: one file ComfyUI reported, as a map key. */
export const fileKey = (file: FileRef) =>
  `${file.type === 'temp' ? 'temp' : 'output'}/${file.subfolder ?? ''}/${file.filename}`;

const isFileRef = (item: unknown): item is FileRef =>
  typeof item === 'object' && item !== null && typeof (item as FileRef).filename === 'string';

/**
 * Every file item of a node's ui output (history `outputs[node]` or an `executed` message's
 * `output`) that lives in output/ or temp/: images, gifs, video, audio, 3D, whatever the key.
 * Items of type `input` are not the run's own files.
 */
export function filesOf(ui: unknown): FileRef[] {
  if (typeof ui !== 'object' || ui === null) return [];
  return Object.values(ui as Record<string, unknown>).flatMap((value) =>
    Array.isArray(value) ? value.filter(isFileRef).filter((item) => (item.type ?? 'output') !== 'input') : [],
  );
}

/**
 * The file references a prompt carries as literal values (`{filename, subfolder, type}` objects
 * anywhere in its inputs), as fileKeys. A node that echoes an input into its result (Preview3D's
 * camera_info) would report such a reference as its own file: it names a file this run did not
 * make, perhaps another key's, so it is neither fetched nor removed. CreateExecute refuses literal
 * objects on core inputs already; this holds for whatever reaches the container.
 */
export function literalFileKeys(prompt: Record<string, unknown>): Set<string> {
  const keys = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isFileRef(value)) keys.add(fileKey(value));
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  for (const node of Object.values(prompt)) visit((node as { inputs?: unknown })?.inputs);
  return keys;
}

/** Where a reported file is on disk, or undefined when the folder is unknown or the name leaves it. */
export function pathOf(folders: ComfyFolders, file: FileRef): string | undefined {
  const base =
    file.type === 'temp' ? folders.temp : file.type === 'output' || !file.type ? folders.output : '';
  if (!base) return undefined;
  const root = resolve(base);
  const path = resolve(root, file.subfolder ?? '', file.filename);
  return path.startsWith(root + sep) ? path : undefined;
}

/**
 * Removes the files an execute produced; returns how many went. A file already gone counts as
 * removed; a name that would leave the folder is never touched.
 */
export async function removeFiles(folders: ComfyFolders, files: Iterable<FileRef>): Promise<number> {
  let removed = 0;
  for (const file of files) {
    const path = pathOf(folders, file);
    if (!path) continue;
    const stat = await lstat(path).catch(() => undefined);
    if (stat && !stat.isFile() && !stat.isSymbolicLink()) continue;
    await rm(path, { force: true });
    removed++;
  }
  return removed;
}

/** ComfyUI's checkout ships it in output/ and input/: a clone stays as it was cloned. */
const PLACEHOLDER = '_output_images_will_be_put_here';

async function sweepFolder(dir: string, cutoff: number, removed: string[], top: boolean): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return false;
  // A folder untouched since before the cutoff can be removed once empty: nothing is writing to it.
  const quiet = !top && ((await lstat(dir).catch(() => undefined))?.mtimeMs ?? Date.now()) < cutoff;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (await sweepFolder(path, cutoff, removed, false)) removed.push(path);
      continue;
    }
    if (entry.name === PLACEHOLDER) continue;
    const stat = await lstat(path).catch(() => undefined);
    if (stat && stat.mtimeMs < cutoff) {
      await rm(path, { force: true });
      removed.push(path);
    }
  }
  if (!quiet) return false;
  return rmdir(dir).then(
    () => true,
    () => false,
  );
}

/**
 * Everything in output/ and temp/ (and `extra` folders, e.g. the container's own input/comfy-exec/)
 * last written before `maxAgeMs` ago: no running execute can still own it, as none runs that long.
 * It catches what per-execute removal cannot: files a run wrote after its deadline or never
 * reported, and files whose upload failed. Returns the paths removed.
 */
export async function sweepOldFiles(
  folders: ComfyFolders,
  maxAgeMs: number,
  extra: string[] = [],
): Promise<string[]> {
  const cutoff = Date.now() - maxAgeMs;
  const removed: string[] = [];
  for (const dir of [folders.output, folders.temp, ...extra])
    if (dir) await sweepFolder(resolve(dir), cutoff, removed, true);
  return removed;
}

/**
 * The prompt with every sink node (nothing links to it: output nodes are among them) given one
 * extra input naming the execute. ComfyUI caches a node whose inputs did not change, and a cached
 * output node reports the earlier prompt's files (checked on the real server: the same SaveImage
 * prompt twice answers `c25probe_00001_.png` both times, `execution_cached` naming both nodes).
 * Those files are that execute's, removed when it ended: each execute's output nodes must run
 * and write their own. ComfyUI ignores inputs its node does not declare (validation and the call
 * read only declared ones); the cache key includes every input, so only the sinks re-run and
 * everything upstream stays cached.
 */
export function withFreshOutputNodes<T extends Record<string, unknown>>(prompt: T, promptId: string): T {
  const linked = new Set<string>();
  for (const node of Object.values(prompt))
    for (const value of Object.values((node as { inputs?: Record<string, unknown> })?.inputs ?? {}))
      if (Array.isArray(value) && typeof value[0] === 'string') linked.add(value[0]);
  const fresh: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(prompt)) {
    const inputs = (node as { inputs?: Record<string, unknown> })?.inputs;
    fresh[id] =
      linked.has(id) || typeof inputs !== 'object' || inputs === null
        ? node
        : { ...(node as object), inputs: { ...inputs, comfy_exec_run: promptId } };
  }
  return fresh as T;
}
