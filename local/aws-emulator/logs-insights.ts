import { randomUUID } from 'node:crypto';

export interface LogLine {
  logGroup: string;
  logStream: string;
  /** Epoch ms. */
  time: number;
  message: string;
}

/**
 * CloudWatch Logs Insights for the local stack: the container's log lines, searched with the
 * subset of the query language GetExecuteLogs sends: `filter FIELD = "..."` on the fields of a
 * JSON line (as Logs Insights discovers them, top level only here), or `filter @message like "..."`.
 */
export class LogsInsightsEmulator {
  private readonly lines: LogLine[] = [];
  private readonly queries = new Map<
    string,
    { logGroup: string; matches: (message: string) => boolean; from: number; to: number }
  >();

  constructor(private readonly maxLines = 100_000) {}

  add(line: LogLine): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** Answers one awsJson1_1 action, or undefined when it is not a Logs action we serve. */
  handle(action: string, input: Record<string, unknown>): { status: number; body: unknown } | undefined {
    if (action === 'StartQuery') {
      const queryId = randomUUID();
      this.queries.set(queryId, {
        logGroup: String(input.logGroupName ?? ''),
        matches: filterOf(String(input.queryString ?? '')),
        from: Number(input.startTime ?? 0) * 1000,
        to: Number(input.endTime ?? 0) * 1000 + 999,
      });
      return { status: 200, body: { queryId } };
    }
    if (action === 'GetQueryResults') {
      const query = this.queries.get(String(input.queryId));
      if (!query)
        return { status: 400, body: { __type: 'ResourceNotFoundException', message: 'query not found' } };
      const results = this.lines
        .filter(
          (l) =>
            l.logGroup === query.logGroup &&
            l.time >= query.from &&
            l.time <= query.to &&
            query.matches(l.message),
        )
        .slice(0, 1000)
        .map((l) => [
          { field: '@timestamp', value: new Date(l.time).toISOString().replace('T', ' ').replace('Z', '') },
          { field: '@message', value: l.message },
          { field: '@logStream', value: l.logStream },
        ]);
      return {
        status: 200,
        body: { status: 'Complete', results, statistics: { recordsMatched: results.length } },
      };
    }
    if (action === 'StopQuery') return { status: 200, body: { success: true } };
    return undefined;
  }
}

/** The query's one `filter`: a JSON field's equality, or a substring of the whole line. */
function filterOf(queryString: string): (message: string) => boolean {
  const field = /filter\s+([A-Za-z_][\w.]*)\s*=\s*"([^"]*)"/.exec(queryString);
  if (field) {
    const [, name, value] = field as unknown as [string, string, string];
    return (message) => {
      try {
        const parsed = JSON.parse(message) as Record<string, unknown> | null;
        return typeof parsed === 'object' && parsed !== null && parsed[name] === value;
      } catch {
        return false;
      }
    };
  }
  const needle = /like\s+"([^"]*)"/.exec(queryString)?.[1] ?? '';
  return (message) => message.includes(needle);
}
