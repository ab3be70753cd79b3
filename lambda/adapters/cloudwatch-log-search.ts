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

/** Logs Insights over `/aws/sagemaker/Endpoints/{endpoint}` for lines that carry the prompt_id. */
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
          queryString: `fields @timestamp, @message, @logStream | filter @message like "${safeNeedle(query.promptId)}" | sort @timestamp asc | limit 1000`,
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
      const lines = (result.results ?? []).map((fields) => {
        const value = (name: string) => fields.find((field) => field.field === name)?.value ?? '';
        return { timestamp: value('@timestamp'), message: value('@message'), logStream: value('@logStream') };
      });
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
