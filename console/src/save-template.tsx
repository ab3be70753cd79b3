import { ApiError, type ComfyExecClient } from '@comfy-exec/client';
import { useState } from 'preact/hooks';
import { apiMessage, environmentOf, TEMPLATE_NAME_PATTERN } from './template-fields';
import type { Source } from './workflow-file';

/**
 * Save as template, on the Run page: the workflow as the page has it (a UI workflow as read, or
 * the API prompt with the edits made here) under a name, for the endpoint picked, its parameters
 * derived by the API (text prompts, seeds, sizes, steps, cfg, denoise, loaded files).
 */
export function SaveAsTemplate(props: {
  client: ComfyExecClient;
  source: Source;
  endpoint: string;
  onError(error: unknown): void;
}) {
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<{ name: string; parameters: number }>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setSaved(undefined);
    const wanted = name.trim();
    if (!TEMPLATE_NAME_PATTERN.test(wanted)) {
      setProblem(
        'A template name starts with a letter, then letters, digits, _ or -, at most 64 characters.',
      );
      return;
    }
    setProblem(undefined);
    try {
      const template = await props.client.templates.save({
        name: wanted,
        payload: props.source.prompt,
        workflow: environmentOf(props.endpoint),
      });
      setSaved({ name: template.name, parameters: Object.keys(template.inputs).length });
    } catch (error) {
      // The API's own words for what it refused: a name in use (409), a workflow it cannot type (400).
      if (error instanceof ApiError && error.status >= 400 && error.status < 500)
        setProblem(apiMessage(error));
      else props.onError(error);
    }
  };
  return (
    <form
      class="save-template"
      onSubmit={(event) => {
        event.preventDefault();
        setBusy(true);
        void save().finally(() => setBusy(false));
      }}
    >
      <label for="template-name">Save as template, named</label>
      <input
        id="template-name"
        type="text"
        autoComplete="off"
        spellcheck={false}
        value={name}
        aria-describedby="template-name-hint"
        onInput={(e) => setName((e.target as HTMLInputElement).value)}
      />{' '}
      <button type="submit" disabled={busy || !name.trim()}>
        Save as template
      </button>
      <p id="template-name-hint" class="hint">
        Letters, digits, _ and -. Its parameters are the inputs people change: prompts, seeds, sizes, steps,
        files.
      </p>
      {saved && (
        <p role="status">
          Saved with {saved.parameters} parameters:{' '}
          <a href={`#/templates/${saved.name}`}>open template {saved.name}</a>
        </p>
      )}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
    </form>
  );
}
