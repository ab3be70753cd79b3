/** Times as a person reads them, in their own time zone and language. */

/** Today's as a time of day, older ones with their date. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return '';
  const today = new Date().toDateString() === when.toDateString();
  return today
    ? when.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Date and time in full, for one execute's page. */
export function fullTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const when = new Date(iso);
  return Number.isNaN(when.getTime())
    ? ''
    : when.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** Milliseconds as seconds (or minutes and seconds past a minute). */
export function formatMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** How long a run took, from its start to its end; '' until both are known. */
export const duration = (from: string | null | undefined, to: string | null | undefined) =>
  from && to ? formatMs(Date.parse(to) - Date.parse(from)) : '';
