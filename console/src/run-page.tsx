import {
  type ComfyExecClient,
  type Endpoint,
  type NodeErrors,
  PromptValidationError,
} from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { ChoiceInputs } from './choice-field';
import { NodeErrorFixes } from './node-error-fixes';
import { PromptInputs } from './prompt-inputs';
import { go } from './route';
import { SaveAsTemplate } from './save-template';
import { useCatalog } from './use-catalog';
import { readWorkflowFile, type Source, WorkflowDrop } from './workflow-file';

type Prompt = Record<
  string,
  { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Run: drop (or pick) a workflow JSON, an API prompt, or a PNG/WEBP/MP4 ComfyUI saved; pick the
 * endpoint; check it (a dry run) with what the endpoint refuses shown on its nodes, choices from
 * the endpoint's catalog to fix it; run it, and land on the new execute; or save it as a template.
 */
export function RunPage(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const { client, onError } = props;
  const catalog = useCatalog(client);
  const [endpoints, setEndpoints] = useState<Endpoint[]>();
  const [endpoint, setEndpoint] = useState('');
  const [source, setSource] = useState<Source>();
  const [problem, setProblem] = useState<string>();
  const [nodeErrors, setNodeErrors] = useState<NodeErrors>();
  const [valid, setValid] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    client.endpoints().then((found) => {
      setEndpoints(found);
      setEndpoint(found[0]?.endpoint_name ?? '');
    }, onError);
  }, []);

  // Fields wait for the page's own loads: a re-render while a person types in a number field
  // would put its old value back before the edit is committed (on change).
  const ready = catalog !== undefined && endpoints !== undefined;

  const read = async (file: File) => {
    setProblem(undefined);
    setValid(false);
    setNodeErrors(undefined);
    try {
      setSource(await readWorkflowFile(file));
    } catch (error) {
      setSource(undefined);
      setProblem(`${file.name}: ${(error as Error).message}`);
    }
  };
  const edit = (prompt: Prompt) => {
    setSource({ ...source!, prompt });
    setValid(false);
  };
  // Big seeds are BigInts in the page; the client writes them as their exact digits.
  const request = (from: Source) => ({
    prompt: from.prompt,
    ...(endpoint ? { endpoint_name: endpoint } : {}),
  });
  /** The endpoint's refusal on the nodes; a UI workflow's conversion becomes the prompt to fix. */
  const refused = (from: Source, error: unknown) => {
    if (!(error instanceof PromptValidationError)) return onError(error);
    const onNodes = Object.keys(error.nodeErrors).length > 0;
    // Each node's errors are shown beside it: the summary only says where to look.
    setProblem(onNodes ? `${error.error.message}: fix the nodes below.` : error.message);
    setNodeErrors(error.nodeErrors);
    const converted = (error.body as { data?: { prompt?: unknown } } | undefined)?.data?.prompt;
    if (from.kind === 'ui' && isObject(converted))
      setSource({ ...from, prompt: converted, kind: 'api', converted: true });
  };
  /** A dry run: converts a UI workflow (its API prompt is then what is edited) and validates. */
  const check = async (from: Source): Promise<Source | undefined> => {
    try {
      const answer = await client.dryRun(request(from));
      setValid(true);
      setProblem(undefined);
      setNodeErrors(undefined);
      if (from.kind !== 'ui') return from;
      setSource({ ...from, prompt: answer.prompt as Record<string, unknown>, kind: 'api', converted: true });
      return from;
    } catch (error) {
      setValid(false);
      refused(from, error);
      return undefined;
    }
  };
  const busyWhile = (work: () => Promise<unknown>) => () => {
    setBusy(true);
    void work()
      .catch(onError)
      .finally(() => setBusy(false));
  };
  const run = async () => {
    const checked = await check(source!);
    if (!checked) return;
    const created = await client.create(request(checked)).catch((error) => refused(checked, error));
    if (created) go(`#/executes/${created.prompt_id}`);
  };

  return (
    <main>
      <h1>Run a workflow</h1>
      <WorkflowDrop onFile={(file) => void read(file)} />
      {source && (
        <p data-testid="source">
          {source.name}:{' '}
          {source.kind === 'ui'
            ? 'a UI workflow (converted on the endpoint)'
            : source.converted
              ? 'a UI workflow, converted to this API prompt on the endpoint'
              : 'an API prompt'}
          , from {source.from}
        </p>
      )}
      <label for="endpoint">Endpoint</label>
      <select
        id="endpoint"
        value={endpoint}
        onChange={(e) => setEndpoint((e.target as HTMLSelectElement).value)}
      >
        {(endpoints ?? []).map((e) => (
          <option value={e.endpoint_name}>{e.endpoint_name}</option>
        ))}
      </select>
      <nav class="actions">
        <button type="button" disabled={!source || busy} onClick={busyWhile(() => check(source!))}>
          Validate
        </button>
        <button type="button" disabled={!source || busy} onClick={busyWhile(run)}>
          Run
        </button>
      </nav>
      {valid && <p role="status">Valid: ready to run.</p>}
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {ready && nodeErrors && Object.keys(nodeErrors).length > 0 && (
        <NodeErrorFixes
          nodeErrors={nodeErrors}
          prompt={source?.kind === 'api' ? (source.prompt as Prompt) : undefined}
          catalog={catalog}
          onChange={edit}
        />
      )}
      {source?.kind === 'api' &&
        (!ready ? (
          <p aria-busy="true">Reading the endpoint's nodes…</p>
        ) : (
          <>
            <PromptInputs client={client} prompt={source.prompt as never} onChange={edit} onError={onError} />
            <ChoiceInputs catalog={catalog} prompt={source.prompt as Prompt} onChange={edit} />
          </>
        ))}
      {source?.kind === 'ui' && <p class="hint">Validate to convert the workflow and edit its inputs.</p>}
      {/* Last: what is saved is the workflow as edited above. */}
      {source && <SaveAsTemplate client={client} source={source} endpoint={endpoint} onError={onError} />}
    </main>
  );
}
