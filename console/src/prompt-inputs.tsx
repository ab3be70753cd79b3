import { type ComfyExecClient, isFileInput } from '@comfy-exec/client';
import { useState } from 'preact/hooks';
import type { Exact } from './exact-numbers';
import { PickedThumbnail } from './picked-thumbnail';
import { isSeedName, SeedField } from './seed-field';

type Prompt = Record<
  string,
  { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

/** The inputs people change between runs; the rest of a graph stays as saved. */
const NUMBERS = new Set([
  'seed',
  'noise_seed',
  'steps',
  'cfg',
  'denoise',
  'width',
  'height',
  'batch_size',
  'length',
]);
const TEXTS = new Set(['text', 'prompt', 'positive', 'negative']);

export interface EditableInput {
  node: string;
  name: string;
  kind: 'number' | 'text' | 'file';
  label: string;
}

/** The inputs of an API prompt worth offering for editing, in node order. */
export function editableInputs(prompt: Prompt): EditableInput[] {
  const found: EditableInput[] = [];
  for (const [node, spec] of Object.entries(prompt))
    for (const [name, value] of Object.entries(spec.inputs ?? {})) {
      const kind =
        // A string too: what was typed and refused stays on the form, to be fixed there.
        NUMBERS.has(name) && ['number', 'bigint', 'string'].includes(typeof value)
          ? 'number'
          : TEXTS.has(name) && typeof value === 'string'
            ? 'text'
            : isFileInput(spec, name)
              ? 'file'
              : undefined;
      if (kind)
        found.push({ node, name, kind, label: `#${node} ${spec._meta?.title ?? spec.class_type} · ${name}` });
    }
  return found;
}

/**
 * The prompt's editable inputs as form fields: numbers, text, and files (uploaded as the caller's
 * inputs when picked, the prompt then naming the upload). Each change returns a new prompt.
 */
export function PromptInputs(props: {
  client: ComfyExecClient;
  prompt: Prompt;
  onChange(prompt: Prompt): void;
  onError(error: unknown): void;
}) {
  const set = (node: string, name: string, value: unknown) => {
    const next = structuredClone(props.prompt);
    next[node]!.inputs![name] = value;
    props.onChange(next);
  };
  // The files picked here, each shown as a thumbnail beside its field.
  const [picked, setPicked] = useState<Record<string, File>>({});
  const fields = editableInputs(props.prompt);
  if (fields.length === 0) return null;
  return (
    <fieldset class="inputs">
      <legend>Inputs</legend>
      {fields.map(({ node, name, kind, label }) => {
        const id = `input-${node}-${name}`;
        const value = props.prompt[node]!.inputs![name];
        return (
          <div key={id}>
            <label for={id}>{label}</label>
            {kind === 'number' && isSeedName(name) && (
              <SeedField
                id={id}
                label={label}
                value={value as Exact | string}
                onChange={(seed) => set(node, name, seed)}
              />
            )}
            {kind === 'number' && !isSeedName(name) && (
              <input
                id={id}
                type="number"
                value={String(value)}
                // An emptied or unreadable field is sent as typed, for the endpoint to refuse on
                // its node; Number('') would quietly run 0 instead.
                onChange={(e) => {
                  const typed = (e.target as HTMLInputElement).value;
                  set(
                    node,
                    name,
                    typed.trim() !== '' && Number.isFinite(Number(typed)) ? Number(typed) : typed,
                  );
                }}
              />
            )}
            {kind === 'text' && (
              <textarea
                id={id}
                value={String(value)}
                onChange={(e) => set(node, name, (e.target as HTMLTextAreaElement).value)}
              />
            )}
            {kind === 'file' && (
              <>
                <span class="hint"> {String(value)}</span>
                <input
                  id={id}
                  type="file"
                  onChange={(e) => {
                    const file = (e.target as HTMLInputElement).files?.[0];
                    if (file) setPicked((shown) => ({ ...shown, [id]: file }));
                    if (file)
                      props.client
                        .uploadInput(file)
                        .then((created) => set(node, name, created.name), props.onError);
                  }}
                />
                {picked[id] && <PickedThumbnail file={picked[id]} />}
              </>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
