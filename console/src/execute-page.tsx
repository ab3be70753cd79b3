import type { ComfyExecClient, DebugLinks, Execute } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { progressText } from './execute-card';
import { ExecuteFacts, FailureDetails } from './execute-facts';
import { type LogLine, LogLines } from './log-lines';
import { OutputMedia, outputFiles, textOutputs } from './outputs';
import { nodeProblems, PromptNodes } from './prompt-nodes';
import { go } from './route';
import { randomSeed } from './seed-field';
import { useCatalog } from './use-catalog';

const FINAL = new Set(['success', 'failed', 'cancelled']);

/** Re-runs the prompt, with every `seed`/`noise_seed` changed when asked. */
async function rerun(client: ComfyExecClient, execute: Execute, newSeed: boolean) {
  const prompt = structuredClone(execute.prompt_params.prompt ?? {}) as Record<
    string,
    { inputs?: Record<string, unknown> }
  >;
  if (newSeed)
    for (const node of Object.values(prompt))
      for (const name of ['seed', 'noise_seed'])
        if (typeof node.inputs?.[name] === 'number') node.inputs[name] = randomSeed();
  const created = await client.create({ prompt, endpoint_name: execute.endpoint_name });
  go(`#/executes/${created.prompt_id}`);
}

/**
 * One execute: its times, outputs full size, text outputs as text, a failure's traceback, the
 * prompt's nodes with their errors (inputs in ComfyUI's order), log lines, debug links, actions.
 */
export function ExecutePage(props: { client: ComfyExecClient; id: string; onError(error: unknown): void }) {
  const { client, id, onError } = props;
  const [execute, setExecute] = useState<Execute>();
  const [debug, setDebug] = useState<DebugLinks>();
  const [logs, setLogs] = useState<LogLine[]>();
  const catalog = useCatalog(client);
  const load = () =>
    client.getWithLinks(id).then(({ execute: found, debug: links }) => {
      setExecute(found);
      setDebug(links);
    }, onError);
  useEffect(() => {
    void load();
  }, [id]);
  useEffect(() => {
    if (!execute || FINAL.has(execute.status)) return;
    const timer = setTimeout(() => void load(), 1000);
    return () => clearTimeout(timer);
  }, [execute]);
  if (!execute) return <main aria-busy="true">Loading…</main>;
  const act = (work: () => Promise<unknown>) => () => void work().then(load, onError);
  const files = outputFiles(execute);
  const texts = textOutputs(execute);
  return (
    <main>
      <h1>
        Execute <code>{execute.prompt_id}</code>
      </h1>
      <p>
        <span class={`status ${execute.status}`} data-testid="status">
          {execute.status}
        </span>{' '}
        {execute.message && <span class="message">{execute.message}</span>}
      </p>
      {execute.status === 'running' && (
        <p>
          <progress max={100} value={execute.progress?.percent ?? 0} aria-label="progress" />{' '}
          <span data-testid="progress">{progressText(execute, execute.prompt_params.prompt as never)}</span>
        </p>
      )}
      <ExecuteFacts execute={execute} />
      {execute.template && (
        <p data-testid="from-template">
          Run from template <a href={`#/templates/${execute.template.name}`}>{execute.template.name}</a>
        </p>
      )}
      <nav class="actions" aria-label="actions">
        {!FINAL.has(execute.status) && (
          <button type="button" onClick={act(() => client.cancel(id))}>
            Cancel
          </button>
        )}
        <button type="button" onClick={() => void rerun(client, execute, false).catch(onError)}>
          Re-run
        </button>
        <button type="button" onClick={() => void rerun(client, execute, true).catch(onError)}>
          Re-run with a new seed
        </button>
        <button type="button" onClick={() => void client.delete([id]).then(() => go('#/'), onError)}>
          Delete
        </button>
      </nav>
      {debug && (
        <p class="debug">
          <a href={debug.function_url} target="_blank" rel="noreferrer">
            Lambda
          </a>{' '}
          ·{' '}
          <a href={debug.log_url} target="_blank" rel="noreferrer">
            Log stream
          </a>{' '}
          ·{' '}
          <a href={debug.trace_url} target="_blank" rel="noreferrer">
            X-Ray trace
          </a>
        </p>
      )}
      {(files.length > 0 || texts.length > 0) && (
        <section aria-label="outputs">
          <h2>Outputs</h2>
          <ul class="outputs">
            {files.map((file) => (
              <li>
                <OutputMedia file={file} />
                <a href={file.url} download={file.filename}>
                  Download {file.filename}
                </a>
              </li>
            ))}
          </ul>
          {texts.map((item) => (
            <pre class="text-output" data-node={item.node}>
              {item.text}
            </pre>
          ))}
        </section>
      )}
      <FailureDetails execute={execute} />
      <section aria-label="prompt">
        <h2>Prompt</h2>
        <PromptNodes
          prompt={(execute.prompt_params.prompt ?? {}) as never}
          problems={nodeProblems(execute)}
          catalog={catalog}
        />
      </section>
      <section aria-label="logs">
        <h2>Logs</h2>
        {/* The endpoint's lines keep coming while it runs (and reach the log group a little after): asked again on demand. */}
        <button type="button" onClick={() => void client.logs(id).then(setLogs, onError)}>
          {logs ? 'Refresh logs' : 'Show logs'}
        </button>
        {logs && <LogLines lines={logs} />}
      </section>
    </main>
  );
}
