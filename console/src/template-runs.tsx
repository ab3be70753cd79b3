import type { ComfyExecClient, ExecuteSummary } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { ExecuteCard } from './execute-card';

const FINAL = new Set(['success', 'failed', 'cancelled']);

/**
 * The template's latest runs as the gallery's cards (ListExecutes `?template`), refreshed every
 * second while one of them is still going, so a run started elsewhere shows up here as it ends.
 */
export function TemplateRuns(props: {
  client: ComfyExecClient;
  name: string;
  onError(error: unknown): void;
}) {
  const { client, name, onError } = props;
  const [runs, setRuns] = useState<ExecuteSummary[]>();
  const load = () => client.list({ template: name, limit: 12 }).then((page) => setRuns(page.items), onError);
  useEffect(() => {
    setRuns(undefined);
    void load();
  }, [name]);
  useEffect(() => {
    if (!runs?.some((run) => !FINAL.has(run.status))) return;
    const timer = setTimeout(() => void load(), 1000);
    return () => clearTimeout(timer);
  }, [runs]);
  return (
    <section aria-label="runs of this template">
      <h2>Latest runs</h2>
      {runs?.length === 0 && <p class="hint">Not run yet.</p>}
      <ul class="gallery">
        {(runs ?? []).map((run) => (
          <ExecuteCard key={run.prompt_id} client={client} execute={run} />
        ))}
      </ul>
    </section>
  );
}
