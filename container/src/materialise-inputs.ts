import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { fileTypeFromFile } from 'file-type';
import { bareContentType, kindOfDetectedMime, type MediaKind } from '../../lambda/domain/inputs/media-kinds';
import {
  executeInputFolder,
  type InputBinding,
  type StagedInputFile,
} from '../../lambda/domain/inputs/staged-inputs';
import { type InputUploader, uploadPlacement } from './comfy-upload-placement';
import { fetchInputUrl, InputFetchError, type UrlFetchOptions } from './fetch-input-url';
import { folderPlacement, type InputPlacement } from './input-placement';
import { InputUnusableError } from './input-unusable-error';

export { InputUnusableError } from './input-unusable-error';

/**
 * ComfyUI's input folder as this container sees it (the image: written straight there, fastest),
 * or ComfyUI itself when the container sees no such folder (files go through its upload route).
 */
export type InputDestination = { folder: string } | { upload: InputUploader; timeoutMs: number };

export interface MaterialiseDeps {
  s3: S3Client;
  destination: InputDestination;
  url: Omit<UrlFetchOptions, 'maxBytes'>;
  maxBytes: number;
}

export interface MaterialisedInputs {
  /** The prompt with each bound input pointing at its file: `comfy-exec/{prompt_id}/{name}` (as ComfyUI named it). */
  prompt: Record<string, { inputs: Record<string, unknown> }>;
  /** Takes the execute's files away from ComfyUI (README says what stays on a ComfyUI elsewhere). */
  cleanUp(): Promise<void>;
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new InputUnusableError(`${uri} is not an s3:// object URI`, 'refused');
  return { bucket: match[1]!, key: match[2]! };
}

async function fetchS3(s3: S3Client, uri: string, destination: string, maxBytes: number, name: string) {
  const { bucket, key } = parseS3Uri(uri);
  let body: Readable;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((object.ContentLength ?? 0) > maxBytes)
      throw new InputUnusableError(
        `input '${name}' is ${object.ContentLength} bytes, over the limit of ${maxBytes}`,
        'refused',
      );
    body = object.Body as Readable;
  } catch (error) {
    if (error instanceof InputUnusableError) throw error;
    const name_ = (error as Error).name;
    if (name_ === 'NoSuchKey' || name_ === 'NotFound' || name_ === 'AccessDenied')
      throw new InputUnusableError(
        `input '${name}' (${uri}) no longer exists or cannot be read: deleted or expired after the execute was created?`,
        'refused',
      );
    throw new InputUnusableError(
      `input '${name}' (${uri}) could not be read: ${(error as Error).message}`,
      'unavailable',
    );
  }
  await pipeline(
    body instanceof Readable ? body : Readable.from(body as AsyncIterable<Uint8Array>),
    createWriteStream(destination),
  );
}

/**
 * The bytes must be what the node reads (and what the client declared): a PNG renamed .wav, or
 * an HTML error page saved from a URL, fails here with the reason, not inside ComfyUI.
 */
async function checkContent(path: string, file: StagedInputFile, kinds: Set<MediaKind>) {
  const detected = await fileTypeFromFile(path);
  const detectedKind = detected && kindOfDetectedMime(detected.mime);
  if (file.content_type && detected) {
    const declaredKind = kindOfDetectedMime(bareContentType(file.content_type));
    if (
      declaredKind &&
      detectedKind &&
      declaredKind !== detectedKind &&
      !(declaredKind === 'video' && detected.mime === 'image/gif')
    )
      throw new InputUnusableError(
        `input '${file.name}' was declared ${file.content_type} but its bytes are ${detected.mime}`,
        'refused',
      );
  }
  for (const kind of kinds) {
    // A GIF is both a picture and a clip; 3D formats other than glb carry no magic bytes.
    const fits =
      detectedKind === kind ||
      (kind === 'video' && detected?.mime === 'image/gif') ||
      (kind === 'model3d' &&
        (detected === undefined ||
          detectedKind === 'model3d' ||
          detected.mime === 'application/octet-stream'));
    if (!fits)
      throw new InputUnusableError(
        `input '${file.name}' is read as ${kind === 'model3d' ? 'a 3D model' : `an ${kind}`} but its bytes are ${detected ? detected.mime : `not a recognisable ${kind} file`}`,
        'refused',
      );
  }
}

/**
 * Puts every file the execute brings where ComfyUI reads it, in a folder of its own
 * (`comfy-exec/{prompt_id}/`), checks each against what reads it, and points the prompt's bound
 * inputs at them. Concurrent and later executes never see each other's files; `cleanUp` takes
 * them away when the run is over.
 */
export async function materialiseInputs(
  promptId: string,
  prompt: Record<string, { inputs: Record<string, unknown> }>,
  files: readonly StagedInputFile[],
  bindings: readonly InputBinding[],
  deps: MaterialiseDeps,
): Promise<MaterialisedInputs> {
  const destination = deps.destination;
  const placement: InputPlacement =
    'folder' in destination
      ? folderPlacement(destination.folder, promptId)
      : uploadPlacement(destination.upload, promptId, destination.timeoutMs);
  const values = new Map<string, string>();
  try {
    for (const file of files) {
      const path = await placement.pathFor(file.name);
      if (file.source.startsWith('s3://'))
        await fetchS3(deps.s3, file.source, path, deps.maxBytes, file.name);
      else {
        try {
          await fetchInputUrl(file.source, path, { ...deps.url, maxBytes: deps.maxBytes });
        } catch (error) {
          if (error instanceof InputFetchError)
            throw new InputUnusableError(`input '${file.name}': ${error.message}`, error.kind);
          throw error;
        }
      }
      const kinds = new Set(
        bindings.filter((binding) => binding.name === file.name).map((binding) => binding.kind),
      );
      await checkContent(path, file, kinds);
      values.set(file.name, await placement.publish(file.name, path));
    }
  } catch (error) {
    // What was put in place goes; a failure to take it away must not hide why the run failed.
    await placement.cleanUp().catch(() => undefined);
    throw error;
  }
  const rewritten = structuredClone(prompt);
  for (const binding of bindings) {
    const node = rewritten[binding.node_id];
    // A binding without a file (never staged so) names one that does not exist: ComfyUI refuses it.
    if (node)
      node.inputs[binding.input] =
        values.get(binding.name) ?? `${executeInputFolder(promptId)}/${binding.name}`;
  }
  return { prompt: rewritten, cleanUp: () => placement.cleanUp() };
}
