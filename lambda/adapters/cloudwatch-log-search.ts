import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogLine, LogQuery, LogSearch } from '../domain/ports';

export interface LogSearchSettings {
  /** Longest time one request waits for Logs Insights; well under API Gateway's 29 s. */
  maxWaitMs: number;
  pollIntervalMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Only a canonical id may enter the query text (ESD interpolated it unescaped). */
function safeNeedle(promptId: string): string {
  if (!/^[0-9a-f-]{1,64}$/.test(promptId)) throw new Error(`refusing to search logs for id ${promptId}`);
  return promptId;
}

/**
 * The execute's own lines: a JSON line whose top-level `prompt_id` is the id, as the endpoint
 * container writes every line of a run (ComfyUI's lines too, JSON-escaped in `message`).
 */
export function isPromptLine(message: string, promptId: string): boolean {
  try {
    const parsed = JSON.parse(message) as unknown;
    return (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { prompt_id?: unknown }).prompt_id === promptId
    );
  } catch {
    return false;
  }
}

/**
 * Logs Insights over `/aws/sagemaker/Endpoints/{endpoint}` for the lines whose `prompt_id` field
 * (Logs Insights discovers the fields of JSON lines) is the id. Not a substring match: any key's
 * prompt can print another execute's id (in a node id, a file name), and such lines would land
 * in that execute's logs and could push its own out of the 1,000 a query answers.
 */
export class CloudWatchLogSearch implements LogSearch {
  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly settings: LogSearchSettings,
  ) {}

  async search(query: LogQuery): Promise<{ lines: LogLine[]; complete: boolean }> {
    let queryId: string | undefined;
    try {
      ({ queryId } = await this.client.send(
        new StartQueryCommand({
          logGroupName: `/aws/sagemaker/Endpoints/${query.endpointName}`,
          startTime: Math.floor(query.from.getTime() / 1000),
          endTime: Math.ceil(query.to.getTime() / 1000),
          queryString: `fields @timestamp, @message, @logStream | filter prompt_id = "${safeNeedle(query.promptId)}" | sort @timestamp asc | limit 1000`,
        }),
      ));
    } catch (error) {
      // The endpoint has not logged yet: no log group, no lines.
      if (error instanceof Error && error.name === 'ResourceNotFoundException')
        return { lines: [], complete: true };
      throw error;
    }
    const deadline = Date.now() + this.settings.maxWaitMs;
    for (;;) {
      const result = await this.client.send(new GetQueryResultsCommand({ queryId }));
      const lines = (result.results ?? [])
        .map((fields) => {
          const value = (name: string) => fields.find((field) => field.field === name)?.value ?? '';
          return {
            timestamp: value('@timestamp'),
            message: value('@message'),
            logStream: value('@logStream'),
          };
        })
        // The query's own filter again, on the whole line: only the container's JSON lines for this id.
        .filter((line) => isPromptLine(line.message, query.promptId));
      if (result.status === 'Complete') return { lines, complete: true };
      if (result.status !== 'Running' && result.status !== 'Scheduled') return { lines, complete: false };
      if (Date.now() + this.settings.pollIntervalMs > deadline) {
        await this.stopQuietly(queryId);
        return { lines, complete: false };
      }
      await sleep(this.settings.pollIntervalMs);
    }
  }

  /** Frees the query slot; the answer is already decided, so a failure here changes nothing. */
  private async stopQuietly(queryId: string | undefined): Promise<void> {
    try {
      await this.client.send(new StopQueryCommand({ queryId }));
    } catch {
      // The query may have finished meanwhile.
    }
  }
}
