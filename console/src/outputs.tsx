import type { Execute } from '@comfy-exec/client';
import { type OutputFile, outputFiles } from '@comfy-exec/client';

const VIDEO = /\.(mp4|webm|mov|mkv)$/i;
const AUDIO = /\.(flac|wav|mp3|ogg|opus|m4a)$/i;

/** One output file: image, video or audio player; anything else a download link. */
export function OutputMedia(props: { file: OutputFile; thumbnail?: boolean }) {
  const { file } = props;
  const label = `${file.filename} (node ${file.node})`;
  if (VIDEO.test(file.filename))
    return (
      <video
        src={file.url}
        controls={!props.thumbnail}
        muted
        aria-label={label}
        class={props.thumbnail ? 'thumb' : 'full'}
      />
    );
  if (AUDIO.test(file.filename)) return <audio src={file.url} controls aria-label={label} />;
  if (file.kind === 'images' || file.kind === 'gifs')
    return <img src={file.url} alt={label} loading="lazy" class={props.thumbnail ? 'thumb' : 'full'} />;
  return (
    <a href={file.url} download={file.filename}>
      {label}
    </a>
  );
}

/** Outputs that are not files (text, numbers): shown as text, never as HTML. */
export function textOutputs(
  execute: Pick<Execute, 'outputs'>,
): { node: string; kind: string; text: string }[] {
  const found: { node: string; kind: string; text: string }[] = [];
  for (const [node, output] of Object.entries(execute.outputs ?? {}))
    for (const [kind, items] of Object.entries(output ?? {}))
      if (Array.isArray(items))
        for (const item of items)
          if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')
            found.push({ node, kind, text: String(item) });
  return found;
}

export const firstFile = (execute: Pick<Execute, 'outputs'>) => outputFiles(execute)[0];
export { outputFiles };
