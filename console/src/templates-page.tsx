import type { ComfyExecClient, TemplateRow } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { shortTime } from './times';

/** A deletion asks once more, on the row itself: a template may be what other people's scripts run by name. */
function DeleteButton(props: { name: string; onDelete(): void }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" aria-label={`Delete ${props.name}`} onClick={() => setAsking(true)}>
        Delete
      </button>
    );
  return (
    <span class="confirm">
      <button type="button" aria-label={`Delete ${props.name} for good`} onClick={props.onDelete}>
        Delete for good
      </button>{' '}
      <button type="button" aria-label={`Keep ${props.name}`} onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}

/**
 * The key's templates (ESD's schemas), each linking to its page (its form, and Run), with where
 * it runs and when it last changed; on a phone each is a block of labelled lines.
 */
export function TemplatesPage(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const { client, onError } = props;
  const [rows, setRows] = useState<TemplateRow[]>();
  const [nextKey, setNextKey] = useState<string | null>(null);
  const load = (startKey?: string) =>
    client.templates.list({ limit: 50, ...(startKey ? { startKey } : {}) }).then((page) => {
      setRows((shown) => (startKey ? [...(shown ?? []), ...page.items] : page.items));
      setNextKey(page.nextKey ?? null);
    }, onError);
  useEffect(() => {
    void load();
  }, []);
  const remove = (name: string) =>
    client.templates
      .delete([name])
      .then(() => setRows((shown) => shown?.filter((row) => row.name !== name)), onError);
  return (
    <main>
      <h1>Templates</h1>
      <p class="hint">
        A template is a saved workflow with the few values people change as its parameters: save one from{' '}
        <a href="#/run">Run</a>, then run it here by filling a form, or by name from the API.
      </p>
      {!rows ? (
        <p aria-busy="true">Loading…</p>
      ) : rows.length === 0 ? (
        <p>
          No templates yet. <a href="#/run">Open a workflow</a> and save it as a template.
        </p>
      ) : (
        <table class="stacking templates">
          <thead>
            <tr>
              <th scope="col">Template</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Parameters</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name} data-template={row.name}>
                <td data-label="Template">
                  <a href={`#/templates/${row.name}`}>{row.name}</a>
                </td>
                <td data-label="Endpoint">{row.endpoint_name || 'not deployed any more'}</td>
                <td data-label="Parameters">{row.declared_inputs ? 'declared' : 'derived'}</td>
                <td data-label="Updated">
                  <time dateTime={row.update_time}>{shortTime(row.update_time)}</time>
                </td>
                <td data-label="">
                  <DeleteButton name={row.name} onDelete={() => void remove(row.name)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextKey && (
        <button type="button" onClick={() => void load(nextKey)}>
          More
        </button>
      )}
    </main>
  );
}
