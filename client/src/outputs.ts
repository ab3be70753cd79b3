import type { Execute } from './types';

/** One file an execute produced, as its `outputs` list it. */
export interface OutputFile {
  /** The node that produced it. */
  node: string;
  /** What kind of output (`images`, `audio`, `video`, ...): ComfyUI's key. */
  kind: string;
  filename: string;
  /** ComfyUI's subfolder ('' for none). */
  subfolder: string;
  /** `output`, or `temp` for previews. */
  type: string;
  /** Pre-signed GET URL. */
  url: string;
}

/** Every file item in the execute's outputs, in node order. */
export function outputFiles(execute: Pick<Execute, 'outputs'>): OutputFile[] {
  const files: OutputFile[] = [];
  for (const [node, output] of Object.entries(execute.outputs ?? {}))
    for (const [kind, items] of Object.entries(output ?? {})) {
      if (!Array.isArray(items)) continue;
      for (const item of items as Record<string, unknown>[])
        if (item && typeof item.filename === 'string' && typeof item.url === 'string')
          files.push({
            node,
            kind,
            filename: item.filename,
            subfolder: typeof item.subfolder === 'string' ? item.subfolder : '',
            type: typeof item.type === 'string' ? item.type : 'output',
            url: item.url,
          });
    }
  return files;
}

/** One text an execute produced (PreviewAny, ShowText and the like report `text: [...]`). */
export interface OutputText {
  node: string;
  /** ComfyUI's key: `text`, or another list of strings a node reported. */
  kind: string;
  text: string;
}

/** Every text item in the execute's outputs, in node order: strings in a node's lists, not files. */
export function outputTexts(execute: Pick<Execute, 'outputs'>): OutputText[] {
  const texts: OutputText[] = [];
  for (const [node, output] of Object.entries(execute.outputs ?? {}))
    for (const [kind, items] of Object.entries(output ?? {})) {
      if (!Array.isArray(items)) continue;
      for (const item of items) if (typeof item === 'string') texts.push({ node, kind, text: item });
    }
  return texts;
}
