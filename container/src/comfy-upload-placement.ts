import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { executeInputFolder } from '../../lambda/domain/inputs/staged-inputs';
import type { ComfyUiClient, InputUpload } from './comfy-client';
import { type InputPlacement, inside } from './input-placement';
import { InputUnusableError } from './input-unusable-error';

/** The part of ComfyUI's client an upload placement needs. */
export type InputUploader = Pick<ComfyUiClient, 'baseUrl' | 'uploadInput'>;

/** `clips/voice.wav` → subfolder `{folder}/clips`, name `voice.wav`: the name sent is one segment. */
function splitName(folder: string, name: string): { subfolder: string; name: string } {
  const slash = name.lastIndexOf('/');
  return slash < 0
    ? { subfolder: folder, name }
    : { subfolder: `${folder}/${name.slice(0, slash)}`, name: name.slice(slash + 1) };
}

/**
 * For a ComfyUI whose input folder this container cannot see (another machine): each file is
 * fetched to a staging folder here, checked, then sent through ComfyUI's `POST /upload/image`
 * into `comfy-exec/{prompt_id}/`, and the prompt names it as ComfyUI answered. ComfyUI has no
 * route that deletes an input, so `cleanUp` overwrites each with an empty file of the same name:
 * the bytes go, zero-byte files stay (README, "A ComfyUI on another machine").
 */
export function uploadPlacement(comfy: InputUploader, promptId: string, timeoutMs: number): InputPlacement {
  const folder = executeInputFolder(promptId);
  let staging: string | undefined;
  // The prompt value of each file ComfyUI holds now, and how to name it again to empty it.
  const uploaded = new Map<string, InputUpload>();
  return {
    async pathFor(name) {
      staging ??= await mkdtemp(join(tmpdir(), 'comfy-exec-input-'));
      const path = inside(staging, name);
      await mkdir(dirname(path), { recursive: true });
      return path;
    },

    async publish(name, path) {
      const target = splitName(folder, name);
      const { size } = await stat(path);
      let answer: Awaited<ReturnType<InputUploader['uploadInput']>>;
      try {
        answer = await comfy.uploadInput({ path, ...target }, timeoutMs);
      } finally {
        await rm(path, { force: true });
      }
      const { status, body } = answer;
      const why = body?.error?.message ? `: ${body.error.message}` : '';
      if (status === 413)
        throw new InputUnusableError(
          `input '${name}' (${size} bytes) is over what ComfyUI at ${comfy.baseUrl} accepts in one upload (413${why}): start ComfyUI with a larger --max-upload-size (MB, 100 by default), or give the container ComfyUI's input folder (COMFYUI_INPUT_DIR)`,
          'refused',
        );
      if (status !== 200 || typeof body?.name !== 'string' || body.name === '')
        throw new InputUnusableError(
          `ComfyUI at ${comfy.baseUrl} did not take input '${name}': POST /upload/image answered ${status}${why}`,
          'unavailable',
        );
      const subfolder = typeof body.subfolder === 'string' ? body.subfolder : target.subfolder;
      const value = subfolder ? `${subfolder}/${body.name}` : body.name;
      if (uploaded.has(value))
        throw new InputUnusableError(
          `input '${name}' and another input of this execute both became '${value}' in ComfyUI's upload (its multipart parser keeps %22 for a quote): rename one of them`,
          'refused',
        );
      uploaded.set(value, { name: body.name, subfolder });
      return value;
    },

    async cleanUp() {
      if (staging) await rm(staging, { recursive: true, force: true });
      const kept: string[] = [];
      for (const [value, file] of uploaded) {
        const emptied = await comfy.uploadInput(file, timeoutMs).then(
          (answer) => answer.status === 200,
          () => false,
        );
        if (!emptied) kept.push(value);
      }
      uploaded.clear();
      if (kept.length > 0)
        throw new Error(
          `ComfyUI at ${comfy.baseUrl} still holds the bytes of ${kept.join(', ')} in its input folder (emptying them through POST /upload/image failed)`,
        );
    },
  };
}
