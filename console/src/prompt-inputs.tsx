import type { ComfyExecClient } from '@comfy-exec/client';

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
const FILES = new Set(['image', 'mask', 'audio', 'video', 'file']);

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
        NUMBERS.has(name) && typeof value === 'number'
          ? 'number'
          : TEXTS.has(name) && typeof value === 'string'
            ? 'text'
            : FILES.has(name) && typeof value === 'string' && spec.class_type.startsWith('Load')
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
            {kind === 'number' && (
              <input
                id={id}
                type="number"
                value={String(value)}
                onChange={(e) => set(node, name, Number((e.target as HTMLInputElement).value))}
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
                    if (file)
                      props.client
                        .uploadInput(file)
                        .then((created) => set(node, name, created.name), props.onError);
                  }}
                />
              </>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
