import type { ComfyExecClient, Usage } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const firstOfMonth = () => `${today().slice(0, 8)}01`;

/** Every day from `from` to `to` (UTC): days without executes get an empty bar, not a gap. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to) && days.length < 366; t += DAY_MS)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const cost = (value: number | null, currency: string) =>
  value === null ? '— (no pricePerHour for its instance type)' : `${value.toFixed(4)} ${currency}`;

/**
 * GPU seconds per day as bars (SVG: a month is at most 31 of them, no chart library needed), each
 * with its figure as a tooltip and for screen readers; the table below says the same in numbers.
 */
function DailyBars(props: { usage: Usage }) {
  const days = daysBetween(props.usage.from, props.usage.to);
  const perDay = new Map<string, number>();
  for (const row of props.usage.rows) perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.gpu_ms);
  const most = Math.max(1, ...perDay.values());
  const width = 12;
  return (
    <svg
      class="usage-bars"
      role="img"
      aria-label="GPU seconds per day"
      viewBox={`0 0 ${days.length * width} 100`}
      preserveAspectRatio="none"
    >
      {days.map((day, i) => {
        const ms = perDay.get(day) ?? 0;
        const height = (ms / most) * 100;
        return (
          <rect x={i * width + 1} y={100 - height} width={width - 2} height={height} data-day={day}>
            <title>{`${day}: ${seconds(ms)} GPU seconds`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** Usage per UTC day and endpoint (GET /usage): a chart per day, the rows and their totals. */
export function UsagePage(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const [from, setFrom] = useState(firstOfMonth);
  const [to, setTo] = useState(today);
  const [key, setKey] = useState('');
  const [usage, setUsage] = useState<Usage>();
  const [loading, setLoading] = useState(true);
  // A refused query (another key's usage, days the wrong way round) keeps what was shown before.
  const load = () => {
    setLoading(true);
    props.client
      .usage({ from, to, ...(key ? { key } : {}) })
      .then(setUsage, props.onError)
      .finally(() => setLoading(false));
  };
  useEffect(load, []);
  return (
    <main>
      <h1>Usage</h1>
      <form
        class="usage-query"
        onSubmit={(event) => {
          event.preventDefault();
          load();
        }}
      >
        <label>
          From <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} required />
        </label>
        <label>
          To <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} required />
        </label>
        <label>
          Key id (operator keys: any, or *)
          <input
            value={key}
            placeholder={usage && usage.key !== '*' ? `yours: ${usage.key}` : 'yours'}
            onInput={(e) => setKey(e.currentTarget.value.trim())}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {loading && <p aria-busy="true">Loading…</p>}
      {usage && (
        <>
          <DailyBars usage={usage} />
          <p data-testid="usage-totals">
            {usage.totals.executes} executes ({usage.totals.succeeded} succeeded, {usage.totals.failed}{' '}
            failed, {usage.totals.cancelled} cancelled), {seconds(usage.totals.gpu_ms)} GPU seconds, estimated{' '}
            {cost(usage.totals.estimated_cost, usage.currency)}
          </p>
          {usage.rows.length === 0 ? (
            <p>No executes ended in these days.</p>
          ) : (
            <table class="stacking">
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Endpoint</th>
                  {usage.key === '*' && <th scope="col">Key</th>}
                  <th scope="col">Executes</th>
                  <th scope="col">GPU s</th>
                  <th scope="col">Queued s</th>
                  <th scope="col">Output MB</th>
                  <th scope="col">Estimated cost</th>
                </tr>
              </thead>
              <tbody>
                {usage.rows.map((row) => (
                  <tr>
                    <td data-label="Day">{row.day}</td>
                    <td data-label="Endpoint">{row.endpoint_name}</td>
                    {usage.key === '*' && <td data-label="Key">{row.key}</td>}
                    <td data-label="Executes">
                      {row.executes} ({row.succeeded} ok, {row.failed} failed, {row.cancelled} cancelled)
                    </td>
                    <td data-label="GPU s">{seconds(row.gpu_ms)}</td>
                    <td data-label="Queued s">{seconds(row.queue_ms)}</td>
                    <td data-label="Output MB">{(row.output_bytes / 1024 ** 2).toFixed(2)}</td>
                    <td data-label="Estimated cost">{cost(row.estimated_cost, usage.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
      {!loading && !usage && <p>Nothing to show: change the days or the key, and Show again.</p>}
    </main>
  );
}
