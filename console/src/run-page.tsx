import {
  type ComfyExecClient,
  type Endpoint,
  PromptValidationError,
  type ResolvedPrompt,
  resolvePromptSource,
} from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { PromptInputs } from './prompt-inputs';
import { nodeProblems, PromptNodes } from './prompt-nodes';
import { go } from './route';

/**
 * Run: drop (or pick) a workflow JSON, an API prompt, or a PNG/WEBP/MP4 ComfyUI saved; pick the
 * endpoint; validate it (dry_run) with any errors on their nodes; run it, and watch it land in the
 * gallery.
 */
export function RunPage(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const { client, onError } = props;
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [endpoint, setEndpoint] = useState('');
  const [source, setSource] = useState<ResolvedPrompt & { name: string }>();
  const [problem, setProblem] = useState<string>();
  const [nodeErrors, setNodeErrors] = useState<Map<string, string[]>>(new Map());
  const [valid, setValid] = useState(false);
  useEffect(() => {
    client.endpoints().then((found) => {
      setEndpoints(found);
      setEndpoint(found[0]?.endpoint_name ?? '');
    }, onError);
  }, []);

  const read = async (file: File) => {
    setProblem(undefined);
    setValid(false);
    setNodeErrors(new Map());
    try {
      setSource({ ...(await resolvePromptSource(file)), name: file.name });
    } catch (error) {
      setSource(undefined);
      setProblem(`${file.name}: ${(error as Error).message}`);
    }
  };
  const request = () => ({ prompt: source!.prompt, ...(endpoint ? { endpoint_name: endpoint } : {}) });
  // Validating a UI workflow converts it on the endpoint: its API prompt is then what is edited and run.
  const validate = () =>
    void client.dryRun(request()).then((answer) => {
      setValid(true);
      setProblem(undefined);
      setNodeErrors(new Map());
      if (source?.kind === 'ui')
        setSource({ ...source, prompt: answer.prompt as Record<string, unknown>, kind: 'api' });
    }, refused);
  const refused = (error: unknown) => {
    if (!(error instanceof PromptValidationError)) return onError(error);
    setProblem(error.message);
    setNodeErrors(nodeProblems({ error: { node_errors: error.nodeErrors } } as never));
  };

  return (
    <main>
      <h1>Run a workflow</h1>
      <label
        class="drop"
        for="workflow-file"
        onDragOver={(event) => event.preventDefault()}
        onDrop={(event) => {
          event.preventDefault();
          const file = event.dataTransfer?.files[0];
          if (file) void read(file);
        }}
      >
        Drop a workflow (.json), an API prompt, or an image or video ComfyUI saved — or choose one
        <input
          id="workflow-file"
          type="file"
          accept=".json,image/png,image/webp,video/mp4"
          onChange={(e) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) void read(file);
          }}
        />
      </label>
      {source && (
        <p data-testid="source">
          {source.name}:{' '}
          {source.kind === 'ui' ? 'a UI workflow (converted on the endpoint)' : 'an API prompt'}, from{' '}
          {source.from}
        </p>
      )}
      <label for="endpoint">Endpoint</label>
      <select
        id="endpoint"
        value={endpoint}
        onChange={(e) => setEndpoint((e.target as HTMLSelectElement).value)}
      >
        {endpoints.map((e) => (
          <option value={e.endpoint_name}>{e.endpoint_name}</option>
        ))}
      </select>
      <nav class="actions">
        <button type="button" disabled={!source} onClick={validate}>
          Validate
        </button>
        <button
          type="button"
          disabled={!source}
          onClick={() => void client.create(request()).then(() => go('#/'), refused)}
        >
          Run
        </button>
      </nav>
      {source?.kind === 'api' && (
        <PromptInputs
          client={client}
          prompt={source.prompt as never}
          onChange={(prompt) => {
            setSource({ ...source, prompt });
            setValid(false);
          }}
          onError={onError}
        />
      )}
      {source?.kind === 'ui' && <p class="hint">Validate to convert the workflow and edit its inputs.</p>}
      {valid && <p role="status">Valid: ready to run.</p>}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {source?.kind === 'api' && nodeErrors.size > 0 && (
        <PromptNodes prompt={source.prompt as never} problems={nodeErrors} />
      )}
    </main>
  );
}
