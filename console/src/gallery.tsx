import type { ComfyExecClient, ExecuteStatus, ExecuteSummary } from '@comfy-exec/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { firstFile, OutputMedia, textOutputs } from './outputs';

const STATUSES: (ExecuteStatus | '')[] = ['', 'created', 'running', 'success', 'failed', 'cancelled'];
const FINAL = new Set(['success', 'failed', 'cancelled']);

const seconds = (from: string, to: string | null) =>
  from && to ? `${((Date.parse(to) - Date.parse(from)) / 1000).toFixed(1)} s` : '';

/** One execute as a card: its first output, status, progress while it runs, duration, endpoint. */
function Card(props: { execute: ExecuteSummary }) {
  const { execute } = props;
  const file = firstFile(execute as never);
  const text = file ? undefined : textOutputs(execute as never)[0]?.text;
  const percent = execute.progress?.percent;
  return (
    <li class="card">
      <a
        href={`#/executes/${execute.prompt_id}`}
        aria-label={`execute ${execute.prompt_id}, ${execute.status}`}
      >
        <div class="media">
          {file ? (
            <OutputMedia file={file} thumbnail />
          ) : text !== undefined ? (
            <p class="card-text">{text}</p>
          ) : (
            <span class="placeholder" />
          )}
        </div>
        <div class="meta">
          <span class={`status ${execute.status}`}>{execute.status}</span>
          <span>{seconds(execute.start_time, execute.complete_time)}</span>
          <span class="endpoint">{execute.endpoint_name}</span>
        </div>
      </a>
      {execute.status === 'running' && (
        <progress max={100} value={percent ?? 0} aria-label="progress">
          {percent ?? 0}%
        </progress>
      )}
    </li>
  );
}

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
          <Card key={execute.prompt_id} execute={execute} />
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
