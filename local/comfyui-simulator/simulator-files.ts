import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  private readonly counters = new Map<string, number>();

  constructor(readonly root: string) {
    for (const type of ['output', 'temp', 'input'] as const) mkdirSync(this.dir(type), { recursive: true });
    mkdirSync(this.modelsDir, { recursive: true });
    // The input LoadImage offers by default (simulated-models.ts lists it).
    const example = join(this.dir('input'), 'example.png');
    if (!existsSync(example)) writeFileSync(example, renderPng(768, 512, 'example input'));
  }

  /**
   * The file a loader's value names, as ComfyUI's `get_annotated_filepath` finds it: joined to
   * the input folder (or the output/temp folder for ` [output]`/` [temp]`). Like the real server
   * (checked on a125cd84), it does not confine the name: `../output/x.png` is found. The control
   * plane never lets such a name through (only files the execute brings pass its validation).
   */
  annotatedPath(value: string): string | undefined {
    const annotation = / \[(input|output|temp)\]$/.exec(value);
    const type = (annotation?.[1] ?? 'input') as FileType;
    const name = annotation ? value.slice(0, -annotation[0].length) : value;
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
    const key = `${type}/${subfolder}/${name}`;
    const counter = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, counter);
    const filename = `${name}_${String(counter).padStart(5, '0')}_.${extension}`;
    writeFileSync(join(folder, filename), bytes);
    return { filename, subfolder, type };
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
