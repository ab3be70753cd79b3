import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { sendJson } from './http-helpers';
import type { FileType, SimulatorFiles } from './simulator-files';

/** ComfyUI's aiohttp app refuses bodies over `--max-upload-size` (100 MB by default). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** aiohttp's answer when a handler raises: what ComfyUI sends for a malformed upload. */
function serverTrouble(res: ServerResponse) {
  const text = '500 Internal Server Error\n\nServer got itself in trouble';
  res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': text.length });
  res.end(text);
}

function plain(res: ServerResponse, status: number, text = '') {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': text.length });
  res.end(text);
}

/** The whole body, or undefined when it is over the limit (read to its end all the same, then refused). */
async function readRaw(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_UPLOAD_BYTES) chunks.push(chunk);
  }
  return size > MAX_UPLOAD_BYTES ? undefined : Buffer.concat(chunks);
}

const sameBytes = (a: Buffer, b: Buffer) =>
  createHash('sha256').update(a).digest('hex') === createHash('sha256').update(b).digest('hex');

/**
 * POST /upload/image as ComfyUI 0.3.64's server.py `image_upload` answers it (checked against the
 * real server, docs/reliability.md 2026-12-06): any kind of file; `type` input (default), temp or
 * output, anything else a 500; `subfolder` created, 400 when it leaves the folder; `overwrite`
 * `true`/`1` replaces a file of that name, else an identical file is kept under its name and a
 * different one becomes `name (1).ext`, `name (2).ext`, ...; the answer echoes `subfolder` as sent
 * and names the file it wrote. A name with `/` is written below the subfolder only if that folder
 * exists (ComfyUI creates the subfolder alone), else a 500.
 */
export async function uploadImage(req: IncomingMessage, res: ServerResponse, files: SimulatorFiles) {
  const raw = await readRaw(req);
  if (!raw) return plain(res, 413, `Maximum request body size ${MAX_UPLOAD_BYTES} exceeded.`);
  let form: FormData;
  try {
    form = await new Response(raw, {
      headers: { 'content-type': req.headers['content-type'] ?? '' },
    }).formData();
  } catch {
    return serverTrouble(res);
  }
  const image = form.get('image');
  if (image === null) return plain(res, 400);
  // A text field, or a file part without a name, is a string to aiohttp: `image.file` raises.
  if (typeof image === 'string' || image.name === '') return serverTrouble(res);
  const type = String(form.get('type') ?? 'input');
  if (!['input', 'temp', 'output'].includes(type)) return serverTrouble(res);
  const base = files.dir(type as FileType);
  const subfolder = String(form.get('subfolder') ?? '');
  // aiohttp drops leading slashes from a part's file name; os.path.join restarts at an absolute part.
  let filename = image.name.replace(/^[\\/]+/, '');
  const folder = resolve(base, normalize(subfolder === '' ? '.' : subfolder));
  let path = resolve(folder, filename);
  if (path !== base && !path.startsWith(base + sep)) return plain(res, 400);
  mkdirSync(folder, { recursive: true });
  const bytes = Buffer.from(await image.arrayBuffer());
  const overwrite = form.get('overwrite');
  let duplicate = false;
  if (overwrite !== 'true' && overwrite !== '1') {
    const extension = extname(filename);
    const stem = filename.slice(0, filename.length - extension.length);
    for (let i = 1; existsSync(path); i++) {
      if (sameBytes(readFileSync(path), bytes)) {
        duplicate = true;
        break;
      }
      filename = `${stem} (${i})${extension}`;
      path = join(folder, filename);
    }
  }
  try {
    if (!duplicate) writeFileSync(path, bytes);
  } catch {
    return serverTrouble(res); // a name whose folder does not exist: open() raises in ComfyUI
  }
  sendJson(res, 200, { name: filename, subfolder, type });
}
