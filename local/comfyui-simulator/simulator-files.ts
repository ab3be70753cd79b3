import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { PNG } from 'pngjs';
import { renderPng } from './render-png';

export type FileType = 'output' | 'temp' | 'input';

export interface FileItem {
  filename: string;
  subfolder: string;
  type: FileType;
}

/** ComfyUI's output, temp and input folders, with its `{prefix}_{00001}_.{ext}` counters. */
export class SimulatorFiles {
  /** Tests only: told of every file a node writes to output/ or temp/, with its bytes. */
  onSave?: (item: FileItem, bytes: Buffer) => void;

  constructor(readonly root: string) {
    for (const type of ['output', 'temp', 'input'] as const) mkdirSync(this.dir(type), { recursive: true });
    mkdirSync(this.modelsDir, { recursive: true });
    // The input LoadImage offers by default (simulated-models.ts lists it).
    const example = join(this.dir('input'), 'example.png');
    if (!existsSync(example)) writeFileSync(example, renderPng(768, 512, 'example input'));
  }

  /**
   * The file a loader's value names, as ComfyUI's `folder_paths.get_annotated_filepath` finds it:
   * a value ending in `[output]`/`[input]`/`[temp]` (space or not: ComfyUI tests `endswith` and cuts
   * one character more) is read from that folder, anything else from the input folder, and the
   * name is joined with `os.path.join` semantics: never confined, so `../output/x.png` and absolute
   * paths are found (as on the real server, checked on a125cd84). The control plane never lets
   * such a name through; the simulator must read as ComfyUI does so that tests can prove it.
   */
  annotatedPath(value: string): string | undefined {
    const annotation = /\[(input|output|temp)\]$/.exec(value);
    const type = (annotation?.[1] ?? 'input') as FileType;
    const name = annotation ? value.slice(0, -(annotation[0].length + 1)) : value;
    if (name === '') return undefined;
    const path = resolve(this.dir(type), name);
    return existsSync(path) && statSync(path).isFile() ? path : undefined;
  }

  /** The bytes of the file a loader names, or undefined. */
  readInput(value: string): Buffer | undefined {
    const path = this.annotatedPath(value);
    return path ? readFileSync(path) : undefined;
  }

  /** Width and height of a PNG a loader names, as LoadImage would see them. */
  inputImageSize(value: string): { width: number; height: number } | undefined {
    const bytes = this.readInput(value);
    if (!bytes) return undefined;
    try {
      const { width, height } = PNG.sync.read(bytes);
      return { width, height };
    } catch {
      return undefined;
    }
  }

  /** Model files on the simulator's disk, `models/{folder}/{name}` (the endpoint's model cache). */
  get modelsDir(): string {
    return join(this.root, 'models');
  }

  hasModel(folder: string, name: string): boolean {
    const base = resolve(this.modelsDir, folder);
    const path = resolve(base, name);
    return path.startsWith(base + sep) && existsSync(path) && statSync(path).isFile();
  }

  dir(type: FileType): string {
    return join(this.root, type);
  }

  /** `videos/clip` → subfolder `videos`, name `clip`; refuses to leave the folder, as ComfyUI does. */
  save(type: FileType, prefix: string, extension: string, bytes: Buffer): FileItem {
    const parts = prefix.split('/').filter((part) => part !== '');
    const name = parts.pop() ?? 'ComfyUI';
    const subfolder = parts.join('/');
    const folder = resolve(this.dir(type), subfolder);
    if (folder !== this.dir(type) && !folder.startsWith(this.dir(type) + sep)) {
      throw new Error('Saving image outside the output folder is not allowed.');
    }
    mkdirSync(folder, { recursive: true });
    // ComfyUI's `get_save_image_path`: one more than the highest `{name}_{digits}_` in the folder,
    // whatever the extension, so numbering starts again at 00001 once the files are removed.
    const taken = readdirSync(folder)
      .filter((file) => file.startsWith(`${name}_`))
      .map((file) => file.slice(name.length + 1).split('_')[0]!)
      .map((digits) => (/^\d+$/.test(digits) ? Number(digits) : 0));
    const counter = Math.max(0, ...taken) + 1;
    const filename = `${name}_${String(counter).padStart(5, '0')}_.${extension}`;
    writeFileSync(join(folder, filename), bytes);
    const item = { filename, subfolder, type };
    this.onSave?.(item, bytes);
    return item;
  }

  /**
   * The file GET /view serves: 400 for absolute names or `..`, 403 for a subfolder that
   * escapes the folder (comfyui-server-api.md §5); undefined when no such folder type.
   */
  locate(type: string, subfolder: string, filename: string): { status: 200 | 400 | 403; path?: string } {
    if (!['output', 'temp', 'input'].includes(type)) return { status: 400 };
    const name = filename.replace(/ \[(output|input|temp)\]$/, '');
    if (name === '' || name.startsWith('/') || name.includes('..')) return { status: 400 };
    const base = this.dir(type as FileType);
    const folder = resolve(base, subfolder);
    if (folder !== base && !folder.startsWith(base + sep)) return { status: 403 };
    return { status: 200, path: join(folder, name) };
  }
}
