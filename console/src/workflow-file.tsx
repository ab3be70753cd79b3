import { type ResolvedPrompt, resolvePromptSource } from '@comfy-exec/client';
import { parseExactJson } from './exact-numbers';

/** The prompt on the Run page: what was read, and whether the endpoint converted it from a UI workflow. */
export type Source = ResolvedPrompt & { name: string; converted?: boolean };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const sameKeys = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  Object.keys(a).join('\u0000') === Object.keys(b).join('\u0000');

/**
 * A dropped or picked file as the prompt to run. JSON is read again keeping integers past 2^53
 * (64-bit seeds) exact: the client library's reading rounds them.
 */
export async function readWorkflowFile(file: File): Promise<Source> {
  const resolved = await resolvePromptSource(file);
  if (resolved.from !== 'json') return { ...resolved, name: file.name };
  const exact = parseExactJson(await file.text());
  if (!isObject(exact)) return { ...resolved, name: file.name };
  // The library may have unwrapped a saved /prompt body ({prompt: {...}, client_id}).
  const prompt = sameKeys(exact, resolved.prompt) ? exact : isObject(exact.prompt) ? exact.prompt : undefined;
  return {
    ...resolved,
    prompt: prompt && sameKeys(prompt, resolved.prompt) ? prompt : resolved.prompt,
    name: file.name,
  };
}

/** Where a workflow is dropped or picked: JSON, an API prompt, or a PNG/WEBP/MP4 ComfyUI saved. */
export function WorkflowDrop(props: { onFile(file: File): void }) {
  return (
    <label
      class="drop"
      for="workflow-file"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        const file = event.dataTransfer?.files[0];
        if (file) props.onFile(file);
      }}
    >
      Drop a workflow (.json), an API prompt, or an image or video ComfyUI saved — or choose one
      <input
        id="workflow-file"
        type="file"
        accept=".json,image/png,image/webp,video/mp4"
        onChange={(e) => {
          const file = (e.target as HTMLInputElement).files?.[0];
          if (file) props.onFile(file);
        }}
      />
    </label>
  );
}
