import type { ComfyExecClient, ExecuteStatus, ExecuteSummary } from '@comfy-exec/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ExecuteCard } from './execute-card';

const STATUSES: (ExecuteStatus | '')[] = ['', 'created', 'running', 'success', 'failed', 'cancelled'];
const FINAL = new Set(['success', 'failed', 'cancelled']);

/**
 * The caller's executes, newest first, page after page as the end of the list scrolls into view;
 * running ones are refreshed every second until they end.
 */
export function Gallery(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const { client, onError } = props;
  const [status, setStatus] = useState<ExecuteStatus | ''>('');
  const [items, setItems] = useState<ExecuteSummary[]>([]);
  const [nextKey, setNextKey] = useState<string | null | undefined>(undefined);
  const end = useRef<HTMLDivElement>(null);

  const load = async (startKey?: string) => {
    try {
      const page = await client.list({
        limit: 24,
        ...(startKey ? { startKey } : {}),
        ...(status ? { status } : {}),
      });
      setItems((shown) => (startKey ? [...shown, ...page.items] : page.items));
      setNextKey(page.nextKey);
    } catch (error) {
      onError(error);
    }
  };
  useEffect(() => {
    void load();
  }, [status]);
  // Live progress: the first page again while anything shown has not ended.
  useEffect(() => {
    if (!items.some((item) => !FINAL.has(item.status))) return;
    const timer = setTimeout(() => void load(), 1000);
    return () => clearTimeout(timer);
  }, [items]);
  useEffect(() => {
    if (!end.current || !nextKey) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void load(nextKey);
    });
    observer.observe(end.current);
    return () => observer.disconnect();
  }, [nextKey]);

  return (
    <main>
      <h1>Executes</h1>
      <label for="status-filter">Status</label>
      <select
        id="status-filter"
        value={status}
        onChange={(e) => setStatus((e.target as HTMLSelectElement).value as ExecuteStatus | '')}
      >
        {STATUSES.map((s) => (
          <option value={s}>{s || 'all'}</option>
        ))}
      </select>
      {items.length === 0 && nextKey !== undefined && (
        <p>
          No executes yet. <a href="#/run">Run a workflow</a>.
        </p>
      )}
      <ul class="gallery">
        {items.map((execute) => (
          <ExecuteCard key={execute.prompt_id} client={client} execute={execute} />
        ))}
      </ul>
      <div ref={end} class="end">
        {nextKey && (
          <button type="button" onClick={() => void load(nextKey)}>
            More
          </button>
        )}
      </div>
    </main>
  );
}
